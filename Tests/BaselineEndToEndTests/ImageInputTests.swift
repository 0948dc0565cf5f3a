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
    ]

    static func make(_ format: String, from dir: String, into out: String) throws {
        switch format {
        case "squashfs": _ = try tool("mksquashfs", [dir, out, "-noappend", "-quiet", "-all-root", "-comp", "xz", "-nopad"])
        case "tar.gz": _ = try tool("tar", ["--owner=0", "--group=0", "-C", dir, "-czf", out, "."])
        case "tar.xz": _ = try tool("tar", ["--owner=0", "--group=0", "-C", dir, "-cJf", out, "."])
        case "tar.zst": _ = try tool("tar", ["--owner=0", "--group=0", "--zstd", "-C", dir, "-cf", out, "."])
        case "cpio": _ = try run("/bin/sh", ["-c", "cd '\(dir)' && find . | cpio -o -H newc > '\(out)' 2>/dev/null"])
        default: Issue.record("unknown format \(format)")
        }
    }

    @Test("directory, SquashFS, tar.{gz,xz,zst} and cpio give the same findings", arguments: sampleExpectations)
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
}
