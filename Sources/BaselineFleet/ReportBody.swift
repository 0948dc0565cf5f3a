// A stored report's body: the bytes it arrived in, compressed with zstd (level 1) and the report dictionary
// (ReportBodyDictionary) in ingest's parse stage, on all cores, so the single writer stores a sixth of the bytes (a
// 7.9 KB report → ~1.3 KB; 2.4 KB without the dictionary). Reading a report back decompresses it with the dictionary
// its frame names, from the store's body_dictionaries (a row without a frame holds its text in `body`: stored before
// schema version 2, or the rare body zstd did not compress); a frame that is not zstd, names a dictionary the store does
// not have, or whose content is larger than `maxBytes`, is refused rather than trusted.
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
        /// The dictionary prepared once for level 1 (a CDict is read-only: every thread's compressor shares it).
        nonisolated(unsafe) static let dictionary: OpaquePointer = ReportBodyDictionary.bytes.withUnsafeBytes {
            ZSTD_createCDict($0.baseAddress, $0.count, 1)
        }
        deinit { ZSTD_freeCCtx(context) }

        /// The frame; nil if zstd fails (it cannot on a buffer of its bound): the body is then stored as text.
        func compress(_ body: Data) -> Data? {
            body.withUnsafeBytes { src -> Data? in
                let bound = ZSTD_compressBound(src.count)
                if scratch.count < bound { scratch = [UInt8](repeating: 0, count: bound) }
                return scratch.withUnsafeMutableBytes { dst -> Data? in
                    let n = ZSTD_compress_usingCDict(context, dst.baseAddress, bound, src.baseAddress, src.count, Compressor.dictionary)
                    guard ZSTD_isError(n) == 0 else { return nil }
                    return Data(bytes: dst.baseAddress!, count: n)
                }
            }
        }
    }

    /// The id zstd gives the report dictionary (in every frame made with it, and its key in body_dictionaries).
    static let dictionaryID = Int64(ReportBodyDictionary.bytes.withUnsafeBytes { ZSTD_getDictID_fromDict($0.baseAddress, $0.count) })

    /// `dictionary`: the bytes of a dictionary by id (the store's body_dictionaries); this collector's own is known.
    static func decompress(_ frame: Data, dictionary: (Int64) throws -> Data? = { _ in nil }) throws -> Data {
        try frame.withUnsafeBytes { src -> Data in
            let size = ZSTD_getFrameContentSize(src.baseAddress, src.count)
            guard size != ZSTD_CONTENTSIZE_ERROR, size != ZSTD_CONTENTSIZE_UNKNOWN, size <= UInt64(maxBytes) else {
                throw StoreError("a stored report body is not a zstd frame of at most \(maxBytes) bytes")
            }
            let id = Int64(ZSTD_getDictID_fromFrame(src.baseAddress, src.count))
            let dict: Data
            if id == 0 { dict = Data() } else if id == dictionaryID { dict = ReportBodyDictionary.bytes } else {
                guard let known = try dictionary(id) else {
                    throw StoreError("a stored report body needs zstd dictionary \(id), which the store does not have")
                }
                dict = known
            }
            var out = Data(count: Int(size))
            let n = out.withUnsafeMutableBytes { dst in
                dict.withUnsafeBytes { d in
                    let context = ZSTD_createDCtx()
                    defer { ZSTD_freeDCtx(context) }
                    return ZSTD_decompress_usingDict(context, dst.baseAddress, Int(size), src.baseAddress, src.count, d.baseAddress, d.count)
                }
            }
            guard ZSTD_isError(n) == 0, n == Int(size) else { throw StoreError("a stored report body does not decompress: \(String(cString: ZSTD_getErrorName(n)))") }
            return out
        }
    }
}
