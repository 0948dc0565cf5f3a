// Baseline's own JFFS2 reader (Sources/CImageReaders/jffs2_reader.c) on images made by mtd-utils' mkfs.jffs2, in both
// byte orders, and on images made hostile afterwards (node CRCs recomputed so the reader believes them).
import Foundation
import Testing
@testable import BaselineImages

@Suite("JFFS2 reader")
struct JFFS2ReaderTests {
    func image(_ s: Scratch, _ extra: [String]) throws -> [UInt8] {
        try FileManager.default.createDirectory(atPath: s.path("root/etc/init.d"), withIntermediateDirectories: true)
        try "#!/bin/sh\necho start\n".write(toFile: s.path("root/etc/init.d/S50x"), atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: s.path("root/bin/sh"), withDestinationPath: "busybox")
        try tool("mkfs.jffs2", extra + ["-e", "0x10000", "-d", s.path("root"), "-o", s.path("fs.jffs2")])
        return try s.bytes("fs.jffs2")
    }

    func load(_ s: Scratch, _ b: [UInt8], bigEndian: Bool, offset: Int = 0) throws -> LoadedImage {
        try s.write("fw.bin", b)
        return try FilesystemImage.load(s.path("fw.bin"), offset: UInt64(offset), kind: .jffs2(bigEndian: bigEndian))
    }

    @Test("files, links and modes come back as mkfs.jffs2 stored them", arguments: [false, true])
    func readsWhatMkfsWrote(_ bigEndian: Bool) throws {
        let s = try Scratch()
        let fs = try image(s, [bigEndian ? "-b" : "-l"])
        let img = try load(s, [UInt8](repeating: 0xFF, count: 0x30000) + fs, bigEndian: bigEndian, offset: 0x30000)
        guard case .file(let passwd, let size, _, let complete) = img.tree.node("/etc/passwd") else { Issue.record("no /etc/passwd"); return }
        #expect(String(decoding: passwd, as: UTF8.self) == "root:x:0:0:root:/root:/bin/sh\n" && size == passwd.count && complete)
        guard case .file(let busybox, _, let mode, _) = img.tree.node("/bin/busybox") else { Issue.record("no /bin/busybox"); return }
        #expect(busybox == (0..<20000).map { UInt8(truncatingIfNeeded: $0 * 7) })
        #expect(mode & 0o777 == 0o644 || mode & 0o777 == 0o664 || mode & 0o777 == 0o600, "mode \(String(mode, radix: 8))")
        guard case .symlink(let target) = img.tree.node("/bin/sh") else { Issue.record("no /bin/sh link"); return }
        #expect(target == "busybox")
        #expect(img.problems.isEmpty && img.incomplete.isEmpty)
    }

    @Test func anLZOImageIsReportedIncompleteSoTheEngineTakesIt() throws {
        let s = try Scratch()
        let fs = try image(s, ["-l", "-X", "lzo", "-x", "zlib", "-x", "rtime"])
        let img = try load(s, fs, bigEndian: false)
        #expect(!img.incomplete.isEmpty, "LZO nodes are not read natively: the part goes to the engine")
        #expect(img.problems.contains { $0.path == "/bin/busybox" })
    }

    /// Rewrites the first directory entry named `name`: new name and/or target inode, CRCs recomputed.
    func patchDirent(_ b: inout [UInt8], named name: String, to newName: String? = nil, ino: UInt32? = nil, pino: UInt32? = nil) -> Bool {
        let n = Array(name.utf8)
        var o = 0
        while o + 40 <= b.count {
            if b[o] == 0x85 && b[o + 1] == 0x19 && b[o + 2] == 0x01 && b[o + 3] == 0xE0, Int(b[o + 28]) == n.count,
               Array(b[(o + 40)..<(o + 40 + n.count)]) == n {
                func put(_ at: Int, _ v: UInt32) { for k in 0..<4 { b[at + k] = UInt8(truncatingIfNeeded: v >> (8 * k)) } }
                if let newName { let m = Array(newName.utf8); precondition(m.count == n.count); b.replaceSubrange((o + 40)..<(o + 40 + m.count), with: m) }
                if let ino { put(o + 20, ino) }
                if let pino { put(o + 12, pino) }
                b.withUnsafeBytes { r in
                    put(o + 36, FirmwareCarver.crc32raw(0, r, o + 40, n.count))
                    put(o + 32, FirmwareCarver.crc32raw(0, r, o, 32))
                }
                return true
            }
            o += 4
        }
        return false
    }

    @Test func namesThatLeaveTheDirectoryAreRefusedAndLoopsEnd() throws {
        let s = try Scratch()
        var b = try image(s, ["-l"])
        #expect(patchDirent(&b, named: "init.d", to: "in/t.d"))
        // /etc/passwd's entry made to point at the root directory (inode 1): a loop back to "/".
        #expect(patchDirent(&b, named: "passwd", ino: 1))
        let img = try load(s, b, bigEndian: false)
        #expect(img.problems.contains { $0.path.hasSuffix("in/t.d") && $0.reason.contains("refused") }, "\(img.problems)")
        #expect(img.tree.node("/etc/in/t.d") == nil && img.tree.node("/etc/init.d/S50x") == nil)
        #expect(img.tree.node("/bin/busybox") != nil, "the rest of the image is read")
    }

    @Test func garbageIsOneError() throws {
        let s = try Scratch()
        var rng = SystemRandomNumberGenerator()
        let junk = (0..<100_000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        #expect(throws: ImageError.self) { try load(s, junk, bigEndian: false) }
    }
}
