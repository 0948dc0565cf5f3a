// Hostile root filesystems: links out of the root, loops, FIFOs, devices, huge and unreadable files, garbage.
// The audit must finish, must never read outside the root, and must say what it could not read.
import Foundation
import Testing

@Suite("Hostile root filesystems")
struct HostileRootTests {
    /// A host directory next to the root holding a "secret" shadow whose hash would match a Mirai password.
    func outsideSecret() throws -> (TempTree, String) {
        let outside = try TempTree()
        let hash = try tool("mkpasswd", ["-m", "sha512crypt", "admin"])
        try outside.write("shadow", "root:\(hash):20000:0:99999:7:::\n")
        try outside.write("os-release", "ID=outside\nVERSION_ID=666\n")
        return (outside, hash)
    }

    @Test func symlinksOutOfTheRootStayInside() throws {
        let (outside, hash) = try outsideSecret()
        let t = try TempTree(["etc/passwd": "root:x:0:0:root:/root:/bin/sh\n"])
        // absolute target: re-rooted, so /…/outside/shadow does not exist inside the root
        try t.symlink("etc/shadow", to: outside.sub("shadow"))
        // relative escape with a long .. chain
        try t.symlink("etc/os-release", to: "../../../../../../../../.." + outside.sub("os-release"))
        try t.symlink("usr/lib/os-release", to: "/../../../" + outside.sub("os-release"))
        let r = try audit(t.path, profile: etsiPath)
        #expect(r.code == 1)
        #expect(!r.stdout.contains(hash))
        #expect(!r.stdout.contains("outside"), "nothing from the outside os-release: \(r.stdout.prefix(400))")
        #expect(r.status("CRED-02") == "pass", "the outside hash was never read")
        #expect(r.status("LIFE-01") == "fail")
    }

    @Test func symlinkInsideTheRootIsFollowed() throws {
        let t = try TempTree(["usr/lib/os-release": "ID=debian\nVERSION_ID=13\n", "etc/passwd": "root:x:0:0::/root:/bin/sh\n",
                              "real/shadow": "root::1:0:99999:7:::\n"])
        try t.symlink("etc/os-release", to: "/usr/lib/os-release")         // absolute, re-rooted
        try t.symlink("etc/shadow", to: "../real/../real/shadow")          // relative with ..
        let r = try audit(t.path, profile: etsiPath)
        #expect(r.status("LIFE-01") == "pass")
        #expect(r.status("CRED-01") == "fail", "the linked shadow was read: \(r.evidenceText("CRED-01"))")
    }

    @Test func symlinkLoopsEnd() throws {
        let t = try TempTree(["etc/passwd": "root:x:0:0::/root:/bin/sh\n"])
        try t.symlink("etc/shadow", to: "shadow")                           // self loop
        try t.symlink("etc/os-release", to: "/usr/lib/os-release")
        try t.symlink("usr/lib/os-release", to: "/etc/os-release")          // two-link loop
        try t.symlink("etc/init.d", to: "/etc")                             // directory cycle for walkers
        try t.symlink("etc/ssl/private", to: "../..")
        let r = try audit(t.path, profile: etsiPath, [])
        #expect(r.code == 1)
        let json = try #require(r.json)
        let unreadable = ((json["coverage"] as? [String: Any])?["unreadable"] as? [[String: Any]]) ?? []
        #expect(unreadable.contains { ($0["reason"] as? String ?? "").contains("symbolic links") })
    }

    @Test func fifoSocketAndDeviceAreSkipped() throws {
        let t = try TempTree(["etc/os-release": "ID=debian\nVERSION_ID=13\n"])
        #expect(mkfifo(t.sub("etc/passwd"), 0o644) == 0)
        #expect(mkfifo(t.sub("etc/shadow"), 0o644) == 0)
        try t.mkdir("etc/ssl/private")
        #expect(mkfifo(t.sub("etc/ssl/private/key.pem"), 0o644) == 0)
        if getuid() == 0 { #expect(mknod(t.sub("etc/inittab"), S_IFCHR | 0o644, dev_t((1 << 8) | 5)) == 0) } // /dev/zero
        let r = try audit(t.path, profile: etsiPath, [])
        #expect(r.code == 1)
        let text = r.stdout
        #expect(text.contains("skipped: FIFO"))
        if getuid() == 0 { #expect(text.contains("skipped: character device")) }
    }

    @Test func hugeSparseFileIsCapped() throws {
        let t = try TempTree(["etc/passwd": "root:x:0:0::/root:/bin/sh\n"])
        let fd = open(t.sub("etc/shadow"), O_CREAT | O_WRONLY, 0o600)
        #expect(fd >= 0)
        let line = "root::1:0:99999:7:::\n"
        _ = line.withCString { write(fd, $0, strlen($0)) }
        #expect(ftruncate(fd, 3 << 30) == 0)     // 3 GiB, sparse
        close(fd)
        let start = Date()
        let r = try audit(t.path, profile: etsiPath, [])
        #expect(Date().timeIntervalSince(start) < 30)
        #expect(r.status("CRED-01") == "fail", "the readable head is still checked")
        #expect(r.stdout.contains("only the first"))
    }

    @Test func unreadableFileIsReported() throws {
        let t = try TempTree(["etc/passwd": "root:x:0:0::/root:/bin/sh\n", "etc/shadow": "root::1:0:99999:7:::\n"])
        _ = try run("/bin/chmod", ["-R", "a+rX", t.path])
        #expect(chmod(t.sub("etc/shadow"), 0) == 0)
        // root reads everything: as root, the audit runs as nobody
        let asNobody = getuid() == 0 ? ["/usr/sbin/runuser", "-u", "nobody", "--"] : []
        let r = try run(asNobody.first ?? Repo.binary, Array(asNobody.dropFirst()) + (asNobody.isEmpty ? [] : [Repo.binary])
                        + ["audit", t.path, "--profile", etsiPath, "--format", "json", "--date", Repo.auditDate])
        #expect(r.stdout.contains("not readable"))
    }

    @Test func garbageFilesDoNotBreakParsers() throws {
        var rng = SystemRandomNumberGenerator()
        func garbage(_ n: Int) -> String { String(decoding: (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }, as: UTF8.self) }
        let t = try TempTree()
        for f in ["etc/passwd", "etc/shadow", "etc/os-release", "etc/openwrt_release", "etc/inittab", "etc/ssh/sshd_config",
                  "etc/swupdate.cfg", "etc/rauc/system.conf", "etc/mender/mender.conf", "etc/opkg.conf", "etc/apt/sources.list",
                  "etc/config/dropbear", "etc/dropbear/dropbear_rsa_host_key", "etc/ssl/private/x.pem", "root/.ssh/authorized_keys"] {
            try t.write(f, garbage(20_000) + "\n-----BEGIN PRIVATE KEY-----\n" + garbage(300) + "\n-----END PRIVATE KEY-----\n" + String(repeating: "A", count: 200_000))
        }
        try t.write("usr/bin/swupdate", "x")
        try t.write("usr/bin/rauc", "x")
        try t.write("usr/bin/mender", "x")
        let r = try audit(t.path, profile: etsiPath, [])
        #expect(r.code == 1)
        let json = try #require(r.json, "still a complete JSON report")
        #expect((json["findings"] as? [Any])?.count == 26)
    }

    @Test func deepAndWideTreesAreBounded() throws {
        let t = try TempTree(["etc/os-release": "ID=debian\nVERSION_ID=13\n"])
        var deep = "etc"
        for i in 0..<40 { deep += "/d\(i)" }
        try t.write(deep + "/key.pem", "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n")
        for i in 0..<3000 { try t.write("etc/many/f\(i).conf", "x=\(i)\n") }
        let r = try audit(t.path, profile: etsiPath, [])
        #expect(r.code == 1)
        #expect(r.stdout.contains("deeper than"))
    }
}
