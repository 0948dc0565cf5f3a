// What a file is, from its first bytes (never from its name): the image formats Baseline reads, and the common
// firmware formats it does not, so an unsupported image gets a message that names its format.

public enum ImageFormat: Equatable {
    case squashfs, ext, archive          // archive: tar, cpio or zip, possibly compressed (libarchive decides)
    case squashfs3                       // SquashFS 3.0/3.1, either byte order (Baseline's own reader)
    case compressed                      // gzip, xz, zstd, bzip2, lz4, LZO or LZMA: an archive or a compressed image inside
    case unsupported(String)             // a recognised format Baseline cannot read
    case unknown

    public var isReadable: Bool {
        switch self { case .squashfs, .squashfs3, .ext, .archive, .compressed: return true; default: return false }
    }
}

public enum ImageMagic {
    /// Leading bytes needed to tell every format apart (ext magic at 1080, ISO 9660's at 0x8001).
    public static let probeBytes = 0x8010

    /// An LZMA "alone" stream (kernels): properties 0x5D, a power-of-two dictionary, a plausible or unknown size.
    static func isLZMA(_ b: [UInt8]) -> Bool {
        guard b.count >= 13, b[0] == 0x5D, b[1] == 0 else { return false }
        return b.withUnsafeBytes { FirmwareCarver.lzmaHeader($0, 0) }
    }

    public static func detect(_ b: [UInt8]) -> ImageFormat {
        func at(_ off: Int, _ m: [UInt8]) -> Bool { b.count >= off + m.count && Array(b[off..<(off + m.count)]) == m }
        if at(0, Array("hsqs".utf8)) || at(0, Array("sqsh".utf8)) || at(0, Array("shsq".utf8)) || at(0, Array("qshs".utf8)) {
            // libsquashfs reads SquashFS 4 without LZO; Baseline's own reader 3.0/3.1 in either byte order (also under
            // sqlzma's shsq/qshs magics); 1.x/2.x and LZO go through the carver to unsquashfs.
            let be = at(0, Array("sqsh".utf8)) || at(0, Array("qshs".utf8)), sqlzma = at(0, Array("shsq".utf8)) || at(0, Array("qshs".utf8))
            guard b.count >= 32 else { return be || sqlzma ? .unsupported("SquashFS") : .squashfs }
            let major = be ? Int(b[28]) << 8 | Int(b[29]) : Int(b[28]) | Int(b[29]) << 8
            let minor = be ? Int(b[30]) << 8 | Int(b[31]) : Int(b[30]) | Int(b[31]) << 8
            if major == 3 && minor <= 1 { return .squashfs3 }
            if be { return .unsupported("big-endian SquashFS \(major).x") }
            if major != 4 || sqlzma { return .unsupported("SquashFS \(major).x") }
            let comp = Int(b[20]) | Int(b[21]) << 8
            return comp == 3 ? .unsupported("SquashFS (lzo)") : .squashfs
        }
        if at(1080, [0x53, 0xEF]) { return .ext }
        if at(0, [0x1F, 0x8B]) || at(0, [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) || at(0, [0x28, 0xB5, 0x2F, 0xFD])
            || at(0, Array("BZh".utf8)) || at(0, [0x04, 0x22, 0x4D, 0x18])
            || at(0, [0x89, 0x4C, 0x5A, 0x4F, 0x00, 0x0D, 0x0A, 0x1A, 0x0A]) || isLZMA(b) {
            return .compressed
        }
        if at(0, Array("070701".utf8)) || at(0, Array("070702".utf8)) || at(0, Array("070707".utf8)) || at(0, [0xC7, 0x71]) || at(257, Array("ustar".utf8)) {
            return .archive
        }
        if at(0, Array("UBI#".utf8)) { return .unsupported("UBI") }
        if at(0, [0x85, 0x19]) || at(0, [0x19, 0x85]) { return .unsupported("JFFS2") }
        if at(0, [0x45, 0x3D, 0xCD, 0x28]) || at(0, [0x28, 0xCD, 0x3D, 0x45]) { return .unsupported("cramfs") }
        if at(0, [0x27, 0x05, 0x19, 0x56]) { return .unsupported("U-Boot legacy uImage") }
        if at(0, [0xD0, 0x0D, 0xFE, 0xED]) { return .unsupported("U-Boot FIT / device tree blob") }
        if at(0, [0x7F, 0x45, 0x4C, 0x46]) { return .unsupported("ELF executable") }
        if at(0, Array("PK".utf8)) && at(2, [0x03, 0x04]) { return .archive }   // zip: libarchive reads it
        if at(0x8001, Array("CD001".utf8)) { return .archive }                 // ISO 9660: libarchive reads it
        return .unknown
    }
}
