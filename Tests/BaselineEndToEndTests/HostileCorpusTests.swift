// One generated hostile root (issue 8) with every trap at once next to readable files whose findings are known:
// links out by absolute and relative paths and `..` chains, a loop, FIFOs where configuration is expected, a device
// node, a sparse 4 GiB "binary", a file without read permission (the audit runs as `nobody`), a line of 4 MB, NUL
// bytes, invalid UTF-8 and CRLF line ends. The audit must finish, read nothing outside the root, keep its memory
// bounded, and still find what the readable files say.
import Foundation
import Testing

@Suite("Hostile corpus")
struct HostileCorpusTests {
    @Test func everyTrapAtOnceWithCorrectFindingsForTheReadableParts() throws {
        let outside = try TempTree()
        let outsideHash = try tool("mkpasswd", ["-m", "sha512crypt", "outside-only-secret"])
        try outside.write("shadow", "root:\(outsideHash):20000:0:99999:7:::\n")
        try outside.write("os-release", "ID=outside\nVERSION_ID=666\n")

        let t = try TempTree()
        // Readable, with known findings: root's password is a Mirai default ("admin"); CRLF and a NUL-laden,
        // invalid-UTF-8 GECOS field on another account; a 4 MB line in between.
        let weak = try tool("mkpasswd", ["-m", "sha512crypt", "admin"])
        let longLine = String(repeating: "x", count: 4 << 20)
        try t.write("etc/passwd", "root:x:0:0:root:/root:/bin/sh\r\n" + longLine + "\r\n" + "svc:x:100:100:caf\u{e9}:/var/svc:/bin/false\r\n")
        var passwd = try Data(contentsOf: URL(fileURLWithPath: t.sub("etc/passwd")))
        passwd.append(contentsOf: Array("odd:x:101:101:".utf8) + [0x00, 0xff, 0xfe, 0xc3, 0x28] + Array(":/:/bin/false\r\n".utf8))
        try passwd.write(to: URL(fileURLWithPath: t.sub("etc/passwd")))
        try t.write("etc/shadow", "root:\(weak):20000:0:99999:7:::\r\nsvc:!:20000:0:99999:7:::\r\nodd:*:20000::::::\r\n")
        // os-release through a `..` chain that stays inside the root.
        try t.write("usr/lib/os-release", "ID=debian\r\nVERSION_ID=\"11\"\r\nPRETTY_NAME=\"Debian \u{0}GNU/Linux 11\"\r\n")
        try t.symlink("etc/os-release", to: "../usr/../usr/./lib/../lib/os-release")
        // Links out: absolute (re-rooted inside), relative with a long `..` chain, and a loop.
        try t.symlink("etc/ssh/ssh_host_rsa_key", to: outside.sub("shadow"))
        try t.symlink("etc/shadow-", to: "../../../../../../../../.." + outside.sub("shadow"))
        try t.symlink("etc/config/loop-a", to: "loop-b")
        try t.symlink("etc/config/loop-b", to: "loop-a")
        // FIFOs where configuration is read, a device node, an unreadable key.
        #expect(mkfifo(t.sub("etc/ssh/sshd_config"), 0o644) == 0)
        #expect(mkfifo(t.sub("etc/swupdate.cfg"), 0o644) == 0)
        try FileManager.default.createDirectory(atPath: t.sub("dev"), withIntermediateDirectories: true)
        #expect(try run("/usr/bin/mknod", [t.sub("dev/zero"), "c", "1", "5"]).code == 0, "device node (CI runs as root)")
        try t.write("etc/ssl/private/device.key", "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n")
        #expect(chmod(t.sub("etc/ssl/private/device.key"), 0) == 0)
        // A sparse 4 GiB file where binaries are scanned for versions.
        try FileManager.default.createDirectory(atPath: t.sub("bin"), withIntermediateDirectories: true)
        #expect(try run("/usr/bin/truncate", ["-s", "4G", t.sub("bin/busybox")]).code == 0)
        #expect(chmod(t.sub("bin/busybox"), 0o755) == 0)

        // The audit runs as nobody (so permissions count even when the tests run as root), under /usr/bin/time.
        _ = try run("/bin/chmod", ["a+rX", t.path, outside.path])
        _ = try run("/bin/chmod", ["-R", "a+rX", t.sub("etc/passwd"), t.sub("etc/shadow"), t.sub("usr"), t.sub("bin")])
        #expect(chmod(t.sub("etc/ssl/private/device.key"), 0) == 0)
        let asNobody = getuid() == 0 ? ["/usr/sbin/runuser", "-u", "nobody", "--"] : []
        let started = Date()
        let r = try run("/usr/bin/time", ["-f", "peak-rss-kib %M"] + asNobody + [Repo.binary, "audit", t.path, "--profile", etsiPath,
                                           "--format", "json", "--date", Repo.auditDate], timeout: 120)
        let seconds = Date().timeIntervalSince(started)
        #expect(seconds < 60, "finished in \(seconds) s")
        #expect(r.code == 1, "findings, not a crash: \(r.stderr.suffix(400))")
        let json = try #require(r.json, "a complete JSON report: \(r.stderr.suffix(300))")
        #expect((json["findings"] as? [Any])?.count == 26)
        // Nothing from outside the root.
        #expect(!r.stdout.contains(outsideHash))
        #expect(!r.stdout.contains("outside"), "\(r.stdout.prefix(300))")
        // The readable parts: the weak root password, the OS through the `..` chain (Debian 11: past its EOL).
        #expect(r.status("CRED-02") == "fail", "root's Mirai password found through CRLF and the 4 MB line")
        #expect(r.stdout.contains("account 'root' (uid 0): password is guessable"))
        let subject = json["subject"] as? [String: Any]
        #expect(subject?["os_id"] as? String == "debian")
        #expect(subject?["os_version"] as? String == "11")
        #expect(r.status("LIFE-04") == "fail", "Debian 11 is past its end of life on the audit date")
        // What could not be read is said, not skipped silently.
        let coverage = json["coverage"] as? [String: Any]
        let unreadable = ((coverage?["unreadable"] as? [[String: Any]]) ?? []).compactMap { $0["path"] as? String }
        if getuid() == 0 { #expect(unreadable.contains("/etc/ssl/private/device.key"), "\(unreadable)") }
        #expect(unreadable.contains("/etc/ssh/sshd_config"), "the FIFO is named: \(unreadable)")
        // Memory stays bounded: the 4 GiB file and the 4 MB line are not held whole.
        let rss = Int(r.stderr.components(separatedBy: "peak-rss-kib ").last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? -1
        #expect(rss > 0 && rss < 256 * 1024, "peak RSS \(rss) KiB")
    }
}
