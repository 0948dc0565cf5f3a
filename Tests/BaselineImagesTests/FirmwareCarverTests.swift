// The carver on files made by real tools (mkimage, mksquashfs, mke2fs, mkfs.jffs2, tar, xz) and on random bytes:
// parts at the offsets they were put, lengths from their headers, forged checksums refused, few false positives.
import Foundation
import Testing
@testable import BaselineImages

func tool(_ program: String, _ args: [String]) throws {
    let p = Process()
    let exe = ["/usr/bin/", "/bin/", "/usr/sbin/", "/sbin/"].map { $0 + program }.first { FileManager.default.isExecutableFile(atPath: $0) }
    p.executableURL = URL(fileURLWithPath: exe ?? program)
    p.arguments = args
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    try p.run()
    p.waitUntilExit()
    if p.terminationStatus != 0 { throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "\(program) failed"]) }
}

final class Scratch {
    let dir: String
    init() throws {
        dir = NSTemporaryDirectory() + "baseline-carver-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir + "/root/etc", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/root/bin", withIntermediateDirectories: true)
        try "root:x:0:0:root:/root:/bin/sh\n".write(toFile: dir + "/root/etc/passwd", atomically: false, encoding: .utf8)
        try Data((0..<20000).map { UInt8(truncatingIfNeeded: $0 * 7) }).write(to: URL(fileURLWithPath: dir + "/root/bin/busybox"))
    }
    deinit { try? FileManager.default.removeItem(atPath: dir) }
    func path(_ n: String) -> String { dir + "/" + n }
    func bytes(_ n: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path(n)))) }
    func write(_ n: String, _ b: [UInt8]) throws { try Data(b).write(to: URL(fileURLWithPath: path(n))) }
}

func scan(_ b: [UInt8]) -> [CarvedPart] { b.withUnsafeBytes { FirmwareCarver.scan($0) } }

@Suite("Firmware carver")
struct FirmwareCarverTests {
    @Test("SquashFS 4 with every compressor, at an odd offset, found and read in place",
          arguments: ["gzip", "lzma", "lzo", "xz", "lz4", "zstd"])
    func squashfsAtAnOddOffsetIsFoundAndReadInPlace(_ comp: String) throws {
        let s = try Scratch()
        try tool("mksquashfs", [s.path("root"), s.path("fs.sqfs"), "-noappend", "-quiet", "-all-root", "-comp", comp])
        let fs = try s.bytes("fs.sqfs")
        let junk = [UInt8](repeating: 0xA5, count: 0x12345)
        try s.write("fw.bin", junk + fs + [UInt8](repeating: 0xFF, count: 4096))
        let parts = scan(try s.bytes("fw.bin"))
        let sq = try #require(parts.first { $0.format.hasPrefix("SquashFS") })
        #expect(sq.offset == 0x12345)
        // libsquashfs has no LZO (liblzo2 is GPL): those go to unsquashfs (tested end to end in FirmwareFileTests).
        #expect(sq.reader == (comp == "lzo" ? .unsquashfs : .squashfs))
        if comp == "lzo" { return }
        #expect(sq.format == "SquashFS 4.0 (\(comp))")
        #expect(sq.length.map { $0 <= fs.count && $0 > fs.count - 4096 } == true, "bytes_used within the padded image")
        let image = try FilesystemImage.load(s.path("fw.bin"), offset: UInt64(sq.offset), kind: .squashfs)
        if case .file(let content, _, _, _) = image.tree.node("/etc/passwd") {
            #expect(String(decoding: content, as: UTF8.self).hasPrefix("root:x:0:0"))
        } else { Issue.record("no /etc/passwd read from the SquashFS at its offset") }
    }

    @Test func extAtAnOffsetHasItsLengthFromTheSuperBlock() throws {
        let s = try Scratch()
        try tool("mke2fs", ["-q", "-F", "-t", "ext4", "-b", "1024", "-d", s.path("root"), s.path("fs.ext4"), "2048"])
        try s.write("fw.bin", [UInt8](repeating: 0, count: 70000) + (try s.bytes("fs.ext4")))
        let parts = scan(try s.bytes("fw.bin"))
        let e = try #require(parts.first { $0.reader == .ext })
        #expect(e.offset == 70000)
        #expect(e.length == 2048 * 1024)
        let image = try FilesystemImage.load(s.path("fw.bin"), offset: UInt64(e.offset), kind: .ext)
        #expect(image.tree.node("/etc/passwd") != nil)
    }

    @Test func uImageHeaderIsCheckedAndNamed() throws {
        let s = try Scratch()
        try Data(repeating: 0x42, count: 5000).write(to: URL(fileURLWithPath: s.path("k")))
        try tool("mkimage", ["-A", "mips", "-O", "linux", "-T", "kernel", "-C", "none", "-a", "0x80000000", "-e", "0x80000000",
                             "-n", "MIPS OpenWrt Linux-4.14.221", "-d", s.path("k"), s.path("k.uimg")])
        var b = try s.bytes("k.uimg")
        let u = try #require(scan(b).first { $0.format == "U-Boot legacy uImage" })
        #expect(u.offset == 0 && u.length == 64 + 5000)
        #expect(u.kernelRelease == "4.14.221")
        #expect(u.detail.contains("kernel") && u.detail.contains("MIPS"))
        b[40] ^= 1                                    // a changed name: the header CRC no longer holds
        #expect(!scan(b).contains { $0.format == "U-Boot legacy uImage" })
    }

    /// A BCM63xx imagetag written by Python's zlib (JAMCRC = zlib's CRC-32 without the final inversion), as OpenWrt's
    /// imagetag.c lays it out; the ZyNOS header as zynos.h does.
    @Test func broadcomImagetagAndZyNOSHeadersAreCheckedAndNamed() throws {
        let s = try Scratch()
        try tool("python3", ["-c", """
            import struct, zlib
            f = lambda v, n: str(v).encode().ljust(n, b'\\0')
            t = (f(6, 4) + f('Broadcom Corporatio', 20) + f('ver. 2.0', 14) + f(6358, 6) + f('96358VW2', 16) + f(1, 2)
                 + f(4096, 10) + f(0, 12) + f(0, 10) + f(3217096960, 12) + f(4000, 10) + f(3217100960, 12) + f(96, 10))
            t = t.ljust(236, b'\\0')
            t += struct.pack('>I', zlib.crc32(t) ^ 0xFFFFFFFF) + bytes(16)
            z = struct.pack('>IH', 0x80010000, 0) + b'SIG' + bytes([4]) + struct.pack('>II', 9000, 4000) + bytes([0xE0, 0])
            z += bytes(4) + b'V3.40(AAGF.0)C0' + bytes(9)
            open('\(s.path("fw.bin"))', 'wb').write(bytes(64) + t + bytes(4096) + z + bytes(4000))
            """])
        var b = try s.bytes("fw.bin")
        let tag = try #require(scan(b).first { $0.format == "Broadcom BCM63xx imagetag" })
        #expect(tag.offset == 64 && tag.length == 256 + 4096)
        #expect(tag.detail.contains("chip 6358") && tag.detail.contains("board '96358VW2'") && tag.detail.contains("rootfs 4000 bytes"))
        let zynos = try #require(scan(b).first { $0.format.hasPrefix("ZyNOS") })
        #expect(zynos.offset == 64 + 256 + 4096 && zynos.nothingToAudit != nil)
        b[64 + 50] ^= 1                               // a changed board id: the header CRC no longer holds
        #expect(!scan(b).contains { $0.format == "Broadcom BCM63xx imagetag" })
    }

    @Test func kernelReleaseFromImageNames() {
        #expect(VendorHeaders.linuxRelease("MIPS OpenWrt Linux-6.6.73") == "6.6.73")
        #expect(VendorHeaders.linuxRelease("Linux-2.6.36") == "2.6.36")
        #expect(VendorHeaders.linuxRelease("Linux Kernel Image") == nil)
        #expect(VendorHeaders.linuxRelease("linux-5.4.70-rt") == "5.4.70-rt")
    }

    @Test func jffs2NodesNeedTheirHeaderCRC() throws {
        let s = try Scratch()
        try tool("mkfs.jffs2", ["-b", "-e", "0x10000", "-d", s.path("root"), "-o", s.path("fs.jffs2")])
        var b = [UInt8](repeating: 0xFF, count: 0x20000) + (try s.bytes("fs.jffs2"))
        let j = try #require(scan(b).first { $0.format.hasPrefix("JFFS2") })
        #expect(j.format == "JFFS2 (big-endian)")
        #expect(j.offset == 0x20000)
        #expect(j.reader == .jffs2)
        // Every node's header CRC broken: no JFFS2 any more.
        var o = 0x20000
        while o + 12 <= b.count {
            if b[o] == 0x19 && b[o + 1] == 0x85 { b[o + 8] ^= 0xFF }
            o += 4
        }
        #expect(!scan(b).contains { $0.format.hasPrefix("JFFS2") })
    }

    @Test func oneArchiveIsOnePartNotOnePerMember() throws {
        let s = try Scratch()
        try tool("tar", ["--owner=0", "--group=0", "-C", s.path("root"), "-cf", s.path("fs.tar"), "."])
        try s.write("fw.bin", [UInt8](repeating: 0x11, count: 1000) + (try s.bytes("fs.tar")))
        let tars = scan(try s.bytes("fw.bin")).filter { $0.format == "tar" }
        #expect(tars.count == 1)
        #expect(tars.first?.offset == 1000)
    }

    @Test func lzmaHeadersAreChecked() {
        var h: [UInt8] = [0x5D, 0x00, 0x00, 0x80, 0x00] + [UInt8](repeating: 0xFF, count: 8) + [UInt8](repeating: 0, count: 32)
        #expect(scan(h).contains { $0.format == "LZMA" })
        h[3] = 0x81                                   // dictionary size not a power of two
        #expect(!scan(h).contains { $0.format == "LZMA" })
    }

    @Test func randomBytesYieldNoFileSystem() {
        var rng = SystemRandomNumberGenerator()
        let b = (0..<(8 << 20)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let parts = scan(b)
        #expect(!parts.contains { $0.role == .filesystem || $0.role == .header }, "\(parts.map { $0.title })")
        #expect(parts.count < 16, "\(parts.count) false positives in 8 MiB")
        #expect(FirmwareImage.entropy(b.withUnsafeBytes { $0 }) > 7.99)
    }

    @Test func cramfsNamesAreCheckedBeforeUtilLinuxSeesThem() throws {
        let s = try Scratch()
        try tool("mkfs.cramfs", ["-N", "big", s.path("root"), s.path("fs.cramfs")])
        var b = try s.bytes("fs.cramfs")
        let c = try #require(scan(b).first { $0.format.hasPrefix("cramfs") })
        #expect(c.format == "cramfs (big-endian)")
        #expect(c.reader == .fsckCramfs)
        // Rename "etc" to ".." (same length plus NUL): unblob's sandboxed engine gets it instead.
        let name = Array("etc".utf8)
        let at = try #require((0..<(b.count - 3)).first { Array(b[$0..<($0 + 3)]) == name })
        b[at] = 0x2E; b[at + 1] = 0x2E; b[at + 2] = 0
        #expect(scan(b).first { $0.format.hasPrefix("cramfs") }?.reader == .unblob)
    }
}

@Suite("Firmware carver: raw NAND dumps")
struct NandDumpCarverTests {
    /// UBI from mkfs.ubifs + ubinize for a chip with `page`-byte pages and 64 pages an erase block; the dump keeps
    /// `spare` OOB bytes after every page (0xFF on erased pages, ECC-like bytes on written ones).
    func ubi(_ s: Scratch, page: Int, subpage: Int) throws -> [UInt8] {
        let peb = page * 64, leb = peb - 2 * page
        try tool("mkfs.ubifs", ["-r", s.path("root"), "-m", "\(page)", "-e", "\(leb)", "-c", "64", "-o", s.path("fs.ubifs")])
        try "[rootfs]\nmode=ubi\nimage=\(s.path("fs.ubifs"))\nvol_id=0\nvol_type=dynamic\nvol_name=rootfs\nvol_flags=autoresize\n"
            .write(toFile: s.path("ubi.ini"), atomically: false, encoding: .utf8)
        try tool("ubinize", ["-o", s.path("ubi.img"), "-m", "\(page)", "-p", "\(peb)", "-s", "\(subpage)", s.path("ubi.ini")])
        return try s.bytes("ubi.img")
    }

    func withOOB(_ b: [UInt8], page: Int, spare: Int) -> [UInt8] {
        var out: [UInt8] = []
        for start in stride(from: 0, to: b.count, by: page) {
            let p = Array(b[start..<min(start + page, b.count)])
            out += p
            out += p.allSatisfy({ $0 == 0xFF }) ? [UInt8](repeating: 0xFF, count: spare)
                                                : (0..<spare).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ Int(p[$0 % p.count])) }
        }
        return out
    }

    @Test("the OOB geometry is found from where the UBI headers are", arguments: [(2048, 64, 512), (2048, 128, 2048), (4096, 224, 4096), (512, 16, 512)])
    func geometry(_ g: (Int, Int, Int)) throws {
        let s = try Scratch()
        let plain = try ubi(s, page: g.0, subpage: g.2)
        let p = try #require(scan(plain).first { $0.format.hasPrefix("UBI") })
        #expect(p.nandPage == 0 && p.format == "UBI", "a plain UBI image is not a NAND dump")
        let dump = try #require(scan(withOOB(plain, page: g.0, spare: g.1)).first { $0.format.hasPrefix("UBI") })
        #expect(dump.nandPage == g.0 && dump.nandSpare == g.1, "\(dump.format)")
        #expect(dump.offset == 0)
        #expect(dump.length == plain.count / g.0 * (g.0 + g.1))
    }

    /// As nanddump writes a chip's pages: the bad-block mark (byte 0 of a large page's OOB, byte 5 of a small page's)
    /// reads 0xFF on good blocks, ECC-like bytes elsewhere on written pages, all 0xFF on erased ones.
    func dumped(_ b: [UInt8], page: Int, spare: Int, marks: Bool = true) -> [UInt8] {
        let mark = page == 512 ? 5 : 0
        var out: [UInt8] = []
        for start in stride(from: 0, to: b.count, by: page) {
            let p = Array(b[start..<min(start + page, b.count)]) + [UInt8](repeating: 0xFF, count: max(0, start + page - b.count))
            out += p
            out += p.allSatisfy({ $0 == 0xFF }) ? [UInt8](repeating: 0xFF, count: spare)
                : (0..<spare).map { $0 == mark ? (marks ? 0xFF : 0x5A) : UInt8(truncatingIfNeeded: $0 &* 37 &+ Int(p[($0 * 131) % page])) }
        }
        return out
    }

    @Test("a whole raw NAND dump is told by its bad-block marks, and only a dump is", arguments: [(2048, 64), (2048, 128), (4096, 224), (512, 16), (8192, 448)])
    func wholeDumpGeometry(_ g: (Int, Int)) throws {
        var rng = SystemRandomNumberGenerator()
        // 1 MiB of compressed-looking data, then erased space to 2 MiB: a JFFS2 or SquashFS partition.
        let data = (0..<(1 << 20)).map { _ in UInt8.random(in: 0...255, using: &rng) } + [UInt8](repeating: 0xFF, count: 1 << 20)
        let dump = dumped(data, page: g.0, spare: g.1)
        let found = dump.withUnsafeBytes { FirmwareCarver.nandDump($0) }
        #expect(found?.page == g.0 && found?.spare == g.1, "\(g) found as \(String(describing: found))")
        #expect(FirmwareCarver.nandRawOffset(3 * g.0 + 5, page: g.0, spare: g.1) == 3 * (g.0 + g.1) + 5)
        // The same bytes without OOB, cut to lengths some geometry divides: not a dump.
        for cut in [2112 * 512, 2176 * 512, 4320 * 256, 528 * 2048, 8640 * 128] {
            #expect(Array(data.prefix(cut)).withUnsafeBytes { FirmwareCarver.nandDump($0) } == nil, "\(cut) plain bytes taken for a dump")
        }
        // Erased flash (nothing written) and a dump whose OOB has no good-block marks are not believed.
        #expect([UInt8](repeating: 0xFF, count: 2112 * 128).withUnsafeBytes { FirmwareCarver.nandDump($0) } == nil)
        let unmarked = dumped(data, page: g.0, spare: g.1, marks: false)
        #expect(unmarked.withUnsafeBytes { FirmwareCarver.nandDump($0) } == nil)
    }
}
