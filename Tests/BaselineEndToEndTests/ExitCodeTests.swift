// Issue 18: one exit-code table for the three programs (README "Exit codes"): 0 ok, 1 findings, 2 usage or
// configuration error, 3 input unreadable or refused, 4 agent report spooled but not delivered. Each program's
// usage errors are one clear message and exit 2; each answers --version.
import Foundation
import Testing

@Suite struct ExitCodeTests {
    static let agent = Repo.path(".build/debug/baseline-agent")

    @Test func usageErrorsExit2InAllThreePrograms() throws {
        let b = try baseline(["checks", "--bogus"])
        #expect(b.code == 2 && b.stderr.contains("Unknown option '--bogus'"), "\(b.code) \(b.stderr)")
        let c = try collector(["report", "--bogus"])
        #expect(c.code == 2 && c.stderr.contains("Unknown option '--bogus'"), "\(c.code) \(c.stderr)")
        let nosub = try collector(["frobnicate"])
        #expect(nosub.code == 2, "\(nosub.code) \(nosub.stderr)")
        let a = try run(Self.agent, ["--bogus"])
        #expect(a.code == 2 && a.stderr.contains("--bogus"), "\(a.code) \(a.stderr)")
    }

    @Test func versionInAllThreePrograms() throws {
        let b = try baseline(["--version"]), c = try collector(["--version"]), a = try run(Self.agent, ["--version"])
        #expect(b.code == 0 && c.code == 0 && a.code == 0)
        let v = b.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!v.isEmpty && c.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == v && a.stdout == "baseline-agent \(v)\n", "\(b.stdout) \(c.stdout) \(a.stdout)")
    }

    @Test func unreadableInputExits3() throws {
        let b = try baseline(["audit", "/nonexistent/firmware.bin", "--profile", "acme-gateway"])
        #expect(b.code == 3 && b.stderr.split(separator: "\n").count == 1, "\(b.code) \(b.stderr)")
        let t = try TempTree()
        let c = try collector(["ingest", "/nonexistent/reports.json", "--db", t.sub("fleet.sqlite")])
        #expect(c.code == 3, "\(c.code) \(c.stderr)")
        let a = try run(Self.agent, ["--root", "/nonexistent/root", "--profile", Repo.path("Profiles/vendors/acme-gateway.json")])
        #expect(a.code == 3, "\(a.code) \(a.stderr)")
    }

    @Test func findingsExit1AndFailOnNeverExits0() throws {
        let sample = Repo.path("Firmware-samples/openwrt-24.10-nordlicht-legacy")
        let r = try audit(sample, profile: "nordlicht-router")
        #expect(r.code == 1, "\(r.stderr)")
        #expect(try audit(sample, profile: "nordlicht-router", ["--fail-on", "never"]).code == 0)
    }
}

/// Issue 18: library errors reach the user in the tool's words, one line each.
@Suite struct PlainErrorTests {
    @Test func storeLocationsThatCannotWork() throws {
        let scheme = try collector(["report", "--db", "mysql://x/y"])
        #expect(scheme.code == 3 && scheme.stderr.contains("unsupported database URL scheme 'mysql'") && !FileManager.default.fileExists(atPath: Repo.path("mysql:")),
                "\(scheme.stderr)")
        let refused = try collector(["report", "--db", "postgres://u@127.0.0.1:1/x"])
        #expect(refused.code == 3 && refused.stderr.contains("cannot connect to PostgreSQL at 127.0.0.1:1: connection refused"), "\(refused.stderr)")
        #expect(!refused.stderr.contains("PSQLError") && refused.stderr.split(separator: "\n").count == 1)
    }

    @Test func servingOnAPortInUse() throws {
        let t = try TempTree()
        try t.write("tokens", "fleet-a token-0123456789abcdef\n")
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(s) }
        var a = sockaddr_in(sin_family: sa_family_t(AF_INET), sin_port: 0, sin_addr: in_addr(s_addr: inet_addr("127.0.0.1")), sin_zero: (0, 0, 0, 0, 0, 0, 0, 0))
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        try #require(withUnsafeMutablePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(s, $0, len) == 0 && listen(s, 1) == 0 && getsockname(s, $0, &len) == 0 } })
        let port = Int(UInt16(bigEndian: a.sin_port))
        let r = try collector(["serve", "--db", t.sub("fleet.sqlite"), "--tokens", t.sub("tokens"), "--port", "\(port)"])
        #expect(r.code == 3 && r.stderr.contains("cannot serve on 127.0.0.1:\(port): the port is in use"), "\(r.stderr)")
        #expect(!r.stderr.contains("errno") && r.stderr.split(separator: "\n").count == 1)
    }

    @Test func aTruncatedCompressedImageIsCalledTruncated() throws {
        let t = try TempTree()
        let sample = Repo.path("Firmware-samples/yocto-scarthgap-acme-rauc")
        for (flag, ext, word) in [("z", "tar.gz", "gzip"), ("J", "tar.xz", "xz/LZMA"), ("j", "tar.bz2", "bzip2")] {
            let full = t.sub("full." + ext), cut = t.sub("cut." + ext)
            _ = try run("/bin/tar", ["-c\(flag)f", full, "-C", sample, "."])
            let bytes = try Data(contentsOf: URL(fileURLWithPath: full))
            try bytes.prefix(60).write(to: URL(fileURLWithPath: cut))
            let r = try baseline(["audit", cut, "--profile", "acme-gateway"])
            #expect(r.code == 3 && r.stderr.contains("truncated \(word) stream"), "\(ext): \(r.stderr)")
            #expect(!r.stderr.contains("not a supported firmware image") && r.stderr.split(separator: "\n").count == 1)
        }
    }
}
