// Firmware images: the same sample audited as a directory, as SquashFS, as tar (gzip, xz, zstd) and as cpio gives
// the same findings; hostile images are refused or contained with one clear line and exit code 3.
import Foundation
import Testing

/// Findings reduced to what must not depend on the input format.
func comparable(_ r: RunResult) -> [String] {
    ((r.json?["findings"] as? [[String: Any]]) ?? []).map { f in
        let ev = ((f["evidence"] as? [[String: Any]]) ?? []).map { "\($0["path"] ?? ""):\($0["line"] ?? 0) \($0["detail"] ?? "")" }
        return "\(f["id"]!) \(f["status"]!) \(f["message"]!) | " + ev.joined(separator: " | ")
    }
}

@Suite("Firmware images")
struct ImageInputTests {
    static let formats: [(String, String, [String])] = [
        ("squashfs", "mksquashfs", ["-noappend", "-quiet", "-all-root", "-comp", "xz"]),
        ("tar.gz", "tar", ["-czf"]),
        ("tar.xz", "tar", ["-cJf"]),
        ("tar.zst", "tar", ["--zstd", "-cf"]),
        ("cpio", "cpio", []),
        ("ext4", "mke2fs", []),
    ]

    static func make(_ format: String, from dir: String, into out: String) throws {
        switch format {
        case "squashfs": _ = try tool("mksquashfs", [dir, out, "-noappend", "-quiet", "-all-root", "-comp", "xz", "-nopad"])
        case "tar.gz": _ = try tool("tar", ["--owner=0", "--group=0", "-C", dir, "-czf", out, "."])
        case "tar.xz": _ = try tool("tar", ["--owner=0", "--group=0", "-C", dir, "-cJf", out, "."])
        case "tar.zst": _ = try tool("tar", ["--owner=0", "--group=0", "--zstd", "-C", dir, "-cf", out, "."])
        case "cpio": _ = try run("/bin/sh", ["-c", "cd '\(dir)' && find . | cpio -o -H newc > '\(out)' 2>/dev/null"])
        case "ext4": _ = try tool("mke2fs", ["-q", "-F", "-t", "ext4", "-d", dir, "-E", "root_owner=0:0", out, "16M"])
        default: Issue.record("unknown format \(format)")
        }
    }

    @Test("directory, SquashFS, ext4, tar.{gz,xz,zst} and cpio give the same findings", arguments: sampleExpectations)
    func sameFindings(_ e: SampleExpectation) throws {
        let dir = Repo.path("Firmware-samples/" + e.sample)
        let reference = try audit(dir, profile: e.profile)
        #expect(reference.code == e.exit)
        let t = try TempTree()
        for (format, _, _) in ImageInputTests.formats {
            let image = t.sub(e.sample + "." + format)
            try ImageInputTests.make(format, from: dir, into: image)
            let r = try audit(image, profile: e.profile)
            #expect(r.code == e.exit, "\(format): \(r.stderr)")
            #expect(comparable(r) == comparable(reference), "\(format) differs from the directory audit")
            #expect((r.json?["source"] as? [String: Any])?["kind"] as? String == "image")
        }
    }

    @Test func aTarballOfTheRootDirectoryItself() throws {
        // `tar czf rootfs.tgz rootfs` (not `-C rootfs .`): one top-level directory holding /etc is the root.
        let dir = Repo.path("Firmware-samples/yocto-kirkstone-acme-swupdate")
        let reference = try audit(dir, profile: "acme-gateway")
        let t = try TempTree()
        let image = t.sub("wrapped.tgz")
        _ = try tool("tar", ["--owner=0", "--group=0", "-C", Repo.path("Firmware-samples"), "-czf", image, "yocto-kirkstone-acme-swupdate"])
        let r = try audit(image, profile: "acme-gateway")
        #expect(r.code == reference.code, "\(r.stderr)")
        #expect(!comparable(r).isEmpty && comparable(r) == comparable(reference), "the wrapped tarball differs from the directory audit")
        #expect(((r.json?["source"] as? [String: Any])?["format"] as? String ?? "").hasSuffix("› yocto-kirkstone-acme-swupdate/"))
        // Two top-level directories: no single root, not guessed.
        _ = try tool("tar", ["--owner=0", "--group=0", "-C", Repo.path("Firmware-samples"), "-czf", t.sub("two.tgz"),
                             "yocto-kirkstone-acme-swupdate", "yocto-scarthgap-acme-rauc"])
        let two = try audit(t.sub("two.tgz"), profile: "acme-gateway")
        let coverage = two.json?["coverage"] as? [String: Any]
        #expect(two.code != 0 && coverage?["complete"] as? Bool == false, "\(two.code) \(coverage ?? [:]) \(two.stderr)")
    }

    @Test func garbageAndTruncatedImages() throws {
        let t = try TempTree()
        var rng = SystemRandomNumberGenerator()
        try Data((0..<100_000).map { _ in UInt8.random(in: 0...255, using: &rng) }).write(to: URL(fileURLWithPath: t.sub("garbage.bin")))
        let g = try audit(t.sub("garbage.bin"), profile: etsiPath)
        #expect(g.code == 3)
        #expect(g.stderr.split(separator: "\n").count == 1)
        #expect(g.stderr.contains("not a supported firmware image"))
        let sample = Repo.path("Firmware-samples/openwrt-24.10-nordlicht-legacy")
        for format in ["tar.gz", "squashfs", "cpio"] {
            let full = t.sub("full." + format)
            try ImageInputTests.make(format, from: sample, into: full)
            let data = try Data(contentsOf: URL(fileURLWithPath: full))
            try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: t.sub("cut." + format)))
            let r = try audit(t.sub("cut." + format), profile: etsiPath)
            #expect(r.code == 3, "\(format): \(r.stdout.prefix(200))")
            #expect(r.stderr.split(separator: "\n").count == 1, "\(format): \(r.stderr)")
            #expect(r.stdout.isEmpty, "no partial report")
        }
        try Data().write(to: URL(fileURLWithPath: t.sub("empty.img")))
        #expect(try audit(t.sub("empty.img"), profile: etsiPath).code == 3)
    }

    @Test func hostileTarMembers() throws {
        let t = try TempTree()
        let outside = try TempTree(["shadow": "root::1:0:99999:7:::\n"])
        // Python's tarfile writes the names as given: traversal, absolute, links out, and a hard link out.
        let script = """
        import io, sys, tarfile
        out, outside = sys.argv[1], sys.argv[2]
        def add(tf, name, data=b"", kind=tarfile.REGTYPE, link=""):
            ti = tarfile.TarInfo(name); ti.type = kind; ti.linkname = link; ti.size = len(data) if kind == tarfile.REGTYPE else 0
            tf.addfile(ti, io.BytesIO(data) if kind == tarfile.REGTYPE else None)
        with tarfile.open(out, "w:gz", format=tarfile.GNU_FORMAT) as tf:
            add(tf, "etc/passwd", b"root:x:0:0:root:/root:/bin/sh\\n")
            add(tf, "../../etc/shadow", b"root::1:0:99999:7:::\\n")
            add(tf, "/etc/os-release", b"ID=debian\\nVERSION_ID=13\\n")
            add(tf, "etc/shadow", kind=tarfile.SYMTYPE, link=outside + "/shadow")
            add(tf, "etc/group", kind=tarfile.LNKTYPE, link="../../../etc/group")
            add(tf, "etc/sub/../../../x", b"x")
        """
        try t.write("make.py", script)
        let made = try python([t.sub("make.py"), t.sub("hostile.tar.gz"), outside.path])
        #expect(made.code == 0, "\(made.stderr)")
        let r = try audit(t.sub("hostile.tar.gz"), profile: etsiPath)
        #expect(r.code == 1, "\(r.stderr)")
        #expect(r.status("CRED-01") == "pass", "neither the traversal member nor the link out was used: \(r.evidenceText("CRED-01"))")
        #expect(r.status("LIFE-01") == "pass", "the absolute member lands inside the image")
        let unreadable = ((r.json?["coverage"] as? [String: Any])?["unreadable"] as? [[String: Any]]) ?? []
        let reasons = unreadable.map { "\($0["path"] ?? "") \($0["reason"] ?? "")" }.joined(separator: "\n")
        #expect(reasons.contains("../../etc/shadow member name leaves the image root; refused"), "\(reasons)")
        #expect(reasons.contains("hard link to '../../../etc/group' leaves the image root"), "\(reasons)")
        #expect(reasons.contains("etc/sub/../../../x member name leaves the image root"), "\(reasons)")
    }

    @Test func archiveBombIsRefused() throws {
        let t = try TempTree()
        // 200 MB of zeros in one member compresses to ~200 KB
        let made = try run("/bin/sh", ["-c", "cd '\(t.path)' && mkdir -p root/etc && head -c 200000000 /dev/zero > root/etc/big && tar -C root -czf bomb.tar.gz . && rm -rf root"])
        #expect(made.code == 0)
        let r = try baseline(["audit", t.sub("bomb.tar.gz"), "--profile", etsiPath, "--max-image-bytes", "50000000", "--format", "json"])
        #expect(r.code == 3)
        #expect(r.stderr.contains("expands beyond 50000000 bytes"))
        // under the default limit the same image is read, and the big file is cut in memory, not refused
        let ok = try baseline(["audit", t.sub("bomb.tar.gz"), "--profile", etsiPath, "--format", "json"])
        #expect([0, 1].contains(ok.code), "\(ok.stderr)")
    }

    @Test func hugeDeclaredSize() throws {
        let t = try TempTree()
        let script = """
        import io, sys, tarfile
        ti = tarfile.TarInfo("etc/passwd"); ti.size = 10 * 1024**3
        buf = io.BytesIO(); tf = tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT)
        tf.addfile(ti)  # header only: claims 10 GiB, no data follows
        buf.seek(0); open(sys.argv[1], "wb").write(buf.getvalue()[:512] + b"root:x:0:0::/root:/bin/sh\\n")
        """
        try t.write("make.py", script)
        #expect(try python([t.sub("make.py"), t.sub("huge.tar")]).code == 0)
        let r = try audit(t.sub("huge.tar"), profile: etsiPath)
        #expect(r.code == 3)
        #expect(r.stderr.contains("corrupt or truncated"), "\(r.stderr)")
    }

    /// Inputs the fuzzer found (Fuzz/regressions/image): a SquashFS super block claiming 1.5 billion fragments (libsquashfs
    /// allocated their table, 24 GB, before reading it) and a cpio header with a huge name size. One line, exit 3,
    /// and little memory.
    @Test func fuzzerFoundImagesAreRefusedInOneLine() throws {
        for (name, expected) in [("squashfs-fragment-count-oom", "corrupt image: the super block claims 1526726657 fragments in 434 bytes"),
                                 ("cpio-name-size-virtual-7gb", "corrupt or truncated image")] {
            let path = Repo.path("Fuzz/regressions/image/" + name)
            let r = try run("/usr/bin/time", ["-f", "peak-rss-kib %M", Repo.binary, "audit", path, "--profile", etsiPath, "--format", "json"])
            #expect(r.code == 3, "\(name): \(r.stderr)")
            let lines = r.stderr.split(separator: "\n").filter { !$0.hasPrefix("peak-rss-kib") && !$0.hasPrefix("Command exited") }
            #expect(lines.count == 1, "one line: \(r.stderr)")
            #expect(lines.first?.hasPrefix("baseline: \(path): ") == true, "names the file: \(r.stderr)")
            #expect(lines.first?.contains(expected) == true, "\(name): \(r.stderr)")
            let rss = Int(r.stderr.components(separatedBy: "peak-rss-kib ").last?.prefix { $0.isNumber } ?? "") ?? -1
            #expect(rss > 0 && rss < 128 * 1024, "\(name): peak RSS \(rss) KiB")
        }
    }

    /// Update bundles made by Firmware-samples/make-images.sh with the real tools (rauc bundle, mender-artifact,
    /// cpio -H crc as SWUpdate documents) give the same findings as the sample directory they wrap.
    @Test func updateBundlesGiveTheSameFindings() throws {
        let t = try TempTree()
        let bundles: [(String, String, String, String)] = [
            ("yocto-scarthgap-acme-rauc", "raucb", "rauc-bundle", "RAUC bundle (CMS signature appended"),
            ("yocto-kirkstone-acme-swupdate", "swu", "swupdate-bundle", "SWUpdate bundle (unsigned: no sw-description.sig) › /rootfs.ext4.gz › compressed file (gzip) › ext2/3/4"),
            ("debian-13-fernwerk", "mender", "mender-artifact", "Mender artifact (signed: manifest.sig) › /data/0000.tar.gz › POSIX ustar format (gzip) › /debian-13-fernwerk.ext4 › ext2/3/4"),
        ]
        let made = try run(Repo.path("Firmware-samples/make-images.sh"), [t.path] + bundles.map { $0.0 }, timeout: 300)
        #expect(made.code == 0, "\(made.stderr)")
        for (sample, ext, kind, format) in bundles {
            let e = sampleExpectations.first { $0.sample == sample }!
            let reference = try audit(Repo.path("Firmware-samples/" + sample), profile: e.profile)
            let r = try audit(t.sub("\(sample).\(ext)"), profile: e.profile)
            // The bundle's own signature is judged on top (UPD-11..15, BundleSignatureTests); the rest is the tree's.
            let bundleChecks = ["UPD-11", "UPD-12", "UPD-13", "UPD-14", "UPD-15"]
            #expect(bundleChecks.allSatisfy { r.status($0) != nil }, "\(ext): the bundle's signature is judged")
            #expect(r.code == 1 || r.code == e.exit, "\(ext): \(r.stderr)")
            #expect(comparable(r).filter { l in !bundleChecks.contains { l.hasPrefix($0 + " ") } } == comparable(reference), "\(ext) differs from the directory audit")
            let source = r.json?["source"] as? [String: Any]
            #expect(source?["kind"] as? String == kind)
            #expect((source?["format"] as? String ?? "").hasPrefix(format), "\(source ?? [:])")
            #expect(try validateReport(r), "the report validates against report.schema.json")
        }
        // The bundle is recognised from its content, not its name.
        try FileManager.default.copyItem(atPath: t.sub("debian-13-fernwerk.mender"), toPath: t.sub("release.bin"))
        #expect(try audit(t.sub("release.bin"), profile: "fernwerk-edge").json?["source"].flatMap { ($0 as? [String: Any])?["kind"] as? String } == "mender-artifact")
    }

    /// Images nested deeper than the limit, bundles whose payload Baseline cannot read, a compressed file that holds
    /// no image, unsupported formats and a truncated ext4 image: one line each, exit 3, no report.
    @Test func hostileNestingAndUnsupportedPayloads() throws {
        let t = try TempTree()
        let sample = Repo.path("Firmware-samples/buildroot-sensorix-hub")
        // five levels: root.tar.gz inside l1.tar inside l2.tar … (only 3 levels are opened)
        var script = "set -e; cd '\(t.path)'; tar -C '\(sample)' -czf l0.tar.gz .; "
        for i in 1...4 { script += "mkdir d\(i); cp l\(i - 1).tar* d\(i)/; tar -C d\(i) -cf l\(i).tar .; rm -rf d\(i); " }
        // a SWUpdate bundle whose payload is a UBI volume image
        script += "mkdir swu; printf 'software = { version = \"1\"; };\\n' > swu/sw-description; (printf 'UBI#'; head -c 4096 /dev/zero) > swu/rootfs.ubi; "
        script += "(cd swu && printf 'sw-description\\nrootfs.ubi\\n' | cpio -o -H crc --quiet) > ubi.swu; "
        script += "head -c 100000 /dev/urandom | gzip > noise.gz; (printf '\\x85\\x19\\x03\\x20'; head -c 8192 /dev/zero) > flash.jffs2; "
        script += "mke2fs -q -F -t ext4 -d '\(sample)' full.ext4 16M; head -c 1000000 full.ext4 > cut.ext4"
        let made = try run("/bin/bash", ["-c", script])
        #expect(made.code == 0, "\(made.stderr)")
        let cases: [(String, String)] = [
            ("l4.tar", "images nested deeper than 3 levels are not opened"),
            ("ubi.swu", "SWUpdate bundle (unsigned: no sw-description.sig): payload in a format Baseline cannot read: /rootfs.ubi (UBI)"),
            ("noise.gz", "a compressed file that holds no firmware image"),
            ("flash.jffs2", "a JFFS2 image, which Baseline cannot read"),
            ("cut.ext4", "corrupt or truncated image: the super block says"),
        ]
        for (file, message) in cases {
            let r = try audit(t.sub(file), profile: etsiPath)
            #expect(r.code == 3, "\(file): \(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1, "\(file): \(r.stderr)")
            #expect(r.stderr.contains(t.sub(file)) && r.stderr.contains(message), "\(file): \(r.stderr)")
            #expect(r.stdout.isEmpty)
        }
        // three levels are read: l2.tar › l1.tar › l0.tar.gz
        let ok = try audit(t.sub("l2.tar"), profile: etsiPath)
        #expect(ok.code == 1 && ok.status("CRED-01") == "fail", "\(ok.stderr)")
    }

    /// A bundle whose nested image expands beyond --max-image-bytes is refused (a nested archive bomb).
    @Test func nestedBombIsRefused() throws {
        let t = try TempTree()
        let script = """
        set -e; cd '\(t.path)'; mkdir -p root/etc; head -c 150000000 /dev/zero > root/etc/big
        mke2fs -q -F -t ext4 -d root -E root_owner=0:0 big.ext4 200M; rm -rf root
        mkdir swu; printf 'software = { version = "1"; };\\n' > swu/sw-description; gzip -c big.ext4 > swu/rootfs.ext4.gz; rm big.ext4
        (cd swu && printf 'sw-description\\nrootfs.ext4.gz\\n' | cpio -o -H crc --quiet) > bomb.swu
        """
        #expect(try run("/bin/bash", ["-c", script]).code == 0)
        let r = try baseline(["audit", t.sub("bomb.swu"), "--profile", etsiPath, "--max-image-bytes", "50000000"])
        #expect(r.code == 3)
        #expect(r.stderr.contains("expands beyond"), "\(r.stderr)")
    }
}
