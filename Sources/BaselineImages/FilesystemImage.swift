// File-system images (SquashFS 4 through libsquashfs, SquashFS 3 through Baseline's squashfs3_reader.c, ext2/3/4
// through libext2fs) into the same in-memory ImageTree as the archive formats. Both readers walk the image read-only into one callback; nothing is written to disk.
import BaselineCore
import CImageReaders
import Foundation

public enum FilesystemImage {
    public enum Kind: Equatable { case squashfs, squashfs3, ext, jffs2(bigEndian: Bool) }

    final class Sink {
        let tree = ImageTree()
        var problems: [FSProblem] = []
        var entries = 0
        var kept = 0
        var damaged = 0                 // regular files whose data could not be read
        let maxTotalContent: Int
        init(maxTotalContent: Int) { self.maxTotalContent = maxTotalContent }
    }

    static let maxEntries = 1_000_000

    /// Reads the image into a tree. With `spool`, the regular file at that path is written whole to `fd` instead.
    static func read(_ path: String, offset: UInt64 = 0, length: UInt64 = 0, label: String, kind: Kind, limits: ArchiveImage.Limits,
                     spool: (member: String, fd: Int32)? = nil) throws(ImageError) -> Sink {
        let sink = Sink(maxTotalContent: limits.maxTotalContent)
        let ctx = Unmanaged.passUnretained(sink).toOpaque()
        var err = [CChar](repeating: 0, count: 512)
        let visit: bl_sqfs_visit = { ctx, cpath, type, target, data, len, size, mode, complete in
            let sink = Unmanaged<Sink>.fromOpaque(ctx!).takeUnretainedValue()
            let path = String(cString: cpath!)
            sink.entries += 1
            if sink.entries > FilesystemImage.maxEntries { return 1 }
            switch type {
            case 1:
                var content: [UInt8] = []
                var whole = complete != 0
                if let d = data, len > 0 {
                    let take = min(len, max(0, sink.maxTotalContent - sink.kept))
                    content = Array(UnsafeBufferPointer(start: d, count: take))
                    sink.kept += take
                    if take < len { whole = false }
                }
                sink.tree.add(path, .file(content: content, size: Int(size), mode: UInt32(mode), complete: whole))
            case 2: sink.tree.add(path, .directory)
            case 3: sink.tree.add(path, .symlink(target.map { String(cString: $0) } ?? ""))
            case 4: sink.tree.add(path, .special(.fifo))
            case 5: sink.tree.add(path, .special(.socket))
            case 6: sink.tree.add(path, .special(.charDevice))
            case 7: sink.tree.add(path, .special(.blockDevice))
            default: break
            }
            return 0
        }
        let refused: bl_sqfs_visit = { ctx, cpath, type, _, _, _, _, _, _ in
            let sink = Unmanaged<Sink>.fromOpaque(ctx!).takeUnretainedValue()
            if type < 0 {
                sink.damaged += 1
                sink.problems.append(FSProblem(path: String(cString: cpath!), reason: "data cannot be read (corrupt or truncated image); audited without it"))
            } else {
                sink.problems.append(FSProblem(path: String(cString: cpath!), reason: "entry name leaves the image root; refused"))
            }
            return 0
        }
        let maxFile = spool == nil ? limits.maxFileBytes : 0
        let rc = err.withUnsafeMutableBufferPointer { e -> Int32 in
            switch kind {
            case .squashfs:
                return bl_sqfs_read_spool(path, offset, maxFile, UInt64(limits.maxExpandedBytes), ctx, visit, refused,
                                          spool?.member, spool?.fd ?? -1, e.baseAddress, e.count)
            case .squashfs3:
                return bl_sqfs3_read(path, offset, maxFile, UInt64(limits.maxExpandedBytes), ctx, visit, refused,
                                     spool?.member, spool?.fd ?? -1, e.baseAddress, e.count)
            case .jffs2(let bigEndian):
                return bl_jffs2_read(path, offset, length, bigEndian ? 1 : 0, maxFile, UInt64(limits.maxExpandedBytes), ctx, visit, refused,
                                     e.baseAddress, e.count)
            case .ext:
                return bl_ext_read_spool(path, offset, maxFile, UInt64(limits.maxExpandedBytes), ctx, visit, refused,
                                         spool?.member, spool?.fd ?? -1, e.baseAddress, e.count)
            }
        }
        if rc != 0 {
            let msg = err.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            if sink.entries > maxEntries { throw ImageError(message: "\(label): more than \(maxEntries) entries; refusing the image") }
            throw ImageError(message: "\(label): \(msg)")
        }
        return sink
    }

    public static func load(_ path: String, offset: UInt64 = 0, length: UInt64 = 0, label: String? = nil, kind: Kind,
                            limits: ArchiveImage.Limits = ArchiveImage.Limits()) throws(ImageError) -> LoadedImage {
        let sink = try read(path, offset: offset, length: length, label: label ?? path, kind: kind, limits: limits)
        let format: String
        switch kind { case .ext: format = "ext2/3/4"; case .jffs2: format = "JFFS2"; default: format = "SquashFS" }
        var image = LoadedImage(tree: sink.tree, format: format, problems: sink.problems,
                                entries: sink.entries)
        if sink.damaged > 0 { image.incomplete.append("\(sink.damaged) file(s) in the \(image.format) image could not be read (listed in coverage.unreadable)") }
        return image
    }

    /// Writes the regular file `member` of the image whole to `fd` (a nested image in an update bundle).
    public static func extract(_ path: String, offset: UInt64 = 0, label: String, kind: Kind, member: String, to fd: Int32,
                               limits: ArchiveImage.Limits) throws(ImageError) {
        _ = try read(path, offset: offset, label: label, kind: kind, limits: limits, spool: (member, fd))
    }
}
