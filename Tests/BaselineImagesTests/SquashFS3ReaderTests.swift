// Baseline's own SquashFS 3 reader (Sources/CImageReaders/squashfs3_reader.c): images written by
// Firmware-samples/tools/mksquashfs3.py (zlib and sqlzma LZMA, both byte orders) read back in place at an odd offset,
// and images damaged or forged by hand (truncated, forged sizes, a directory that contains itself, names that leave
// the root) refused with one line or the entry refused, never a crash or a hang.
import CImageReaders
import Foundation
import Testing
@testable import BaselineImages

enum SQ3 {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// mksquashfs3.py on the scratch root (which gets a symlink and a set-uid file too).
    static func image(_ s: Scratch, endian: String, comp: String, extra: [String] = []) throws -> [UInt8] {
        let name = "fs-\(endian)-\(comp)\(extra.joined()).sqfs3"
        let out = s.path(name)
        if !FileManager.default.fileExists(atPath: s.path("root/bin/sh")) {
            try FileManager.default.createSymbolicLink(atPath: s.path("root/bin/sh"), withDestinationPath: "busybox")
            try "#!/bin/sh\necho hi\n".write(toFile: s.path("root/bin/suid-tool"), atomically: false, encoding: .utf8)
            chmod(s.path("root/bin/suid-tool"), 0o4755)
            // More than one 64 KiB block, not a multiple of it: full blocks and a fragment.
            try Data((0..<150_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }).write(to: URL(fileURLWithPath: s.path("root/bin/big")))
        }
        try tool("python3", [repo + "/Firmware-samples/tools/mksquashfs3.py", "--endian", endian, "--comp", comp, "--all-root"]
                 + extra + [s.path("root"), out])
        return try s.bytes(name)
    }

    static func load(_ s: Scratch, _ bytes: [UInt8], offset: Int = 0) throws(ImageError) -> LoadedImage {
        let name = "img-\(UUID().uuidString).bin"
        do { try s.write(name, bytes) } catch { throw ImageError(message: "cannot write \(name)") }
        return try FilesystemImage.load(s.path(name), offset: UInt64(offset), label: "img", kind: .squashfs3)
    }

    static func error(_ s: Scratch, _ bytes: [UInt8]) -> String? {
        do { _ = try load(s, bytes); return nil } catch { return error.message }
    }

    // A hand-made little-endian SquashFS 3.1 with uncompressed metadata: a root directory listing `names`, each entry
    // pointing at inode `target` (0: the root itself), and one regular file inode (1) of 5 bytes in a fragment-less
    // block. `dirSize` forges the root's listing size.
    static func handMade(names: [String], target: Int, dirSize: Int? = nil, fileSize: UInt64 = 5, fileBlock: UInt32? = nil) -> [UInt8] {
        func pack(_ fields: [(Int, UInt64)]) -> [UInt8] {
            var acc: [UInt8] = Array(repeating: 0, count: fields.reduce(0) { $0 + $1.0 } / 8)
            var pos = 0
            for (bits, value) in fields {
                for k in 0..<bits where (value >> UInt64(k)) & 1 == 1 { acc[(pos + k) / 8] |= UInt8(1 << ((pos + k) % 8)) }
                pos += bits
            }
            return acc
        }
        let data: [UInt8] = Array("hello".utf8)
        let dataAt = 119
        // Inode table: root directory at offset 0 (28 bytes), the file at 28 (32 bytes + one block-list word).
        var listing: [UInt8] = []
        listing += pack([(8, UInt64(names.count - 1)), (32, 0), (32, 1)])
        for n in names {
            let offset: UInt64 = target == 0 ? 0 : 28
            let type: UInt64 = target == 0 ? 1 : 2
            listing += pack([(13, offset), (3, type), (8, UInt64(n.utf8.count - 1)), (16, 0)]) + Array(n.utf8)
        }
        let size = UInt64(dirSize ?? listing.count + 3)
        var inodes = pack([(4, 1), (12, 0o755), (8, 0), (8, 0), (32, 0), (32, 1), (32, 2), (19, size), (13, 0), (32, 0), (32, 3)])
        inodes += pack([(4, 2), (12, 0o644), (8, 0), (8, 0), (32, 0), (32, 2), (64, UInt64(dataAt)), (32, 0xFFFF_FFFF), (32, 0),
                        (32, fileSize)])
        inodes += pack([(32, UInt64(fileBlock ?? (UInt32(data.count) | 1 << 24)))])
        let inodeStart = dataAt + data.count
        let dirStart = inodeStart + 2 + inodes.count
        let uidStart = dirStart + 2 + listing.count
        let bytesUsed = uidStart + 4
        var img = [UInt8](repeating: 0, count: 119)
        img += data
        img += pack([(16, UInt64(inodes.count) | 0x8000)]) + inodes
        img += pack([(16, UInt64(listing.count) | 0x8000)]) + listing
        img += [0, 0, 0, 0]
        let sb = pack([(32, 0x7371_7368), (32, 2), (32, UInt64(bytesUsed)), (32, UInt64(uidStart)), (32, 0), (32, UInt64(inodeStart)),
                       (32, UInt64(dirStart)), (16, 3), (16, 1), (16, 4096), (16, 12), (8, 1 << 4), (8, 1), (8, 0), (32, 0),
                       (64, 0), (32, 4096), (32, 0), (32, UInt64(uidStart)), (64, UInt64(bytesUsed)), (64, UInt64(uidStart)), (64, 0),
                       (64, UInt64(inodeStart)), (64, UInt64(dirStart)), (64, UInt64(uidStart)), (64, UInt64.max)])
        img.replaceSubrange(0..<119, with: sb)
        return img + [UInt8](repeating: 0, count: 4096 - img.count % 4096)
    }
}

@Suite("SquashFS 3 reader")
struct SquashFS3ReaderTests {
    @Test("mksquashfs3.py images read back in place at an odd offset",
          arguments: [("little", "gzip", ""), ("big", "gzip", ""), ("little", "lzma", ""), ("big", "lzma", ""),
                      ("little", "lzma", "--sqlzma-magic"), ("big", "lzma", "--lzma-no-size"), ("big", "lzma", "--lzma-no-props")])
    func roundTrip(_ c: (String, String, String)) throws {
        let s = try Scratch()
        let fs = try SQ3.image(s, endian: c.0, comp: c.1, extra: c.2.isEmpty ? [] : [c.2])
        let fw = [UInt8](repeating: 0xA5, count: 0x12345) + fs + [UInt8](repeating: 0xFF, count: 4096)
        let parts = scan(fw)
        let sq = try #require(parts.first { $0.format.hasPrefix("SquashFS") })
        #expect(sq.offset == 0x12345)
        #expect(sq.reader == .squashfs3)
        #expect(sq.format == "SquashFS 3.1 (" + (c.0 == "big" ? "big-endian, " : "") + c.1 + ")")
        let image = try SQ3.load(s, fw, offset: sq.offset)
        guard case .file(let passwd, _, _, true) = image.tree.node("/etc/passwd") else { Issue.record("no /etc/passwd"); return }
        #expect(passwd == Array("root:x:0:0:root:/root:/bin/sh\n".utf8))
        guard case .file(let busybox, 20000, 0o644, true) = image.tree.node("/bin/busybox") else { Issue.record("no /bin/busybox"); return }
        #expect(busybox == (try s.bytes("root/bin/busybox")))
        guard case .file(let big, 150_000, _, true) = image.tree.node("/bin/big") else { Issue.record("no /bin/big"); return }
        #expect(big == (try s.bytes("root/bin/big")), "two full blocks and a fragment")
        guard case .file(_, _, let mode, _) = image.tree.node("/bin/suid-tool") else { Issue.record("no suid-tool"); return }
        #expect(mode == 0o4755)
        guard case .symlink(let target) = image.tree.node("/bin/sh") else { Issue.record("no /bin/sh link"); return }
        #expect(target == "busybox")
        #expect(image.problems.isEmpty)
    }

    /// A nested image inside a SquashFS 3 is written whole to an in-memory file (the spool), not capped.
    @Test("a member is spooled whole", arguments: ["gzip", "lzma"])
    func spool(_ comp: String) throws {
        let s = try Scratch()
        let fs = try SQ3.image(s, endian: "big", comp: comp)
        try s.write("spool.sqfs3", fs)
        let fd = bl_spool_fd()
        #expect(fd >= 0)
        defer { close(fd) }
        var limits = ArchiveImage.Limits()
        limits.maxFileBytes = 1000     // the cap for visited files; a spooled member is not capped by it
        try FilesystemImage.extract(s.path("spool.sqfs3"), label: "img", kind: .squashfs3, member: "/bin/big", to: fd, limits: limits)
        let back = [UInt8](try Data(contentsOf: URL(fileURLWithPath: "/proc/self/fd/\(fd)")))
        #expect(back == (try s.bytes("root/bin/big")))
        #expect(throws: ImageError.self) {
            try FilesystemImage.extract(s.path("spool.sqfs3"), label: "img", kind: .squashfs3, member: "/nope", to: fd, limits: limits)
        }
    }

    @Test func theHandMadeImageReads() throws {
        let s = try Scratch()
        let image = try SQ3.load(s, SQ3.handMade(names: ["hello.txt"], target: 1))
        guard case .file(let c, 5, 0o644, true) = image.tree.node("/hello.txt") else { Issue.record("\(image.tree.names("/"))"); return }
        #expect(c == Array("hello".utf8))
    }

    @Test func aDirectoryThatContainsItselfStopsTheRead() throws {
        let s = try Scratch()
        let e = try #require(SQ3.error(s, SQ3.handMade(names: ["loop"], target: 0)))
        #expect(e.contains("directory loop") && e.contains("/loop"), "\(e)")
    }

    @Test("names that leave the root are refused, the rest is read", arguments: ["..", ".", "a/b"])
    func namesLeavingTheRootAreRefused(_ name: String) throws {
        let s = try Scratch()
        // Sorted order does not matter to the reader; the bad name comes first.
        let image = try SQ3.load(s, SQ3.handMade(names: [name, "ok"], target: 1))
        #expect(image.tree.names("/") == ["ok"])
        #expect(image.problems.contains { $0.path == "/" + name && $0.reason.contains("leaves the image root") }, "\(image.problems)")
    }

    @Test func aNameWithNULIsRefused() throws {
        let s = try Scratch()
        let image = try SQ3.load(s, SQ3.handMade(names: ["ev\0l", "ok"], target: 1))
        #expect(image.tree.names("/") == ["ok"])
        #expect(image.problems.count == 1)
    }

    @Test func forgedSizesAreRefused() throws {
        let s = try Scratch()
        let base = SQ3.handMade(names: ["f"], target: 1)
        // A listing that claims more than the directory table holds.
        let e1 = try #require(SQ3.error(s, SQ3.handMade(names: ["f"], target: 1, dirSize: (1 << 19) - 1)))
        #expect(e1.contains("corrupt image"), "\(e1)")
        // bytes_used beyond the file.
        var b = base
        b[63] = 0xFF; b[64] = 0xFF; b[65] = 0xFF
        #expect(SQ3.error(s, b)?.contains("truncated") == true)
        // A block size that is no power of two, one beyond 1 MiB.
        b = base; b[51] = 0x01; b[52] = 0x10
        #expect(SQ3.error(s, b)?.contains("block size") == true)
        b = base; b[51] = 0; b[52] = 0; b[53] = 0x20; b[34] = 21
        #expect(SQ3.error(s, b)?.contains("block size") == true)
        // Four billion fragments in a 4 KiB image.
        b = base; b[55] = 0xFF; b[56] = 0xFF; b[57] = 0xFF; b[58] = 0xFF
        #expect(SQ3.error(s, b)?.contains("fragments") == true)
        // A metadata block longer than 8 KiB (the inode table's length word).
        b = base
        let inodeStart = 119 + 5
        b[inodeStart] = 0xFF; b[inodeStart + 1] = 0x7F
        #expect(SQ3.error(s, b)?.contains("claims") == true)
        // A root inode reference past the inode table.
        b = base; b[46] = 0x40
        #expect(SQ3.error(s, b)?.contains("outside the inode table") == true)
    }

    @Test func aFileWhoseBlockCannotBeReadIsNamedAndTheRestRead() throws {
        let s = try Scratch()
        // The file's one block claims 16 MiB of compressed bytes (more than a block, past the image): both names of the
        // file are listed as damaged, the image is still read.
        let image = try SQ3.load(s, SQ3.handMade(names: ["big", "ok"], target: 1, fileSize: 5, fileBlock: 0x00FF_FFFF))
        #expect(image.problems.contains { $0.path == "/big" && $0.reason.contains("cannot be read") }, "\(image.problems)")
        #expect(image.incomplete.first?.contains("could not be read") == true)
    }

    @Test("truncated images: one line, no crash", arguments: ["gzip", "lzma"])
    func truncated(_ comp: String) throws {
        let s = try Scratch()
        let fs = try SQ3.image(s, endian: "little", comp: comp)
        let used = fs[63..<71].reversed().reduce(0) { $0 << 8 | Int($1) }
        #expect(used > 1000 && used <= fs.count)
        for cut in [200, used / 3, used / 2, used - 1] {
            let e = try #require(SQ3.error(s, Array(fs.prefix(cut))), "cut at \(cut)")
            #expect(e.contains("truncated") && !e.contains("\n"), "\(e)")
        }
        // The same cuts with bytes_used forged to what is left: the tables are gone or short, still one line.
        for cut in [used / 3, used / 2, used * 9 / 10] {
            var b = Array(fs.prefix(cut))
            for k in 0..<8 { b[63 + k] = UInt8(truncatingIfNeeded: cut >> (8 * k)) }
            if let e = SQ3.error(s, b) { #expect(!e.contains("\n") && e.hasPrefix("img: "), "\(e)") }
        }
    }

    @Test("random bytes in the metadata never crash the reader", arguments: ["gzip", "lzma"])
    func garbledMetadata(_ comp: String) throws {
        let s = try Scratch()
        let fs = try SQ3.image(s, endian: "big", comp: comp)
        let inodeStart = fs[87..<95].reduce(0) { $0 << 8 | Int($1) }
        var rng = SystemRandomNumberGenerator()
        var refused = 0
        for _ in 0..<40 {
            var b = fs
            for _ in 0..<8 { b[Int.random(in: inodeStart..<min(fs.count, inodeStart + 4000), using: &rng)] ^= UInt8.random(in: 1...255, using: &rng) }
            if SQ3.error(s, b) != nil { refused += 1 }
        }
        #expect(refused > 0, "forty garbled images all read as if nothing happened")
    }
}
