// A stored report's body: the bytes it arrived in, compressed with zstd (level 1) in ingest's parse stage, on all
// cores, so the single writer stores about a third of the bytes (a 7.9 KB report → 2.4 KB: no SQLite overflow pages,
// a third of the WAL and checkpoint writes). Reading a report back decompresses it (a row without a frame holds its
// text in `body`: stored before schema version 2, or the rare body zstd did not compress); a frame that is not zstd, or
// whose content is larger than `maxBytes`, is refused rather than trusted.
import CZstd
import Foundation

enum ReportBody {
    /// Decompressed bodies larger than this are refused (the collector's request limit is far below it).
    static let maxBytes = 256 << 20

    /// One compression context and one output buffer, reused for every body one thread compresses; each frame is
    /// copied out at its own size (not the worst-case bound the buffer has).
    final class Compressor {
        private let context: OpaquePointer
        private var scratch: [UInt8] = []
        init() { context = ZSTD_createCCtx() }
        deinit { ZSTD_freeCCtx(context) }

        /// The frame; nil if zstd fails (it cannot on a buffer of its bound): the body is then stored as text.
        func compress(_ body: Data) -> Data? {
            body.withUnsafeBytes { src -> Data? in
                let bound = ZSTD_compressBound(src.count)
                if scratch.count < bound { scratch = [UInt8](repeating: 0, count: bound) }
                return scratch.withUnsafeMutableBytes { dst -> Data? in
                    let n = ZSTD_compressCCtx(context, dst.baseAddress, bound, src.baseAddress, src.count, 1)
                    guard ZSTD_isError(n) == 0 else { return nil }
                    return Data(bytes: dst.baseAddress!, count: n)
                }
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
