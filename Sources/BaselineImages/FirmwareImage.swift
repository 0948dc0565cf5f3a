// A vendor firmware file — vendor header, kernel, then a root file system at some offset — or a raw flash dump, to
// the root file system to audit. The carver lists the parts; the root is the largest part holding /etc (and bin,
// sbin, usr or lib), tried file systems first, then archives, then compressed streams. SquashFS and ext2/3/4 are
// read in place at their offset (libsquashfs for SquashFS 4, Baseline's own reader for SquashFS 3, libext2fs), archives and compressed streams from memory (libarchive,
// recursively: a kernel's initramfs), and only what Baseline cannot read goes to the extraction engine.
import BaselineCore
import CImageReaders
import Foundation

public enum FirmwareImage {
    static let maxEngineRuns = 3

    /// nil when the carver found nothing at all in the file (the caller's reader has the last word); otherwise the
    /// root, or one line saying what was found where and why none of it could be read. `quiet`: nil instead of that
    /// line (a compressed stream that is just a kernel).
    static func carve(_ path: String, label: String, depth: Int, limits: ArchiveImage.Limits, budget: ImageLoader.Budget,
                      engine: ExtractionEngine.Limits, quiet: Bool = false, nand: Bool = true) throws(ImageError) -> LoadedImage? {
        guard let map = MappedFile(path) else { return nil }
        // A raw NAND dump with its out-of-band bytes: every file system in it (JFFS2, SquashFS, UBI) is cut into
        // pages with OOB between them. Read without the OOB first; only when that finds nothing, as it is.
        var nandError: ImageError? = nil
        if nand, depth < ImageLoader.maxDepth, let g = FirmwareCarver.nandDump(map.bytes) {
            do throws(ImageError) {
                if var sub = try withoutOOB(map, page: g.page, spare: g.spare, label: label, depth: depth, limits: limits,
                                            budget: budget, engine: engine) {
                    sub.chain.insert("raw NAND dump (\(g.page)-byte pages + \(g.spare) bytes OOB)", at: 0)
                    return sub
                }
            } catch { nandError = error }
        }
        do throws(ImageError) {
            return try carveParts(map, path: path, label: label, depth: depth, limits: limits, budget: budget, engine: engine, quiet: quiet)
        } catch {
            throw nandError ?? error
        }
    }

    /// Pages of a raw NAND dump without their OOB (the whole file, or a part from `offset`), in memory, carved again.
    /// Offsets in the route stay those of the data; the root's container offset is turned back into one in the file.
    static func withoutOOB(_ map: MappedFile, offset: Int = 0, length: Int? = nil, page: Int, spare: Int, label: String, depth: Int,
                           limits: ArchiveImage.Limits, budget: ImageLoader.Budget, engine: ExtractionEngine.Limits) throws(ImageError) -> LoadedImage? {
        let length = min(length ?? map.count - offset, map.count - offset)
        // The pages are held in memory: they count against --max-image-bytes like any expanded image.
        let data = Int64(length / (page + spare) * page)
        guard data <= budget.remaining else {
            throw ImageError(message: "\(label): a raw NAND dump of \(data) data bytes is over what --max-image-bytes leaves (\(budget.remaining))")
        }
        budget.remaining -= data
        let fd = bl_spool_fd()
        if fd < 0 { throw ImageError(message: "\(label): cannot hold the NAND pages in memory (\(String(cString: strerror(-fd))))") }
        defer { close(fd) }
        guard map.copyPages(offset: offset, length: length, page: page, skip: spare, to: fd) else {
            throw ImageError(message: "\(label): cannot hold the NAND pages in memory (\(String(cString: strerror(errno))))")
        }
        guard var sub = try carve("/proc/self/fd/\(fd)", label: label + " without OOB", depth: depth + 1, limits: limits,
                                  budget: budget, engine: engine, nand: false) else { return nil }
        sub.chain = ["OOB dropped"] + sub.chain
        if let c = sub.rootContainer {
            sub.rootContainer = (c.format, offset + FirmwareCarver.nandRawOffset(c.offset, page: page, spare: spare))
        }
        return sub
    }

    static func carveParts(_ map: MappedFile, path: String, label: String, depth: Int, limits: ArchiveImage.Limits, budget: ImageLoader.Budget,
                           engine: ExtractionEngine.Limits, quiet: Bool) throws(ImageError) -> LoadedImage? {
        let parts = FirmwareCarver.scan(map.bytes)
        if ProcessInfo.processInfo.environment["BASELINE_DEBUG_CARVE"] != nil {
            for p in parts { FileHandle.standardError.write(Data("carve \(label): \(p.title) \(p.detail)\n".utf8)) }
        }
        let headers = parts.filter { $0.role == .header }
        let readable = order(parts.filter { $0.role != .header }, size: map.count)
        if readable.isEmpty {
            if quiet { return nil }
            let e = entropy(map.bytes)
            if headers.isEmpty {
                guard e >= 7.9, map.count >= 4096 else { return nil }
                throw ImageError(message: "\(label): no file system, archive or firmware header in \(map.count) bytes; the content is random-looking (\(format(e)) bits/byte): encrypted, or compressed with an unknown method; not a supported firmware image")
            }
            throw ImageError(message: "\(label): found " + headers.map { "\($0.format) @\(hex($0.offset))" + ($0.detail.isEmpty ? "" : " (\($0.detail))") }.joined(separator: ", ")
                + " but no file system or archive after " + (headers.count == 1 ? "it" : "them")
                + (headers.compactMap(\.nothingToAudit).first.map { "; " + $0 } ?? "")
                + (e >= 7.9 ? "; the rest is random-looking (\(format(e)) bits/byte): encrypted?" : ""))
        }

        var failures: [String] = []
        var filesystemFailures: [String] = []       // what a user most wants to hear about when nothing could be read
        var notRoot: [CarvedPart] = []
        var engineRuns = 0
        // Native readers first, the engine only when none of them found the root.
        for pass in 0..<2 {
            for c in readable {
                let native = c.reader == .squashfs || c.reader == .squashfs3 || c.reader == .ext || c.reader == .jffs2 || c.reader == .libarchive
                if native != (pass == 0) { continue }
                if !native {
                    // The engine costs seconds a run: the largest few file systems only.
                    if engineRuns >= maxEngineRuns { failures.append("\(label) @\(hex(c.offset)): \(c.format): not tried (the extraction engine ran \(maxEngineRuns) times already)"); continue }
                    engineRuns += 1
                }
                let where_ = "\(label) @\(hex(c.offset))"
                do throws(ImageError) {
                    guard var sub = try read(c, path: path, map: map, label: where_, depth: depth, limits: limits,
                                             budget: budget, engine: engine) else { continue }
                    guard ImageLoader.isRoot(sub.tree) else { notRoot.append(c); continue }
                    sub.chain = headers.filter { $0.offset <= c.offset }.map { $0.format + " @" + hex($0.offset) } + [c.title] + sub.chain
                    sub.kind = "image"
                    sub.rootContainer = (c.format, c.offset)     // the outermost carve has the last word: offsets in the file
                    if sub.kernelRelease == nil, let k = headers.first(where: { $0.kernelRelease != nil }) {
                        sub.kernelRelease = k.kernelRelease
                        sub.kernelSource = "@" + hex(k.offset) + " " + k.format
                    }
                    // Read by an engine from a part cut short: what it extracted is what there was.
                    if let l = c.length, c.offset + l > map.count, c.reader != .squashfs, c.reader != .squashfs3, c.reader != .ext, c.reader != .jffs2 {
                        sub.incomplete.append("\(c.format) @\(hex(c.offset)) is truncated (\(l) bytes declared, \(map.count - c.offset) in the file): files past the cut are missing")
                    }
                    // What else is in the file goes into the report's coverage.
                    for o in readable where o != c && !(o.offset > c.offset && o.offset < c.offset + (c.length ?? 0)) {
                        let failed = failures.first { $0.hasPrefix("\(label) @\(hex(o.offset))") }
                        sub.problems.append(FSProblem(path: "@" + hex(o.offset) + " " + o.format,
                                                      reason: failed.map { "could not be read: " + $0 } ?? "another part of the firmware file; not audited"))
                    }
                    return sub
                } catch {
                    failures.append(error.message)
                    if c.role == .filesystem { filesystemFailures.append(error.message) }
                }
                if failures.count + notRoot.count >= ImageLoader.maxCandidates * 2 { break }
            }
        }
        if quiet { return nil }
        let seen = (headers + readable).sorted { $0.offset < $1.offset }.prefix(8).map { "\($0.format) @\(hex($0.offset))" }.joined(separator: ", ")
        if let first = filesystemFailures.first ?? failures.first {
            // A nested part's message already lists what its carve found: say it once.
            let found = first.contains("; found in the file: ") ? "" : "; found in the file: \(seen)"
            throw ImageError(message: "\(first)" + (failures.count > 1 ? " (and \(failures.count - 1) more part(s) unreadable)" : "") + found)
        }
        let why = headers.compactMap(\.nothingToAudit).first.map { "; " + $0 } ?? ""
        throw ImageError(message: "\(label): no root file system (holding /etc) in the firmware file; found: \(seen)\(why)")
    }

    /// File systems first (largest first), then archives, then compressed streams (in file order).
    static func order(_ parts: [CarvedPart], size: Int) -> [CarvedPart] {
        func rank(_ p: CarvedPart) -> Int { p.role == .filesystem ? 0 : p.role == .archive ? 1 : 2 }
        return parts.sorted { a, b in
            if rank(a) != rank(b) { return rank(a) < rank(b) }
            if rank(a) == 0 { return (a.length ?? size - a.offset) > (b.length ?? size - b.offset) }
            return a.offset < b.offset
        }
    }

    /// One part into a tree: in place, from memory, or through the engine. nil: not worth reporting (a compressed
    /// stream that turned out to hold no image).
    static func read(_ c: CarvedPart, path: String, map: MappedFile, label: String, depth: Int, limits: ArchiveImage.Limits,
                     budget: ImageLoader.Budget, engine: ExtractionEngine.Limits) throws(ImageError) -> LoadedImage? {
        var local = limits
        local.maxExpandedBytes = budget.remaining
        switch c.reader {
        case .squashfs, .squashfs3, .ext:
            if let l = c.length, c.offset + l > map.count {
                throw ImageError(message: "\(label): \(c.format) is truncated: it needs \(l) bytes, the file has \(map.count - c.offset) after its start")
            }
            let kind: FilesystemImage.Kind = c.reader == .squashfs ? .squashfs : c.reader == .squashfs3 ? .squashfs3 : .ext
            var sub = try FilesystemImage.load(path, offset: UInt64(c.offset), label: label, kind: kind, limits: local)
            sub.chain = []
            return sub
        case .jffs2:
            // Read natively; a file whose nodes use a compression the reader lacks (LZO, rubin) sends the whole
            // part to the engine instead (jefferson reads those), when there is one.
            let sub = try FilesystemImage.load(path, offset: UInt64(c.offset), length: UInt64(c.length ?? 0), label: label,
                                               kind: .jffs2(bigEndian: c.format.contains("big")), limits: local)
            if !sub.incomplete.isEmpty, ExtractionEngine.unblob() != nil {
                let viaEngine = CarvedPart(offset: c.offset, length: c.length, role: c.role, reader: .unblob, format: c.format, detail: c.detail)
                return try read(viaEngine, path: path, map: map, label: label, depth: depth, limits: limits, budget: budget, engine: engine)
            }
            var image = sub
            image.chain = []
            image.format = c.format
            return image
        case .libarchive:
            guard depth < ImageLoader.maxDepth else { return nil }
            let fd = bl_spool_fd()
            if fd < 0 { throw ImageError(message: "\(label): cannot hold the part in memory (\(String(cString: strerror(-fd))))") }
            defer { close(fd) }
            let length = c.length.map { min($0, map.count - c.offset) } ?? map.count - c.offset
            guard map.copy(offset: c.offset, length: length, to: fd) else {
                throw ImageError(message: "\(label): cannot hold the part in memory (\(String(cString: strerror(errno))))")
            }
            do {
                var sub = try ImageLoader.resolve("/proc/self/fd/\(fd)", label: label, depth: depth + 1, limits: limits, budget: budget,
                                                  engine: engine, carve: false)
                if sub.chain.first?.hasPrefix("compressed file") == true || sub.chain.first == c.format { sub.chain.removeFirst() }
                return sub
            } catch {
                // A stream that merely starts like gzip/LZMA inside a kernel is noise, not a failure to report;
                // one that expands without bound is.
                if c.role == .compressed && !error.message.contains("expands beyond") { return nil }
                throw error
            }
        case .unblob where c.nandPage > 0:
            // A UBI part with out-of-band bytes between its pages: the pages without them, carved again.
            guard depth < ImageLoader.maxDepth else { return nil }
            guard let sub = try withoutOOB(map, offset: c.offset, length: c.length, page: c.nandPage, spare: c.nandSpare, label: label,
                                           depth: depth, limits: limits, budget: budget, engine: engine) else {
                throw ImageError(message: "\(label): \(c.format): nothing readable once the out-of-band bytes are dropped")
            }
            return sub
        case .unsquashfs, .unblob, .fsckCramfs:
            var e = engine
            e.maxBytes = min(engine.maxBytes, budget.remaining)
            let r = try ExtractionEngine.extract(path, part: c, map: map, label: label, limits: e, readLimits: local)
            var sub = r.image
            sub.chain = ["extracted by \(r.tool)"]
            sub.format = c.format
            return sub
        case .none:
            return nil
        }
    }

    /// Shannon entropy of the first 1 MiB, in bits per byte.
    static func entropy(_ b: UnsafeRawBufferPointer) -> Double {
        let n = min(b.count, 1 << 20)
        guard n > 0 else { return 0 }
        var counts = [Int](repeating: 0, count: 256)
        for i in 0..<n { counts[Int(b[i])] += 1 }
        var h = 0.0
        for c in counts where c > 0 {
            let p = Double(c) / Double(n)
            h -= p * log2(p)
        }
        return h
    }

    static func format(_ e: Double) -> String { String(format: "%.2f", e) }
}
