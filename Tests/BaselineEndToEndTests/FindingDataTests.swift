// Issue 19: findings carry machine-readable data (LIFE-02's support end, LIFE-04's end of life), and the collector
// reads it from there, not from the message text; reports written before `data` existed still count (the text).
import Foundation
import Testing

@Suite struct FindingDataTests {
    func findings(_ json: String) throws -> [[String: Any]] {
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        return doc["findings"] as? [[String: Any]] ?? []
    }

    @Test func supportEndAndEndOfLifeAreData() throws {
        let acme = try audit(Repo.path("Firmware-samples/yocto-scarthgap-acme-rauc"), profile: "acme-gateway")
        let life02 = try findings(acme.stdout).first { $0["id"] as? String == "LIFE-02" }
        #expect((life02?["data"] as? [String: String])?["support_end"] == "2028-04-30", "\(life02 ?? [:])")
        #expect(try validateReport(acme))
        let legacy = try audit(Repo.path("Firmware-samples/debian-11-fernwerk-legacy"), profile: "fernwerk-edge")
        let life04 = try findings(legacy.stdout).first { $0["id"] as? String == "LIFE-04" }
        #expect(life04?["status"] as? String == "fail", "Debian 11 is past its end of life on the audit date")
        let eol = (life04?["data"] as? [String: String])?["eol"] ?? ""
        #expect(eol == "2026-08-31" && (life04?["message"] as? String ?? "").contains(eol), "\(life04 ?? [:])")
    }

    @Test func theCollectorReadsTheDataNotTheText() throws {
        let t = try TempTree()
        let r = try audit(Repo.path("Firmware-samples/yocto-scarthgap-acme-rauc"), profile: "acme-gateway", ["--fail-on", "never"])
        var doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        // Three copies of the report (other ids, other units): as written; with no date left in the text (data only);
        // with no data (the text only: a date in a message is never read, so that unit declares no support end).
        func variant(_ name: String, _ n: Int, _ edit: (inout [String: Any]) -> Void) throws -> String {
            var d = doc
            d["report_id"] = UUID().uuidString.lowercased()
            var subject = d["subject"] as? [String: Any] ?? [:]
            subject["device_id"] = "hmac-sha256:" + String(repeating: String(n), count: 64)
            subject.removeValue(forKey: "image_id")
            d["subject"] = subject
            var fs = d["findings"] as? [[String: Any]] ?? []
            for i in fs.indices where fs[i]["id"] as? String == "LIFE-02" { edit(&fs[i]) }
            d["findings"] = fs
            let path = t.sub(name)
            try JSONSerialization.data(withJSONObject: d).write(to: URL(fileURLWithPath: path))
            return path
        }
        let files = [try variant("as-written.json", 1) { _ in },
                     try variant("data-only.json", 2) { f in f["message"] = "supported"; f["evidence"] = [[String: Any]]() },
                     try variant("text-only.json", 3) { f in f.removeValue(forKey: "data") }]
        doc = [:]
        let db = t.sub("fleet.sqlite")
        let ingest = try collector(["ingest"] + files + ["--db", db])
        #expect(ingest.code == 0, "\(ingest.stderr)")
        let days = try storeQuery(db, "SELECT support_days FROM units WHERE period = 'all' ORDER BY unit").split(separator: "\n").map(String.init)
        #expect(days.count == 3 && days[0] == days[1] && Int(days[0]) ?? 0 > 0 && days[2] == "None", "\(days)")
    }
}
