// Exit codes, --fail-on, --output, and one clear error line for bad input (file, line, what was expected).
import Foundation
import Testing

@Suite("Command line")
struct CommandLineTests {
    let failing = Repo.path("Firmware-samples/debian-11-fernwerk-legacy")

    @Test func failOnThresholds() throws {
        // debian-11 has critical findings (CRED-02)
        #expect(try audit(failing, profile: "fernwerk-edge", ["--fail-on", "critical"]).code == 1)
        #expect(try audit(failing, profile: "fernwerk-edge", ["--fail-on", "never"]).code == 0)
        // the OpenWrt 24.10 sample's worst finding is critical too; the buildroot one has critical CRED-01.
        // Raise everything to critical-only on a sample whose findings are all high or below:
        let t = try TempTree(["etc/os-release": "ID=debian\nVERSION_ID=13\nSUPPORT_END=2030-01-01\n"])
        let p = try vendorProfile(t)
        let r = try audit(t.path, profile: p, ["--fail-on", "critical"])
        #expect(r.code == 0, "only non-critical findings (UPD-01 high) → exit 0 at --fail-on critical")
        #expect(r.status("UPD-01") == "fail")
        #expect(try audit(t.path, profile: p, ["--fail-on", "high"]).code == 1)
        let json = try #require(try audit(t.path, profile: p, ["--fail-on", "critical"]).json)
        #expect((json["summary"] as? [String: Any])?["fail_on"] as? String == "critical")
    }

    @Test func usageErrorsExit2() throws {
        let r1 = try baseline(["audit", failing, "--fail-on", "severe"])
        #expect(r1.code == 2)
        #expect(r1.stderr.contains("--fail-on"))
        let r2 = try baseline(["audit", failing, "--date", "23/11/2026"])
        #expect(r2.code == 2)
        #expect(r2.stderr.contains("YYYY-MM-DD"))
        let r3 = try baseline(["audit"])
        #expect(r3.code == 2)
        let r4 = try baseline(["audit", failing, "--format", "xml"])
        #expect(r4.code == 2)
        let r5 = try baseline(["audit", failing, "--profile", "no-such-profile"])
        #expect(r5.code == 2)
        #expect(r5.stderr.contains("no-such-profile"))
    }

    @Test func unreadableInputExit3() throws {
        let r = try baseline(["audit", "/nonexistent/rootfs"])
        #expect(r.code == 3)
        #expect(r.stderr.split(separator: "\n").count == 1)
        #expect(r.stderr.contains("/nonexistent/rootfs"))
        let t = try TempTree(["image.bin": "not a root filesystem"])
        let r2 = try baseline(["audit", t.sub("image.bin")])
        #expect(r2.code == 3)
        #expect(r2.stderr.contains("not a supported firmware image"))
    }

    @Test func helpAndVersion() throws {
        let h = try baseline(["audit", "--help"])
        #expect(h.code == 0)
        #expect(h.stdout.contains("--fail-on"))
        let v = try baseline(["--version"])
        #expect(v.code == 0)
        #expect(v.stdout.contains("0."))
        let c = try baseline(["checks"])
        #expect(c.code == 0)
        for id in ["CRED-01", "CRED-09", "UPD-01", "UPD-07", "LIFE-04", "SURF-01", "DISC-02"] { #expect(c.stdout.contains(id)) }
    }

    @Test func outputIsWrittenAtomically() throws {
        let t = try TempTree()
        let out = t.sub("report.json")
        let r = try baseline(["audit", failing, "--profile", "fernwerk-edge", "--format", "json", "--output", out, "--date", Repo.auditDate])
        #expect(r.code == 1)
        let data = try Data(contentsOf: URL(fileURLWithPath: out))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(json["schema"] as? String == "baseline.report/1")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: t.path).filter { $0.contains(".tmp.") }
        #expect(leftovers.isEmpty)
        // a device or FIFO is written to, never replaced by the atomic rename
        #expect(mkfifo(t.sub("pipe"), 0o644) == 0)
        let reader = Process()
        reader.executableURL = URL(fileURLWithPath: "/bin/sh")
        reader.arguments = ["-c", "cat '\(t.sub("pipe"))' > '\(t.sub("from-pipe.json"))'"]
        try reader.run()
        let viaFifo = try baseline(["audit", failing, "--profile", "fernwerk-edge", "--format", "json", "--output", t.sub("pipe")])
        reader.waitUntilExit()
        #expect(viaFifo.code == 1)
        var st = stat()
        #expect(lstat(t.sub("pipe"), &st) == 0 && (st.st_mode & S_IFMT) == S_IFIFO, "the FIFO is still a FIFO")
        let piped = try Data(contentsOf: URL(fileURLWithPath: t.sub("from-pipe.json")))
        #expect((try? JSONSerialization.jsonObject(with: piped)) != nil)
        let devnull = try baseline(["audit", failing, "--profile", "fernwerk-edge", "--output", "/dev/null"])
        #expect(devnull.code == 1)
        #expect(lstat("/dev/null", &st) == 0 && (st.st_mode & S_IFMT) == S_IFCHR, "/dev/null is still a device")
        let bad = try baseline(["audit", failing, "--profile", "fernwerk-edge", "--output", "/nonexistent-dir/r.json"])
        #expect(bad.code == 3)
        #expect(bad.stderr.contains("cannot write report"))
    }

    @Test func reportIDsAreUnique() throws {
        let a = try #require(try audit(failing, profile: "fernwerk-edge").json?["report_id"] as? String)
        let b = try #require(try audit(failing, profile: "fernwerk-edge").json?["report_id"] as? String)
        #expect(a != b)
        #expect(a.count == 36)
    }
}

/// Each malformed profile gives exactly one stderr line naming the file and line, and exit code 2.
struct BadProfileCase: CustomTestStringConvertible, Sendable {
    let name: String
    let body: String
    let line: Int
    let expect: String
    var testDescription: String { name }
}

let badProfiles: [BadProfileCase] = [
    BadProfileCase(name: "trailing comma", body: "{\n  \"schema\": \"baseline.profile/1\",\n  \"id\": \"x\",\n}\n", line: 4, expect: "expected a quoted key"),
    BadProfileCase(name: "unknown key", body: "{\n  \"schema\": \"baseline.profile/1\",\n  \"id\": \"x\",\n  \"supprt\": {}\n}\n", line: 4, expect: "unknown key 'supprt'"),
    BadProfileCase(name: "wrong type", body: "{\n  \"schema\": \"baseline.profile/1\",\n  \"id\": \"x\",\n  \"vendor\": {\n    \"name\": 42\n  }\n}\n", line: 5, expect: "expected a string for 'name'"),
    BadProfileCase(name: "bad date", body: "{\n  \"schema\": \"baseline.profile/1\",\n  \"id\": \"x\",\n  \"support\": {\"end\": \"2030-02-30\"}\n}\n", line: 4, expect: "YYYY-MM-DD"),
    BadProfileCase(name: "unknown check", body: "{\n  \"schema\": \"baseline.profile/1\",\n  \"id\": \"x\",\n  \"checks\": {\n    \"CRED-99\": {}\n  }\n}\n", line: 5, expect: "unknown check id 'CRED-99'"),
    BadProfileCase(name: "bad severity", body: "{\n  \"schema\": \"baseline.profile/1\",\n  \"id\": \"x\",\n  \"checks\": {\"CRED-01\": {\n    \"severity\": \"urgent\"}}\n}\n", line: 5, expect: "expected info, low, medium, high or critical"),
    BadProfileCase(name: "wrong schema", body: "{\n  \"schema\": \"baseline.profile/2\",\n  \"id\": \"x\"\n}\n", line: 2, expect: "baseline.profile/1"),
    BadProfileCase(name: "missing id", body: "{\n  \"schema\": \"baseline.profile/1\"\n}\n", line: 1, expect: "missing required key 'id'"),
    BadProfileCase(name: "missing extends target", body: "{\n  \"schema\": \"baseline.profile/1\",\n  \"id\": \"x\",\n  \"extends\": \"nope.json\"\n}\n", line: 4, expect: "cannot read it"),
    BadProfileCase(name: "unknown update mechanism", body: "{\n  \"schema\": \"baseline.profile/1\",\n  \"id\": \"x\",\n  \"update\": {\"mechanisms\": [\"ota-magic\"]}\n}\n", line: 4, expect: "unknown update mechanism 'ota-magic'"),
    BadProfileCase(name: "binary garbage", body: "\u{01}\u{02}garbage", line: 1, expect: "invalid JSON"),
    BadProfileCase(name: "empty file", body: "", line: 1, expect: "expected a value"),
]

@Suite("Malformed profiles and data")
struct BadInputTests {
    let sample = Repo.path("Firmware-samples/openwrt-25.12-nordlicht")

    @Test(arguments: badProfiles)
    func badProfile(_ c: BadProfileCase) throws {
        let t = try TempTree()
        let p = try writeProfile(t, body: c.body)
        let r = try audit(sample, profile: p)
        #expect(r.code == 2)
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1, "one line: \(r.stderr)")
        #expect(r.stderr.contains("\(p):\(c.line):"), "names file and line: \(r.stderr)")
        #expect(r.stderr.contains(c.expect), "says what was expected: \(r.stderr)")
        #expect(r.stdout.isEmpty, "no partial report")
    }

    @Test func extendsCycle() throws {
        let t = try TempTree()
        try t.write("a.json", "{\"schema\": \"baseline.profile/1\", \"id\": \"a\", \"extends\": \"b.json\"}")
        try t.write("b.json", "{\"schema\": \"baseline.profile/1\", \"id\": \"b\",\n \"extends\": \"a.json\"}")
        let r = try audit(sample, profile: t.sub("a.json"))
        #expect(r.code == 2)
        #expect(r.stderr.contains("extends cycle"))
        #expect(r.stderr.contains("b.json:2:"))
    }

    @Test func badCredentialList() throws {
        let t = try TempTree()
        try t.write("creds.txt", "root:admin\n# comment\nthis line has no colon\n")
        let p = try writeProfile(t, body: "{\"schema\": \"baseline.profile/1\", \"id\": \"x\", \"credentials\": {\"lists\": [\"creds.txt\"]}}")
        let r = try audit(sample, profile: p)
        #expect(r.code == 2)
        #expect(r.stderr.contains("creds.txt:3:"))
        #expect(r.stderr.contains("user:password"))
    }

    @Test func badEOLData() throws {
        let t = try TempTree()
        try t.write("eol.json", "{\"source\": \"x\", \"snapshot\": \"2026-08-22\", \"products\": {\"debian\": {\"cycles\": [\n {\"cycle\": \"12\", \"eol\": \"soon\"}]}}}")
        let p = try writeProfile(t, body: "{\"schema\": \"baseline.profile/1\", \"id\": \"x\", \"lifecycle\": {\"eol_data\": \"eol.json\"}}")
        let r = try audit(sample, profile: p)
        #expect(r.code == 2)
        #expect(r.stderr.contains("eol.json:2:"))
    }

    @Test func inheritanceMergesLists() throws {
        let t = try TempTree()
        let child = try vendorProfile(t, extra: "\"credentials\": {\"defaults\": [{\"user\": \"root\", \"password\": \"tc1-secret\"}]}")
        let r = try baseline(["profile", child])
        #expect(r.code == 0, "\(r.stderr)")
        #expect(r.stdout.contains("etsi-en-303-645 → test-vendor"))
        #expect(r.stdout.contains("mirai.txt"), "lists inherited from the base")
        #expect(r.stdout.contains("defaults: 1"))
    }
}
