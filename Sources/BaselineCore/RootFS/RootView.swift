// The root view: reads files of a root directory as the device would see them.
//
// Every path is resolved one component at a time with openat(O_PATH|O_NOFOLLOW) from a descriptor of the root, so:
//  - absolute symlinks are re-rooted (a link to /etc/x means <root>/etc/x), as under chroot;
//  - `..` never climbs above the root (the root is its own parent, as on the device);
//  - symlink chains are limited (40, like the kernel), so loops end with a recorded problem;
//  - only regular files are opened for reading (FIFOs, sockets and devices are skipped, never opened);
//  - reads are capped; what could not be read is recorded in `problems` for the report.
import CBaselineSys

public enum FileKind: Equatable {
    case regular, directory, symlink, fifo, socket, charDevice, blockDevice, other

    init(_ raw: Int32) {
        switch raw {
        case Int32(BL_T_REG): self = .regular
        case Int32(BL_T_DIR): self = .directory
        case Int32(BL_T_LNK): self = .symlink
        case Int32(BL_T_FIFO): self = .fifo
        case Int32(BL_T_SOCK): self = .socket
        case Int32(BL_T_CHR): self = .charDevice
        case Int32(BL_T_BLK): self = .blockDevice
        default: self = .other
        }
    }

    public var name: String {
        switch self {
        case .regular: return "regular file"
        case .directory: return "directory"
        case .symlink: return "symlink"
        case .fifo: return "FIFO"
        case .socket: return "socket"
        case .charDevice: return "character device"
        case .blockDevice: return "block device"
        case .other: return "special file"
        }
    }
}

public struct FileInfo {
    public let path: String        // canonical path inside the root, after resolving symlinks
    public let kind: FileKind
    public let size: Int
    public let mode: UInt32
}

public struct FSProblem: Equatable {
    public let path: String
    public let reason: String
    public init(path: String, reason: String) { self.path = path; self.reason = reason }
}

public struct RootError: Error {
    public let message: String
}

public final class RootView {
    public let rootPath: String
    private let rootFD: Int32
    private let image: ImageTree?
    /// Largest number of bytes read from one file; longer files are cut and recorded.
    public var maxFileBytes: Int
    public private(set) var problems: [FSProblem] = []
    public private(set) var filesRead = 0
    /// A firmware file's kernel header names the kernel (uImage "MIPS OpenWrt Linux-6.6.73"): its release and where
    /// it was read ("@0x200 U-Boot legacy uImage 'MIPS OpenWrt Linux-6.6.73'"). Set by the host for images only.
    public var headerKernel: (release: String, source: String)? = nil
    /// The source is an update bundle: its signature as the host verified it (UPD-11 to UPD-15).
    public var bundleSignature: BundleSignature? = nil
    private var problemKeys: Set<String> = []

    public init(root: String, maxFileBytes: Int = 16 * 1024 * 1024) throws(RootError) {
        let fd = bl_open_root(root)
        if fd < 0 {
            throw RootError(message: "\(root): cannot open as a root directory: \(RootView.errorText(fd))")
        }
        self.rootPath = root
        self.rootFD = fd
        self.image = nil
        self.maxFileBytes = maxFileBytes
    }

    /// A root view over a firmware image read into memory; `label` names it in messages.
    public init(image: ImageTree, label: String, maxFileBytes: Int = 16 * 1024 * 1024) {
        self.rootPath = label
        self.rootFD = -1
        self.image = image
        self.maxFileBytes = maxFileBytes
    }

    deinit { if rootFD >= 0 { _ = bl_close(rootFD) } }

    static func errorText(_ code: Int32) -> String { String(cString: bl_strerror(code)) }

    /// Problems found before the audit (e.g. image members that were refused), reported with the rest.
    public func record(_ problems: [FSProblem]) { for p in problems { note(p.path, p.reason) } }

    func note(_ path: String, _ reason: String) {
        let key = path + "\u{0}" + reason
        if problemKeys.contains(key) { return }
        problemKeys.insert(key)
        if problems.count < 500 { problems.append(FSProblem(path: path, reason: reason)) }
    }

    // MARK: resolution

    private enum Walk {
        case found(parent: Int32, name: String, fd: Int32, kind: FileKind, size: Int, mode: UInt32, path: String)
        case missing
        case failed(String)
    }

    private static func components(_ path: String) -> [String] {
        var out: [String] = []
        for part in Text.split(path, 47) where !part.isEmpty && part != "." { out.append(part) }
        return out
    }

    /// Resolves `path` inside the root. On `.found`, the caller owns `parent` (unless it is the root fd) and `fd`.
    private func walk(_ path: String, followLast: Bool) -> Walk {
        // A NUL would cut the name openat() sees ("..\0x" is ".." to the kernel): refuse such paths outright.
        if path.utf8.contains(0) { return .failed("path contains a NUL byte") }
        var pending = Array(RootView.components(path).reversed())
        var stack: [Int32] = []
        var names: [String] = []
        var links = 0
        func closeStack() { for fd in stack { _ = bl_close(fd) }; stack.removeAll() }

        while let comp = pending.popLast() {
            if comp == "." { continue }
            if comp == ".." {
                if let fd = stack.popLast() { _ = bl_close(fd); names.removeLast() }
                continue
            }
            let dir = stack.last ?? rootFD
            let fd = comp.withCString { bl_openat_path(dir, $0) }
            if fd < 0 {
                closeStack()
                if fd == -2 || fd == -20 { return .missing }   // ENOENT, ENOTDIR
                return .failed(RootView.errorText(fd))
            }
            var st = bl_stat_t()
            if bl_fstat(fd, &st) != 0 { _ = bl_close(fd); closeStack(); return .failed("cannot stat") }
            let kind = FileKind(st.type)
            let isLast = pending.isEmpty
            if kind == .symlink && (!isLast || followLast) {
                links += 1
                var buf = [CChar](repeating: 0, count: 4096)
                let n = buf.withUnsafeMutableBufferPointer { bl_readlink_fd(fd, $0.baseAddress, 4096) }
                _ = bl_close(fd)
                if links > 40 { closeStack(); return .failed("too many levels of symbolic links (loop?)") }
                if n < 0 { closeStack(); return .failed("unreadable symlink") }
                let target = buf.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
                if target.hasPrefix("/") { closeStack(); names.removeAll() }
                for part in RootView.components(target).reversed() { pending.append(part) }
                continue
            }
            if isLast {
                let parent = stack.popLast() ?? rootFD
                closeStack()
                names.append(comp)
                return .found(parent: parent, name: comp, fd: fd, kind: kind, size: Int(st.size), mode: st.mode,
                              path: "/" + Text.joinWith(names, "/"))
            }
            if kind == .directory {
                stack.append(fd)
                names.append(comp)
            } else {
                _ = bl_close(fd)
                closeStack()
                return .missing
            }
        }
        // The path named a directory reached through "..", "." or the root itself.
        let dirFD = stack.popLast()
        closeStack()
        if let d = dirFD {
            var st = bl_stat_t()
            _ = bl_fstat(d, &st)
            let name = names.last ?? ""
            return .found(parent: -1, name: name, fd: d, kind: .directory, size: Int(st.size), mode: st.mode,
                          path: "/" + Text.joinWith(names, "/"))
        }
        return .found(parent: -1, name: "", fd: -1, kind: .directory, size: 0, mode: 0o755, path: "/")
    }

    private func release(_ parent: Int32, _ fd: Int32) {
        if parent >= 0 && parent != rootFD { _ = bl_close(parent) }
        if fd >= 0 && fd != rootFD { _ = bl_close(fd) }
    }

    // MARK: queries

    /// Information about the file at `path`, following symlinks inside the root (or not, for the last component).
    public func info(_ path: String, follow: Bool = true) -> FileInfo? {
        if let img = image {
            switch memWalk(img, path, followLast: follow) {
            case .found(let canonical, let node): return FileInfo(path: canonical, kind: RootView.kind(node), size: RootView.size(node), mode: RootView.mode(node))
            case .missing: return nil
            case .failed(let why): note(path, why); return nil
            }
        }
        switch walk(path, followLast: follow) {
        case .found(let parent, _, let fd, let kind, let size, let mode, let canonical):
            release(parent, fd)
            return FileInfo(path: canonical, kind: kind, size: size, mode: mode)
        case .missing: return nil
        case .failed(let why): note(path, why); return nil
        }
    }

    public func exists(_ path: String) -> Bool { info(path) != nil }
    public func isFile(_ path: String) -> Bool { info(path)?.kind == .regular }
    public func isDirectory(_ path: String) -> Bool { info(path)?.kind == .directory }

    /// The target text of a symlink (not resolved), or nil.
    public func readLink(_ path: String) -> String? {
        if let img = image {
            if case .found(_, let node) = memWalk(img, path, followLast: false), case .symlink(let t) = node { return t }
            return nil
        }
        switch walk(path, followLast: false) {
        case .found(let parent, _, let fd, let kind, _, _, _):
            defer { release(parent, fd) }
            guard kind == .symlink else { return nil }
            var buf = [CChar](repeating: 0, count: 4096)
            let n = buf.withUnsafeMutableBufferPointer { bl_readlink_fd(fd, $0.baseAddress, 4096) }
            if n < 0 { return nil }
            return buf.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        default: return nil
        }
    }

    /// Reads a regular file (symlinks resolved inside the root). Returns nil when it is missing, not a regular file,
    /// or unreadable; everything but "missing" is recorded in `problems`. Content beyond `maxFileBytes` is cut.
    public func read(_ path: String, limit: Int? = nil) -> [UInt8]? {
        let cap = limit ?? maxFileBytes
        if let img = image {
            switch memWalk(img, path, followLast: true) {
            case .missing: return nil
            case .failed(let why): note(path, why); return nil
            case .found(let canonical, let node):
                switch node {
                case .file(let content, let size, _, let complete):
                    if !complete && content.count < cap { note(canonical, "content not in memory (image read budget); only the first \(content.count) of \(size) bytes were read") }
                    if content.count > cap {
                        note(canonical, "larger than \(cap) bytes; only the first \(cap) bytes were read")
                        filesRead += 1
                        return Array(content[0..<cap])
                    }
                    filesRead += 1
                    return content
                case .directory: return nil
                case .symlink: return nil
                case .special(let k): note(canonical, "skipped: \(k.name), not read"); return nil
                }
            }
        }
        switch walk(path, followLast: true) {
        case .missing: return nil
        case .failed(let why): note(path, why); return nil
        case .found(let parent, let name, let fd, let kind, _, _, let canonical):
            defer { release(parent, fd) }
            guard kind == .regular else {
                if kind != .directory { note(canonical, "skipped: \(kind.name), not read") }
                return nil
            }
            let dir = parent >= 0 ? parent : rootFD
            let rfd = name.withCString { bl_openat_read(dir, $0) }
            if rfd < 0 { note(canonical, "not readable: \(RootView.errorText(rfd))"); return nil }
            defer { _ = bl_close(rfd) }
            var st = bl_stat_t()
            guard bl_fstat(rfd, &st) == 0, st.type == Int32(BL_T_REG) else {
                note(canonical, "changed while reading; skipped")
                return nil
            }
            var out: [UInt8] = []
            out.reserveCapacity(min(max(Int(st.size), 0), cap) + 1)
            var chunk = [UInt8](repeating: 0, count: 65536)
            while out.count < cap {
                let want = min(65536, cap - out.count)
                let n = chunk.withUnsafeMutableBufferPointer { bl_read(rfd, $0.baseAddress, want) }
                if n < 0 { note(canonical, "read error: \(RootView.errorText(Int32(n)))"); return nil }
                if n == 0 { break }
                out.append(contentsOf: chunk[0..<n])
            }
            if out.count >= cap {
                // Probe for more data: a file longer than the cap is cut and the cut is recorded.
                var one: [UInt8] = [0]
                let more = one.withUnsafeMutableBufferPointer { bl_read(rfd, $0.baseAddress, 1) }
                if more > 0 { note(canonical, "larger than \(cap) bytes; only the first \(cap) bytes were read") }
            }
            filesRead += 1
            return out
        }
    }

    /// Reads a regular file in overlapping windows of at most `window` + `overlap` bytes, up to `limit` bytes in all,
    /// so a search over a multi-megabyte binary needs one window of memory, not the whole file. Each window after the
    /// first starts with the last `overlap` bytes of the one before. `body` gets the window and whether it is the last;
    /// it returns true to stop. Returns false when the file is missing or unreadable (recorded like `read`).
    public func scan(_ path: String, limit: Int, window: Int = 256 * 1024, overlap: Int = 512,
                     _ body: ([UInt8], Bool) -> Bool) -> Bool {
        if image != nil {
            guard let all = read(path, limit: limit) else { return false }
            var start = 0
            while true {
                let end = min(all.count, start + window + overlap)
                if body(Array(all[start..<end]), end == all.count) || end == all.count { return true }
                start = end - overlap
            }
        }
        switch walk(path, followLast: true) {
        case .missing: return false
        case .failed(let why): note(path, why); return false
        case .found(let parent, let name, let fd, let kind, _, _, let canonical):
            defer { release(parent, fd) }
            guard kind == .regular else { return false }
            let dir = parent >= 0 ? parent : rootFD
            let rfd = name.withCString { bl_openat_read(dir, $0) }
            if rfd < 0 { note(canonical, "not readable: \(RootView.errorText(rfd))"); return false }
            defer { _ = bl_close(rfd) }
            var st = bl_stat_t()
            guard bl_fstat(rfd, &st) == 0, st.type == Int32(BL_T_REG) else { note(canonical, "changed while reading; skipped"); return false }
            var buf: [UInt8] = []
            buf.reserveCapacity(window + overlap)
            var chunk = [UInt8](repeating: 0, count: 65536)
            var total = 0
            var eof = false
            filesRead += 1
            while !eof {
                // fill the window after the carried-over tail
                while buf.count < window + overlap && total < limit {
                    let want = min(65536, window + overlap - buf.count, limit - total)
                    let n = chunk.withUnsafeMutableBufferPointer { bl_read(rfd, $0.baseAddress, want) }
                    if n < 0 { note(canonical, "read error: \(RootView.errorText(Int32(n)))"); return false }
                    if n == 0 { eof = true; break }
                    buf.append(contentsOf: chunk[0..<n])
                    total += n
                }
                if total >= limit {
                    eof = true
                    var one: [UInt8] = [0]
                    if one.withUnsafeMutableBufferPointer({ bl_read(rfd, $0.baseAddress, 1) }) > 0 {
                        note(canonical, "larger than \(limit) bytes; only the first \(limit) bytes were searched")
                    }
                }
                if body(buf, eof) { return true }
                if buf.count > overlap { buf.removeFirst(buf.count - overlap) }
            }
            return true
        }
    }

    /// Entry names of a directory (symlinks to directories inside the root are followed), sorted.
    public func list(_ path: String) -> [String] {
        if let img = image {
            switch memWalk(img, path, followLast: true) {
            case .found(let canonical, let node):
                guard case .directory = node else { return [] }
                return img.names(canonical).sorted()
            case .missing: return []
            case .failed(let why): note(path, why); return []
            }
        }
        switch walk(path, followLast: true) {
        case .missing: return []
        case .failed(let why): note(path, why); return []
        case .found(let parent, _, let fd, let kind, _, _, let canonical):
            defer { release(parent, fd) }
            guard kind == .directory else { return [] }
            return listFD(fd >= 0 ? fd : rootFD, canonical)
        }
    }

    private func listFD(_ fd: Int32, _ canonical: String) -> [String] {
        var cap = 16384
        while cap <= 64 * 1024 * 1024 {
            var buf = [CChar](repeating: 0, count: cap)
            var needed = 0
            let n = buf.withUnsafeMutableBufferPointer { bl_list_dir(fd, $0.baseAddress, cap, &needed) }
            if n == -105 { cap = needed + 1024; continue }  // ENOBUFS
            if n < 0 { note(canonical, "cannot list: \(RootView.errorText(Int32(n)))"); return [] }
            var names: [String] = []
            var start = 0
            buf.withUnsafeBufferPointer { p in
                for i in 0..<n where p[i] == 0 {
                    let bytes = UnsafeRawBufferPointer(start: p.baseAddress! + start, count: i - start)
                    names.append(String(decoding: bytes, as: UTF8.self))
                    start = i + 1
                }
            }
            names.sort()
            if names.count > 100_000 {
                note(canonical, "more than 100000 entries; only the first 100000 were considered")
                names = Array(names[0..<100_000])
            }
            return names
        }
        note(canonical, "directory listing too large")
        return []
    }

    // MARK: in-memory images

    private enum MemWalk {
        case found(String, ImageTree.Node)
        case missing
        case failed(String)
    }

    static func kind(_ n: ImageTree.Node) -> FileKind {
        switch n {
        case .directory: return .directory
        case .file: return .regular
        case .symlink: return .symlink
        case .special(let k): return k
        }
    }

    static func size(_ n: ImageTree.Node) -> Int {
        if case .file(_, let size, _, _) = n { return size }
        if case .symlink(let t) = n { return t.utf8.count }
        return 0
    }

    static func mode(_ n: ImageTree.Node) -> UInt32 {
        if case .file(_, _, let mode, _) = n { return mode }
        return 0o755
    }

    /// The same resolution rules as `walk`, over an image: absolute links re-rooted, `..` clamped at the root,
    /// at most 40 links.
    private func memWalk(_ img: ImageTree, _ path: String, followLast: Bool) -> MemWalk {
        if path.utf8.contains(0) { return .failed("path contains a NUL byte") }
        var pending = Array(RootView.components(path).reversed())
        var names: [String] = []
        var links = 0
        func current() -> String { names.isEmpty ? "/" : "/" + Text.joinWith(names, "/") }
        while let comp = pending.popLast() {
            if comp == "." { continue }
            if comp == ".." { if !names.isEmpty { names.removeLast() }; continue }
            let candidate = Text.join(current(), comp)
            guard let node = img.node(candidate) else { return .missing }
            let isLast = pending.isEmpty
            if case .symlink(let target) = node, !isLast || followLast {
                links += 1
                if links > 40 { return .failed("too many levels of symbolic links (loop?)") }
                if target.hasPrefix("/") { names.removeAll() }
                for part in RootView.components(target).reversed() { pending.append(part) }
                continue
            }
            if isLast { return .found(candidate, node) }
            guard case .directory = node else { return .missing }
            names.append(comp)
        }
        return .found(current(), .directory)
    }

    /// Walks a directory tree without following symlinks, breadth-first, to bounded depth and count.
    /// Calls `visit` with each entry's root path and kind (symlinks reported as `.symlink`, never entered).
    public func walkTree(_ path: String, maxDepth: Int = 8, maxEntries: Int = 50_000,
                         _ visit: (String, FileKind, Int) -> Void) {
        guard let top = info(path), top.kind == .directory else { return }
        var queue: [(String, Int)] = [(top.path, 0)]
        var seen = 0
        var index = 0
        while index < queue.count {
            let (dir, depth) = queue[index]
            index += 1
            for name in list(dir) {
                seen += 1
                if seen > maxEntries { note(path, "more than \(maxEntries) entries below; the rest were not scanned"); return }
                let child = Text.join(dir, name)
                guard let i = info(child, follow: false) else { continue }
                visit(child, i.kind, i.size)
                if i.kind == .directory {
                    if depth + 1 < maxDepth { queue.append((child, depth + 1)) }
                    else { note(child, "deeper than \(maxDepth) levels; not scanned") }
                }
            }
        }
    }
}
