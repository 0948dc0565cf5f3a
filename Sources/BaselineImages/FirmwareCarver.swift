// Finds what a vendor firmware file is made of: vendor and boot headers, kernels, compressed streams, archives and
// file systems, by signature at any offset, each checked (header checksums, sane sizes) before it is believed.
// The result is a list of parts with their offsets and, where the format says, their lengths; the loader decides
// which part is the root file system and how to read it.
import CImageReaders

public struct CarvedPart: Equatable {
    public enum Role: Equatable {
        case filesystem      // a file system image (SquashFS, ext, JFFS2, UBI, cramfs, romfs)
        case archive         // cpio, tar, zip, 7z
        case compressed      // gzip, xz, LZMA, bzip2, zstd, lz4, LZO stream
        case header          // a vendor or boot container header (TRX, uImage, TP-Link, …): no files of its own
    }
    public enum Reader: Equatable {
        case squashfs, ext          // read in place by libsquashfs / libext2fs
        case jffs2                  // read in place by Baseline's JFFS2 reader (jffs2_reader.c); the engine for what it cannot
        case squashfs3              // SquashFS 3.0/3.1, either byte order, zlib or LZMA: read in place by squashfs3_reader.c
        case libarchive             // copied to memory and read by libarchive (archives and compressed streams)
        case unsquashfs             // SquashFS 1.x/2.x (either byte order) and SquashFS 4 with LZO: squashfs-tools' unsquashfs
        case fsckCramfs             // cramfs (either endianness): util-linux's fsck.cramfs --extract, names checked first
        case unblob                 // JFFS2, UBI/UBIFS, romfs, other SquashFS variants: the unblob engine
        case none                   // headers
    }
    public let offset: Int
    public var length: Int?         // nil: runs to the end of the file as far as anyone can tell
    public let role: Role
    public let reader: Reader
    public var format: String       // "SquashFS 4.0 (lzma)", "U-Boot legacy uImage", "JFFS2 (big-endian)"
    public var detail: String = ""  // what the header says: image name, board id, partition offsets
    public var kernelRelease: String? = nil   // from a uImage name such as "MIPS OpenWrt Linux-6.6.73"
    /// Why a file holding this part has nothing to audit, said in the refusal ("ZyNOS is ThreadX, not Linux…").
    public var nothingToAudit: String? = nil
    /// A raw NAND dump: every `nandPage` bytes of data are followed by `nandSpare` bytes of out-of-band data (ECC,
    /// bad-block marks) that must be dropped before the file system inside can be read. 0: no OOB.
    public var nandPage = 0, nandSpare = 0

    /// "SquashFS 4.0 (lzma) @0x120000 (3,145,728 bytes)"
    public var title: String {
        "\(format) @\(hex(offset))" + (length.map { " (\($0) bytes)" } ?? "")
    }
}

func hex(_ v: Int) -> String { "0x" + String(v, radix: 16) }

public enum FirmwareCarver {
    /// Parts at most this many (a file of repeated magic numbers is not 100,000 file systems).
    public static let maxParts = 256

    public static func scan(_ b: UnsafeRawBufferPointer) -> [CarvedPart] {
        var parts: [CarvedPart] = []
        var skipUntil = 0                // inside a file system whose length is known: its bytes are its own
        var i = 0
        let n = b.count
        while i < n && parts.count < maxParts {
            if i < skipUntil { i = skipUntil; continue }
            if let p = probe(b, i) {
                // Every member of a cpio, tar or zip archive starts with the magic: the first stands for the archive.
                if p.role == .archive, parts.contains(where: { $0.role == .archive && $0.format == p.format && $0.length == nil }) {
                    i += 1
                    continue
                }
                parts.append(p)
                if p.role == .filesystem, let l = p.length, l > 0 { skipUntil = p.offset + l }
            }
            i += 1
        }
        // ext's magic sits 1080 bytes in: found late, it covers hits before it (a false gzip inside its first block).
        return parts.sorted { $0.offset < $1.offset }
    }

    // MARK: - Byte access

    @inline(__always) static func u8(_ b: UnsafeRawBufferPointer, _ o: Int) -> Int { Int(b[o]) }
    static func le16(_ b: UnsafeRawBufferPointer, _ o: Int) -> Int { Int(b[o]) | Int(b[o + 1]) << 8 }
    static func be16(_ b: UnsafeRawBufferPointer, _ o: Int) -> Int { Int(b[o]) << 8 | Int(b[o + 1]) }
    static func le32(_ b: UnsafeRawBufferPointer, _ o: Int) -> Int { le16(b, o) | le16(b, o + 2) << 16 }
    static func be32(_ b: UnsafeRawBufferPointer, _ o: Int) -> Int { be16(b, o) << 16 | be16(b, o + 2) }
    static func le64(_ b: UnsafeRawBufferPointer, _ o: Int) -> UInt64 { UInt64(le32(b, o)) | UInt64(le32(b, o + 4)) << 32 }
    static func be64(_ b: UnsafeRawBufferPointer, _ o: Int) -> UInt64 { UInt64(be32(b, o)) << 32 | UInt64(be32(b, o + 4)) }
    static func matches(_ b: UnsafeRawBufferPointer, _ o: Int, _ m: [UInt8]) -> Bool {
        guard o >= 0, o + m.count <= b.count else { return false }
        for k in 0..<m.count where b[o + k] != m[k] { return false }
        return true
    }
    /// A NUL-terminated printable string of at most `max` bytes.
    static func cString(_ b: UnsafeRawBufferPointer, _ o: Int, _ max: Int) -> String {
        var s: [UInt8] = []
        var k = o
        while k < min(o + max, b.count), b[k] != 0 {
            let c = b[k]
            s.append(c >= 32 && c < 127 ? c : 63)
            k += 1
        }
        return String(decoding: s, as: UTF8.self)
    }

    static let crcTable: [UInt32] = (0..<256).map { i -> UInt32 in
        var c = UInt32(i)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }
    /// CRC-32 (IEEE) without the initial and final inversion; zlib's crc32 is `~crc32raw(~0, …)`, JFFS2's `crc32raw(0, …)`.
    static func crc32raw(_ seed: UInt32, _ b: UnsafeRawBufferPointer, _ o: Int, _ len: Int, zeroing: Range<Int>? = nil) -> UInt32 {
        var c = seed
        for k in o..<(o + len) {
            let byte: UInt8 = zeroing?.contains(k - o) == true ? 0 : b[k]
            c = crcTable[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8)
        }
        return c
    }

    // MARK: - Signatures

    static func probe(_ b: UnsafeRawBufferPointer, _ i: Int) -> CarvedPart? {
        let n = b.count
        switch b[i] {
        case 0x68 where matches(b, i, [0x68, 0x73, 0x71, 0x73]): return squashfs(b, i, bigEndian: false)       // "hsqs"
        case 0x73 where matches(b, i, [0x73, 0x71, 0x73, 0x68]): return squashfs(b, i, bigEndian: true)        // "sqsh"
        case 0x73 where matches(b, i, Array("shsq".utf8)): return squashfs(b, i, bigEndian: false, sqlzmaMagic: true)
        case 0x71 where matches(b, i, Array("qshs".utf8)): return squashfs(b, i, bigEndian: true, sqlzmaMagic: true)
        case 0x53 where i >= 1080 && matches(b, i, [0x53, 0xEF]): return ext(b, i - 1080)
        case 0x85 where matches(b, i, [0x85, 0x19]): return jffs2(b, i, bigEndian: false)
        case 0x19 where matches(b, i, [0x19, 0x85]): return jffs2(b, i, bigEndian: true)
        case 0x55 where matches(b, i, Array("UBI#".utf8)): return ubi(b, i)
        case 0x31 where matches(b, i, [0x31, 0x18, 0x10, 0x06]) && i % 8 == 0 && i + 24 <= n && b[i + 20] == 6:
            // A bare UBIFS image (no UBI around it) starts with its super block node (type 6).
            return CarvedPart(offset: i, length: nil, role: .filesystem, reader: .unblob, format: "UBIFS")
        case 0x45 where matches(b, i, [0x45, 0x3D, 0xCD, 0x28]): return cramfs(b, i, bigEndian: false)
        case 0x28 where matches(b, i, [0x28, 0xCD, 0x3D, 0x45]): return cramfs(b, i, bigEndian: true)
        case 0x28 where matches(b, i, [0x28, 0xB5, 0x2F, 0xFD]):
            return CarvedPart(offset: i, length: nil, role: .compressed, reader: .libarchive, format: "zstd")
        case 0x2D where matches(b, i, Array("-rom1fs-".utf8)) && i + 16 <= n:
            let size = be32(b, i + 8)
            guard size >= 32, i + size <= n else { return nil }
            return CarvedPart(offset: i, length: size, role: .filesystem, reader: .unblob, format: "romfs",
                              detail: "volume '\(cString(b, i + 16, 64))'")
        case 0x27 where matches(b, i, [0x27, 0x05, 0x19, 0x56]): return VendorHeaders.uImage(b, i)
        case 0x48 where matches(b, i, Array("HDR0".utf8)): return VendorHeaders.trx(b, i)
        case 0x01 where matches(b, i, [1, 0, 0, 0]), 0x02 where matches(b, i, [2, 0, 0, 0]): return VendorHeaders.tpLink(b, i)
        case 0x2A where matches(b, i, Array("*#$^".utf8)): return VendorHeaders.netgearCHK(b, i)
        case 0x5E where matches(b, i, [0x5E, 0xA3, 0xA4, 0x17]): return VendorHeaders.seama(b, i)
        case 0x41 where matches(b, i, Array("ANDROID!".utf8)): return VendorHeaders.androidBoot(b, i)
        case 0xDE where matches(b, i, [0xDE, 0xAD, 0xBE, 0xAF]): return VendorHeaders.zyxelZLD(b, i, bigEndian: true)
        case 0xAF where matches(b, i, [0xAF, 0xBE, 0xAD, 0xDE]): return VendorHeaders.zyxelZLD(b, i, bigEndian: false)
        case 0xD0 where matches(b, i, [0xD0, 0x0D, 0xFE, 0xED]): return VendorHeaders.fit(b, i)
        case 0x30...0x39 where i + 256 <= n && b[i + 3] == 0 && (b[i + 1] == 0 || (0x30...0x39).contains(b[i + 1])):
            return VendorHeaders.bcmImageTag(b, i)
        case 0x53 where i >= 6 && matches(b, i, Array("SIG".utf8)): return VendorHeaders.zynos(b, i)
        case 0x53 where matches(b, i, Array("SHRS".utf8)):
            return CarvedPart(offset: i, length: nil, role: .header, reader: .none, format: "D-Link SHRS encrypted firmware",
                              detail: "AES-encrypted: the key is in the device's previous firmware")
        case 0x1F where matches(b, i, [0x1F, 0x8B, 0x08]) && i + 10 <= n && b[i + 3] & 0xE0 == 0 && (b[i + 9] <= 13 || b[i + 9] == 255):
            return CarvedPart(offset: i, length: nil, role: .compressed, reader: .libarchive, format: "gzip")
        case 0xFD where matches(b, i, [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]):
            return CarvedPart(offset: i, length: nil, role: .compressed, reader: .libarchive, format: "xz")
        case 0x42 where matches(b, i, Array("BZh".utf8)) && i + 10 <= n && (0x31...0x39).contains(b[i + 3])
                        && matches(b, i + 4, [0x31, 0x41, 0x59, 0x26, 0x53, 0x59]):
            return CarvedPart(offset: i, length: nil, role: .compressed, reader: .libarchive, format: "bzip2")
        case 0x04 where matches(b, i, [0x04, 0x22, 0x4D, 0x18]):
            return CarvedPart(offset: i, length: nil, role: .compressed, reader: .libarchive, format: "lz4")
        case 0x89 where matches(b, i, [0x89, 0x4C, 0x5A, 0x4F, 0x00, 0x0D, 0x0A, 0x1A, 0x0A]):
            return CarvedPart(offset: i, length: nil, role: .compressed, reader: .libarchive, format: "LZO (lzop)")
        case 0x5D where i + 13 <= n && b[i + 1] == 0 && lzmaHeader(b, i):
            return CarvedPart(offset: i, length: nil, role: .compressed, reader: .libarchive, format: "LZMA")
        case 0x30 where matches(b, i, Array("07070".utf8)) && i + 6 <= n && (b[i + 5] == 0x31 || b[i + 5] == 0x32 || b[i + 5] == 0x37):
            return CarvedPart(offset: i, length: nil, role: .archive, reader: .libarchive, format: "cpio")
        case 0x75 where i >= 257 && matches(b, i, Array("ustar".utf8)) && (b[i + 5] == 0 || b[i + 5] == 0x20):
            return CarvedPart(offset: i - 257, length: nil, role: .archive, reader: .libarchive, format: "tar")
        case 0x50 where matches(b, i, [0x50, 0x4B, 0x03, 0x04]):
            return CarvedPart(offset: i, length: nil, role: .archive, reader: .libarchive, format: "zip")
        case 0x37 where matches(b, i, [0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C]):
            return CarvedPart(offset: i, length: nil, role: .archive, reader: .libarchive, format: "7z")
        default: return nil
        }
    }

    /// LZMA "alone" header: properties 0x5D (lc=3 lp=0 pb=2, what every kernel build uses), a power-of-two dictionary
    /// of 64 KiB to 64 MiB, and an uncompressed size that is unknown (all ones) or plausible (< 1 GiB).
    static func lzmaHeader(_ b: UnsafeRawBufferPointer, _ i: Int) -> Bool {
        let dict = le32(b, i + 1)
        guard dict >= 1 << 16, dict <= 1 << 26, dict & (dict - 1) == 0 else { return false }
        let size = le64(b, i + 5)
        return size == UInt64.max || (size > 0 && size < 1 << 30)
    }

    /// `sqlzmaMagic`: 'shsq'/'qshs', the magic sqlzma's mksquashfs gives LZMA SquashFS 3 images (sqmagic.h).
    static func squashfs(_ b: UnsafeRawBufferPointer, _ i: Int, bigEndian: Bool, sqlzmaMagic: Bool = false) -> CarvedPart? {
        guard i + 96 <= b.count else { return nil }
        let r16 = bigEndian ? be16 : le16
        let major = r16(b, i + 28), minor = r16(b, i + 30)
        let names = [1: "gzip", 2: "lzma", 3: "lzo", 4: "xz", 5: "lz4", 6: "zstd"]
        if major == 4 && !bigEndian {
            let blockSize = le32(b, i + 12), blockLog = le16(b, i + 22), comp = le16(b, i + 20)
            let used = le64(b, i + 40)
            guard blockSize >= 4096, blockSize <= 1 << 20, blockLog < 32, 1 << blockLog == blockSize,
                  let name = names[comp], used >= 96, used <= UInt64(b.count - i) + (1 << 20) else { return nil }
            // libsquashfs is built without LZO (liblzo2 is GPL): squashfs-tools' unsquashfs reads those.
            return CarvedPart(offset: i, length: Int(used), role: .filesystem, reader: comp == 3 ? .unsquashfs : .squashfs,
                              format: "SquashFS 4.\(minor) (\(name))")
        }
        guard (1...4).contains(major), !sqlzmaMagic || major == 3 else { return nil }
        // SquashFS 3.x keeps bytes_used (64-bit) at 63; 1.x and 2.x a 32-bit one at 8.
        let used: UInt64 = major == 3 ? (bigEndian ? be64(b, i + 63) : le64(b, i + 63)) : UInt64(bigEndian ? be32(b, i + 8) : le32(b, i + 8))
        guard used >= 64, used <= UInt64(b.count - i) + (1 << 20) else { return nil }
        if major == 3 && minor <= 1 {
            // Read natively: 3.x names no compressor; sqlzma-style images (2.6-era OpenWrt, old TP-Link) start their
            // LZMA blocks with 0x5D, zlib blocks with a zlib header. The first inode-table block says which.
            let inodeStart = bigEndian ? be64(b, i + 87) : le64(b, i + 87)
            var lzma = false
            if inodeStart < UInt64(b.count - i) {
                lzma = bl_sqfs3_probe_lzma(b.baseAddress!.assumingMemoryBound(to: UInt8.self) + i, b.count - i, bigEndian ? 1 : 0,
                                           inodeStart, b[i + 36] & 4 != 0 ? 1 : 0) != 0
            }
            return CarvedPart(offset: i, length: Int(used), role: .filesystem, reader: .squashfs3,
                              format: "SquashFS 3.\(minor) (" + (bigEndian ? "big-endian, " : "") + (lzma ? "lzma" : "gzip") + ")",
                              detail: sqlzmaMagic ? "sqlzma magic '" + (bigEndian ? "qshs" : "shsq") + "'" : "")
        }
        return CarvedPart(offset: i, length: Int(used), role: .filesystem, reader: .unsquashfs,
                          format: "SquashFS \(major).\(minor)" + (bigEndian ? " (big-endian)" : ""))
    }

    static func ext(_ b: UnsafeRawBufferPointer, _ start: Int) -> CarvedPart? {
        let s = start + 1024
        guard s + 264 <= b.count else { return nil }
        let inodes = le32(b, s), blocks = le32(b, s + 4), logBlock = le32(b, s + 24)
        let state = le16(b, s + 58), errors = le16(b, s + 60), rev = le32(b, s + 76)
        guard inodes > 0, blocks > 0, logBlock <= 6, (1...7).contains(state), (1...3).contains(errors), rev <= 1 else { return nil }
        let length = blocks * (1024 << logBlock)
        guard length >= 8192 else { return nil }
        return CarvedPart(offset: start, length: length, role: .filesystem, reader: .ext, format: "ext2/3/4")
    }

    static func cramfs(_ b: UnsafeRawBufferPointer, _ i: Int, bigEndian: Bool) -> CarvedPart? {
        guard i + 64 <= b.count, matches(b, i + 16, Array("Compressed ROMFS".utf8)) else { return nil }
        let size = bigEndian ? be32(b, i + 4) : le32(b, i + 4)
        guard size >= 64 else { return nil }
        // util-linux extracts cramfs faithfully (links stay links) but joins names to paths as they are: it gets
        // only images whose every name is one plain path component; the others go to unblob's sandboxed engine.
        return CarvedPart(offset: i, length: size, role: .filesystem,
                          reader: cramfsNamesSafe(b, i, size: min(size, b.count - i), bigEndian: bigEndian) ? .fsckCramfs : .unblob,
                          format: "cramfs (" + (bigEndian ? "big" : "little") + "-endian)", detail: "volume '\(cString(b, i + 48, 16))'")
    }

    /// Walks a cramfs directory tree (inodes of 12 bytes: mode/uid, size/gid, name length/offset bit fields, laid
    /// out by the image's endianness) and says whether every name is a plain component ("." "..", "/" and NUL refused).
    static func cramfsNamesSafe(_ b: UnsafeRawBufferPointer, _ start: Int, size: Int, bigEndian: Bool) -> Bool {
        let r32 = bigEndian ? be32 : le32
        var visited = 0
        func inode(_ o: Int) -> (mode: Int, size: Int, nameLen: Int, offset: Int)? {
            guard o + 12 <= start + size else { return nil }
            let w0 = r32(b, o), w1 = r32(b, o + 4), w2 = r32(b, o + 8)
            return bigEndian ? (w0 >> 16, w1 >> 8, (w2 >> 26) * 4, (w2 & 0x3FF_FFFF) * 4)
                             : (w0 & 0xFFFF, w1 & 0xFF_FFFF, (w2 & 0x3F) * 4, (w2 >> 6) * 4)
        }
        func directory(_ at: Int, _ length: Int, _ depth: Int) -> Bool {
            guard depth < 64, at >= 0, at + length <= size else { return false }
            var o = start + at
            let end = o + length
            while o < end {
                visited += 1
                guard visited < 200_000, let e = inode(o) else { return false }
                let nameStart = o + 12
                guard e.nameLen > 0, nameStart + e.nameLen <= start + size else { return false }
                var name: [UInt8] = []
                for k in nameStart..<(nameStart + e.nameLen) where b[k] != 0 { name.append(b[k]) }
                if name.isEmpty || name == [46] || name == [46, 46] || name.contains(47) { return false }
                for k in nameStart..<(nameStart + e.nameLen) where b[k] == 0 {
                    if (k + 1..<(nameStart + e.nameLen)).contains(where: { b[$0] != 0 }) { return false }   // NUL inside a name
                    break
                }
                if e.mode & 0o170000 == 0o040000 && e.size > 0 && !directory(e.offset, e.size, depth + 1) { return false }
                o = nameStart + e.nameLen
            }
            return true
        }
        guard let root = inode(start + 64) else { return false }
        return root.size == 0 || directory(root.offset, root.size, 0)
    }

    static let jffs2Types: Set<Int> = [0xE001, 0xE002, 0x2003, 0x2004, 0x2006, 0xE008, 0xE009]

    /// A JFFS2 node header whose header CRC checks; returns its total length.
    static func jffs2Node(_ b: UnsafeRawBufferPointer, _ o: Int, bigEndian: Bool) -> Int? {
        guard o + 12 <= b.count else { return nil }
        let r16 = bigEndian ? be16 : le16, r32 = bigEndian ? be32 : le32
        guard r16(b, o) == 0x1985, jffs2Types.contains(r16(b, o + 2)) else { return nil }
        let total = r32(b, o + 4)
        guard total >= 12, total <= 1 << 20 else { return nil }
        guard crc32raw(0, b, o, 8) == UInt32(r32(b, o + 8)) else { return nil }
        return total
    }

    /// JFFS2: nodes one after the other (4-byte aligned), erased 0xFF space between erase blocks.
    static func jffs2(_ b: UnsafeRawBufferPointer, _ i: Int, bigEndian: Bool) -> CarvedPart? {
        guard var total = jffs2Node(b, i, bigEndian: bigEndian) else { return nil }
        var end = i
        var o = i
        var nodes = 0
        while o < b.count {
            if let t = jffs2Node(b, o, bigEndian: bigEndian) {
                total = t
                nodes += 1
                o += (total + 3) & ~3
                end = min(o, b.count)
                continue
            }
            // Erased space up to the next node (bounded: a run of 0xFF is a gap only if a node follows it).
            var k = o
            while k + 4 <= b.count && b[k] == 0xFF && b[k + 1] == 0xFF && b[k + 2] == 0xFF && b[k + 3] == 0xFF { k += 4 }
            if k > o, k < b.count, jffs2Node(b, k, bigEndian: bigEndian) != nil { o = k; continue }
            // Some images pad with zeros between erase blocks.
            k = o
            while k + 4 <= b.count && b[k] == 0 && b[k + 1] == 0 && b[k + 2] == 0 && b[k + 3] == 0 && k - o < 1 << 18 { k += 4 }
            if k > o, k < b.count, jffs2Node(b, k, bigEndian: bigEndian) != nil { o = k; continue }
            break
        }
        guard nodes >= 2 else { return nil }
        return CarvedPart(offset: i, length: end - i, role: .filesystem, reader: .jffs2,
                          format: "JFFS2 (" + (bigEndian ? "big" : "little") + "-endian)", detail: "\(nodes) nodes")
    }

    /// UBI: an erase-counter header ("UBI#", version 1) at the start of every physical erase block. In a raw NAND
    /// dump with the out-of-band bytes kept, the volume headers ("UBI!") are not where the erase-counter header says
    /// but shifted by the OOB of the pages before them: the geometry that puts them back is the dump's.
    static func ubi(_ b: UnsafeRawBufferPointer, _ i: Int) -> CarvedPart? {
        guard i + 64 <= b.count, b[i + 4] == 1 else { return nil }
        guard crc32raw(0xFFFF_FFFF, b, i, 60) == UInt32(be32(b, i + 60)) else { return nil }   // UBI: no final inversion
        let ec = Array("UBI#".utf8), vidMagic = Array("UBI!".utf8)
        // The erase block size: the distance to the next erase-counter header (4 KiB steps; with OOB, page strides).
        var peb = 0
        var k = i + 4096
        while k + 4 <= b.count && k - i <= 1 << 21 {
            if matches(b, k, ec) { peb = k - i; break }
            k += 4096
        }
        if peb == 0 {
            search: for (page, spare) in nandGeometries {
                for pages in [32, 64, 128, 256] where matches(b, i + pages * (page + spare), ec) {
                    peb = pages * (page + spare)
                    break search
                }
            }
        }
        var blocks = 1
        if peb > 0 { while i + blocks * peb + 4 <= b.count && matches(b, i + blocks * peb, ec) { blocks += 1 } }
        let length = peb > 0 ? min(blocks * peb, b.count - i) : b.count - i
        var part = CarvedPart(offset: i, length: length, role: .filesystem, reader: .unblob, format: "UBI",
                              detail: peb > 0 ? "\(blocks) erase blocks of \(peb) bytes" : "one erase block")
        // Where the headers are: as the EC header says (a plain image), or shifted by the OOB of the pages before
        // them (a raw dump). Each geometry scores the blocks whose volume header it finds and, for the layout
        // volume, whose first volume-table record's CRC checks where it puts the data.
        let vid = be32(b, i + 16), data = be32(b, i + 20)
        guard peb > 0, vid >= 64, vid < peb, data > vid, data + 172 <= peb else { return part }
        func score(_ page: Int, _ spare: Int) -> Int {
            func at(_ off: Int) -> Int { page == 0 ? off : off / page * (page + spare) + off % page }
            var n = 0
            for blk in 0..<min(blocks, 64) {
                let start = i + blk * peb
                guard matches(b, start + at(vid), vidMagic), start + at(vid) + 12 <= b.count else { continue }
                n += 1
                if be32(b, start + at(vid) + 8) == 0x7FFF_EFFF {      // the layout volume: volume-table records
                    let r = start + at(data)
                    if r + 172 <= b.count, crc32raw(0xFFFF_FFFF, b, r, 168) == UInt32(be32(b, r + 168)) { n += 4 }
                }
            }
            return n
        }
        let plain = score(0, 0)
        var best = (plain, 0, 0)
        for (page, spare) in nandGeometries where peb % (page + spare) == 0 {
            let s = score(page, spare)
            if s > best.0 { best = (s, page, spare) }
        }
        if best.1 > 0 {
            part.nandPage = best.1
            part.nandSpare = best.2
            part.format = "UBI (raw NAND dump, \(best.1)-byte pages + \(best.2) bytes OOB)"
        }
        return part
    }

    /// A whole raw NAND dump with the out-of-band bytes kept (`nanddump --oob`, a chip-off read by a programmer):
    /// the file is a whole number of pages of `page + spare` bytes, and in every written page the spare area's
    /// bad-block mark (byte 0 of a large page's OOB, byte 5 of a 512-byte page's) reads 0xFF, a good block. For any
    /// other geometry that byte is file system data and almost never 0xFF (1 in 256 in compressed data), so a file
    /// that is not a dump fails the test long before 98% of at least 16 written pages pass it. nil: not a dump.
    /// Pages are sampled (at most 4,096), so the test costs at most a few MiB of reading.
    public static func nandDump(_ b: UnsafeRawBufferPointer) -> (page: Int, spare: Int)? {
        let n = b.count
        var best: (page: Int, spare: Int, written: Int)? = nil
        for (page, spare) in nandGeometries {
            let unit = page + spare
            guard n % unit == 0, n / unit >= 64 else { continue }
            let pages = n / unit, mark = page == 512 ? 5 : 0
            let step = max(1, pages / 4096)
            var written = 0, good = 0, p = 0
            while p < pages {
                let o = p * unit
                var erased = true
                for k in o..<(o + page) where b[k] != 0xFF { erased = false; break }
                if !erased {
                    written += 1
                    if b[o + page + mark] == 0xFF { good += 1 }
                }
                p += step
            }
            guard written >= 16, good * 100 >= written * 98 else { continue }
            if best == nil || written > best!.written { best = (page, spare, written) }
        }
        return best.map { ($0.page, $0.spare) }
    }

    /// Where byte `offset` of the dump's data (the OOB dropped) sits in the dump itself.
    public static func nandRawOffset(_ offset: Int, page: Int, spare: Int) -> Int {
        offset / page * (page + spare) + offset % page
    }

    /// NAND page and out-of-band sizes of the chips routers use (small-page 512+16 up to 8 KiB pages).
    static let nandGeometries: [(Int, Int)] = [(2048, 64), (2048, 128), (4096, 128), (4096, 224), (4096, 256),
                                               (512, 16), (8192, 376), (8192, 448), (8192, 512)]
}
