// Vendor firmware files (Firmware-samples/make-vendor-images.sh, built by `make vendor-images` into out/vendor-images):
// a vendor header, a kernel, then the root file system at an offset. Each audit must find the root file system at the
// offset the script wrote it, name the way there, and give the same findings as the audit of the tree it was made
// from; encrypted, unknown, truncated and bomb files get one line and exit 3; the extraction engine leaves nothing
// behind and stays inside its bound.
import BaselineCore
import Foundation
import Testing

struct VendorImage: CustomStringConvertible {
    let file: String
    let offset: String          // hex, as the script wrote it
    let tree: String
    let route: [String]         // what source.format must name, in order
    var description: String { file }
}

enum VendorImages {
    static let dir = Repo.path("out/vendor-images")

    static func path(_ file: String) throws -> String {
        let p = dir + "/" + file
        guard FileManager.default.fileExists(atPath: p) else {
            throw ToolError(message: "\(p) missing: run `make vendor-images` (Firmware-samples/make-vendor-images.sh out/vendor-images)")
        }
        return p
    }

    /// Offsets and trees from the script's MANIFEST.txt (so a change to the script cannot silently pass).
    static func manifest() throws -> [String: (offset: String, tree: String)] {
        let text = try String(contentsOfFile: try path("MANIFEST.txt"), encoding: .utf8)
        var m: [String: (String, String)] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            if f.count >= 5 { m[f[0]] = (f[3], f[4]) }
        }
        return m
    }

    static let readable: [VendorImage] = [
        VendorImage(file: "tplink-v1-squashfs-lzma.bin", offset: "0x50000", tree: "rootfs-mips",
                    route: ["TP-Link firmware header v1 @0x0", "U-Boot legacy uImage @0x200", "SquashFS 4.0 (lzma) @0x50000"]),
        VendorImage(file: "tplink-v1-squashfs3-be.bin", offset: "0x50000", tree: "rootfs-mips",
                    route: ["TP-Link firmware header v1 @0x0", "U-Boot legacy uImage @0x200", "SquashFS 3.1 (big-endian, gzip) @0x50000"]),
        VendorImage(file: "uimage-squashfs3-le.bin", offset: "0x50000", tree: "rootfs-mipsel",
                    route: ["U-Boot legacy uImage @0x0", "SquashFS 3.1 (gzip) @0x50000"]),
        VendorImage(file: "tplink-v1-squashfs3-lzma-be.bin", offset: "0x50000", tree: "rootfs-mips",
                    route: ["TP-Link firmware header v1 @0x0", "U-Boot legacy uImage @0x200", "SquashFS 3.1 (big-endian, lzma) @0x50000"]),
        VendorImage(file: "uimage-squashfs3-lzma-le.bin", offset: "0x50000", tree: "rootfs-mipsel",
                    route: ["U-Boot legacy uImage @0x0", "SquashFS 3.1 (lzma) @0x50000"]),
        VendorImage(file: "uimage-squashfs-lzo.bin", offset: "0x50000", tree: "rootfs-mipsel",
                    route: ["U-Boot legacy uImage @0x0", "SquashFS 4.0 (lzo) @0x50000", "extracted by unsquashfs"]),
        VendorImage(file: "trx-squashfs-xz.trx", offset: "0x50000", tree: "rootfs-mipsel",
                    route: ["Broadcom TRX @0x0", "SquashFS 4.0 (xz) @0x50000"]),
        VendorImage(file: "netgear.chk", offset: "0x5003a", tree: "rootfs-mipsel",
                    route: ["Netgear .chk header @0x0", "Broadcom TRX @0x3a", "SquashFS 4.0 (xz) @0x5003a"]),
        VendorImage(file: "seama.bin", offset: "0x50000", tree: "rootfs-mipsel",
                    route: ["D-Link Seama header @0x0", "U-Boot legacy uImage @0x40", "SquashFS 4.0 (xz) @0x50000"]),
        VendorImage(file: "zyxel-zld.bin", offset: "0x44545", tree: "rootfs-mips",
                    route: ["ZyXEL ZLD firmware archive @0x0", "U-Boot legacy uImage @0x", "SquashFS 4.0 (lzma) @0x44545"]),
        VendorImage(file: "squashfs-at-offset.bin", offset: "0x100000", tree: "rootfs-mipsel", route: ["SquashFS 4.0 (xz) @0x100000"]),
        VendorImage(file: "uimage-multi.img", offset: "0x488c4", tree: "rootfs-mipsel",
                    route: ["U-Boot legacy uImage @0x0", "gzip @0x488c4", "cpio"]),
        VendorImage(file: "fit.itb", offset: "0x48a80", tree: "rootfs-mipsel", route: ["U-Boot FIT image @0x0", "gzip @0x48a80", "cpio"]),
        VendorImage(file: "android-boot.img", offset: "0x49800", tree: "rootfs-mipsel",
                    route: ["Android boot image @0x0", "gzip @0x49800", "cpio"]),
        VendorImage(file: "uimage-jffs2-le.bin", offset: "0x50000", tree: "rootfs-mipsel",
                    route: ["U-Boot legacy uImage @0x0", "JFFS2 (little-endian) @0x50000"]),
        VendorImage(file: "uimage-jffs2-be.bin", offset: "0x50000", tree: "rootfs-mips",
                    route: ["U-Boot legacy uImage @0x0", "JFFS2 (big-endian) @0x50000"]),
        VendorImage(file: "uimage-jffs2-lzma-be.bin", offset: "0x50000", tree: "rootfs-mips",
                    route: ["U-Boot legacy uImage @0x0", "JFFS2 (big-endian) @0x50000"]),
        VendorImage(file: "uimage-jffs2-rtime-le.bin", offset: "0x50000", tree: "rootfs-mipsel",
                    route: ["U-Boot legacy uImage @0x0", "JFFS2 (little-endian) @0x50000"]),
        VendorImage(file: "ubi.bin", offset: "0x60000", tree: "rootfs-mipsel",
                    route: ["U-Boot legacy uImage @0x0", "UBI @0x60000", "extracted by unblob"]),
        VendorImage(file: "cramfs-le.bin", offset: "0x50000", tree: "rootfs-mipsel",
                    route: ["U-Boot legacy uImage @0x0", "cramfs (little-endian) @0x50000", "extracted by fsck.cramfs"]),
        VendorImage(file: "cramfs-be.bin", offset: "0x50000", tree: "rootfs-mips",
                    route: ["U-Boot legacy uImage @0x0", "cramfs (big-endian) @0x50000", "extracted by fsck.cramfs"]),
        VendorImage(file: "romfs.bin", offset: "0x50000", tree: "rootfs-mipsel",
                    route: ["U-Boot legacy uImage @0x0", "romfs @0x50000", "extracted by unblob"]),
        VendorImage(file: "kernel-initramfs.bin", offset: "-", tree: "rootfs-mipsel",
                    route: ["U-Boot legacy uImage @0x0", "LZMA @0x40", "cpio @0x249f1", "cpio"]),
        VendorImage(file: "ext2-at-offset.bin", offset: "0x60000", tree: "rootfs-mipsel",
                    route: ["U-Boot legacy uImage @0x0", "ext2/3/4 @0x60000"]),
        VendorImage(file: "ext4-at-offset.bin", offset: "0x60000", tree: "rootfs-mips",
                    route: ["U-Boot legacy uImage @0x0", "ext2/3/4 @0x60000"]),
        VendorImage(file: "tar-zstd-at-offset.bin", offset: "0x50000", tree: "rootfs-mipsel", route: ["zstd @0x50000", "tar"]),
        VendorImage(file: "tar-lz4-at-offset.bin", offset: "0x50000", tree: "rootfs-mipsel", route: ["lz4 @0x50000", "tar"]),
        VendorImage(file: "tar-lzo-at-offset.bin", offset: "0x50000", tree: "rootfs-mipsel", route: ["LZO (lzop) @0x50000", "tar"]),
        VendorImage(file: "tar-bzip2-at-offset.bin", offset: "0x50000", tree: "rootfs-mipsel", route: ["bzip2 @0x50000", "tar"]),
        VendorImage(file: "tar-xz-at-offset.bin", offset: "0x50000", tree: "rootfs-mipsel", route: ["xz @0x50000", "tar"]),
        VendorImage(file: "zip-at-offset.bin", offset: "0x50000", tree: "rootfs-mipsel", route: ["zip @0x50000", "ZIP"]),
        VendorImage(file: "7z-at-offset.bin", offset: "0x50000", tree: "rootfs-mipsel", route: ["7z @0x50000", "7-Zip"]),
        VendorImage(file: "ubifs-bare.bin", offset: "0x60000", tree: "rootfs-mipsel",
                    route: ["U-Boot legacy uImage @0x0", "UBIFS @0x60000", "extracted by unblob"]),
        // Raw NAND dumps: the whole file de-interleaved first; the route's offsets are in the data without OOB,
        // the container's offset is where that byte is in the dump (0x50000 / 2048 * 2112 = 0x52800).
        VendorImage(file: "nand-dump.bin", offset: "0x0", tree: "rootfs-mipsel",
                    route: ["raw NAND dump (2048-byte pages + 64 bytes OOB)", "OOB dropped", "UBI @0x0", "extracted by unblob"]),
        VendorImage(file: "nand-jffs2.bin", offset: "0x52800", tree: "rootfs-mipsel",
                    route: ["raw NAND dump (2048-byte pages + 64 bytes OOB)", "OOB dropped", "U-Boot legacy uImage @0x0",
                            "JFFS2 (little-endian) @0x50000"]),
        VendorImage(file: "nand-squashfs.bin", offset: "0x10e000", tree: "rootfs-mipsel",
                    route: ["raw NAND dump (4096-byte pages + 224 bytes OOB)", "OOB dropped", "SquashFS 4.0 (xz) @0x100000"]),
        VendorImage(file: "bcm63xx-imagetag.bin", offset: "0x100", tree: "rootfs-mips",
                    route: ["Broadcom BCM63xx imagetag @0x0", "SquashFS 3.1 (big-endian", "@0x100"]),
        VendorImage(file: "legacy-trx.bin", offset: "0x50000", tree: "rootfs-legacy",
                    route: ["Broadcom TRX @0x0", "SquashFS 4.0 (xz) @0x50000"]),
    ]
}

/// `baseline ARGS` with TMPDIR set (where the extraction engine makes its private directory).
func baselineIn(tmp: String, _ args: [String], timeout: TimeInterval = 120) throws -> RunResult {
    try run("/usr/bin/env", ["TMPDIR=" + tmp, Repo.binary] + args, timeout: timeout, cwd: Repo.root.path)
}

@Suite("Vendor firmware files")
struct FirmwareFileTests {
    @Test("the root file system is found at its offset and audits like the tree it was made from", arguments: VendorImages.readable)
    func sameFindingsAsTheTree(_ v: VendorImage) throws {
        let manifest = try VendorImages.manifest()
        let m = try #require(manifest[v.file], "\(v.file) not in MANIFEST.txt")
        #expect(m.offset == v.offset, "the script moved the root file system of \(v.file)")
        #expect(m.tree == v.tree)
        let reference = try audit(VendorImages.dir + "/" + v.tree, profile: "nordlicht-router")
        #expect(reference.code == 1)
        let tmp = try TempTree()
        let r = try baselineIn(tmp: tmp.path, ["audit", try VendorImages.path(v.file), "--profile", "nordlicht-router",
                                              "--format", "json", "--date", Repo.auditDate])
        #expect(r.code == reference.code, "\(v.file): \(r.stderr)")
        #expect(comparable(r) == comparable(reference), "\(v.file) differs from the audit of \(v.tree)")
        let source = try #require(r.json?["source"] as? [String: Any])
        #expect(source["kind"] as? String == "image")
        // The part holding the root and its offset in the file (evidence paths are inside it).
        let container = try #require(source["container"] as? [String: Any], "\(v.file): no source.container")
        let offset = try #require(container["offset"] as? Int)
        if v.offset != "-" { #expect("0x" + String(offset, radix: 16) == v.offset, "\(v.file): container at \(offset)") }
        let shownAt = v.route.contains("OOB dropped") ? "" : " @0x\(String(offset, radix: 16))"
        #expect((source["format"] as? String ?? "").contains("\(container["format"] as? String ?? "?")" + shownAt), "\(v.file)")
        let format = source["format"] as? String ?? ""
        var rest = Substring(format)
        for step in v.route {
            guard let at = rest.range(of: step) else { Issue.record("\(v.file): '\(step)' not in order in '\(format)'"); break }
            rest = rest[at.upperBound...]
        }
        // The engine's private directory is gone.
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path).isEmpty, "left behind in TMPDIR")
        #expect(try validateReport(r))
    }

    @Test func theKernelAndOtherPartsAreListedInCoverage() throws {
        let r = try audit(try VendorImages.path("tplink-v1-squashfs-lzma.bin"), profile: "nordlicht-router")
        let unreadable = ((r.json?["coverage"] as? [String: Any])?["unreadable"] as? [[String: Any]]) ?? []
        #expect(unreadable.contains { ($0["path"] as? String) == "@0x240 LZMA" && ($0["reason"] as? String ?? "").contains("not audited") },
                "\(unreadable)")
    }

    @Test func sbomAndFingerprintReadVendorFiles() throws {
        let t = try TempTree()
        for file in ["tplink-v1-squashfs-lzma.bin", "uimage-jffs2-be.bin"] {
            let s = try baseline(["sbom", try VendorImages.path(file), "-o", t.sub(file + ".cdx.json")], timeout: 120)
            #expect(s.code == 0, "\(file): \(s.stderr)")
            let sbom = try String(contentsOfFile: t.sub(file + ".cdx.json"), encoding: .utf8)
            #expect(sbom.contains("\"busybox\"") || sbom.contains("BusyBox"), "\(file): no BusyBox in the SBOM")
            try Data((0..<32).map { UInt8($0) }).write(to: URL(fileURLWithPath: t.sub("fleet.key")))
            let f = try baseline(["fingerprint", try VendorImages.path(file), "--fleet-key-file", t.sub("fleet.key")], timeout: 120)
            #expect(f.code == 0, "\(file): \(f.stderr)")
            #expect(f.stdout.contains("host key /etc/dropbear/dropbear_ed25519_host_key"), "\(file): the baked-in Dropbear host key is not fingerprinted")
        }
    }

    @Test("encrypted, unknown, truncated, bomb and not-Linux files: one line, exit 3, nothing left behind", arguments: [
        ("encrypted.bin", "random-looking"), ("unknown.bin", "random-looking"),
        ("truncated-tplink.bin", "SquashFS 4.0 (lzma) is truncated"), ("bomb.bin", "decompression bomb"),
        ("dlink-shrs.bin", "D-Link SHRS encrypted firmware @0x0"),
        ("zynos-ras.bin", "ZyNOS ROM image (ThreadX, not Linux) @0x0"), ("zynos-ras.bin", "ThreadX-based RTOS, not Linux"),
    ])
    func refusals(_ c: (String, String)) throws {
        let tmp = try TempTree()
        let r = try baselineIn(tmp: tmp.path, ["audit", try VendorImages.path(c.0), "--profile", "nordlicht-router", "--format", "json"])
        #expect(r.code == 3, "\(c.0): \(r.stderr)")
        #expect(r.stdout.isEmpty, "no partial report")
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(c.0): \(r.stderr)")
        #expect(r.stderr.contains(c.1), "\(c.0): \(r.stderr)")
        #expect(r.stderr.contains(c.0))
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path).isEmpty)
    }

    /// A bare SquashFS that libsquashfs cannot read (LZO: liblzo2 is GPL) goes to unsquashfs; a bare SquashFS 3.1 (zlib or
    /// sqlzma LZMA, either byte order) to Baseline's own reader: each is an image of its own, not an error, and
    /// nothing is extracted for the 3.x ones (TMPDIR stays empty).
    @Test func bareSquashFSThatLibsquashfsCannotReadIsReadAll() throws {
        let t = try TempTree()
        let tree = VendorImages.dir + "/rootfs-mipsel"
        let reference = try audit(tree, profile: "nordlicht-router")
        let lzo = t.sub("root.lzo.sqfs")
        #expect(try run("/usr/bin/mksquashfs", [tree, lzo, "-comp", "lzo", "-noappend", "-quiet", "-all-root"]).code == 0)
        var cases = [(lzo, "SquashFS 4.0 (lzo) @0x0", "extracted by unsquashfs")]
        for endian in ["little", "big"] {
            for comp in ["gzip", "lzma"] {
                let v3 = t.sub("root.v3.\(endian).\(comp).sqfs")
                #expect(try run("/usr/bin/python3", [Repo.path("Firmware-samples/tools/mksquashfs3.py"), "--all-root", "--endian", endian,
                                                     "--comp", comp, tree, v3]).code == 0)
                cases.append((v3, "SquashFS 3.1 (" + (endian == "big" ? "big-endian, " : "") + comp + ") @0x0", ""))
            }
        }
        for (file, format, engine) in cases {
            let tmp = try TempTree()
            let r = try baselineIn(tmp: tmp.path, ["audit", file, "--profile", "nordlicht-router", "--format", "json", "--date", Repo.auditDate])
            #expect(r.code == reference.code, "\(file): \(r.stderr)")
            #expect(comparable(r) == comparable(reference), "\(file) differs from the audit of its tree")
            let source = (r.json?["source"] as? [String: Any])?["format"] as? String ?? ""
            #expect(source.hasPrefix(format), "\(file): \(source)")
            #expect(engine.isEmpty ? !source.contains("extracted by") : source.hasSuffix(engine), "\(file): \(source)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path).isEmpty)
        }
    }

    /// A SquashFS 3 inside an archive (a vendor tarball holding rootfs.squashfs, no /etc of its own) is a nested image
    /// Baseline reads: held in memory, read by the SquashFS 3 reader, audited like its tree.
    @Test("a SquashFS 3 image nested in a tarball is opened", arguments: ["gzip", "lzma"])
    func nestedSquashFS3IsOpened(_ comp: String) throws {
        let t = try TempTree()
        let tree = VendorImages.dir + "/rootfs-mips"
        try FileManager.default.createDirectory(atPath: t.sub("pkg"), withIntermediateDirectories: true)
        #expect(try run("/usr/bin/python3", [Repo.path("Firmware-samples/tools/mksquashfs3.py"), "--all-root", "--endian", "big",
                                             "--comp", comp, tree, t.sub("pkg/rootfs.squashfs")]).code == 0)
        try "vendor firmware 1.0\n".write(toFile: t.sub("pkg/VERSION"), atomically: false, encoding: .utf8)
        #expect(try run("/bin/tar", ["czf", t.sub("fw.tgz"), "-C", t.sub("pkg"), "VERSION", "rootfs.squashfs"]).code == 0)
        let reference = try audit(tree, profile: "nordlicht-router")
        let r = try audit(t.sub("fw.tgz"), profile: "nordlicht-router")
        #expect(r.code == reference.code, "\(r.stderr)")
        #expect(comparable(r) == comparable(reference))
        let format = (r.json?["source"] as? [String: Any])?["format"] as? String ?? ""
        #expect(format.contains("/rootfs.squashfs") && format.contains("SquashFS 3.1 (big-endian, \(comp)) @0x0"), "\(format)")
    }

    /// The oracle for the SquashFS 3 writer: Debian's unsquashfs extracts its zlib images (both byte orders) to the
    /// tree they were made from — every path, type, permission, size, content and link target — so the native reader's
    /// agreement with the source tree (above) is agreement with squashfs-tools too.
    @Test("unsquashfs extracts mksquashfs3.py's zlib images to their source tree", arguments: ["little", "big"])
    func unsquashfsAgreesWithTheSquashFS3Writer(_ endian: String) throws {
        let t = try TempTree()
        let tree = VendorImages.dir + (endian == "big" ? "/rootfs-mips" : "/rootfs-mipsel")
        let image = t.sub("root.sqfs3")
        #expect(try run("/usr/bin/python3", [Repo.path("Firmware-samples/tools/mksquashfs3.py"), "--endian", endian, tree, image]).code == 0)
        let u = try run("/usr/bin/unsquashfs", ["-no-xattrs", "-n", "-d", t.sub("out"), image])
        #expect(u.code == 0, "\(u.stderr)")
        let want = try listing(tree), got = try listing(t.sub("out"))
        #expect(want.count > 20)
        #expect(got == want, "first difference: \(zip(got, want).first { $0 != $1 }.map { "\($0) vs \($1)" } ?? "count \(got.count) vs \(want.count)")")
    }

    /// The oracle for the LZMA layout: 7-Zip reads LZMA SquashFS 3 only under sqlzma's own magic ('shsq'/'qshs', per
    /// block 0x5D is LZMA, anything else zlib — the rule Baseline's reader applies under every magic). It extracts the
    /// writer's LZMA images (both byte orders) to their source tree: every file (content, size, permissions) and
    /// directory; of the links it keeps only the ones it deems safe (a "../" target becomes an empty file), and those
    /// must match. The same images audit like the tree.
    /// 7-Zip also reads the bare-stream variant (no properties, no size: the first block starts with 0x00) under the
    /// standard magic.
    @Test("7-Zip extracts mksquashfs3.py's LZMA images to their source tree; Baseline audits them like it",
          arguments: [("little", "--sqlzma-magic"), ("big", "--sqlzma-magic"), ("little", "--lzma-no-props"), ("big", "--lzma-no-props")])
    func sevenZipAgreesWithTheLZMAWriter(_ c: (String, String)) throws {
        let (endian, variant) = c
        let t = try TempTree()
        let tree = VendorImages.dir + (endian == "big" ? "/rootfs-mips" : "/rootfs-mipsel")
        let image = t.sub("root.sqfs3")
        #expect(try run("/usr/bin/python3", [Repo.path("Firmware-samples/tools/mksquashfs3.py"), "--endian", endian, "--comp", "lzma",
                                             variant, tree, image]).code == 0)
        _ = try run("/usr/bin/7z", ["x", "-snl", "-o" + t.sub("out"), image])
        let want = try listing(tree), got = try listing(t.sub("out"))
        // The links 7-Zip refuses it writes as empty regular files: every path that is a link in the tree is left out.
        let links = Set(want.filter { $0.contains(" l -> ") }.map { String($0.split(separator: " ")[0]) })
        let plain = { (l: [String]) in l.filter { !links.contains(String($0.split(separator: " ")[0])) } }
        #expect(plain(want).count > 20)
        #expect(plain(got) == plain(want), "first difference: \(zip(plain(got), plain(want)).first { $0 != $1 }.map { "\($0) vs \($1)" } ?? "count")")
        #expect(Set(got.filter { $0.contains(" l -> ") }).isSubset(of: Set(want)))
        let reference = try audit(tree, profile: "nordlicht-router")
        let r = try audit(image, profile: "nordlicht-router")
        #expect(r.code == reference.code, "\(r.stderr)")
        #expect(comparable(r) == comparable(reference))
        #expect(((r.json?["source"] as? [String: Any])?["format"] as? String ?? "").hasPrefix("SquashFS 3.1 (" + (endian == "big" ? "big-endian, " : "") + "lzma) @0x0"))
    }

    /// One line per entry, sorted: path, type, permission bits, and the size and SHA-256 of a file's content or a link's
    /// target (lstat: links are not followed).
    func listing(_ root: String) throws -> [String] {
        let paths = try run("/usr/bin/find", [root, "-mindepth", "1", "-printf", "%P\\n"]).stdout.split(separator: "\n")
        return try paths.map { rel -> String in
            let p = root + "/" + rel
            var st = stat()
            guard lstat(p, &st) == 0 else { return "\(rel) unreadable" }
            let perm = String(st.st_mode & 0o7777, radix: 8)
            switch st.st_mode & S_IFMT {
            case S_IFDIR: return "\(rel) d \(perm)"
            case S_IFLNK: return "\(rel) l -> " + (try FileManager.default.destinationOfSymbolicLink(atPath: p))
            case S_IFREG:
                let d = [UInt8](try Data(contentsOf: URL(fileURLWithPath: p)))
                return "\(rel) f \(perm) \(d.count) " + SHA256.hash(d).map { String(format: "%02x", $0) }.joined()
            default: return "\(rel) other \(st.st_mode & S_IFMT) \(perm)"
            }
        }.sorted()
    }

    /// Engines run in their private directory: a path relative to the user's directory must still reach them.
    @Test("a relative path works through every engine", arguments: ["uimage-squashfs-lzo.bin", "cramfs-le.bin", "romfs.bin"])
    func relativePaths(_ file: String) throws {
        _ = try VendorImages.path(file)
        let tmp = try TempTree()
        let r = try baselineIn(tmp: tmp.path, ["audit", "out/vendor-images/" + file, "--profile", "nordlicht-router", "--format", "json"])
        #expect(r.code == 1, "\(file): \(r.stderr)")
        #expect((r.json?["source"] as? [String: Any])?["format"] as? String ?? "" != "", "\(file)")
    }

    /// A NAND dump's pages are held in memory without their OOB: that counts against --max-image-bytes.
    @Test func aNandDumpIsBoundedByTheImageBudget() throws {
        let tmp = try TempTree()
        let r = try baselineIn(tmp: tmp.path, ["audit", try VendorImages.path("nand-squashfs.bin"), "--profile", "nordlicht-router",
                                              "--max-image-bytes", "1000000"])
        #expect(r.code == 3, "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1 && r.stderr.contains("raw NAND dump of 4194304 data bytes is over"), "\(r.stderr)")
    }

    /// A NAND dump after other data (here 4 KiB): not a whole-file dump, so the carver's UBI part with OOB is read
    /// without it; the container offset is the part's in the file, and its pages count against the budget too.
    @Test func aNandPartAtAnOffset() throws {
        let tmp = try TempTree()
        var bytes = Data(count: 4096)
        bytes.append(try Data(contentsOf: URL(fileURLWithPath: try VendorImages.path("nand-dump.bin"))))
        try bytes.write(to: URL(fileURLWithPath: tmp.sub("nand-at-offset.bin")))
        let r = try baselineIn(tmp: tmp.path, ["audit", tmp.sub("nand-at-offset.bin"), "--profile", "nordlicht-router", "--format", "json"])
        let source = r.json?["source"] as? [String: Any]
        let format = source?["format"] as? String ?? ""
        #expect(format.hasPrefix("UBI (raw NAND dump, 2048-byte pages + 64 bytes OOB) @0x1000") && format.contains("› OOB dropped › UBI @0x0"), "\(format) \(r.stderr)")
        #expect((source?["container"] as? [String: Any])?["offset"] as? Int == 4096)
        #expect(r.code == 1, "the tree's findings: \(r.stderr)")
        let small = try baselineIn(tmp: tmp.path, ["audit", tmp.sub("nand-at-offset.bin"), "--profile", "nordlicht-router", "--max-image-bytes", "1000000"])
        #expect(small.code == 3 && small.stderr.contains("raw NAND dump of 2752512 data bytes is over"), "\(small.stderr)")
    }

    @Test func theEngineIsBoundedInBytes() throws {
        let tmp = try TempTree()
        let r = try baselineIn(tmp: tmp.path, ["audit", try VendorImages.path("ubi.bin"), "--profile", "nordlicht-router",
                                              "--format", "json", "--max-image-bytes", "200000"])
        #expect(r.code == 3, "\(r.stderr)")
        #expect(r.stderr.contains("wrote more than 200000 bytes"), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path).isEmpty)
    }

    /// JFFS2 is read natively; an image whose nodes use LZO (the reader has no LZO: liblzo2 is GPL) goes whole to the
    /// engine instead, and audits like its tree all the same.
    @Test func aJFFS2WithLZONodesGoesToTheEngine() throws {
        let t = try TempTree()
        let tree = VendorImages.dir + "/rootfs-mipsel"
        _ = try tool("mkfs.jffs2", ["-l", "-X", "lzo", "-x", "zlib", "-x", "rtime", "-e", "0x10000", "-d", tree, "-o", t.sub("lzo.jffs2")])
        let reference = try audit(tree, profile: "nordlicht-router")
        let tmp = try TempTree()
        let r = try baselineIn(tmp: tmp.path, ["audit", t.sub("lzo.jffs2"), "--profile", "nordlicht-router", "--format", "json",
                                                   "--date", Repo.auditDate])
        #expect(r.code == reference.code, "\(r.stderr)")
        #expect(comparable(r) == comparable(reference))
        #expect(((r.json?["source"] as? [String: Any])?["format"] as? String ?? "").hasSuffix("JFFS2 (little-endian) @0x0 (\(try Data(contentsOf: URL(fileURLWithPath: t.sub("lzo.jffs2"))).count) bytes) › extracted by unblob"),
                "\((r.json?["source"] as? [String: Any])?["format"] ?? "")")
    }

    @Test func withoutTheEngineTheRefusalSaysWhatIsMissing() throws {
        let r = try run("/usr/bin/env", ["BASELINE_UNBLOB=/nonexistent/unblob", Repo.binary, "audit",
                                         try VendorImages.path("ubi.bin"), "--format", "json"], timeout: 60, cwd: Repo.root.path)
        #expect(r.code == 3)
        #expect(r.stderr.contains("UBI @0x60000") && r.stderr.contains("unblob"), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1)
    }

    /// A JFFS2 image whose links point out of it (absolute and by ..) and whose files name host paths: the audit reads
    /// only what is inside the image.
    @Test func hostileLinksInAnEngineImageStayInside() throws {
        let t = try TempTree()
        let root = t.sub("root")
        _ = try run("/bin/cp", ["-a", VendorImages.dir + "/rootfs-mipsel", root])
        try FileManager.default.removeItem(atPath: root + "/etc/shadow")
        let outside = try TempTree(["shadow": "root:$1$out$OUTSIDEHASHOUTSIDEHASHOU:19000:0:99999:7:::\n"])
        try FileManager.default.createSymbolicLink(atPath: root + "/etc/shadow", withDestinationPath: "../../../../../../../../" + outside.sub("shadow"))
        try FileManager.default.createSymbolicLink(atPath: root + "/etc/passwd.bak", withDestinationPath: outside.sub("shadow"))
        let image = t.sub("hostile.jffs2")
        _ = try tool("mkfs.jffs2", ["-l", "-e", "0x10000", "-d", root, "-o", image])
        let r = try audit(image, profile: "nordlicht-router")
        #expect(r.code == 1, "\(r.stderr)")
        #expect(!r.stdout.contains("OUTSIDEHASH"))
        #expect(!r.stdout.contains(outside.path), "a path outside the image reached the report")
        // root's password now comes from nowhere inside the image: no CRED-02 evidence from the outside file.
        #expect(!r.evidenceText("CRED-02").contains("$1$out$"))
    }

    /// A SquashFS with one damaged data block, behind 64 KiB of erased flash: the rest is audited, the damaged file is
    /// named, and the report says it is incomplete (text and JSON, valid against the schema).
    @Test func aPartlyReadableImageIsAuditedAndMarkedIncomplete() throws {
        let t = try TempTree()
        _ = try run("/bin/cp", ["-a", Repo.path("Firmware-samples/openwrt-24.10-nordlicht-legacy"), t.sub("root")])
        var rng = SystemRandomNumberGenerator()
        try Data((0..<300_000).map { _ in UInt8.random(in: 0...255, using: &rng) }).base64EncodedData().write(to: URL(fileURLWithPath: t.sub("root/usr/big.txt")))
        _ = try tool("mksquashfs", [t.sub("root"), t.sub("fs.sqfs"), "-noappend", "-quiet", "-all-root", "-comp", "gzip"])
        var b = [UInt8](try Data(contentsOf: URL(fileURLWithPath: t.sub("fs.sqfs"))))
        for i in 2000..<2064 { b[i] ^= 0x5A }           // data blocks come first; the tables at the end stay intact
        try Data([UInt8](repeating: 0xFF, count: 0x10000) + b).write(to: URL(fileURLWithPath: t.sub("flash.bin")))
        let reference = try audit(Repo.path("Firmware-samples/openwrt-24.10-nordlicht-legacy"), profile: "nordlicht-router")
        let r = try audit(t.sub("flash.bin"), profile: "nordlicht-router")
        #expect(r.code == 1, "\(r.stderr)")
        #expect(comparable(r) == comparable(reference), "the damaged file is not one the checks read")
        let coverage = try #require(r.json?["coverage"] as? [String: Any])
        #expect(coverage["complete"] as? Bool == false)
        #expect(((coverage["incomplete"] as? [String]) ?? []).first?.contains("could not be read") == true)
        #expect(((coverage["unreadable"] as? [[String: Any]]) ?? []).contains { $0["path"] as? String == "/usr/big.txt" })
        #expect(try validateReport(r))
        let text = try baseline(["audit", t.sub("flash.bin"), "--profile", "nordlicht-router", "--date", Repo.auditDate, "--no-color"])
        #expect(text.stdout.contains("INCOMPLETE: the audit covers only part of the image"))
        // A complete audit says nothing of the kind.
        #expect(reference.json.flatMap { ($0["coverage"] as? [String: Any])?["complete"] } == nil)
    }

    /// Old-firmware traits inside a TRX image: a DES hash in /etc/passwd and its .bak copy put in place by rcS,
    /// web-admin defaults in nvram and httpd.conf, telnetd with a shell from rcS — with paths inside the image.
    @Test func oldFirmwareTraitsAreFoundInsideTheImage() throws {
        let r = try audit(try VendorImages.path("legacy-trx.bin"), profile: "nordlicht-router")
        #expect(r.code == 1)
        for id in ["CRED-02", "CRED-03", "CRED-05", "CRED-11", "SURF-01"] { #expect(r.status(id) == "fail", "\(id)") }
        #expect(r.evidenceText("CRED-02").contains("/etc/passwd.bak"))
        #expect(r.evidenceText("CRED-11").contains("/etc/nvram.default"))
        #expect(r.evidenceText("SURF-01").contains("/etc/init.d/rcS"))
        #expect(!r.stdout.contains("admin:admin"), "a password reached the report")
    }

    /// No /lib/modules in the root: LIFE-05 judges the kernel the uImage header names (Linux-4.14, cycle ended
    /// 2024-01-10), with the header's offset as evidence; with a modules directory, the tree's kernel wins.
    @Test func theKernelNamedByTheUImageIsJudgedWhenTheTreeHasNone() throws {
        let t = try TempTree()
        _ = try run("/bin/cp", ["-a", Repo.path("Firmware-samples/openwrt-25.12-nordlicht"), t.sub("root")])
        for d in ["lib/modules", "usr/lib/modules"] { try? FileManager.default.removeItem(atPath: t.sub("root/" + d)) }
        _ = try tool("mksquashfs", [t.sub("root"), t.sub("fs.sqfs"), "-noappend", "-quiet", "-all-root", "-comp", "xz"])
        try Data(repeating: 0x4B, count: 70_000).write(to: URL(fileURLWithPath: t.sub("kernel")))
        _ = try tool("mkimage", ["-A", "mips", "-O", "linux", "-T", "kernel", "-C", "none", "-n", "MIPS OpenWrt Linux-4.14.221",
                                 "-d", t.sub("kernel"), t.sub("k.uimg")])
        var fw = try Data(contentsOf: URL(fileURLWithPath: t.sub("k.uimg")))
        fw.append(try Data(contentsOf: URL(fileURLWithPath: t.sub("fs.sqfs"))))
        try fw.write(to: URL(fileURLWithPath: t.sub("fw.bin")))
        let r = try audit(t.sub("fw.bin"), profile: "nordlicht-router")
        #expect(r.status("LIFE-05") == "fail")
        #expect(r.evidenceText("LIFE-05").contains("@0x0 U-Boot legacy uImage"), "\(r.evidenceText("LIFE-05"))")
        #expect((r.finding("LIFE-05")?["message"] as? String ?? "").contains("Linux 4.14.221"))
        // The committed sample keeps its modules directory: the header is not used, the findings equal the tree's.
        let tree = try audit(Repo.path("Firmware-samples/openwrt-25.12-nordlicht"), profile: "nordlicht-router")
        #expect(tree.status("LIFE-05") == "pass")
    }
}
