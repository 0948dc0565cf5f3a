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
