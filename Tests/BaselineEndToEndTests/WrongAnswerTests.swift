// Issue 18, "wrong answers": a verdict that does not depend on --fail-on, a directory that is not a root filesystem
// refused, a mistyped --db not taken for an empty fleet, a scan that reached nothing not passing, and the same image
// audited twice counted as one unit.
import Foundation
import Testing

/// The verdict each format states, read the way a user or a CI system would.
func statedVerdict(_ format: String, _ out: String) throws -> String? {
    switch format {
    case "json":
        let doc = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any]
        return (doc?["summary"] as? [String: Any])?["verdict"] as? String
    case "sarif":
        let doc = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any]
        let run0 = (doc?["runs"] as? [[String: Any]])?.first
        return ((run0?["invocations"] as? [[String: Any]])?.first?["properties"] as? [String: Any])?["verdict"] as? String
    case "html":
        if out.contains("id=\"verdict\">FAIL<") { return "fail" }
        return out.contains("id=\"verdict\">PASS<") ? "pass" : nil
    case "text":
        if out.contains("Verdict: FAIL") { return "fail" }
        return out.contains("Verdict: PASS") ? "pass" : nil
    case "junit":
        guard let r = out.range(of: "<property name=\"baseline.verdict\" value=\"") else { return nil }
        return String(out[r.upperBound...].prefix { $0 != "\"" })
    default: return nil
    }
}

@Suite("Issue 18: wrong answers")
struct WrongAnswerTests {
    static let formats = ["json", "sarif", "html", "text", "junit"]

    @Test("the verdict is the same with --fail-on never; only the exit code changes",
          arguments: [("debian-11-fernwerk-legacy", "fail"), ("debian-13-fernwerk", "pass")])
    func verdictIgnoresFailOn(_ sample: String, _ expected: String) throws {
        let root = Repo.path("Firmware-samples/" + sample)
        for format in WrongAnswerTests.formats {
            let base = ["audit", root, "--profile", "fernwerk-edge", "--date", Repo.auditDate, "--format", format]
            let gated = try baseline(base)
            let never = try baseline(base + ["--fail-on", "never"])
            #expect(try statedVerdict(format, gated.stdout) == expected, "\(format), default --fail-on")
            #expect(try statedVerdict(format, never.stdout) == expected, "\(format), --fail-on never")
            #expect(gated.code == (expected == "fail" ? 1 : 0), "\(format): \(gated.stderr)")
            #expect(never.code == 0, "\(format): \(never.stderr)")
            if format == "json" {
                #expect(try validateReport(never))
                let summary = never.json?["summary"] as? [String: Any]
                #expect(summary?["fail_on"] as? String == "never" && summary?["failing"] as? Int == 0)
            }
            if format == "text" && expected == "fail" {
                #expect(never.stdout.contains("Verdict: FAIL — 7 fail"), "\(never.stdout.suffix(200))")
            }
        }
    }

    @Test func acceptedFindingsSetTheExitCodeNotTheVerdict() throws {
        let t = try TempTree()
        let failing = ["CRED-02", "CRED-03", "CRED-09", "UPD-05", "UPD-06", "UPD-07", "LIFE-04", "LIFE-05", "SURF-01"]
        let entries = failing.map { "{\"id\": \"\($0)\", \"owner\": \"jane@fernwerk.example\", \"expires\": \"2027-12-31\", \"reason\": \"ticket 18\"}" }
        try t.write("accepted.json", "{\"accepted\": [" + entries.joined(separator: ", ") + "]}")
        let args = ["audit", Repo.path("Firmware-samples/debian-11-fernwerk-legacy"), "--profile", "fernwerk-edge", "--date", Repo.auditDate,
                    "--baseline-file", t.sub("accepted.json")]
        let text = try baseline(args)
        #expect(text.code == 0, "every finding accepted: the gate passes\n\(text.stdout.suffix(400))\(text.stderr)")
        #expect(text.stdout.contains("Verdict: FAIL"), "the firmware still fails: \(text.stdout.suffix(400))")
        #expect(text.stdout.contains("Accepted ("), "accepted findings are listed separately")
        let json = try baseline(args + ["--format", "json"])
        #expect(json.code == 0)
        let summary = json.json?["summary"] as? [String: Any]
        #expect(summary?["verdict"] as? String == "fail")
        let accepted = (summary?["accepted"] as? [[String: Any]]) ?? []
        #expect(accepted.compactMap { $0["id"] as? String }.sorted() == failing.sorted(), "\(accepted)")
        #expect((accepted.first?["justification"] as? String)?.contains("ticket 18 (accepted by jane@fernwerk.example until 2027-12-31)") == true)
        #expect(try validateReport(json))
        let junit = try baseline(args + ["--format", "junit"])
        let junitVerdict = try statedVerdict("junit", junit.stdout)
        #expect(junit.code == 0 && junitVerdict == "fail")
        #expect(junit.stdout.contains("<property name=\"baseline.accepted\" value=\"\(failing.joined(separator: " "))\"/>"), "\(junit.stdout.prefix(600))")
        let html = try baseline(args + ["--format", "html"])
        let htmlVerdict = try statedVerdict("html", html.stdout)
        #expect(html.code == 0 && htmlVerdict == "fail")
        #expect(html.stdout.contains("accepted, not gating: "))
    }

    @Test("a directory that is not a root filesystem is refused by audit, sbom and fingerprint")
    func notARootFilesystem() throws {
        let t = try TempTree()
        try t.write("fleet.key", "0123456789abcdef0123456789abcdef\n")
        try t.mkdir("empty")
        try t.write("project/src/main.c", "int main(void) { return 0; }\n")
        try t.write("project/README", "not firmware\n")
        try t.write("etc-only/etc/hostname", "box\n")
        let cases: [(String, String)] = [
            ("empty", "no /etc"),
            ("project", "no /etc"),
            ("etc-only", "no /bin, /sbin, /usr/bin, /usr/sbin, /init or /linuxrc, and no /etc/passwd or os-release"),
        ]
        for (dir, missing) in cases {
            let path = t.sub(dir)
            for args in [["audit", path], ["audit", path, "--format", "json", "--fail-on", "never"], ["sbom", path],
                         ["fingerprint", path, "--fleet-key-file", t.sub("fleet.key")]] {
                let r = try baseline(args)
                #expect(r.code == 3, "\(args): \(r.stdout.prefix(200))")
                #expect(r.stdout.isEmpty, "no report: \(args)")
                #expect(r.stderr == "baseline: \(path) does not look like a root filesystem: \(missing)\n", "\(args): \(r.stderr)")
            }
        }
        // A minimal but real root: /etc and BusyBox in /bin.
        try t.write("tiny/etc/hostname", "box\n")
        try t.write("tiny/bin/busybox", "\u{7f}ELF")
        let tiny = try audit(t.sub("tiny"), profile: etsiPath)
        #expect(tiny.code == 1, "audited (with findings), not refused: \(tiny.stderr)")
        #expect(tiny.json != nil)
        #expect(try baseline(["sbom", t.sub("tiny")]).code == 0)
    }

    @Test func anImageWithoutARootIsIncompleteAndDoesNotPass() throws {
        let t = try TempTree()
        try t.write("tree/data/readme.txt", "hello\n")
        try t.write("tree/data/notes.txt", "nothing to see\n")
        let tar = t.sub("data.tar")
        #expect(try run("/bin/tar", ["-cf", tar, "-C", t.sub("tree"), "."]).code == 0)
        let r = try baseline(["audit", tar, "--profile", etsiPath, "--date", Repo.auditDate, "--format", "json", "--fail-on", "never"])
        #expect(r.code == 3, "nothing gates, but there was no root to audit: \(r.stderr)")
        #expect(r.stderr.contains("does not look like a root filesystem: no /etc"))
        let coverage = try #require(r.json?["coverage"] as? [String: Any])
        #expect(coverage["complete"] as? Bool == false)
        #expect(((coverage["incomplete"] as? [String]) ?? []).contains { $0.contains("does not look like a root filesystem: no /etc") })
        #expect(try validateReport(r))
        let text = try baseline(["audit", tar, "--profile", etsiPath, "--date", Repo.auditDate])
        #expect(text.code != 0)
        #expect(text.stdout.contains("INCOMPLETE"))
    }

    @Test func readOnlyCollectorCommandsDoNotCreateAStore() throws {
        let t = try TempTree()
        let typo = t.sub("flet.sqlite")
        for cmd in ["report", "clusters"] {
            let r = try collector([cmd, "--db", typo])
            #expect(r.code == 3, "\(cmd): \(r.stdout)")
            #expect(r.stdout.isEmpty)
            #expect(r.stderr == "baseline-collector: no fleet store at \(typo) (create one with `ingest` or `serve`)\n", "\(cmd): \(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: typo), "\(cmd) created \(typo)")
        }
        // ingest creates the store; then report reads it
        let report = t.sub("r.json")
        _ = try baseline(["audit", Repo.path("Firmware-samples/debian-13-fernwerk"), "--profile", "fernwerk-edge", "--date", Repo.auditDate,
                          "--format", "json", "--output", report])
        let db = t.sub("fleet.sqlite")
        #expect(try collector(["ingest", report, "--db", db]).code == 0)
        let r = try collector(["report", "--db", db])
        #expect(r.code == 0 && r.stdout.contains("Fernwerk"), "\(r.stderr)")
    }

    @Test func aScanThatReachedNothingDoesNotPass() throws {
        let closed = SSHLab.freePort()
        let text = try baseline(["scan", "127.0.0.1:\(closed)", "--timeout", "5"])
        #expect(text.code == 3, "\(text.stdout)\(text.stderr)")
        #expect(text.stdout.contains("127.0.0.1:\(closed)  refused"))
        #expect(text.stdout.contains("Verdict: INCOMPLETE — 1 of 1 device(s) not reached: 127.0.0.1:\(closed)"), "\(text.stdout)")
        #expect(text.stderr.contains("baseline: 1 of 1 device(s) not reached (1 refused): not a pass"), "\(text.stderr)")
        let json = try baseline(["scan", "127.0.0.1:\(closed)", "--timeout", "5", "--format", "json"])
        #expect(json.code == 3)
        let summary = try #require(scanJSON(json)?["summary"] as? [String: Any])
        #expect(summary["verdict"] as? String == "incomplete")
        #expect(summary["not_reached"] as? [String] == ["127.0.0.1:\(closed)"])
    }

    @Test func theSameImageAuditedTwiceIsOneUnit() throws {
        let t = try TempTree()
        var files: [String] = []
        for (i, sample) in ["debian-13-fernwerk", "debian-13-fernwerk", "debian-11-fernwerk-legacy"].enumerated() {
            if i == 1 { usleep(1_100_000) }    // another second: a different generated_at
            let out = t.sub("r\(i).json")
            _ = try baseline(["audit", Repo.path("Firmware-samples/" + sample), "--profile", "fernwerk-edge", "--date", Repo.auditDate,
                              "--format", "json", "--output", out])
            files.append(out)
        }
        func doc(_ f: String) throws -> [String: Any] { try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: f))) as? [String: Any]) }
        let (a, b, c) = (try doc(files[0]), try doc(files[1]), try doc(files[2]))
        #expect(a["generated_at"] as? String != b["generated_at"] as? String && a["report_id"] as? String != b["report_id"] as? String)
        let imageA = (a["subject"] as? [String: Any])?["image_id"] as? String
        #expect(imageA?.hasPrefix("sha256:") == true && imageA?.count == 71)
        #expect(imageA == (b["subject"] as? [String: Any])?["image_id"] as? String, "same image, same id")
        #expect(imageA != (c["subject"] as? [String: Any])?["image_id"] as? String, "another image, another id")
        // the same tree copied elsewhere is the same image
        try FileManager.default.copyItem(atPath: Repo.path("Firmware-samples/debian-13-fernwerk"), toPath: t.sub("copy"))
        let copy = try audit(t.sub("copy"), profile: "fernwerk-edge")
        #expect((copy.json?["subject"] as? [String: Any])?["image_id"] as? String == imageA)
        // the agent on the same tree (--root) names the same image
        let agent = try Agent.run(nil, ["--root", "Firmware-samples/debian-13-fernwerk", "--profile", "Profiles/vendors/fernwerk-edge.json",
                                        "--date", Repo.auditDate])
        #expect((agent.json?["subject"] as? [String: Any])?["image_id"] as? String == imageA, "\(agent.stderr)")

        func units(_ db: String) throws -> Int? {
            let r = try collector(["report", "--db", db, "--format", "json"])
            let groups = (try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])?["groups"] as? [[String: Any]]
            return groups?.first { $0["vendor"] as? String == "Fernwerk" }?["units"] as? Int
        }
        let one = t.sub("one.sqlite")
        let ingested = try collector(["ingest", files[0], files[1], "--db", one])
        #expect(ingested.stdout.contains("2 new"), "two reports stored: \(ingested.stdout)\(ingested.stderr)")
        #expect(try units(one) == 1, "two audits of one image: one unit")
        let two = t.sub("two.sqlite")
        #expect(try collector(["ingest"] + files + ["--db", two]).code == 0)
        #expect(try units(two) == 2, "two images: two units")
        // the dashboard lists units by the same key: one device link per image
        let server = try CollectorServer(db: one, tokens: try PushLab.tokens(t).tokens)
        let page = try http("GET", server.base + "/vendors/Fernwerk")
        #expect(page.status == 200)
        #expect(page.body.components(separatedBy: "href=\"/devices/").count - 1 == 1, "\(page.body.suffix(800))")
    }
}
