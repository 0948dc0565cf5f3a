// From an image file to the root filesystem to audit. The format is detected from the content. Update bundles and
// images that wrap other images are opened to a bounded depth: a SWUpdate .swu (cpio), a RAUC .raucb (SquashFS
// with a CMS signature appended) or a Mender .mender (tar holding data/0000.tar.*) whose payload is a SquashFS,
// ext2/3/4, tar or cpio root filesystem. A nested image is held in an anonymous in-memory file while it is read;
// nothing is extracted to disk.
import BaselineCore
import CImageReaders
import Foundation

public enum ImageLoader {
    public static let maxDepth = 3          // bundle › payload archive › root image
    public static let maxCandidates = 8     // nested images tried per level, largest first
    static let supported = "SquashFS, ext2/3/4, tar, cpio or zip (gzip, xz, zstd, bzip2, lz4), or a SWUpdate, RAUC or Mender bundle"

    final class Budget {
        var remaining: Int64
        init(_ n: Int64) { remaining = n }
    }

    /// Loads the image at `path`, descending into bundles and nested images until a root filesystem is found.
    public static func load(_ path: String, limits: ArchiveImage.Limits = ArchiveImage.Limits(),
                            engine: ExtractionEngine.Limits = ExtractionEngine.Limits()) throws(ImageError) -> LoadedImage {
        try resolve(path, label: path, depth: 0, limits: limits, budget: Budget(limits.maxExpandedBytes), engine: engine)
    }

    static func head(_ path: String, _ n: Int) -> [UInt8] {
        guard let h = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? h.close() }
        return [UInt8]((try? h.read(upToCount: n)) ?? Data())
    }

    static func isRoot(_ t: ImageTree) -> Bool {
        if case .directory = t.node("/etc") { return true }
        return false
    }

    enum Reader { case fs(FilesystemImage.Kind), archive }

    static func loadFlat(_ path: String, label: String, limits: ArchiveImage.Limits) throws(ImageError) -> (LoadedImage, Reader) {
        switch ImageMagic.detect(head(path, ImageMagic.probeBytes)) {
        case .squashfs: return (try FilesystemImage.load(path, label: label, kind: .squashfs, limits: limits), .fs(.squashfs))
        case .squashfs3: return (try FilesystemImage.load(path, label: label, kind: .squashfs3, limits: limits), .fs(.squashfs3))
        case .ext: return (try FilesystemImage.load(path, label: label, kind: .ext, limits: limits), .fs(.ext))
        case .compressed: return (try ArchiveImage.load(path, label: label, limits: limits, formats: .archivesOrRaw), .archive)
        case .unsupported(let name):
            throw ImageError(message: "\(label): a \(name) image, which Baseline cannot read; expected \(supported)")
        case .archive, .unknown:
            return (try ArchiveImage.load(path, label: label, limits: limits), .archive)
        }
    }

    struct Bundle {
        let kind: String
        let title: String
    }

    /// SWUpdate, RAUC and Mender bundles, recognised by their control files, with whether they carry a signature.
    static func bundle(_ t: ImageTree, path: String) -> Bundle? {
        func exists(_ p: String) -> Bool { t.node(p) != nil }
        if exists("/sw-description") {
            return Bundle(kind: "swupdate-bundle", title: "SWUpdate bundle (" + (exists("/sw-description.sig") ? "signed: sw-description.sig" : "unsigned: no sw-description.sig") + ")")
        }
        if exists("/manifest.raucm") {
            return Bundle(kind: "rauc-bundle", title: "RAUC bundle (" + (raucSignatureBytes(path).map { "CMS signature appended, \($0) bytes" } ?? "no CMS signature appended") + ")")
        }
        if case .file(let c, _, _, _) = t.node("/version"), String(decoding: c, as: UTF8.self).contains("\"mender\""), exists("/manifest") {
            return Bundle(kind: "mender-artifact", title: "Mender artifact (" + (exists("/manifest.sig") ? "signed: manifest.sig" : "unsigned: no manifest.sig") + ")")
        }
        return nil
    }

    /// What a bundle carries for its signature: the signature and what it signs.
    static func material(_ b: Bundle, tree t: ImageTree, path: String) -> BundleMaterial {
        func content(_ p: String) -> [UInt8]? { if case .file(let c, _, _, _) = t.node(p) { return c }; return nil }
        switch b.kind {
        case "rauc-bundle":
            var m = BundleMaterial(kind: .rauc)
            if let n = raucSignatureBytes(path), let h = FileHandle(forReadingAtPath: path), let end = try? h.seekToEnd() {
                try? h.seek(toOffset: end - 8 - UInt64(n))
                m.signature = (try? h.read(upToCount: n)).map { [UInt8]($0) }
                m.raucPayloadLength = Int(end) - 8 - n
                try? h.close()
            }
            return m
        case "swupdate-bundle":
            var m = BundleMaterial(kind: .swupdate)
            m.signedFile = content("/sw-description") ?? []
            m.signature = content("/sw-description.sig")
            m.payload = payload(m, tree: t, path: path)
            return m
        default:
            var m = BundleMaterial(kind: .mender)
            m.signedFile = content("/manifest") ?? []
            // manifest.sig holds the signature in base64 (one line).
            m.signature = content("/manifest.sig").flatMap { Data(base64Encoded: String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) }.map { [UInt8]($0) }
            if m.signature == nil, content("/manifest.sig") != nil { m.signature = [0] }   // present but not base64: unreadable, not unsigned
            m.payload = payload(m, tree: t, path: path)
            return m
        }
    }

    /// The payload files the bundle's descriptor lists, with the SHA-256 of each as the bundle holds it (one more
    /// pass over the bundle, hashing only those members).
    /// Mender (format 3) lists "data/NNNN/<file>": <file> inside the payload archive data/NNNN.tar(.gz|.xz|.zst), which
    /// is spooled to memory and hashed there; every other path is a member of the bundle itself.
    static func payload(_ m: BundleMaterial, tree t: ImageTree, path: String) -> [(path: String, signed: String?, actual: String?)] {
        guard m.signature != nil else { return [] }
        let listed = BundleVerifier.listedPayload(m.kind, m.signedFile)
        var outer = Set<String>(), inner: [String: Set<String>] = [:]      // payload archive → members
        var whereIs: [String: (String?, String)] = [:]                     // listed path → (payload archive, member)
        for l in listed {
            guard let c = ArchiveImage.canonical(l.path) else { continue }
            let parts = c.split(separator: "/", maxSplits: 3).map(String.init)
            if m.kind == .mender, parts.count == 3, parts[0] == "data", parts[1].count == 4, parts[1].allSatisfy({ $0.isNumber }),
               let archive = t.names("/data").first(where: { $0.hasPrefix(parts[1] + ".tar") }) {
                inner["/data/" + archive, default: []].insert("/" + parts[2])
                whereIs[l.path] = ("/data/" + archive, "/" + parts[2])
            } else {
                outer.insert(c)
                whereIs[l.path] = (nil, c)
            }
        }
        let limits = ArchiveImage.Limits()
        var actual: [String: [String: String]] = [:]
        actual[""] = (try? ArchiveImage.digests(path, label: path, members: outer, limits: limits)) ?? [:]
        for (archive, members) in inner {
            let fd = bl_spool_fd()
            guard fd >= 0 else { continue }
            defer { close(fd) }
            guard (try? ArchiveImage.extract(path, label: path, member: archive, to: fd, limits: limits)) != nil else { continue }
            actual[archive] = (try? ArchiveImage.digests("/proc/self/fd/\(fd)", label: archive, members: members, limits: limits)) ?? [:]
        }
        return listed.map { l in
            let w = whereIs[l.path]
            return (l.path, l.sha256, w.flatMap { actual[$0.0 ?? ""]?[$0.1] })
        }
    }

    /// A RAUC bundle ends with its CMS signature and the signature's size as a big-endian 64-bit number.
    static func raucSignatureBytes(_ path: String) -> Int? {
        guard let h = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? h.close() }
        guard let end = try? h.seekToEnd(), end > 16 else { return nil }
        try? h.seek(toOffset: end - 8)
        guard let tail = try? h.read(upToCount: 8), tail.count == 8 else { return nil }
        let size = tail.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard size > 0, size < end - 8 else { return nil }
        try? h.seek(toOffset: end - 8 - size)
        guard let first = try? h.read(upToCount: 1), first.first == 0x30 else { return nil }   // DER SEQUENCE
        return Int(size)
    }

    /// The part of `t` under `dir`, as a tree of its own (`dir` becomes "/").
    static func subtree(_ t: ImageTree, _ dir: String) -> ImageTree {
        let out = ImageTree()
        var stack = [dir]
        while let d = stack.popLast() {
            for name in t.names(d) {
                let path = d + "/" + name
                guard let node = t.node(path) else { continue }
                out.add(String(path.dropFirst(dir.count)), node)
                if case .directory = node { stack.append(path) }
            }
        }
        return out
    }

    /// Nested images in a tree, by what their first bytes say: readable ones largest first, and files of a format
    /// Baseline cannot read (to explain a bundle without a readable root).
    static func nested(_ t: ImageTree) -> (readable: [(path: String, size: Int)], unsupported: [String]) {
        var readable: [(path: String, size: Int)] = [], unsupported: [String] = []
        t.forEachFile { path, size, content in
            guard size >= 512 else { return }
            let format = ImageMagic.detect(Array(content.prefix(ImageMagic.probeBytes)))
            if format.isReadable { readable.append((path, size)) }
            else if case .unsupported(let name) = format { unsupported.append("\(path) (\(name))") }
        }
        return (readable.sorted { $0.size != $1.size ? $0.size > $1.size : $0.path < $1.path }, unsupported.sorted())
    }

    /// `carve`: false for a part the carver already found (carving it again would find it again).
    static func resolve(_ path: String, label: String, depth: Int, limits: ArchiveImage.Limits, budget: Budget,
                        engine: ExtractionEngine.Limits, carve: Bool = true) throws(ImageError) -> LoadedImage {
        var local = limits
        local.maxExpandedBytes = budget.remaining
        // Not an image Baseline reads from its first byte: a vendor firmware file (header, kernel, file system at
        // an offset) or a raw flash dump. The carver finds its parts; with none, libarchive has the last word.
        switch ImageMagic.detect(head(path, ImageMagic.probeBytes)) {
        // A bare SquashFS 3 goes through the carver too: it names the version, byte order and compressor.
        case .unsupported where carve, .unknown where carve, .squashfs3 where carve:
            if let carved = try FirmwareImage.carve(path, label: label, depth: depth, limits: limits, budget: budget, engine: engine) {
                return carved
            }
        default: break
        }
        var (image, reader) = try loadFlat(path, label: label, limits: local)
        let b = bundle(image.tree, path: path)
        let step = b?.title ?? image.format
        image.chain = [step]
        if let b { image.kind = b.kind }
        if isRoot(image.tree) { return image }
        // A tarball of a root directory (`tar czf rootfs.tgz rootfs`): one top-level directory that holds /etc is the
        // root; paths in the report are inside it.
        let top = image.tree.names("/")
        if top.count == 1, case .directory = image.tree.node("/" + top[0]), case .directory = image.tree.node("/" + top[0] + "/etc") {
            let wrapper = "/" + top[0]
            var inner = LoadedImage(tree: subtree(image.tree, wrapper), format: image.format, problems: image.problems, entries: image.entries)
            inner.kind = image.kind
            inner.chain = image.chain + [top[0] + "/"]
            inner.rawStream = image.rawStream
            inner.kernelRelease = image.kernelRelease
            inner.kernelSource = image.kernelSource
            inner.incomplete = image.incomplete
            inner.rootContainer = image.rootContainer
            inner.bundle = image.bundle
            return inner
        }

        let (cands, other) = nested(image.tree)
        if cands.isEmpty || depth >= maxDepth {
            if image.rawStream, depth < maxDepth, let inner = try carveStream(path, label: label, depth: depth, limits: limits, budget: budget, engine: engine) {
                var inner = inner
                inner.chain = [step] + inner.chain
                inner.rootContainer = (step, 0)     // offsets inside the decompressed stream are not offsets in the file
                return inner
            }
            if image.rawStream {
                throw ImageError(message: "\(label): a compressed file that holds no firmware image; expected \(supported)")
            }
            if b != nil || depth > 0 {
                let what = b?.title ?? "nested image"
                let why = depth >= maxDepth && !cands.isEmpty ? "images nested deeper than \(maxDepth) levels are not opened"
                    : other.isEmpty ? "no root filesystem image (SquashFS, ext2/3/4, tar or cpio holding /etc) inside"
                    : "payload in a format Baseline cannot read: " + other.joined(separator: ", ")
                throw ImageError(message: "\(label): \(what): \(why)")
            }
            return image      // a plain archive without /etc: audited as it is
        }
        var failures: [String] = []
        for c in cands.prefix(maxCandidates) {
            let fd = bl_spool_fd()
            if fd < 0 { throw ImageError(message: "\(label): cannot hold a nested image in memory (\(String(cString: strerror(-fd))))") }
            defer { close(fd) }
            var spoolLimits = limits
            spoolLimits.maxExpandedBytes = budget.remaining
            switch reader {
            case .fs(let k): try FilesystemImage.extract(path, label: label, kind: k, member: c.path, to: fd, limits: spoolLimits)
            case .archive: try ArchiveImage.extract(path, label: label, member: c.path, to: fd, limits: spoolLimits, rawStream: image.rawStream)
            }
            var st = stat()
            if fstat(fd, &st) == 0 { budget.remaining -= Int64(st.st_size) }
            do {
                var sub = try resolve("/proc/self/fd/\(fd)", label: label + " › " + c.path, depth: depth + 1, limits: limits, budget: budget, engine: engine)
                if isRoot(sub.tree) {
                    sub.chain = (image.rawStream ? [step] : [step, c.path]) + sub.chain
                    if let b { sub.kind = b.kind }
                    if let b, sub.bundle == nil { sub.bundle = material(b, tree: image.tree, path: path) }
                    // Another nested image of comparable size may be a second root (A/B): say it was not audited.
                    let others = cands.filter { $0.path != c.path && $0.size * 4 >= c.size }.map { $0.path }
                    if !others.isEmpty {
                        sub.problems.append(FSProblem(path: c.path, reason: "audited this root filesystem; other nested images not audited: " + others.joined(separator: ", ")))
                    }
                    return sub
                }
            } catch {
                failures.append(error.message)
            }
        }
        // Nested images were there and none held a root: say why (the first failure) rather than audit the wrapper.
        // (A compressed kernel that holds an initramfs is carved by carveStream above.)
        throw ImageError(message: failures.first ?? "\(label): \(b?.title ?? "nested image"): no root filesystem image (holding /etc) inside")
    }
}

extension ImageLoader {
    /// A compressed kernel is a few MiB; a stream that expands beyond this is not carved for an initramfs (bombs).
    static let maxCarvedStream: Int64 = 64 << 20

    /// A compressed stream that is no image of its own (a kernel): decompressed into memory and carved, for an
    /// initramfs or a file system inside it. nil when nothing in it is a root file system.
    static func carveStream(_ path: String, label: String, depth: Int, limits: ArchiveImage.Limits, budget: Budget,
                            engine: ExtractionEngine.Limits) throws(ImageError) -> LoadedImage? {
        let fd = bl_spool_fd()
        if fd < 0 { return nil }
        defer { close(fd) }
        var spoolLimits = limits
        spoolLimits.maxExpandedBytes = min(budget.remaining, maxCarvedStream)
        do throws(ImageError) {
            try ArchiveImage.extract(path, label: label, member: "/data", to: fd, limits: spoolLimits, rawStream: true)
        } catch {
            guard error.message.contains("expands beyond") else { throw error }
            throw ImageError(message: "\(label): a compressed stream that expands beyond \(spoolLimits.maxExpandedBytes >> 20) MiB and starts with no file system; not searched further (a decompression bomb?)")
        }
        var st = stat()
        if fstat(fd, &st) == 0 { budget.remaining -= Int64(st.st_size) }
        do {
            return try FirmwareImage.carve("/proc/self/fd/\(fd)", label: label, depth: depth + 1, limits: limits, budget: budget,
                                           engine: engine, quiet: true)
        } catch {
            return nil
        }
    }
}
