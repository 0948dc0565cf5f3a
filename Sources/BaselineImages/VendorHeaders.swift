// Vendor and boot container headers in firmware files: U-Boot legacy uImage (single and multi-file) and FIT,
// Broadcom TRX and BCM63xx imagetag, TP-Link v1/v2, Netgear .chk, D-Link Seama, ZyXEL ZLD firmware archives and
// ZyNOS ROM images, Android boot images. Each is checked (magic, checksum,
// sizes that fit) and named with what it says; the parts inside are found by the carver's own scan.
import Foundation

enum VendorHeaders {
    typealias B = UnsafeRawBufferPointer
    static func le32(_ b: B, _ o: Int) -> Int { FirmwareCarver.le32(b, o) }
    static func be32(_ b: B, _ o: Int) -> Int { FirmwareCarver.be32(b, o) }
    static func cString(_ b: B, _ o: Int, _ max: Int) -> String { FirmwareCarver.cString(b, o, max) }

    static let uImageTypes = [1: "standalone", 2: "kernel", 3: "ramdisk", 4: "multi-file", 5: "firmware", 6: "script", 7: "filesystem", 8: "flat_dt"]
    static let uImageCompression = [0: "none", 1: "gzip", 2: "bzip2", 3: "lzma", 4: "lzo", 5: "lz4", 6: "zstd"]
    static let uImageArch = [2: "ARM", 3: "x86", 5: "MIPS", 6: "MIPS64", 15: "PowerPC", 22: "AArch64", 26: "RISC-V"]

    /// U-Boot legacy image: a 64-byte big-endian header whose CRC-32 covers itself (with the CRC field zero).
    static func uImage(_ b: B, _ i: Int) -> CarvedPart? {
        guard i + 64 <= b.count else { return nil }
        let crc = FirmwareCarver.crc32raw(0xFFFF_FFFF, b, i, 64, zeroing: 4..<8) ^ 0xFFFF_FFFF
        guard crc == UInt32(be32(b, i + 4)) else { return nil }
        let size = be32(b, i + 12)
        let type = Int(b[i + 30]), comp = Int(b[i + 31]), arch = Int(b[i + 29])
        let name = cString(b, i + 32, 32)
        var detail = "'\(name)', \(uImageTypes[type] ?? "type \(type)"), \(uImageArch[arch] ?? "arch \(arch)"), compression \(uImageCompression[comp] ?? "\(comp)")"
        if i + 64 + size > b.count { detail += "; truncated: the header says \(size) bytes of data, the file has \(b.count - i - 64)" }
        var part = CarvedPart(offset: i, length: min(64 + size, b.count - i), role: .header, reader: .none,
                              format: "U-Boot legacy uImage", detail: detail)
        if type == 2 || type == 4 { part.kernelRelease = linuxRelease(name) }
        return part
    }

    /// "MIPS OpenWrt Linux-6.6.73" → "6.6.73"; "Linux-2.6.36" → "2.6.36".
    static func linuxRelease(_ name: String) -> String? {
        guard let r = name.range(of: "Linux-") ?? name.range(of: "linux-") else { return nil }
        let rest = name[r.upperBound...].prefix { $0.isNumber || $0 == "." || $0 == "-" || $0.isLetter || $0 == "_" || $0 == "+" }
        let version = rest.prefix { $0.isNumber || $0 == "." }
        guard version.split(separator: ".").count >= 2, version.first?.isNumber == true else { return nil }
        return String(rest)
    }

    /// Flattened device tree, as a FIT image (kernel, ramdisk, device trees as blobs inside) or a plain DTB.
    static func fit(_ b: B, _ i: Int) -> CarvedPart? {
        guard i + 40 <= b.count else { return nil }
        let total = be32(b, i + 4), version = be32(b, i + 20)
        guard total >= 40, (16...17).contains(version), be32(b, i + 8) < total, be32(b, i + 12) < total else { return nil }
        // A FIT has an "images" node; its name is in the strings block or the structure (node names are inline).
        let isFIT = total <= b.count - i && containsASCII(b, i, min(total, 1 << 16), "images")
        return CarvedPart(offset: i, length: min(total, b.count - i), role: .header, reader: .none,
                          format: isFIT ? "U-Boot FIT image" : "device tree blob", detail: "\(total) bytes")
    }

    static func containsASCII(_ b: B, _ o: Int, _ len: Int, _ s: String) -> Bool {
        let m = Array(s.utf8)
        var k = o
        while k + m.count <= o + len {
            if FirmwareCarver.matches(b, k, m) { return true }
            k += 1
        }
        return false
    }

    /// Broadcom TRX: "HDR0", total length, CRC-32 of everything after the first 12 bytes, flags, version, partition offsets.
    static func trx(_ b: B, _ i: Int) -> CarvedPart? {
        guard i + 28 <= b.count else { return nil }
        let len = le32(b, i + 4), version = FirmwareCarver.le16(b, i + 14)
        guard len >= 28, (1...2).contains(version) else { return nil }
        let offsets = (0..<(version == 2 ? 4 : 3)).map { le32(b, i + 16 + 4 * $0) }
        guard offsets.allSatisfy({ $0 < len }) else { return nil }
        var detail = "version \(version), partitions at " + offsets.filter { $0 > 0 }.map { hex($0) }.joined(separator: ", ")
        if i + len <= b.count {
            let crc = FirmwareCarver.crc32raw(0xFFFF_FFFF, b, i + 12, len - 12)
            if crc != UInt32(le32(b, i + 8)) { detail += "; CRC-32 does not match (modified or damaged)" }
        } else {
            detail += "; truncated: the header says \(len) bytes, the file has \(b.count - i)"
        }
        return CarvedPart(offset: i, length: min(len, b.count - i), role: .header, reader: .none, format: "Broadcom TRX", detail: detail)
    }

    /// TP-Link firmware header v1 (0x200 bytes, big-endian): vendor, firmware version, hardware id, kernel and rootfs
    /// offsets and lengths, as OpenWrt's mktplinkfw writes and TP-Link's own images carry.
    static func tpLink(_ b: B, _ i: Int) -> CarvedPart? {
        guard i + 0x200 <= b.count else { return nil }
        let vendor = cString(b, i + 4, 24)
        guard vendor.count >= 4, vendor.allSatisfy({ $0 != "?" }), b[i + 4] >= 0x41 else { return nil }
        let fwLength = be32(b, i + 124), kernelOfs = be32(b, i + 128), kernelLen = be32(b, i + 132)
        let rootfsOfs = be32(b, i + 136), rootfsLen = be32(b, i + 140)
        guard fwLength >= 0x200, kernelOfs == 0x200, kernelLen > 0, kernelOfs + kernelLen <= fwLength + 0x200,
              rootfsOfs == 0 || rootfsOfs + rootfsLen <= fwLength + 0x200 else { return nil }
        let version = Int(b[i])
        var detail = "vendor '\(vendor)', firmware '\(cString(b, i + 28, 36))', hardware id \(hex(be32(b, i + 64))) rev \(be32(b, i + 68))"
        detail += "; kernel at +\(hex(kernelOfs)) (\(kernelLen) bytes), rootfs at +\(hex(rootfsOfs)) (\(rootfsLen) bytes)"
        if i + fwLength > b.count { detail += "; truncated: the header says \(fwLength) bytes, the file has \(b.count - i)" }
        return CarvedPart(offset: i, length: min(fwLength, b.count - i), role: .header, reader: .none,
                          format: "TP-Link firmware header v\(version)", detail: detail)
    }

    /// Netgear .chk: "*#$^", header length, checksums, kernel and rootfs lengths, board id.
    static func netgearCHK(_ b: B, _ i: Int) -> CarvedPart? {
        guard i + 40 <= b.count else { return nil }
        let headerLen = be32(b, i + 4), kernelLen = be32(b, i + 24), rootfsLen = be32(b, i + 28)
        guard headerLen >= 40, headerLen <= 1024, i + headerLen <= b.count else { return nil }
        let board = cString(b, i + 40, headerLen - 40)
        return CarvedPart(offset: i, length: min(headerLen + kernelLen + rootfsLen, b.count - i), role: .header, reader: .none,
                          format: "Netgear .chk header", detail: "board id '\(board)', kernel \(kernelLen) bytes, rootfs \(rootfsLen) bytes")
    }

    /// D-Link Seama: magic, meta data ("dev=…", "type=firmware"), MD5, image.
    static func seama(_ b: B, _ i: Int) -> CarvedPart? {
        guard i + 28 <= b.count else { return nil }
        let metaSize = FirmwareCarver.be16(b, i + 6), size = be32(b, i + 8)
        guard i + 28 + metaSize <= b.count else { return nil }
        var meta: [String] = []
        var k = i + 28
        while k < i + 28 + metaSize {
            let s = cString(b, k, i + 28 + metaSize - k)
            if !s.isEmpty { meta.append(s) }
            k += max(1, s.utf8.count + 1)
        }
        return CarvedPart(offset: i, length: min(28 + metaSize + size, b.count - i), role: .header, reader: .none,
                          format: "D-Link Seama header", detail: meta.joined(separator: " "))
    }

    /// Android boot image v0–v2: kernel, ramdisk (a compressed cpio) and second stage, page aligned.
    static func androidBoot(_ b: B, _ i: Int) -> CarvedPart? {
        guard i + 608 <= b.count else { return nil }
        let kernel = le32(b, i + 8), ramdisk = le32(b, i + 16), page = le32(b, i + 36)
        guard [2048, 4096, 8192, 16384].contains(page) else { return nil }
        return CarvedPart(offset: i, length: nil, role: .header, reader: .none, format: "Android boot image",
                          detail: "kernel \(kernel) bytes, ramdisk \(ramdisk) bytes, page size \(page), name '\(cString(b, i + 48, 16))'")
    }

    /// ZyXEL ZLD firmware archive (NWA/WAC access points, ZyWALL/USG: OpenWrt's mkzyxelzldfw.c): a 104-byte header
    /// (MD5-based checksum, magic 0xdeadbeaf, file and model counts, total length, the model name) and a 272-byte
    /// entry per file (type, length, flash offset, file name, target partition, revision). ZyXEL writes it
    /// big-endian; images made on a little-endian host keep host order. `i` is where the magic is (4 bytes in).
    static func zyxelZLD(_ b: B, _ at: Int, bigEndian: Bool) -> CarvedPart? {
        let i = at - 4
        guard i >= 0, i + 104 <= b.count else { return nil }
        let r16 = bigEndian ? FirmwareCarver.be16 : FirmwareCarver.le16, r32 = bigEndian ? be32 : le32
        let files = r16(b, i + 10), models = r16(b, i + 12), total = r32(b, i + 24), filesOffset = r16(b, i + 28)
        guard models == 5, (1...32).contains(files), filesOffset == 104 + files * 272, total >= filesOffset,
              i + filesOffset <= b.count else { return nil }
        var entries: [String] = []
        for f in 0..<files {
            let e = i + 104 + f * 272
            let kinds = [1: "bm", 2: "kernel", 3: "core", 4: "db", 5: "conf", 6: "wtp"]
            entries.append("\(kinds[r16(b, e)] ?? "type \(r16(b, e))") '\(cString(b, e + 16, 64))' → \(cString(b, e + 80, 128)) (\(r32(b, e + 4)) bytes)")
        }
        var detail = "model '\(cString(b, i + 72, 32))', " + entries.joined(separator: ", ")
        if i + total > b.count { detail += "; truncated: the header says \(total) bytes, the file has \(b.count - i)" }
        return CarvedPart(offset: i, length: min(total, b.count - i), role: .header, reader: .none,
                          format: "ZyXEL ZLD firmware archive", detail: detail)
    }

    /// BCM63xx "imagetag" (DSL routers: bcm963xx_tag.h, OpenWrt's imagetag.c): 256 bytes, ASCII fields (tag version,
    /// signatures, chip and board id, decimal lengths and flash addresses), then CFE, root file system and kernel.
    /// The header CRC at 236 is a CRC-32 of the first 236 bytes started at 0xFFFFFFFF without the final inversion
    /// (JAMCRC), stored big-endian; some vendor tools store it inverted or little-endian: all four are accepted.
    static func bcmImageTag(_ b: B, _ i: Int) -> CarvedPart? {
        guard i + 256 <= b.count else { return nil }
        func ascii(_ o: Int, _ n: Int) -> String { cString(b, i + o, n) }
        func number(_ o: Int, _ n: Int) -> Int? {
            let t = ascii(o, n)
            return t.isEmpty ? 0 : (t.allSatisfy(\.isNumber) ? Int(t) : nil)
        }
        // Tag version: 1–3 ASCII digits then NUL; signature 1 printable; lengths decimal.
        guard (0x30...0x39).contains(b[i]), let tagVersion = number(0, 4), tagVersion > 0,
              b[i + 4] >= 0x20, b[i + 4] < 0x7F, let total = number(62, 10), total > 0,
              let rootfsLen = number(106, 10), let kernelLen = number(128, 10) else { return nil }
        let jam = FirmwareCarver.crc32raw(0xFFFF_FFFF, b, i, 236)
        let stored = [UInt32(be32(b, i + 236)), UInt32(le32(b, i + 236))]
        guard stored.contains(jam) || stored.contains(~jam) else { return nil }
        let chip = ascii(38, 6), board = ascii(44, 16)
        var detail = "'\(ascii(4, 20))', tag version \(tagVersion), chip \(chip), board '\(board)'"
        detail += ", \(ascii(60, 2) == "1" ? "big" : "little")-endian, rootfs \(rootfsLen) bytes, kernel \(kernelLen) bytes"
        if let a = number(94, 12), a > 0 { detail += ", rootfs at flash address \(hex(a))" }
        if i + 256 + total > b.count { detail += "; truncated: the tag says \(total) bytes after it, the file has \(b.count - i - 256)" }
        return CarvedPart(offset: i, length: min(256 + total, b.count - i), role: .header, reader: .none,
                          format: "Broadcom BCM63xx imagetag", detail: detail)
    }

    /// ZyNOS ROM image (ZyXEL's and Trendchip-SDK DSL routers: OpenWrt's zynos.h): 48 big-endian bytes, "SIG" at 6,
    /// object type, uncompressed and compressed sizes, flags (0x80: LZMA), checksums, version. ZyNOS is a ThreadX
    /// RTOS, not Linux: such a file holds no root file system, and the header says so in the refusal.
    static func zynos(_ b: B, _ at: Int) -> CarvedPart? {
        let i = at - 6
        guard i >= 0, i + 48 <= b.count else { return nil }
        let type = Int(b[i + 9]), osize = be32(b, i + 10), csize = be32(b, i + 14), flags = Int(b[i + 18])
        let types = [1: "ROMIMG", 2: "ROMBOOT", 3: "BOOTEXT", 4: "ROMBIN", 5: "ROMDIR", 6: "6", 7: "ROMMAP"]
        let compressed = flags & 0x80 != 0
        guard let name = types[type], osize > 0, osize < 1 << 28, !compressed || (csize > 0 && csize < 1 << 28) else { return nil }
        let version = cString(b, i + 24, 15)
        guard version.count >= 2, !version.contains("?") else { return nil }
        let length = 48 + (compressed ? csize : osize)
        var part = CarvedPart(offset: i, length: min(length, b.count - i), role: .header, reader: .none,
                              format: "ZyNOS ROM image (ThreadX, not Linux)",
                              detail: "\(name) '\(version)', \(osize) bytes" + (compressed ? ", LZMA-compressed to \(csize)" : "")
                                + ", loads at \(hex(be32(b, i)))")
        part.nothingToAudit = "ZyNOS is ZyXEL's ThreadX-based RTOS, not Linux: it has no root file system, accounts or packages to audit"
        return part
    }
}
