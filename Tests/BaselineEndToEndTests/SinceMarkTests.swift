// Issue 18: `--since PREVIOUS.json` marks what is new in every format, not only SARIF — JSON (`since` per finding and
// in the summary), text (NEW), HTML (a NEW badge), JUnit (properties and "[new]") — and warns when the previous
// report is of another profile or device.
import Foundation
import Testing

@Suite struct SinceMarkTests {
    let good = Repo.path("Firmware-samples/openwrt-25.12-nordlicht")
    let legacy = Repo.path("Firmware-samples/openwrt-24.10-nordlicht-legacy")

    func previous(_ t: TempTree, _ root: String, profile: String = "nordlicht-router") throws -> String {
        let r = try audit(root, profile: profile, ["--output", t.sub("prev.json"), "--fail-on", "never"])
        try #require(r.code == 0, "\(r.stderr)")
        return t.sub("prev.json")
    }

    @Test func everyFormatMarksNewFindings() throws {
        let t = try TempTree()
        let prev = try previous(t, good)
        let j = try audit(legacy, profile: "nordlicht-router", ["--since", prev])
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as? [String: Any])
        let since = try #require((doc["summary"] as? [String: Any])?["since"] as? [String: Any])
        let newIDs = since["new"] as? [String] ?? []
        #expect(since["previous"] as? String == prev && !newIDs.isEmpty)
        let findings = doc["findings"] as? [[String: Any]] ?? []
        for f in findings {
            let status = f["status"] as? String ?? "", id = f["id"] as? String ?? ""
            if ["fail", "warn", "error"].contains(status) { #expect(f["since"] as? String == (newIDs.contains(id) ? "new" : "unchanged"), "\(id)") }
            else { #expect(f["since"] == nil, "\(id)") }
        }
        #expect(try validateReport(j), "the report with since marks is valid against the schema")
        let firstNew = try #require(newIDs.first)
        let text = try audit(legacy, profile: "nordlicht-router", ["--since", prev, "--format", "text"])
        #expect(text.stdout.split(separator: "\n").contains { $0.contains(firstNew) && $0.hasSuffix("NEW") }, "\(text.stdout)")
        let html = try audit(legacy, profile: "nordlicht-router", ["--since", prev, "--format", "html"])
        #expect(html.stdout.contains("<span class=\"id\">\(firstNew)</span>") && html.stdout.contains("class=\"new\""))
        let junit = try audit(legacy, profile: "nordlicht-router", ["--since", prev, "--format", "junit"])
        #expect(junit.stdout.contains("name=\"baseline.new\"") && junit.stdout.contains("[new] "), "\(junit.stdout.prefix(800))")
        // Against itself nothing is new, and nothing is marked new.
        let same = try audit(legacy, profile: "nordlicht-router", ["--output", t.sub("legacy.json"), "--fail-on", "never"])
        try #require(same.code == 0)
        let again = try audit(legacy, profile: "nordlicht-router", ["--since", t.sub("legacy.json"), "--format", "text"])
        #expect(again.code == 0 && !again.stdout.contains(" NEW\n"), "\(again.stdout)")
        #expect(again.stderr.isEmpty, "same profile and device: no warning — \(again.stderr)")
    }

    @Test func anotherProfileOrDeviceIsWarnedAbout() throws {
        let t = try TempTree()
        let prev = try previous(t, Repo.path("Firmware-samples/yocto-scarthgap-acme-rauc"), profile: "acme-gateway")
        let r = try audit(legacy, profile: "nordlicht-router", ["--since", prev])
        #expect(r.stderr.contains("warning: --since") && r.stderr.contains("profile 'acme-gateway'") && r.stderr.contains("compared anyway"), "\(r.stderr)")
        #expect(r.stderr.contains("vendor"), "\(r.stderr)")
    }
}
