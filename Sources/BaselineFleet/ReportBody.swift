// A stored report's body: the bytes it arrived in, compressed with zstd (level 1) in ingest's parse stage, on all
// cores, so the single writer stores about a third of the bytes (a 7.9 KB report → 2.4 KB: no SQLite overflow pages,
// a third of the WAL and checkpoint writes). Reading a report back decompresses it; a frame that is not zstd, or
// whose content is larger than `maxBytes`, is refused rather than trusted.
import CZstd
import Foundation

enum ReportBody {
    /// Decompressed bodies larger than this are refused (the collector's request limit is far below it).
    static let maxBytes = 256 << 20

    /// One compression context, reused for every body one thread compresses.
    final class Compressor {
        private let context: OpaquePointer
        init() { context = ZSTD_createCCtx() }
        deinit { ZSTD_freeCCtx(context) }

        func compress(_ body: Data) -> Data {
            body.withUnsafeBytes { src -> Data in
                let bound = ZSTD_compressBound(src.count)
                var out = Data(count: bound)
                let n = out.withUnsafeMutableBytes { dst in
                    ZSTD_compressCCtx(context, dst.baseAddress, bound, src.baseAddress, src.count, 1)
                }
                // zstd cannot fail on a buffer of compressBound bytes; should it, the body is stored as it came.
                guard ZSTD_isError(n) == 0 else { return body }
                out.count = n
                return out
            }
        }
    }

    static func decompress(_ frame: Data) throws -> Data {
        try frame.withUnsafeBytes { src -> Data in
            let size = ZSTD_getFrameContentSize(src.baseAddress, src.count)
            guard size != ZSTD_CONTENTSIZE_ERROR, size != ZSTD_CONTENTSIZE_UNKNOWN, size <= UInt64(maxBytes) else {
                throw StoreError("a stored report body is not a zstd frame of at most \(maxBytes) bytes")
            }
            var out = Data(count: Int(size))
            let n = out.withUnsafeMutableBytes { dst in ZSTD_decompress(dst.baseAddress, Int(size), src.baseAddress, src.count) }
            guard ZSTD_isError(n) == 0, n == Int(size) else { throw StoreError("a stored report body does not decompress: \(String(cString: ZSTD_getErrorName(n)))") }
            return out
        }
    }
}
