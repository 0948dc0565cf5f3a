// Gating outputs: SARIF 2.1.0 (validated against the OASIS schema), JUnit XML (parsed), and --since.
import Foundation
import Testing

@Suite("SARIF, JUnit and --since")
struct OutputFormatTests {
    /// A firmware file: the image is the analysis target (artifact 0) and the files findings point at are artifacts
    /// nested in it, with paths relative to its root file system — what a CI annotation needs.
    @Test func sarifForAFirmwareImageNamesTheFileInsideTheImage() throws {
        let t = try TempTree()
        let out = t.sub("fw.sarif")
        let image = try VendorImages.path("legacy-trx.bin")
        let r = try baseline(["audit", image, "--profile", "nordlicht-router", "--date", Repo.auditDate, "--format", "sarif", "--output", out])
        #expect(r.code == 1, "\(r.stderr)")
        let v = try python([Repo.path("Tests/scripts/validate_json.py"), Repo.path("Tests/fixtures/sarif-schema-2.1.0.json"), out])
        #expect(v.code == 0, "\(v.stdout)\(v.stderr)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [String: Any])
        let run0 = try #require((doc["runs"] as? [[String: Any]])?.first)
        let artifacts = try #require(run0["artifacts"] as? [[String: Any]])
        #expect((artifacts[0]["location"] as? [String: Any])?["uri"] as? String == image)
        #expect((artifacts[0]["roles"] as? [String]) == ["analysisTarget"])
        #expect((artifacts[0]["properties"] as? [String: Any])?["rootOffset"] as? Int == 0x50000)
        let results = try #require(run0["results"] as? [[String: Any]])
        let cred = try #require(results.first { $0["ruleId"] as? String == "CRED-02" })
        let art = try #require((((cred["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])?["artifactLocation"]) as? [String: Any])
        #expect(art["uri"] as? String == "etc/passwd")
        let idx = try #require(art["index"] as? Int)
        #expect(artifacts[idx]["parentIndex"] as? Int == 0 && (artifacts[idx]["location"] as? [String: Any])?["uri"] as? String == "etc/passwd")
    }

    @Test("SARIF validates against the SARIF 2.1.0 schema", arguments: sampleExpectations)
    func sarif(_ e: SampleExpectation) throws {
        let t = try TempTree()
        let out = t.sub("r.sarif")
        let r = try baseline(["audit", Repo.path("Firmware-samples/" + e.sample), "--profile", e.profile, "--date", Repo.auditDate,
                              "--format", "sarif", "--output", out])
        #expect(r.code == e.exit, "\(r.stderr)")
        let v = try python([Repo.path("Tests/scripts/validate_json.py"), Repo.path("Tests/fixtures/sarif-schema-2.1.0.json"), out])
        #expect(v.code == 0, "\(v.stdout)\(v.stderr)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [String: Any])
        let run0 = try #require((doc["runs"] as? [[String: Any]])?.first)
        let results = try #require(run0["results"] as? [[String: Any]])
        let expected = e.notPassing.filter { ["fail", "warn", "error"].contains($0.value) }.keys.sorted()
        #expect(results.compactMap { $0["ruleId"] as? String }.sorted() == expected)
        let rules = try #require(((run0["tool"] as? [String: Any])?["driver"] as? [String: Any])?["rules"] as? [[String: Any]])
        #expect(rules.count == 26)
        for res in results {
            let loc = (res["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any]
            let art = loc?["artifactLocation"] as? [String: Any]
            if let uri = art?["uri"] as? String, art?["uriBaseId"] as? String == "ROOTFS" {
                #expect(!uri.hasPrefix("/"), "root-relative URIs")
                #expect(FileManager.default.fileExists(atPath: Repo.path("Firmware-samples/\(e.sample)/\(uri)")) || uri.hasPrefix("etc/os-release"),
                        "the location exists in the tree: \(uri)")
            }
            #expect((res["partialFingerprints"] as? [String: String])?["baselineFinding/v1"]?.count == 64)
        }
    }

    @Test("JUnit XML has one test case per check", arguments: sampleExpectations)
    func junit(_ e: SampleExpectation) throws {
        let r = try baseline(["audit", Repo.path("Firmware-samples/" + e.sample), "--profile", e.profile, "--date", Repo.auditDate, "--format", "junit"])
        #expect(r.code == e.exit)
        let t = try TempTree(["r.xml": r.stdout])
        let check = try python([Repo.path("Tests/scripts/junit_summary.py"), t.sub("r.xml")])
        #expect(check.code == 0, "\(check.stdout)\(check.stderr)")
        let fails = e.notPassing.filter { $0.value == "fail" }.count + (e.exit == 1 ? e.notPassing.filter { $0.value == "warn" }.count : 0)
        let skips = e.notPassing.filter { $0.value == "skip" }.count
        #expect(check.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "tests=26 failures=\(fails) errors=0 skipped=\(skips)")
    }

    @Test func sinceReportsOnlyNewFindings() throws {
        let t = try TempTree()
        let sample = Repo.path("Firmware-samples/debian-13-fernwerk")
        // the previous release: the legacy image, which fails a lot
        let prev = t.sub("prev.json")
        _ = try baseline(["audit", Repo.path("Firmware-samples/debian-11-fernwerk-legacy"), "--profile", "fernwerk-edge", "--date", Repo.auditDate,
                          "--format", "json", "--output", prev])
        // same image again: nothing new
        let same = try baseline(["audit", Repo.path("Firmware-samples/debian-11-fernwerk-legacy"), "--profile", "fernwerk-edge", "--date", Repo.auditDate, "--since", prev])
        #expect(same.code == 0, "\(same.stdout.suffix(300))")
        #expect(same.stdout.contains("0 new finding(s)"))
        // a new release with one new problem (telnet via xinetd) on top of a clean image
        try FileManager.default.copyItem(atPath: sample, toPath: t.sub("rootfs"))
        try t.write("rootfs/etc/xinetd.d/telnet", "service telnet\n{\n  disable = no\n  server = /usr/sbin/in.telnetd\n}\n")
        let prevClean = t.sub("prev-clean.json")
        _ = try baseline(["audit", sample, "--profile", "fernwerk-edge", "--date", Repo.auditDate, "--format", "json", "--output", prevClean])
        let newer = try baseline(["audit", t.sub("rootfs"), "--profile", "fernwerk-edge", "--date", Repo.auditDate, "--since", prevClean])
        #expect(newer.code == 1)
        #expect(newer.stdout.contains("1 new finding(s): SURF-01"))
        let sarif = try baseline(["audit", t.sub("rootfs"), "--profile", "fernwerk-edge", "--date", Repo.auditDate, "--since", prevClean, "--format", "sarif"])
        let sarifDoc = try JSONSerialization.jsonObject(with: Data(sarif.stdout.utf8)) as? [String: Any]
        let sarifResults = ((sarifDoc?["runs"] as? [[String: Any]])?.first?["results"] as? [[String: Any]]) ?? []
        #expect(sarifResults.contains { $0["ruleId"] as? String == "SURF-01" && $0["baselineState"] as? String == "new" })
        #expect(sarifResults.filter { $0["baselineState"] as? String == "new" }.count == 1, "only SURF-01 is new")
        let bad = try baseline(["audit", sample, "--since", t.sub("nope.json")])
        #expect(bad.code == 2)
        try t.write("garbage.json", "{\"schema\": \"other\"}")
        let bad2 = try baseline(["audit", sample, "--since", t.sub("garbage.json")])
        #expect(bad2.code == 2)
        #expect(bad2.stderr.contains("baseline.report/1"))
    }
}

@Suite("HTML report in headless Chromium")
struct HTMLReportTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }

    func chrome(_ args: [String]) throws -> RunResult {
        let bin = try #require(HTMLReportTests.chromium, "chromium not installed (make deps installs it)")
        return try run(bin, ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
                             "--enable-logging=stderr", "--v=0"] + args, timeout: 120)
    }

    @Test("renders, shows every finding with evidence and fix, no console errors", arguments: [sampleExpectations[3], sampleExpectations[1]])
    func render(_ e: SampleExpectation) throws {
        let t = try TempTree()
        let html = t.sub("report.html")
        let r = try baseline(["audit", Repo.path("Firmware-samples/" + e.sample), "--profile", e.profile, "--date", Repo.auditDate,
                              "--format", "html", "--output", html])
        #expect(r.code == e.exit)
        let source = try String(contentsOfFile: html, encoding: .utf8)
        #expect(source.components(separatedBy: "<script").count == 2 && source.contains("<script>\n"), "one inline script")
        let hrefs = source.components(separatedBy: "href=\"").dropFirst().map { $0.prefix(1) }
        #expect(!source.contains("src=") && hrefs.allSatisfy { $0 == "#" } && !source.contains("@import") && !source.contains("url("),
                "nothing fetched; links only jump inside the page")
        // Screenshots at a desktop and a phone width (kept in the test's directory); no console message.
        for width in [1280, 390] {
            let png = t.sub("report-\(width).png")
            let shot = try chrome(["--window-size=\(width),1600", "--screenshot=\(png)", "file://\(html)"])
            let size = (try? FileManager.default.attributesOfItem(atPath: png)[.size] as? Int) ?? 0
            #expect(size > 20_000, "a real screenshot at \(width) px: \(size) bytes\n\(shot.stderr.suffix(500))")
            #expect(!shot.stderr.contains("CONSOLE"), "console messages: \(shot.stderr)")
            // Nothing wider than the window (headless Chromium lays out --dump-dom at 500 px at least).
            let laid = try chrome(["--hide-scrollbars", "--window-size=\(width),900", "--dump-dom", "file://\(html)"])
            #expect(laid.stdout.contains("data-overflow=\"false\""), "\(width) px: \(laid.stdout.prefix(300))")
        }
        let dom = try chrome(["--dump-dom", "file://\(html)"])
        #expect(dom.stdout.contains("id=\"verdict\""))
        #expect(dom.stdout.contains(e.exit == 0 ? ">PASS<" : ">FAIL<"))
        for (id, status) in e.notPassing where status == "fail" || status == "warn" {
            #expect(dom.stdout.range(of: "<details class=\"\(status)\" id=\"\(id)\" data-status=\"\(status)\" data-severity=\"[a-z]+\" open=\"\"",
                                     options: .regularExpression) != nil, "\(id) is shown open")
        }
        #expect(dom.stdout.components(separatedBy: "<details").count - 1 == 26)
        // At the top: totals, findings by severity, jump links to every area and finding, a legend for the bars,
        // coverage and the SBOM summary.
        for id in ["id=\"totals\"", "id=\"severities\"", "id=\"toc\"", "id=\"legend\"", "id=\"coverage\"", "id=\"sbom\"", "id=\"filters\""] {
            #expect(dom.stdout.contains(id), "\(id)")
        }
        for (id, st) in e.notPassing where ["fail", "warn", "error"].contains(st) { #expect(dom.stdout.contains("<a href=\"#\(id)\""), "jump link to \(id)") }
        #expect(dom.stdout.contains("data-shown=\"26\""), "without a filter every check is shown")
        // Filters from the URL: only failing checks (of any severity) stay visible.
        let want = e.notPassing.filter { $0.value == "fail" }.count
        let filtered = try chrome(["--dump-dom", "file://\(html)#status=fail&severity=critical,high,medium,low,info"])
        #expect(filtered.stdout.contains("data-shown=\"\(want)\""), "\(want) failing checks shown")
        #expect(filtered.stdout.components(separatedBy: "<details class=\"pass\"").dropFirst().allSatisfy { $0.prefix(200).contains("hidden=\"\"") },
                "every passing check hidden")
    }
}
