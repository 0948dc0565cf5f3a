// `baseline-collector serve` as agents and operators meet it, on SQLite and on PostgreSQL: real HTTP (curl, python's
// urllib), refusals with the right status and nothing stored, idempotent posts, the read API, Prometheus text checked
// with the Prometheus client library's parser, a collector killed with SIGKILL in the middle of a batch stream, and
// the dashboard loaded in headless Chromium.
import Foundation
import Testing

@Suite(.serialized) struct CollectorAPITests {
    static let northToken = "north-0123456789abcdef"
    static let southToken = "south-fedcba9876543210"
    static let northKeyID = "sha256:" + String(repeating: "a", count: 16)

    /// Two fleets: north pins its fleet key id; south's token is stored only as its SHA-256.
    func tokens(_ t: TempTree) throws -> String {
        let digest = try tool("/bin/sh", ["-c", "printf %s '\(CollectorAPITests.southToken)' | sha256sum | cut -d' ' -f1"]).trimmingCharacters(in: .whitespacesAndNewlines)
        try t.write("tokens", "# fleet token [fleet key id]\nnorth \(CollectorAPITests.northToken) \(CollectorAPITests.northKeyID)\nsouth sha256:\(digest)\n")
        return t.sub("tokens")
    }

    func reportCount(_ db: String) throws -> Int { Int(try storeQuery(db, "SELECT count(*) FROM reports")) ?? -1 }

    @Test(arguments: StoreKind.allCases) func refusalsStoreNothingAndGoodPostsAreIdempotent(_ kind: StoreKind) throws {
        let t = try TempTree()
        let db = try kind.fresh(t)
        let files = try sampleReports(t)
        let server = try CollectorServer(db: db, tokens: try tokens(t), extra: ["--max-body", "262144"])
        let url = server.base + "/v1/reports"
        let good = files.first { $0.contains("kirkstone") }!
        // Keyed with another fleet's key: north refuses it.
        var doc = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: good))) as! [String: Any]
        var fp = doc["fingerprints"] as! [String: Any]
        fp["fleet_key_id"] = "sha256:" + String(repeating: "b", count: 16)
        fp["private_keys"] = [[String: Any]]()     // with a fleet key, every secret would carry an HMAC
        doc["fingerprints"] = fp
        try t.write("other-fleet.json", String(decoding: try JSONSerialization.data(withJSONObject: doc), as: UTF8.self))
        var invalid = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: good))) as! [String: Any]
        invalid["findings"] = [["id": "CRED-01"]]
        try t.write("invalid.json", String(decoding: try JSONSerialization.data(withJSONObject: invalid), as: UTF8.self))
        try t.write("malformed.json", "[{\"schema\": \"baseline.report/1\",")
        try t.write("big.json", "[" + String(repeating: " ", count: 300_000) + "]")
        try t.write("empty.json", "[]")
        let cases: [(String, String?, [String], Int, String)] = [
            (good, nil, [], 401, "no bearer token"),
            (good, "not-a-token-of-any-fleet", [], 401, "unknown token"),
            (t.sub("other-fleet.json"), CollectorAPITests.northToken, [], 403, "keyed with fleet key sha256:bbbb"),
            (t.sub("big.json"), CollectorAPITests.northToken, [], 413, "limit is 262144"),
            (t.sub("malformed.json"), CollectorAPITests.northToken, [], 400, "not JSON"),
            (t.sub("invalid.json"), CollectorAPITests.northToken, [], 422, "'/findings/0': required property"),
            (t.sub("empty.json"), CollectorAPITests.northToken, [], 422, "no report"),
            (good, CollectorAPITests.northToken, ["Content-Type: text/plain"], 415, "expected application/json"),
            // curl --data-binary without -H sends a form content type: refused with the header to add when not JSON.
            (t.sub("malformed.json"), CollectorAPITests.northToken, ["Content-Type: application/x-www-form-urlencoded"], 415,
             "send the report with Content-Type: application/json"),
        ]
        for (file, token, headers, status, message) in cases {
            let a = try http("POST", url, token: token, bodyFile: file, headers: headers)
            #expect(a.status == status, "\(file): \(a.body)")
            #expect((a.json?["error"] as? String)?.contains(message) == true, "\(a.body)")
        }
        // Chunked upload over the limit (no Content-Length to refuse it early).
        let chunked = try http("POST", url, token: CollectorAPITests.northToken, bodyFile: t.sub("big.json"), headers: ["Transfer-Encoding: chunked"])
        #expect(chunked.status == 413)
        #expect(try reportCount(db) == 0)

        let first = try http("POST", url, token: CollectorAPITests.northToken, bodyFile: good)
        #expect(first.status == 201, "\(first.body)")
        #expect(first.json?["stored"] as? Int == 1)
        // The same report as curl sends it by default (application/x-www-form-urlencoded): a JSON body is taken.
        let again = try http("POST", url, token: CollectorAPITests.northToken, bodyFile: good, headers: ["Content-Type: application/x-www-form-urlencoded"])
        #expect(again.status == 200, "\(again.body)")
        #expect(again.json?["duplicates"] as? Int == 1)
        // The other fleet's token (kept as a hash in the file) posts a batch of every sample.
        let batch = "[" + (try files.map { try String(contentsOfFile: $0, encoding: .utf8) }).joined(separator: ",") + "]"
        try t.write("batch.json", batch)
        let b = try http("POST", url, token: CollectorAPITests.southToken, bodyFile: t.sub("batch.json"))
        #expect(b.status == 201, "\(b.body)")
        #expect(b.json?["received"] as? Int == 7 && b.json?["stored"] as? Int == 6 && b.json?["duplicates"] as? Int == 1)
        #expect(try reportCount(db) == 7)
        #expect(try storeQuery(db, "SELECT fleet FROM reports WHERE source_kind = 'rootfs' GROUP BY fleet ORDER BY fleet").split(separator: "\n") == ["north", "south"])

        // Read API.
        let vendors = try http("GET", server.base + "/v1/vendors")
        #expect(vendors.status == 200)
        let groups = vendors.json?["groups"] as? [[String: Any]] ?? []
        #expect(Set(groups.compactMap { $0["vendor"] as? String }) == ["Acme Networks", "Fernwerk", "Nordlicht", "Sensorix"])
        let byModel = try http("GET", server.base + "/v1/vendors?by=model")
        let models = byModel.json?["groups"] as? [[String: Any]] ?? []
        #expect(models.count >= 4 && models.allSatisfy { $0["model"] is String })
        #expect(try http("GET", server.base + "/v1/vendors?by=colour").status == 400)
        let acme = try http("GET", server.base + "/v1/vendors/Acme%20Networks")
        #expect(acme.status == 200)
        let units = acme.json?["units"] as? [[String: Any]] ?? []
        #expect(units.count == 2)
        #expect(try http("GET", server.base + "/v1/vendors/Nobody").status == 404)
        let unit = try #require(units.first?["unit"] as? String)
        let device = try http("GET", server.base + "/v1/devices/" + unit.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
        #expect(device.status == 200)
        #expect((device.json?["reports"] as? [[String: Any]])?.first?["schema"] as? String == "baseline.report/1")
        #expect(try http("GET", server.base + "/v1/devices/report%3Anone").status == 404)
        #expect(try http("GET", server.base + "/v1/clusters").json?["schema"] as? String == "baseline.clusters/1")

        // Prometheus text, parsed by the Prometheus client library.
        let metrics = try http("GET", server.base + "/metrics")
        #expect(metrics.status == 200)
        try t.write("metrics.txt", metrics.body)
        let parsed = try run(Repo.path("out/py/bin/python"), ["-c", """
            import sys
            from prometheus_client.parser import text_string_to_metric_families
            for f in text_string_to_metric_families(open(sys.argv[1]).read()):
                for s in f.samples:
                    print(s.name, ",".join(k + "=" + v for k, v in sorted(s.labels.items())), s.value)
            """, t.sub("metrics.txt")])
        #expect(parsed.code == 0, "\(parsed.stderr)")
        let samples = Set(parsed.stdout.split(separator: "\n").map(String.init))
        for line in ["baseline_fleet_reports  7", "baseline_vendor_units vendor=Acme Networks 2", "baseline_collector_responses_total status=401 2",
                     "baseline_collector_responses_total status=413 2", "baseline_vendor_check_failures check=CRED-01,vendor=Sensorix 1"] {
            #expect(samples.contains(line) || samples.contains(line + ".0"), "\(line)")
        }
        server.stop()
        #expect(!server.process.isRunning)
    }

    @Test(arguments: StoreKind.allCases) func sigkillMidStreamLosesNoAcknowledgedReport(_ kind: StoreKind) throws {
        let t = try TempTree()
        let db = try kind.fresh(t)
        let files = try synthReports(t, count: 600, perFile: 10)
        let all = try reportIDs(files)
        let tokens = try tokens(t)
        var server: CollectorServer? = try CollectorServer(db: db, tokens: tokens)
        let acked = t.sub("acked.txt")
        // Two agents posting batches; the collector is killed once some have been acknowledged.
        let poster = Process()
        poster.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        poster.arguments = [Repo.path("Tests/scripts/post-reports.py"), server!.base, CollectorAPITests.southToken, acked] + files + ["--concurrency", "2"]
        poster.standardOutput = FileHandle.nullDevice
        try poster.run()
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline && ((try? String(contentsOfFile: acked, encoding: .utf8))?.split(separator: "\n").count ?? 0) < 50 { usleep(5_000) }
        server!.kill9()
        poster.waitUntilExit()
        let acknowledged = Set((try String(contentsOfFile: acked, encoding: .utf8)).split(separator: "\n").map(String.init))
        #expect(acknowledged.count >= 50)
        #expect(acknowledged.count < all.count, "the kill came in the middle of the stream")
        server = nil
        // Restarted on the same store: every acknowledged report is there; posting everything again completes it.
        let restarted = try CollectorServer(db: db, tokens: tokens)
        let stored = Set(try storeQuery(db, "SELECT report_id FROM reports").split(separator: "\n").map(String.init))
        #expect(acknowledged.isSubset(of: stored), "lost: \(acknowledged.subtracting(stored).count)")
        let rest = try run("/usr/bin/python3", [Repo.path("Tests/scripts/post-reports.py"), restarted.base, CollectorAPITests.southToken, t.sub("acked2.txt")] + files,
                           timeout: 300)
        #expect(rest.stdout.contains("failed 0"), "\(rest.stdout)")
        #expect(try storeQuery(db, "SELECT count(*) FROM reports") == "\(all.count)")
        let units = try #require(try http("GET", restarted.base + "/v1/vendors").json?["groups"] as? [[String: Any]])
        #expect(units.reduce(0) { $0 + ($1["units"] as? Int ?? 0) } == all.count)
    }

    @Test func dashboardLoadsInChromium() throws {
        let t = try TempTree()
        let db = t.sub("fleet.sqlite")
        let files = try sampleReports(t) + (try synthReports(t, count: 160, perFile: 80, months: "2026-09,2026-10,2026-11"))
        #expect(try collector(["ingest"] + files + ["--db", db]).code == 0)
        let server = try CollectorServer(db: db, tokens: try tokens(t))
        let html = try http("GET", server.base + "/")
        #expect(html.status == 200)
        #expect(!html.body.contains("<script src"), "only the inline script")
        #expect(!html.body.contains("src=") && !html.body.contains("@import") && !html.body.contains("url("), "nothing fetched")
        let bin = try #require(HTMLReportTests.chromium, "chromium not installed (make deps installs it)")
        let flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run", "--enable-logging=stderr", "--v=0"]
        let png = t.sub("dashboard.png")
        let shot = try run(bin, flags + ["--window-size=1400,1800", "--screenshot=\(png)", server.base + "/"], timeout: 120)
        let size = (try? FileManager.default.attributesOfItem(atPath: png)[.size] as? Int) ?? 0
        #expect(size > 30_000, "a real screenshot: \(size) bytes\n\(shot.stderr.suffix(500))")
        #expect(!shot.stderr.contains("CONSOLE"), "console messages: \(shot.stderr)")
        let dom = try run(bin, flags + ["--dump-dom", server.base + "/"], timeout: 120)
        #expect(dom.stdout.contains("<table id=\"vendors\" class=\"sortable\">"))
        for v in ["Acme Networks", "Fernwerk", "Nordlicht", "Sensorix", "Vendor00", "Vendor07"] { #expect(dom.stdout.contains(">\(v)</a>"), "\(v)") }
        #expect(dom.stdout.contains("<svg id=\"trend\""))
        #expect(dom.stdout.contains("<polyline"), "trend lines over three months")
        #expect(dom.stdout.contains("<table id=\"clusters\" class=\"sortable\">"))
        #expect(dom.stdout.contains("<table id=\"areas\" class=\"sortable\">"))
        // Drill-down: vendor page, then one of its devices.
        let vendor = try run(bin, flags + ["--dump-dom", server.base + "/vendors/Vendor03"], timeout: 120)
        #expect(vendor.stdout.contains("<table id=\"units\" class=\"sortable\">"))
        let link = try #require(vendor.stdout.range(of: "href=\"/devices/")).upperBound
        let id = String(vendor.stdout[link...].prefix { $0 != "\"" })
        let device = try run(bin, flags + ["--dump-dom", server.base + "/devices/" + id], timeout: 120)
        #expect(device.stdout.contains("<table id=\"findings\" class=\"sortable\">"))
        #expect(device.stdout.contains(">CRED-01<"))
        #expect(!device.stderr.contains("CONSOLE") && !vendor.stderr.contains("CONSOLE"))
        #expect(try http("GET", server.base + "/vendors/Nobody").status == 404)
    }
}
