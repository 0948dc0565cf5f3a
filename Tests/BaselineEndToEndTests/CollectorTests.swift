// `baseline-collector` stores, on SQLite and on a real PostgreSQL server with the same assertions: bulk ingest of real
// audit reports, idempotency, refusal of bad input with nothing stored, shared-secret clusters, vendor metrics checked
// against an independent computation over the report files, newer reports replacing older ones per period, and two
// collector processes ingesting into one store at once.
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
    @Test(arguments: StoreKind.allCases) func ingestIsIdempotentAndTheVendorTableCountsUnits(_ kind: StoreKind) throws {
        let t = try TempTree()
        try t.mkdir("reports")
        let rt = try TempTree()
        let files = try sampleReports(rt)
        #expect(files.count == 7)
        let db = try kind.fresh(t)
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
        // Every grouping and period validates against Profiles/schema/vendor-metrics.schema.json (python-jsonschema).
        var metricFiles: [String] = []
        for by in ["vendor", "model", "firmware"] {
            for period in ["all", "latest"] {
                let r = try collector(["report", "--db", db, "--by", by, "--period", period, "--format", "json"])
                try t.write("metrics-\(by)-\(period).json", r.stdout)
                metricFiles.append(t.sub("metrics-\(by)-\(period).json"))
            }
        }
        let v = try python([Repo.path("Tests/scripts/validate_json.py"), Repo.path("Profiles/schema/vendor-metrics.schema.json")] + metricFiles)
        #expect(v.code == 0, "\(v.stdout)\(v.stderr)")
        let table = try collector(["report", "--db", db, "--by", "model"])
        #expect(table.stdout.contains("Acme Networks / GW-7100"))
        let csv = try collector(["report", "--db", db, "--format", "csv"])
        #expect(csv.stdout.hasPrefix("rank,vendor,model,firmware,units,score,check,evaluated,failures,density,ci_low,ci_high,below_minimum_sample\n"))
    }

    @Test(arguments: StoreKind.allCases) func unitsSharingAHostKeyFormACluster(_ kind: StoreKind) throws {
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
        let db = try kind.fresh(t)
        // The vendor profile lists that host key as the factory image's: the collector counts the units still carrying it.
        let hostKey = (((src["fingerprints"] as? [String: Any])?["host_keys"] as? [[String: Any]])?.first?["sha256"] as? String) ?? ""
        try t.mkdir("profiles")
        try t.write("profiles/acme.json", #"{"schema": "baseline.profile/1", "id": "acme-gateway", "factory_fingerprints": ["# + "\"\(hostKey)\"]}")
        #expect(try collector(["ingest", t.sub("batch.json"), "--db", db, "--profiles", t.sub("profiles")]).code == 0)
        let json = try collector(["report", "--db", db, "--format", "json"])
        let g = ((try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])?["groups"] as? [[String: Any]])?.first
        let cu = g?["credential_uniqueness"] as? [String: Any]
        #expect(g?["units"] as? Int == 3)
        #expect(cu?["units_sharing_host_key"] as? Int == 3)
        #expect(cu?["largest_shared_cluster"] as? Int == 3)
        #expect(cu?["units_with_factory_secrets"] as? Int == 3)
        // A profile that is not JSON is named, not skipped.
        try t.write("profiles/broken.json", "{ \"schema\": ")
        let broken = try collector(["ingest", t.sub("batch.json"), "--db", db, "--profiles", t.sub("profiles")])
        #expect(broken.code == 3)
        #expect(broken.stderr.contains("broken.json: not JSON"), "\(broken.stderr)")
    }

    @Test(arguments: StoreKind.allCases) func badInputIsRefusedAndNothingIsStored(_ kind: StoreKind) throws {
        let rt = try TempTree()
        let files = try sampleReports(rt)
        let t = try TempTree()
        let db = try kind.fresh(t)
        try t.write("notjson.json", "{\n  \"schema\": \"baseline.report/1\",\n  not json\n}")
        try t.write("wrong.json", #"{"schema": "baseline.profile/1"}"#)
        var bad = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: files[0]))) as! [String: Any]
        var f = (bad["findings"] as! [[String: Any]])
        f[0]["status"] = "maybe"
        bad["findings"] = f
        try t.write("badstatus.json", String(decoding: try JSONSerialization.data(withJSONObject: bad), as: UTF8.self))
        // A batch whose first reports are well-formed and whose end is cut short (read and cut as it arrives: the
        // reports before the cut are parsed first, and still nothing is stored); an empty file.
        let one = try String(contentsOfFile: files[0], encoding: .utf8)
        let batch = "[\n" + Array(repeating: one, count: 3).joined(separator: ",\n") + "\n]\n"
        try t.write("cut.json", String(batch.prefix(batch.count - 200)))
        try t.write("empty.json", "")
        for (file, message) in [("notjson.json", "line 3: not JSON"), ("wrong.json", "schema 'baseline.profile/1' is not baseline.report/1"),
                                ("cut.json", "not JSON"), ("empty.json", "not JSON"),
                                ("badstatus.json", "'/findings/0/status': expected one of 'pass', 'fail', 'warn', 'info', 'skip', 'error', found 'maybe'")] {
            // A good file and a bad one together: the bad one is named, and neither is stored.
            let r = try collector(["ingest", files[0], t.sub(file), "--db", db])
            #expect(r.code == 3)
            #expect(r.stderr.split(separator: "\n").count == 1)
            #expect(r.stderr.hasPrefix("baseline-collector: " + t.sub(file) + ": "))
            #expect(r.stderr.contains(message), "\(r.stderr)")
        }
        let ok = try collector(["ingest", files[0], "--db", db])
        #expect(ok.stdout.contains("1 new, 0 already stored; 1 in"))
        // A named pipe is read to its end (it has no size to read it in pieces by).
        let fifo = t.sub("pipe.json")
        #expect(mkfifo(fifo, 0o600) == 0)
        let writer = Process()
        writer.executableURL = URL(fileURLWithPath: "/bin/sh")
        writer.arguments = ["-c", "cat \"$0\" > \"$1\"", files[0], fifo]
        try writer.run()
        let piped = try collector(["ingest", fifo, "--db", db])
        writer.waitUntilExit()
        #expect(piped.code == 0 && piped.stdout.contains("0 new, 1 already stored; 1 in"), "\(piped.stdout)\(piped.stderr)")
        #expect(try collector(["ingest", t.sub("missing.json"), "--db", db]).code == 3)
        #expect(try storeQuery(db, "SELECT count(*) FROM reports") == "1")
    }

    /// What the metrics must say, computed here from the report files (latest report of every device).
    struct Expected: Equatable {
        var units: [String: Int] = [:], failing: [String: Int] = [:], sharedHostKey: [String: Int] = [:], largest: [String: Int] = [:]
        var checkFailures: [String: Int] = [:]       // "vendor check" → failing units

        init(_ files: [String], month: String? = nil) throws {
            var latest: [String: [String: Any]] = [:]
            for f in files {
                for r in (try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: f))) as? [[String: Any]]) ?? [] {
                    let date = r["audit_date"] as! String
                    if let m = month, !date.hasPrefix(m) { continue }
                    let unit = (r["subject"] as! [String: Any])["device_id"] as! String
                    func key(_ x: [String: Any]) -> (String, String, String) { (x["audit_date"] as! String, x["generated_at"] as! String, x["report_id"] as! String) }
                    if let old = latest[unit], key(old) >= key(r) { continue }
                    latest[unit] = r
                }
            }
            var holders: [String: [String]] = [:]     // host key → vendors of the units carrying it
            for r in latest.values {
                let vendor = (r["subject"] as! [String: Any])["vendor"] as! String
                units[vendor, default: 0] += 1
                for f in r["findings"] as! [[String: Any]] where f["status"] as! String == "fail" {
                    failing[vendor, default: 0] += 1
                    checkFailures["\(vendor) \(f["id"] as! String)", default: 0] += 1
                }
                for k in (r["fingerprints"] as! [String: Any])["host_keys"] as! [[String: Any]] { holders[k["sha256"] as! String, default: []].append(vendor) }
            }
            for (_, vendors) in holders where vendors.count > 1 {
                for v in vendors { sharedHostKey[v, default: 0] += 1; largest[v] = max(largest[v] ?? 0, vendors.count) }
            }
        }

        /// The same figures from `report --format json`.
        init(metrics: [String: Any]) {
            for g in metrics["groups"] as? [[String: Any]] ?? [] {
                let v = g["vendor"] as! String
                units[v] = g["units"] as? Int
                if let f = g["failing_findings"] as? Int, f > 0 { failing[v] = f }
                let cu = g["credential_uniqueness"] as? [String: Any] ?? [:]
                if let n = cu["units_sharing_host_key"] as? Int, n > 0 { sharedHostKey[v] = n; largest[v] = cu["largest_shared_cluster"] as? Int }
                for c in g["checks"] as? [[String: Any]] ?? [] where (c["failures"] as? Int ?? 0) > 0 {
                    checkFailures["\(v) \(c["check"] as! String)"] = c["failures"] as? Int
                }
            }
        }
    }

    func metrics(_ db: String, _ extra: [String] = []) throws -> [String: Any] {
        let r = try collector(["report", "--db", db, "--format", "json"] + extra)
        #expect(r.code == 0, "\(r.stderr)")
        return try #require(r.json)
    }

    @Test(arguments: StoreKind.allCases) func newerReportsReplaceOlderOnesInEveryPeriod(_ kind: StoreKind) throws {
        let t = try TempTree()
        let db = try kind.fresh(t)
        // 240 devices audited in October and November, then 100 of them again in December (new reports, new statuses).
        let first = try synthReports(t, count: 240, perFile: 80, months: "2026-10,2026-11", dir: "first")
        let again = try synthReports(t, count: 100, perFile: 50, months: "2026-12", dir: "again")
        #expect(try collector(["ingest"] + first + ["--db", db]).code == 0)
        let before = try metrics(db)
        #expect(Expected(metrics: before) == (try Expected(first)))
        let r = try collector(["ingest"] + again + ["--db", db])
        #expect(r.stdout.contains("ingested 100 report(s) from 2 file(s): 100 new, 0 already stored; 340 in"), "\(r.stdout)\(r.stderr)")
        let all = try Expected(first + again)
        #expect(all.units.values.reduce(0, +) == 240)
        #expect(Expected(metrics: try metrics(db)) == all)
        for month in ["2026-10", "2026-11", "2026-12"] {
            #expect(Expected(metrics: try metrics(db, ["--period", month])) == (try Expected(first + again, month: month)), "\(month)")
        }
        // The latest month against the one before: every vendor has a change; the JSON names the previous period.
        let groups = try metrics(db)["groups"] as? [[String: Any]] ?? []
        #expect(groups.count == 8)
        #expect(groups.allSatisfy { ($0["change"] as? [String: Any])?["previous_period"] as? String == "2026-11" })
        // Support remaining and firmware age come from LIFE-02 and the build ids (2025MMDD-…), as medians.
        let life = groups.first?["lifecycle"] as? [String: Any]
        #expect(life?["median_support_days_remaining"] is Int)
        #expect(groups.first?["median_firmware_age_days"] is Int)
        // Shared host keys: the factory key clusters, per vendor and model.
        let clusters = try collector(["clusters", "--db", db, "--limit", "3"])
        #expect(clusters.code == 0)
        #expect(clusters.stdout.split(separator: "\n").count == 3)
        #expect(clusters.stdout.contains("units share host key SHA256:"))
        // Ingesting everything again changes nothing.
        #expect(try collector(["ingest"] + first + again + ["--db", db]).stdout.contains("0 new, 340 already stored; 340 in"))
        #expect(Expected(metrics: try metrics(db)) == all)
    }

    @Test(arguments: StoreKind.allCases) func twoCollectorsIngestingAtOnceLoseAndDuplicateNothing(_ kind: StoreKind) throws {
        let t = try TempTree()
        let db = try kind.fresh(t)
        // Overlapping halves: devices 0–299 and 150–449 (the same report ids where they overlap), in small batches.
        let a = try synthReports(t, count: 300, start: 0, perFile: 20, dir: "a")
        let b = try synthReports(t, count: 300, start: 150, perFile: 20, dir: "b")
        let bin = Repo.root.appendingPathComponent(".build/debug/baseline-collector").path
        var procs: [Process] = []
        for files in [a, b] {     // two streams at once, one collector process per batch: many concurrent transactions
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", files.map { "'\(bin)' ingest '\($0)' --db '\(db)' >/dev/null || exit 1" }.joined(separator: "; ")]
            p.currentDirectoryURL = Repo.root
            try p.run()
            procs.append(p)
        }
        for p in procs { p.waitUntilExit(); #expect(p.terminationStatus == 0) }
        #expect(try storeQuery(db, "SELECT count(*) FROM reports") == "450")
        #expect(try storeQuery(db, "SELECT count(DISTINCT report_id) FROM reports") == "450")
        #expect(Expected(metrics: try metrics(db)) == (try Expected(a + b)))
    }
}
