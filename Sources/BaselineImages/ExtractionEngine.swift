// File systems Baseline does not read itself (JFFS2, UBI/UBIFS, cramfs, romfs, SquashFS 1.x/2.x and SquashFS 4 with
// LZO) are extracted by a well-kept engine: unblob (PyPI; with jefferson, ubi_reader, 7z and Debian's compressors) or,
// for those SquashFS, squashfs-tools' unsquashfs. The engine runs in its own session, writes only under a private
// temporary directory (mode 0700), is bounded in time and in bytes written (watched while it runs, each file capped
// with RLIMIT_FSIZE), and the directory is removed afterwards. What it extracted is read back into an in-memory
// tree without following a single link, so nothing outside the directory is ever read.
import BaselineCore
import Foundation

public enum ExtractionEngine {
    public struct Limits {
        public var maxBytes: Int64 = 2 << 30          // written to disk in all
        public var seconds: Double = 300
        public init() {}
    }

    /// The extracted root, the directory it was found in (relative to the engine's output), and the tool that ran.
    public struct Result {
        public let image: LoadedImage
        public let foundAt: String
        public let tool: String
    }

    // MARK: - Where the engine is

    /// unblob: $BASELINE_UNBLOB, then the venv `make` installs (out/py beside the build, or libexec of an install),
    /// then PATH.
    static func unblob() -> String? {
        let env = ProcessInfo.processInfo.environment
        if let p = env["BASELINE_UNBLOB"], !p.isEmpty { return FileManager.default.isExecutableFile(atPath: p) ? p : nil }
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for rel in ["../../out/py/bin/unblob", "../libexec/baseline/py/bin/unblob", "../../../out/py/bin/unblob"] {
            let p = exe.appendingPathComponent(rel).standardizedFileURL.path
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return onPath("unblob")
    }

    static func onPath(_ name: String) -> String? {
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin") + ":/usr/sbin:/sbin"
        for d in dirs.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(d)/\(name)") { return "\(d)/\(name)" }
        return nil
    }

    // MARK: - Running it

    /// Extracts `part` of the file at `path` and returns the root file system found in what came out.
    static func extract(_ path: String, part: CarvedPart, map: MappedFile, label: String, limits: Limits,
                        readLimits: ArchiveImage.Limits) throws(ImageError) -> Result {
        let what = "\(label): \(part.title)"
        // The fuzzer (Fuzz/run.sh) carves millions of inputs: it must not start an engine for each.
        if ProcessInfo.processInfo.environment["BASELINE_NO_ENGINE"] != nil {
            throw ImageError(message: "\(what): the extraction engine is disabled (BASELINE_NO_ENGINE)")
        }
        let work: String
        do { work = try privateDirectory() } catch { throw ImageError(message: "\(what): cannot make a private temporary directory (\(error.message))") }
        defer { removeTree(work) }
        let out = work + "/out"
        mkdir(out, 0o700)
        mkdir(work + "/tmp", 0o700)

        var argv: [String]
        let tool: String
        switch part.reader {
        case .unsquashfs:
            guard let u = onPath("unsquashfs") else {
                throw ImageError(message: "\(what): needs squashfs-tools' unsquashfs, which is not installed (make deps installs it)")
            }
            tool = "unsquashfs"
            // Staged like the others: the engine runs in the private directory (a relative path would not resolve)
            // and a part carved from memory (/proc/self/fd/N) is not the engine's to open.
            let input = try stage(part, map: map, work: work, what: what)
            argv = [u, "-no-xattrs", "-ignore-errors", "-quiet", "-n", "-d", out + "/root", input]
        case .fsckCramfs:
            guard let f = onPath("fsck.cramfs") else {
                throw ImageError(message: "\(what): needs util-linux's fsck.cramfs, which is not installed (make deps installs it)")
            }
            tool = "fsck.cramfs"
            let input = try stage(part, map: map, work: work, what: what)
            argv = [f, "--extract=" + out + "/root", input]
        default:
            guard let u = unblob() else {
                throw ImageError(message: "\(what): needs the unblob extraction engine, which is not installed (`make deps` puts it in out/py; or set BASELINE_UNBLOB)")
            }
            tool = "unblob"
            // unblob gets the part alone, so it extracts that and nothing else of the file.
            let input = try stage(part, map: map, work: work, what: what)
            argv = [u, "-e", out, "-d", "4", "-p", "1", "-n", "0", "--log", work + "/unblob.log", input]
        }
        try run(argv, tool: tool, work: work, what: what, limits: limits)

        guard let (dir, rel) = findRoot(out) else {
            let hint = tool == "unblob" ? lastError(work + "/unblob.log") : ""
            throw ImageError(message: "\(what): the \(tool) engine found no root file system (no /etc) in it" + (hint.isEmpty ? "" : " (\(hint))"))
        }
        let image = try DirectoryImage.load(dir, label: what, limits: readLimits)
        return Result(image: image, foundAt: rel, tool: tool)
    }

    /// The part alone in a file of the private directory, for a tool that wants its input to start at offset 0. It
    /// gets the bytes after the declared end too (up to 4 KiB, zeros past the end of the file): file systems are
    /// padded to their block size, and unblob's romfs reader seeks past the declared size.
    static func stage(_ part: CarvedPart, map: MappedFile, work: String, what: String) throws(ImageError) -> String {
        let input = work + "/" + hex(part.offset) + ".bin"
        let fd = open(input, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        let available = map.count - part.offset
        let wanted = part.length.map { ($0 + 4096 + 1023) & ~1023 } ?? available
        let length = min(wanted, available)
        guard fd >= 0, map.copy(offset: part.offset, length: length, to: fd),
              wanted <= length || ftruncate(fd, off_t(min(wanted, length + 4096))) == 0 else {
            if fd >= 0 { close(fd) }
            throw ImageError(message: "\(what): cannot stage the part for the extraction engine (\(String(cString: strerror(errno))))")
        }
        close(fd)
        return input
    }

    static func privateDirectory() throws(ImageError) -> String {
        let base = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((base + "/baseline-engine-XXXXXX").utf8CString)
        let r = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard r != nil else { throw ImageError(message: String(cString: strerror(errno))) }
        return String(cString: template)
    }

    /// Runs the engine in a session of its own (so every process it starts can be stopped together), each file it
    /// writes capped by RLIMIT_FSIZE, while this process watches the time and the bytes under `work`.
    static func run(_ argv: [String], tool: String, work: String, what: String, limits: Limits) throws(ImageError) {
        guard let setsid = onPath("setsid"), let prlimit = onPath("prlimit") else {
            throw ImageError(message: "\(what): needs setsid and prlimit (util-linux) to bound the extraction engine")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: setsid)
        p.arguments = ["-w", prlimit, "--fsize=\(limits.maxBytes)", "--core=0", "--"] + argv
        var env = ProcessInfo.processInfo.environment
        let bin = URL(fileURLWithPath: argv[0]).deletingLastPathComponent().path
        env["PATH"] = bin + ":" + (env["PATH"] ?? "/usr/bin:/bin") + ":/usr/sbin:/sbin"
        env["TMPDIR"] = work + "/tmp"
        env["HOME"] = work
        p.environment = env
        p.currentDirectoryURL = URL(fileURLWithPath: work)
        p.standardInput = FileHandle.nullDevice
        let log = FileHandle(forWritingAtPath: "/dev/null")
        p.standardOutput = log
        p.standardError = log
        do { try p.run() } catch {
            throw ImageError(message: "\(what): cannot start the \(tool) engine (\(error.localizedDescription))")
        }
        let start = Date()
        var lastCheck = Date.distantPast
        while p.isRunning {
            usleep(20_000)
            if Date().timeIntervalSince(start) > limits.seconds {
                kill(-p.processIdentifier, SIGKILL); p.waitUntilExit()
                throw ImageError(message: "\(what): the \(tool) engine did not finish within \(Int(limits.seconds)) s; stopped")
            }
            if Date().timeIntervalSince(lastCheck) > 0.25 {
                lastCheck = Date()
                if diskUsage(work) > limits.maxBytes {
                    kill(-p.processIdentifier, SIGKILL); p.waitUntilExit()
                    throw ImageError(message: "\(what): the \(tool) engine wrote more than \(limits.maxBytes) bytes; stopped (a bomb? raise --max-image-bytes)")
                }
            }
        }
        // Whatever the engine left running in its session goes too.
        kill(-p.processIdentifier, SIGKILL)
        if diskUsage(work) > limits.maxBytes {
            throw ImageError(message: "\(what): the \(tool) engine wrote more than \(limits.maxBytes) bytes (a bomb? raise --max-image-bytes)")
        }
    }

    /// Bytes allocated under `dir`, links not followed.
    static func diskUsage(_ dir: String) -> Int64 {
        var total: Int64 = 0
        walk(dir) { _, st in total += Int64(st.st_blocks) * 512 }
        return total
    }

    /// Every entry under `dir` (lstat: links are entries, never followed), depth first, bounded in depth.
    static func walk(_ dir: String, depth: Int = 0, _ body: (String, stat) -> Void) {
        guard depth < 64, let d = opendir(dir) else { return }
        defer { closedir(d) }
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if name == "." || name == ".." { continue }
            let p = dir + "/" + name
            var st = stat()
            guard lstat(p, &st) == 0 else { continue }
            body(p, st)
            if (st.st_mode & S_IFMT) == S_IFDIR { walk(p, depth: depth + 1, body) }
        }
    }

    /// Removes the engine's directory: directories made writable first (an extracted tree keeps its modes), links
    /// removed as links.
    static func removeTree(_ dir: String) {
        walk(dir) { p, st in if (st.st_mode & S_IFMT) == S_IFDIR { chmod(p, 0o700) } }
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// The largest directory under `out` that looks like a root file system (an etc directory, and bin, sbin or usr),
    /// with its path relative to `out`.
    static func findRoot(_ out: String) -> (String, String)? {
        var best: (path: String, files: Int)? = nil
        func isDir(_ p: String) -> Bool { var st = stat(); return lstat(p, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR }
        var roots: [String] = []
        if isDir(out + "/etc") { roots.append(out) }
        walk(out) { p, st in
            guard (st.st_mode & S_IFMT) == S_IFDIR, isDir(p + "/etc"),
                  isDir(p + "/bin") || isDir(p + "/sbin") || isDir(p + "/usr") || isDir(p + "/lib") else { return }
            roots.append(p)
        }
        for r in roots {
            var files = 0
            walk(r) { _, _ in files += 1 }
            if best == nil || files > best!.files { best = (r, files) }
        }
        guard let b = best else { return nil }
        return (b.path, String(b.path.dropFirst(out.count)))
    }

    static func lastError(_ log: String) -> String {
        guard let text = try? String(contentsOfFile: log, encoding: .utf8) else { return "" }
        let errors = text.split(separator: "\n").filter { $0.contains("error") || $0.contains("Error") }
        return errors.last.map { String($0.suffix(200)) } ?? ""
    }
}

/// A directory tree on disk (an engine's extraction) into the in-memory tree the root view reads: lstat only, links
/// kept as links, regular files opened with O_NOFOLLOW and read up to the per-file cap.
enum DirectoryImage {
    static func load(_ dir: String, label: String, limits: ArchiveImage.Limits) throws(ImageError) -> LoadedImage {
        let tree = ImageTree()
        var entries = 0, kept = 0
        var problems: [FSProblem] = []
        ExtractionEngine.walk(dir) { p, st in
            entries += 1
            guard entries <= limits.maxEntries else { return }
            let rel = String(p.dropFirst(dir.count))
            switch st.st_mode & S_IFMT {
            case S_IFDIR: tree.add(rel, .directory)
            case S_IFLNK:
                var buf = [CChar](repeating: 0, count: 4097)
                let n = readlink(p, &buf, 4096)
                tree.add(rel, .symlink(n >= 0 ? String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""))
            case S_IFREG:
                let size = Int(st.st_size)
                var content: [UInt8] = []
                let want = min(size, limits.maxFileBytes, max(0, limits.maxTotalContent - kept))
                let fd = open(p, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
                if fd >= 0 {
                    content = [UInt8](repeating: 0, count: want)
                    var got = 0
                    while got < want {
                        let n = content.withUnsafeMutableBytes { read(fd, $0.baseAddress! + got, want - got) }
                        if n <= 0 { break }
                        got += n
                    }
                    close(fd)
                    content.removeLast(want - got)
                } else {
                    problems.append(FSProblem(path: rel, reason: "extracted but unreadable: \(String(cString: strerror(errno)))"))
                }
                kept += content.count
                tree.add(rel, .file(content: content, size: size, mode: UInt32(st.st_mode & 0o7777), complete: content.count == size))
            case S_IFIFO: tree.add(rel, .special(.fifo))
            case S_IFCHR: tree.add(rel, .special(.charDevice))
            case S_IFBLK: tree.add(rel, .special(.blockDevice))
            case S_IFSOCK: tree.add(rel, .special(.socket))
            default: break
            }
        }
        if entries > limits.maxEntries { throw ImageError(message: "\(label): more than \(limits.maxEntries) entries; refusing the image") }
        return LoadedImage(tree: tree, format: "", problems: problems, entries: entries)
    }
}
