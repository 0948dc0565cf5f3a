// The release gate (issue 17): --fail-on per area and --baseline-file with owners and expiries decide the exit code;
// accepted findings stay in the report (SARIF suppressions, a line under the text report); mistakes are one line.
import Foundation
import Testing

@Suite("Release gate")
struct ReleaseGateTests {
    let sample = Repo.path("Firmware-samples/buildroot-sensorix-hub")

    func gate(_ extra: [String], format: String = "json") throws -> RunResult {
        try baseline(["audit", sample, "--profile", "sensorix-hub", "--date", Repo.auditDate, "--format", format] + extra)
    }

    @Test func failOnPerArea() throws {
        // Every area but disclosure fails at high or above.
        #expect(try gate(["--fail-on", "high"]).code == 1)
        #expect(try gate(["--fail-on", "never,credentials=critical"]).code == 1, "CRED-01/02 are critical")
        #expect(try gate(["--fail-on", "never,disclosure=medium"]).code == 0, "DISC-01/02 are low")
        #expect(try gate(["--fail-on", "never,disclosure=low"]).code == 1)
        #expect(try gate(["--fail-on", "critical,credentials=never"]).code == 0, "nothing critical outside credentials")
        let bad = try gate(["--fail-on", "high,firmware=low"])
        #expect(bad.code == 2 && bad.stderr.contains("unknown area 'firmware'") && bad.stderr.split(separator: "\n").count == 1, "\(bad.stderr)")
    }

    @Test func acceptedFindingsDoNotGateUntilTheyExpire() throws {
        let t = try TempTree()
        func write(_ expires: String) throws -> String {
            let p = t.sub("accepted-\(expires).json")
            let doc = #"{"accepted": [{"id": "CRED-01", "owner": "jane@sensorix.example", "expires": "EXP", "reason": "locked at provisioning (ticket 17)"}, {"id": "CRED-02", "path": "/etc/shadow", "owner": "jane@sensorix.example", "expires": "EXP", "reason": "password replaced at provisioning"}]}"#
            try doc.replacingOccurrences(of: "EXP", with: expires).write(toFile: p, atomically: false, encoding: .utf8)
            return p
        }
        // Credentials gate at critical: only CRED-01 and CRED-02 are critical; both accepted → pass.
        let ok = try gate(["--fail-on", "never,credentials=critical", "--baseline-file", try write("2099-12-31")], format: "sarif")
        #expect(ok.code == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("\"suppressions\"") && ok.stdout.contains("accepted by jane@sensorix.example until 2099-12-31"))
        let text = try gate(["--fail-on", "never,credentials=critical", "--baseline-file", try write("2099-12-31")], format: "text")
        #expect(text.stdout.contains("Accepted (") && text.stdout.contains("CRED-01 — locked at provisioning"), "\(text.stdout.suffix(400))")
        // Expired: they gate again, and a warning says which.
        let old = try gate(["--fail-on", "never,credentials=critical", "--baseline-file", try write("2020-01-01")])
        #expect(old.code == 1)
        #expect(old.stderr.contains("accepted[0] CRED-01") && old.stderr.contains("expired on 2020-01-01"), "\(old.stderr)")
        #expect(old.json != nil, "the report is still written")
    }

    @Test func aBrokenBaselineFileIsOneLine() throws {
        let t = try TempTree()
        let cases: [(String, String)] = [
            (#"{"accepted": [{"id": "CRED-01", "owner": "x", "expires": "2027-13-01", "reason": "r"}]}"#, "accepted[0]: \"expires\": expected YYYY-MM-DD"),
            (#"{"accepted": [{"id": "CRED-99", "owner": "x", "expires": "2027-01-01", "reason": "r"}]}"#, "unknown check id 'CRED-99'"),
            (#"{"accepted": [{"id": "CRED-01", "expires": "2027-01-01", "reason": "r"}]}"#, "accepted[0]: expected \"owner\""),
            (#"[1, 2]"#, "expected a JSON object with an \"accepted\" array"),
            // Read by the core's JSON parser: the line is named.
            ("{\"accepted\": [\n  {\"id\": \"CRED-01\", \"owner\": \"x\",\n   \"expires\": \"2027-02-31\", \"reason\": \"r\"}]}", ":3: accepted[0]: \"expires\": expected YYYY-MM-DD"),
            ("{\"accepted\": [\n  {\"id\": \"CRED-01\",,}]}", ":2: invalid JSON: expected a quoted key"),
            ("{\"accepted\": [\n  {\"id\": \"CRED-01\", \"owner\": \"x\", \"expires\": \"2027-01-01\", \"reason\": \"r\", \"path\": 7}]}", ":2: accepted[0]: \"path\": expected a string"),
        ]
        for (i, (doc, message)) in cases.enumerated() {
            let p = t.sub("b\(i).json")
            try doc.write(toFile: p, atomically: false, encoding: .utf8)
            let r = try gate(["--baseline-file", p])
            #expect(r.code == 2 && r.stderr.contains(p) && r.stderr.contains(message), "\(r.stderr)")
            #expect(r.stderr.contains(p + ":"), "names the line: \(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1)
        }
    }
}
