// `baseline-collector` (issue 7, first part): bulk ingest of real audit reports into SQLite, idempotency, refusal of
// bad input with nothing stored, shared-secret clusters and the vendor metrics.
import Foundation
import Testing

func collector(_ args: [String]) throws -> RunResult {
    let bin = Repo.root.appendingPathComponent(".build/debug/baseline-collector").path
    return try run(bin, args, timeout: 60, cwd: Repo.root.path)
}

/// JSON reports of every bundled sample, audited with its profile.
func sampleReports(_ t: TempTree) throws -> [String] {
    var out: [String] = []
    for line in try String(contentsOfFile: Repo.path("Firmware-samples/samples.txt"), encoding: .utf8).split(separator: "\n") {
        let w = line.split(separator: " ", omittingEmptySubsequences: true)
        guard w.count >= 2, !w[0].hasPrefix("#") else { continue }
        let file = t.sub("\(w[0]).json")
        _ = try baseline(["audit", Repo.path("Firmware-samples/\(w[0])"), "--profile", String(w[1]), "--format", "json",
                          "--date", Repo.auditDate, "--output", file])
        out.append(file)
    }
    return out
}

@Suite(.serialized) struct CollectorTests {
    @Test func ingestIsIdempotentAndTheVendorTableCountsUnits() throws {
        let t = try TempTree()
        try t.mkdir("reports")
        let rt = try TempTree()
        let files = try sampleReports(rt)
        #expect(files.count == 7)
        let db = t.sub("fleet.sqlite")
        let first = try collector(["ingest", rt.path, "--db", db])
        #expect(first.code == 0, "\(first.stderr)")
        #expect(first.stdout.contains("ingested 7 report(s) from 7 file(s): 7 new, 0 already stored; 7 in"))
        let again = try collector(["ingest", rt.path, "--db", db])
        #expect(again.stdout.contains("7 report(s) from 7 file(s): 0 new, 7 already stored; 7 in"))
        let json = try collector(["report", "--db", db, "--format", "json"])
        let doc = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let groups = doc?["groups"] as? [[String: Any]] ?? []
        let units = Dictionary(uniqueKeysWithValues: groups.map { ($0["vendor"] as? String ?? "", $0["units"] as? Int ?? 0) })
        #expect(units == ["Acme Networks": 2, "Nordlicht": 2, "Fernwerk": 2, "Sensorix": 1])
        // Sensorix's only unit fails CRED-01: density 1/1, Wilson 95% interval [0.207, 1].
        let sensorix = groups.first { $0["vendor"] as? String == "Sensorix" }
        let cred01 = (sensorix?["checks"] as? [[String: Any]])?.first { $0["check"] as? String == "CRED-01" }
        #expect(cred01?["failures"] as? Int == 1)
        let ci = cred01?["ci95"] as? [Double] ?? []
        #expect(ci.count == 2 && abs(ci[0] - 0.2065) < 0.001 && ci[1] == 1)
        #expect(cred01?["below_minimum_sample"] as? Bool == true)
        let table = try collector(["report", "--db", db, "--by", "model"])
        #expect(table.stdout.contains("Acme Networks / GW-7100"))
        let csv = try collector(["report", "--db", db, "--format", "csv"])
        #expect(csv.stdout.hasPrefix("rank,vendor,model,firmware,units,score,check,evaluated,failures,density,ci_low,ci_high,below_minimum_sample\n"))
    }

    @Test func unitsSharingAHostKeyFormACluster() throws {
        let rt = try TempTree()
        let files = try sampleReports(rt)
        // Three units of the same firmware: the same report under new report and device ids (same baked host key).
        let src = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: files.first { $0.contains("kirkstone") }!))) as! [String: Any]
        #expect(((src["fingerprints"] as? [String: Any])?["host_keys"] as? [Any])?.isEmpty == false)
        var batch: [[String: Any]] = []
        for i in 0..<3 {
            var r = src
            r["report_id"] = UUID().uuidString.lowercased()
            var subject = r["subject"] as! [String: Any]
            subject["device_id"] = "hmac-sha256:" + String(repeating: "\(i)", count: 64)
            r["subject"] = subject
            batch.append(r)
        }
        let t = try TempTree()
        try t.write("batch.json", String(decoding: try JSONSerialization.data(withJSONObject: batch), as: UTF8.self))
        let db = t.sub("fleet.sqlite")
        #expect(try collector(["ingest", t.sub("batch.json"), "--db", db]).code == 0)
        let json = try collector(["report", "--db", db, "--format", "json"])
        let g = ((try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])?["groups"] as? [[String: Any]])?.first
        let cu = g?["credential_uniqueness"] as? [String: Int]
        #expect(g?["units"] as? Int == 3)
        #expect(cu?["units_sharing_host_key"] == 3)
        #expect(cu?["largest_shared_cluster"] == 3)
    }

    @Test func badInputIsRefusedAndNothingIsStored() throws {
        let rt = try TempTree()
        let files = try sampleReports(rt)
        let t = try TempTree()
        let db = t.sub("fleet.sqlite")
        try t.write("notjson.json", "{ not json")
        try t.write("wrong.json", #"{"schema": "baseline.profile/1"}"#)
        var bad = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: files[0]))) as! [String: Any]
        var f = (bad["findings"] as! [[String: Any]])
        f[0]["status"] = "maybe"
        bad["findings"] = f
        try t.write("badstatus.json", String(decoding: try JSONSerialization.data(withJSONObject: bad), as: UTF8.self))
        for (file, message) in [("notjson.json", "not JSON"), ("wrong.json", "schema 'baseline.profile/1' is not baseline.report/1"),
                                ("badstatus.json", "not a valid baseline.report/1: '/findings/0/status': expected one of 'pass', 'fail', 'warn', 'info', 'skip', 'error', found 'maybe'")] {
            // A good file and a bad one together: the bad one is named, and neither is stored.
            let r = try collector(["ingest", files[0], t.sub(file), "--db", db])
            #expect(r.code == 3)
            #expect(r.stderr.split(separator: "\n").count == 1)
            #expect(r.stderr.hasPrefix("baseline-collector: " + t.sub(file) + ": "))
            #expect(r.stderr.contains(message), "\(r.stderr)")
        }
        let ok = try collector(["ingest", files[0], "--db", db])
        #expect(ok.stdout.contains("1 new, 0 already stored; 1 in"))
        #expect(try collector(["ingest", t.sub("missing.json"), "--db", db]).code == 3)
    }
}
