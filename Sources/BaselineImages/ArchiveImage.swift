// Firmware images read through libarchive (tar and cpio, compressed with gzip, xz, zstd, bzip2, lz4…) into an
// in-memory ImageTree, without extracting anything to disk and without needing root. The format is detected from
// the content, never from the file name. Hostile images are contained: member names with `..` are refused, absolute
// names are taken relative to the image root, symlinks stay links (the root view re-roots them), per-file content
// is capped, and the whole image may not expand beyond a limit (archive bombs).
import BaselineCore
import CArchive
import CBundleCrypto
import Foundation

public struct ImageError: Error {
    public let message: String
}

public struct LoadedImage {
    public let tree: ImageTree
    public var format: String               // the innermost image's format ("SquashFS", "POSIX ustar format", …)
    public var problems: [FSProblem]
    public let entries: Int
    public var kind = "image"               // report source kind: image, swupdate-bundle, rauc-bundle, mender-artifact
    public var chain: [String] = []         // how the audited root was reached, outermost first
    public var rawStream = false            // read with libarchive's raw format: the decompressed stream is "/data"
    public var kernelRelease: String?       // named by a kernel header (uImage) of the firmware file
    public var kernelSource: String?        // where: "@0x200 U-Boot legacy uImage"
    public var incomplete: [String] = []    // why the audited root is only part of what the image holds (empty: all of it)
    /// A firmware file: the part holding the root (the carved file system, archive or stream) and its offset in the file.
    public var rootContainer: (format: String, offset: Int)?
    /// An update bundle: what it carries for its signature (verified by BundleVerifier once the root is known).
    public var bundle: BundleMaterial?

    public init(tree: ImageTree, format: String, problems: [FSProblem], entries: Int) {
        self.tree = tree; self.format = format; self.problems = problems; self.entries = entries
    }
}

public enum ArchiveImage {
    public struct Limits {
        public var maxFileBytes = 16 << 20              // content kept per file
        public var maxTotalContent = 512 << 20          // content kept in memory in all
        public var maxExpandedBytes: Int64 = 8 << 30    // decompressed bytes read in all (bombs)
        public var maxEntries = 1_000_000
        public init() {}
    }

    /// Normalises a member name to a canonical root path; nil when it climbs out with "..".
    static func canonical(_ name: String) -> String? {
        var parts: [String] = []
        for p in name.split(separator: "/", omittingEmptySubsequences: true) {
            if p == "." { continue }
            if p == ".." { return nil }
            parts.append(String(p))
        }
        return "/" + parts.joined(separator: "/")
    }

    static func errorText(_ a: OpaquePointer?) -> String {
        if let e = archive_error_string(a) { return String(cString: e) }
        return "unknown libarchive error"
    }

    /// Which libarchive formats to try. `archivesOrRaw` also accepts a compressed file that is not an archive
    /// (rootfs.ext4.gz) as one member "/data"; `raw` is that alone (a compressed disk image whose first block is
    /// zeros would otherwise be taken for an empty tar).
    public enum Formats { case archives, archivesOrRaw, raw }

    static func open(_ path: String, label: String, formats: Formats) throws(ImageError) -> OpaquePointer {
        guard let a = archive_read_new() else { throw ImageError(message: "\(label): cannot start libarchive") }
        archive_read_support_filter_all(a)
        if formats != .raw { archive_read_support_format_all(a) }
        if formats != .archives { archive_read_support_format_raw(a) }
        if archive_read_open_filename(a, path, 65536) != ARCHIVE_OK {
            let text = errorText(a)
            // A compression libarchive recognised whose stream ends early: say so, not "unsupported".
            archive_read_free(a)
            let lower = text.lowercased()
            let kind = ["gzip", "bzip2", "lz4", "zstd", "lzip", "lzop", "xz", "lzma"].first { lower.contains($0) }
            if lower.contains("truncated") || (kind == "lzma" && lower.contains("no progress is possible")) {
                let what = kind.map { $0 == "lzma" ? "xz/LZMA stream" : "\($0) stream" } ?? "compressed stream"
                throw ImageError(message: "\(label): truncated \(what): the file ends before its compressed data does (\(text)); download or copy it again")
            }
            throw ImageError(message: "\(label): not a supported firmware image (\(text))")
        }
        return a
    }

    /// Writes the regular member `member` (a canonical path) whole to `fd`: a nested image in a bundle or archive.
    /// `rawStream`: the image was loaded as a raw stream (LoadedImage.rawStream), its member is "/data".
    public static func extract(_ path: String, label: String, member: String, to fd: Int32, limits: Limits, rawStream: Bool = false) throws(ImageError) {
        let a = try open(path, label: label, formats: rawStream ? .raw : .archives)
        defer { archive_read_free(a) }
        var entry: OpaquePointer? = nil
        var buffer = [UInt8](repeating: 0, count: 256 * 1024)
        var written: Int64 = 0
        while true {
            let r = archive_read_next_header(a, &entry)
            if r == ARCHIVE_EOF { break }
            if r < ARCHIVE_WARN { throw ImageError(message: "\(label): corrupt or truncated image (\(errorText(a)))") }
            guard let e = entry, let cname = archive_entry_pathname(e), canonical(String(cString: cname)) == member,
                  UInt32(archive_entry_filetype(e)) & 0o170000 == 0o100000 else { continue }
            while true {
                let n = buffer.withUnsafeMutableBytes { archive_read_data(a, $0.baseAddress, $0.count) }
                if n < 0 { throw ImageError(message: "\(label): corrupt or truncated image in '\(member)' (\(errorText(a)))") }
                if n == 0 { return }
                written += Int64(n)
                if written > limits.maxExpandedBytes {
                    throw ImageError(message: "\(label)\(member): expands beyond \(limits.maxExpandedBytes) bytes; refusing it (archive bomb?)")
                }
                var done = 0
                while done < n {
                    let m = buffer.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, n - done) }
                    if m < 0 {
                        if errno == EINTR { continue }
                        throw ImageError(message: "\(label)\(member): cannot hold the nested image in memory: \(String(cString: strerror(errno)))")
                    }
                    done += m
                }
            }
        }
        throw ImageError(message: "\(label): no regular member '\(member)'")
    }

    /// The SHA-256 (hex) of each regular member named in `members`, read in one pass without keeping the content:
    /// what an update bundle's signed descriptor lists for its payload files. A member not in the archive is absent
    /// from the result.
    public static func digests(_ path: String, label: String, members: Set<String>, limits: Limits) throws(ImageError) -> [String: String] {
        guard !members.isEmpty else { return [:] }
        let a = try open(path, label: label, formats: .archives)
        defer { archive_read_free(a) }
        var entry: OpaquePointer? = nil
        var buffer = [UInt8](repeating: 0, count: 256 * 1024)
        var read: Int64 = 0
        var out: [String: String] = [:]
        while out.count < members.count {
            let r = archive_read_next_header(a, &entry)
            if r == ARCHIVE_EOF { break }
            if r < ARCHIVE_WARN { throw ImageError(message: "\(label): corrupt or truncated image (\(errorText(a)))") }
            guard let e = entry, let cname = archive_entry_pathname(e), let name = canonical(String(cString: cname)), members.contains(name),
                  UInt32(archive_entry_filetype(e)) & 0o170000 == 0o100000 else { continue }
            let ctx = bl_sha256_new()
            while true {
                let n = buffer.withUnsafeMutableBytes { archive_read_data(a, $0.baseAddress, $0.count) }
                if n < 0 {
                    var d = [UInt8](repeating: 0, count: 32)
                    bl_sha256_final(ctx, &d)
                    throw ImageError(message: "\(label): corrupt or truncated image in '\(name)' (\(errorText(a)))")
                }
                if n == 0 { break }
                read += Int64(n)
                if read > limits.maxExpandedBytes {
                    var d = [UInt8](repeating: 0, count: 32)
                    bl_sha256_final(ctx, &d)
                    throw ImageError(message: "\(label)\(name): expands beyond \(limits.maxExpandedBytes) bytes; refusing it (archive bomb?)")
                }
                buffer.withUnsafeBufferPointer { bl_sha256_update(ctx, $0.baseAddress, n) }
            }
            var d = [UInt8](repeating: 0, count: 32)
            bl_sha256_final(ctx, &d)
            out[name] = d.map { String(format: "%02x", $0) }.joined()
        }
        return out
    }

    public static func load(_ path: String, label: String? = nil, limits: Limits = Limits(), formats: Formats = .archives) throws(ImageError) -> LoadedImage {
        let label = label ?? path
        if let image = try read(path, label: label, limits: limits, formats: formats) { return image }
        if formats == .archivesOrRaw, let image = try read(path, label: label, limits: limits, formats: .raw) { return image }
        throw ImageError(message: "\(label): the image is empty")
    }

    /// nil when the image holds no entry.
    static func read(_ path: String, label: String, limits: Limits, formats: Formats) throws(ImageError) -> LoadedImage? {
        let a = try open(path, label: label, formats: formats)
        defer { archive_read_free(a) }
        let tree = ImageTree()
        var problems: [FSProblem] = []
        var entries = 0
        var kept = 0
        var expanded: Int64 = 0
        var format = ""
        var hardlinks: [(String, String)] = []
        var buffer = [UInt8](repeating: 0, count: 256 * 1024)
        var entry: OpaquePointer? = nil
        while true {
            let r = archive_read_next_header(a, &entry)
            if r == ARCHIVE_EOF { break }
            if r < ARCHIVE_WARN {
                // Recognised compression or format but no readable member: a damaged image, not an unknown one.
                let text = errorText(a).lowercased()
                let damaged = archive_filter_count(a) > 1 || archive_format(a) != 0 || text.contains("truncated") || text.contains("damaged") || text.contains("corrupt")
                if entries == 0 && !damaged {
                    throw ImageError(message: "\(label): not a supported firmware image (\(errorText(a)))")
                }
                throw ImageError(message: "\(label): corrupt or truncated image after \(entries) entries (\(errorText(a)))")
            }
            if format.isEmpty, let f = archive_format_name(a) {
                format = archive_format(a) == ARCHIVE_FORMAT_RAW ? "compressed file" : String(cString: f)
                let filters = (0..<max(0, archive_filter_count(a) - 1)).compactMap { archive_filter_name(a, $0).map { String(cString: $0) } }
                if !filters.isEmpty { format += " (" + filters.joined(separator: ", ") + ")" }
            }
            entries += 1
            if entries > limits.maxEntries { throw ImageError(message: "\(label): more than \(limits.maxEntries) entries; refusing the image") }
            guard let e = entry, let cname = archive_entry_pathname(e) else { continue }
            let rawName = String(cString: cname)
            guard let name = canonical(rawName) else {
                problems.append(FSProblem(path: rawName, reason: "member name leaves the image root; refused"))
                continue
            }
            if let h = archive_entry_hardlink(e) {
                let target = String(cString: h)
                if let t = canonical(target) { hardlinks.append((name, t)) } else {
                    problems.append(FSProblem(path: rawName, reason: "hard link to '\(target)' leaves the image root; refused"))
                }
                continue
            }
            let type = UInt32(archive_entry_filetype(e)) & 0o170000
            switch type {
            case 0o040000: tree.add(name, .directory)
            case 0o120000:
                let target = archive_entry_symlink(e).map { String(cString: $0) } ?? ""
                tree.add(name, .symlink(target))
            case 0o100000:
                let declared = archive_entry_size_is_set(e) != 0 ? Int(archive_entry_size(e)) : 0
                var content: [UInt8] = []
                var complete = true
                while true {
                    let n = buffer.withUnsafeMutableBytes { archive_read_data(a, $0.baseAddress, $0.count) }
                    if n < 0 {
                        throw ImageError(message: "\(label): corrupt or truncated image in '\(rawName)' (\(errorText(a)))")
                    }
                    if n == 0 { break }
                    expanded += Int64(n)
                    if expanded > limits.maxExpandedBytes {
                        throw ImageError(message: "\(label): the image expands beyond \(limits.maxExpandedBytes) bytes; refusing it (archive bomb?)")
                    }
                    let room = min(limits.maxFileBytes - content.count, limits.maxTotalContent - kept)
                    if room > 0 {
                        let take = min(room, n)
                        content.append(contentsOf: buffer[0..<take])
                        kept += take
                        if take < n { complete = false }
                    } else {
                        complete = false
                    }
                }
                let mode = UInt32(archive_entry_perm(e))
                tree.add(name, .file(content: content, size: max(declared, content.count), mode: mode, complete: complete))
            case 0o010000: tree.add(name, .special(.fifo))
            case 0o020000: tree.add(name, .special(.charDevice))
            case 0o060000: tree.add(name, .special(.blockDevice))
            case 0o140000: tree.add(name, .special(.socket))
            default: problems.append(FSProblem(path: name, reason: "unknown member type; skipped"))
            }
        }
        for (name, target) in hardlinks {
            if let node = tree.node(target) { tree.add(name, node) } else {
                problems.append(FSProblem(path: name, reason: "hard link to missing member '\(target)'"))
            }
        }
        if entries == 0 { return nil }
        var image = LoadedImage(tree: tree, format: format, problems: problems, entries: entries)
        image.rawStream = archive_format(a) == ARCHIVE_FORMAT_RAW
        return image
    }
}
