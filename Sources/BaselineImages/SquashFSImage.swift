// SquashFS images through libsquashfs into the same in-memory ImageTree as the archive formats.
import BaselineCore
import CSquashFS
import Foundation

public enum SquashFSImage {
    final class Sink {
        let tree = ImageTree()
        var problems: [FSProblem] = []
        var entries = 0
        var kept = 0
        let maxTotalContent: Int
        init(maxTotalContent: Int) { self.maxTotalContent = maxTotalContent }
    }

    public static func isSquashFS(_ path: String) -> Bool { bl_sqfs_probe(path) == 1 }

    public static func load(_ path: String, limits: ArchiveImage.Limits = ArchiveImage.Limits()) throws(ImageError) -> LoadedImage {
        let sink = Sink(maxTotalContent: limits.maxTotalContent)
        let ctx = Unmanaged.passUnretained(sink).toOpaque()
        var err = [CChar](repeating: 0, count: 512)
        let visit: bl_sqfs_visit = { ctx, cpath, type, target, data, len, size, mode, complete in
            let sink = Unmanaged<Sink>.fromOpaque(ctx!).takeUnretainedValue()
            let path = String(cString: cpath!)
            sink.entries += 1
            if sink.entries > 1_000_000 { return 1 }
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
        let refused: bl_sqfs_visit = { ctx, cpath, _, _, _, _, _, _, _ in
            let sink = Unmanaged<Sink>.fromOpaque(ctx!).takeUnretainedValue()
            sink.problems.append(FSProblem(path: String(cString: cpath!), reason: "entry name leaves the image root; refused"))
            return 0
        }
        let rc = err.withUnsafeMutableBufferPointer { e in
            bl_sqfs_read(path, limits.maxFileBytes, UInt64(limits.maxExpandedBytes), ctx, visit, refused, e.baseAddress, e.count)
        }
        if rc != 0 {
            let msg = err.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            if sink.entries > 1_000_000 { throw ImageError(message: "\(path): more than 1000000 entries; refusing the image") }
            throw ImageError(message: "\(path): \(msg)")
        }
        return LoadedImage(tree: sink.tree, format: "SquashFS", problems: sink.problems, entries: sink.entries)
    }
}
