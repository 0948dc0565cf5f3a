// Every bundled firmware sample gets the verdict Firmware-samples/README.md documents, with the documented exit
// code, and its JSON report validates against the report schema.
import Foundation
import Testing

struct SampleExpectation: CustomTestStringConvertible, Sendable {
    let sample: String
    let profile: String
    let exit: Int32
    /// Every check whose status is not "pass" (a check missing here must pass).
    let notPassing: [String: String]
    var testDescription: String { sample }
}

let sampleExpectations: [SampleExpectation] = [
    SampleExpectation(sample: "openwrt-24.10-nordlicht-legacy", profile: "nordlicht-router", exit: 1, notPassing: [
        "CRED-04": "skip", "SURF-02": "skip",
        "CRED-02": "fail", "CRED-03": "fail", "CRED-05": "fail", "CRED-06": "fail", "CRED-09": "warn",
        "UPD-02": "skip", "UPD-03": "skip", "UPD-04": "skip", "UPD-05": "fail", "UPD-06": "fail", "UPD-07": "warn",
        "LIFE-04": "fail", "LIFE-05": "fail", "SURF-01": "fail"]),
    SampleExpectation(sample: "openwrt-25.12-nordlicht", profile: "nordlicht-router", exit: 0, notPassing: [
        "CRED-04": "skip", "SURF-02": "skip",
        "UPD-02": "skip", "UPD-03": "skip", "UPD-04": "skip"]),
    SampleExpectation(sample: "yocto-scarthgap-acme-rauc", profile: "acme-gateway", exit: 0, notPassing: [
        "CRED-04": "skip", "SURF-02": "skip",
        "UPD-02": "skip", "UPD-04": "skip", "UPD-05": "skip"]),
    SampleExpectation(sample: "yocto-kirkstone-acme-swupdate", profile: "acme-gateway", exit: 1, notPassing: [
        "CRED-04": "skip", "SURF-02": "skip",
        "CRED-02": "fail", "CRED-03": "fail", "CRED-06": "fail", "CRED-07": "fail", "CRED-08": "fail", "CRED-09": "fail",
        "UPD-02": "fail", "UPD-03": "skip", "UPD-04": "skip", "UPD-05": "skip", "UPD-06": "fail",
        "LIFE-04": "fail", "LIFE-05": "fail", "LIFE-06": "warn", "DISC-01": "warn"]),
    SampleExpectation(sample: "buildroot-sensorix-hub", profile: "sensorix-hub", exit: 1, notPassing: [
        "CRED-04": "skip", "SURF-02": "skip",
        "CRED-01": "fail", "CRED-02": "fail", "CRED-03": "fail", "CRED-05": "fail", "CRED-09": "fail",
        "UPD-01": "fail", "UPD-02": "skip", "UPD-03": "skip", "UPD-04": "skip", "UPD-05": "skip", "UPD-06": "skip", "UPD-07": "skip",
        "LIFE-02": "fail", "LIFE-04": "info", "LIFE-05": "fail", "LIFE-06": "warn", "SURF-01": "fail", "DISC-01": "warn", "DISC-02": "warn"]),
    SampleExpectation(sample: "debian-13-fernwerk", profile: "fernwerk-edge", exit: 0, notPassing: [
        "CRED-04": "skip", "SURF-02": "skip",
        "UPD-02": "skip", "UPD-03": "skip", "UPD-04": "skip"]),
    SampleExpectation(sample: "debian-11-fernwerk-legacy", profile: "fernwerk-edge", exit: 1, notPassing: [
        "CRED-04": "skip", "SURF-02": "skip",
        "CRED-02": "fail", "CRED-03": "fail", "CRED-09": "warn",
        "UPD-02": "skip", "UPD-03": "skip", "UPD-04": "skip", "UPD-05": "fail", "UPD-06": "fail", "UPD-07": "warn",
        "LIFE-04": "fail", "LIFE-05": "fail", "SURF-01": "fail"]),
]

@Suite("Firmware samples")
struct SampleVerdictTests {
    @Test("samples.txt lists exactly the samples this test knows")
    func sampleListMatches() throws {
        let text = try String(contentsOfFile: Repo.path("Firmware-samples/samples.txt"), encoding: .utf8)
        let listed = text.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.isEmpty }.map { line -> (String, String, Int32) in
            let w = line.split(whereSeparator: { $0 == " " }).map(String.init)
            return (w[0], w[1], Int32(w[2])!)
        }
        #expect(listed.map { $0.0 } == sampleExpectations.map { $0.sample })
        #expect(listed.map { $0.1 } == sampleExpectations.map { $0.profile })
        #expect(listed.map { $0.2 } == sampleExpectations.map { $0.exit })
    }

    @Test("verdict, exit code and findings", arguments: sampleExpectations)
    func verdict(_ e: SampleExpectation) throws {
        let r = try audit(Repo.path("Firmware-samples/" + e.sample), profile: e.profile)
        #expect(r.code == e.exit, "stderr: \(r.stderr)")
        let json = try #require(r.json, "report is not JSON: \(r.stdout.prefix(300))")
        let findings = try #require(json["findings"] as? [[String: Any]])
        var got: [String: String] = [:]
        for f in findings {
            let id = f["id"] as! String
            let st = f["status"] as! String
            if st != "pass" { got[id] = st }
        }
        #expect(got == e.notPassing)
        #expect(findings.count == 26, "every check of the ETSI baseline runs")
        let summary = try #require(json["summary"] as? [String: Any])
        #expect(summary["verdict"] as? String == (e.exit == 0 ? "pass" : "fail"))
    }

    @Test("text output groups by area and ends with the verdict", arguments: sampleExpectations)
    func textOutput(_ e: SampleExpectation) throws {
        let r = try baseline(["audit", Repo.path("Firmware-samples/" + e.sample), "--profile", e.profile, "--date", Repo.auditDate])
        #expect(r.code == e.exit)
        for title in ["Unique credentials", "Secure update channel", "Lifecycle status", "Exposed services", "Vulnerability disclosure"] {
            #expect(r.stdout.contains(title))
        }
        let last = r.stdout.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.hasPrefix("Verdict: " + (e.exit == 0 ? "PASS" : "FAIL")))
        #expect(!r.stdout.contains("\u{1B}["), "no colour when not a terminal")
        for (id, status) in e.notPassing where status == "fail" { #expect(r.stdout.contains("FAIL  \(id)")) }
    }

    @Test("JSON reports validate against the report schema")
    func schemaValidation() throws {
        let t = try TempTree()
        var files: [String] = []
        for e in sampleExpectations {
            let out = t.sub(e.sample + ".json")
            let r = try baseline(["audit", Repo.path("Firmware-samples/" + e.sample), "--profile", e.profile, "--date", Repo.auditDate,
                                  "--format", "json", "--output", out])
            #expect(r.code == e.exit)
            #expect(r.stdout.isEmpty, "--output writes nothing to stdout")
            files.append(out)
        }
        // with a fleet key, password and private-key fingerprints appear; validate that shape too
        try t.write("fleet.key", "0123456789abcdef0123456789abcdef\n")
        let keyed = t.sub("keyed.json")
        _ = try baseline(["audit", Repo.path("Firmware-samples/yocto-kirkstone-acme-swupdate"), "--profile", "acme-gateway", "--date", Repo.auditDate,
                          "--format", "json", "--output", keyed, "--fleet-key-file", t.sub("fleet.key")])
        files.append(keyed)
        let v = try python([Repo.path("Tests/scripts/validate_json.py"), Repo.path("Profiles/schema/report.schema.json")] + files)
        #expect(v.code == 0, "schema validation failed:\n\(v.stdout)\(v.stderr)")
        #expect(v.stdout.contains("\(files.count) valid"))
    }

    @Test("bundled profiles and EOL data validate against their schemas")
    func profileSchemas() throws {
        let profiles = try FileManager.default.subpathsOfDirectory(atPath: Repo.path("Profiles"))
            .filter { ($0.hasPrefix("baselines/") || $0.hasPrefix("vendors/")) && $0.hasSuffix(".json") }
            .map { Repo.path("Profiles/" + $0) }
        #expect(profiles.count >= 6)
        let v = try python([Repo.path("Tests/scripts/validate_json.py"), Repo.path("Profiles/schema/profile.schema.json")] + profiles)
        #expect(v.code == 0, "\(v.stdout)\(v.stderr)")
        let e = try python([Repo.path("Tests/scripts/validate_json.py"), Repo.path("Profiles/schema/eol-data.schema.json"), Repo.path("Profiles/data/eol.json")])
        #expect(e.code == 0, "\(e.stdout)\(e.stderr)")
        for p in profiles {
            let r = try baseline(["profile", p])
            #expect(r.code == 0, "\(p): \(r.stderr)")
        }
    }
}
