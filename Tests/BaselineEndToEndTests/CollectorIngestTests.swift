// Issue 16: the faster ingest paths must store exactly what one report at a time stores. One corpus (with newer
// reports replacing older ones) ingested one report per request, in bulk (one transaction, parsed while stored), and
// over HTTP by four clients at once (requests grouped into shared transactions) gives identical metrics, clusters and
// unit rows; three collectors on one PostgreSQL ingesting overlapping sets at once lose nothing, store nothing twice
// and end with the aggregates of a single collector.
import Foundation
import Testing

@Suite(.serialized) struct CollectorIngestTests {
    static let token = "ingest-test-token-0123456789"

    func tokens(_ t: TempTree) throws -> String {
        try t.write("tokens", "fleet-a \(CollectorIngestTests.token)\n")
        return t.sub("tokens")
    }

    /// Everything the fleet store derives from the reports, in a form that does not depend on row ids or on the order
    /// reports arrived in: metrics of every period and grouping, clusters, unit rows, fingerprint counts.
    func snapshot(_ db: String) throws -> [String: String] {
        var out: [String: String] = [:]
        for period in ["all", "2026-10", "2026-11", "2026-12"] {
            for by in ["vendor", "model", "firmware"] {
                let r = try collector(["report", "--db", db, "--format", "json", "--by", by, "--period", period])
                #expect(r.code == 0, "\(r.stderr)")
                out["report \(by) \(period)"] = r.stdout
            }
        }
        out["clusters"] = try collector(["clusters", "--db", db, "--limit", "100"]).stdout
        // A unit's checks are a check list's id and the status letters (`#3:ppf…`): the list by its ids, not its id.
        out["units"] = try storeQuery(db, """
            SELECT u.period, u.unit, u.report_id, g.vendor, g.model, g.firmware, u.audit_date, u.generated_at,
                   CASE WHEN u.checks LIKE '#%' THEN (SELECT l.ids || '/' || substr(u.checks, length('#' || l.list_id || ':') + 1) FROM check_lists l
                                                     WHERE u.checks LIKE '#' || l.list_id || ':%') ELSE u.checks END, u.flags, u.failing,
                   u.support_days, u.eol_days, u.firmware_age_days, u.shared
            FROM units u JOIN fleet_groups g ON g.group_id = u.group_id ORDER BY u.period, u.unit
            """)
        // Fingerprints by their text (their ids depend on the order they arrived in); a unit's list in its row and the
        // holders table say the same.
        out["unit_fingerprints"] = try storeQuery(db, """
            SELECT uf.period, uf.unit, f.kind, f.value FROM unit_fingerprints uf JOIN fingerprints f ON f.fp_id = uf.fp_id ORDER BY 1, 2, 3, 4
            """)
        out["unit_prints"] = try storeQuery(db, """
            SELECT u.period, u.unit, f.kind, f.value FROM units u JOIN fingerprints f ON ',' || u.prints || ',' LIKE '%,' || f.fp_id || ',%'
            ORDER BY 1, 2, 3, 4
            """)
        #expect(out["unit_prints"] == out["unit_fingerprints"], "units.prints and unit_fingerprints agree")
        out["fingerprint_counts"] = try storeQuery(db, """
            SELECT c.period, f.kind, f.value, c.units FROM fingerprint_counts c JOIN fingerprints f ON f.fp_id = c.fp_id ORDER BY 1, 2, 3
            """)
        #expect(out["fingerprint_counts"] == (try storeQuery(db, """
            SELECT uf.period, f.kind, f.value, count(*) FROM unit_fingerprints uf JOIN fingerprints f ON f.fp_id = uf.fp_id
            GROUP BY 1, 2, 3 HAVING count(*) > 1 ORDER BY 1, 2, 3
            """)), "fingerprint_counts: the holders of each fingerprint two units or more carry")
        out["fingerprint_groups"] = try storeQuery(db, """
            SELECT fg.period, f.kind, f.value, g.vendor, g.model, g.firmware, fg.units FROM fingerprint_groups fg
            JOIN fingerprints f ON f.fp_id = fg.fp_id JOIN fleet_groups g ON g.group_id = fg.group_id WHERE fg.units <> 0 ORDER BY 1, 2, 3, 4, 5, 6
            """)
        out["group_stats"] = try storeQuery(db, """
            SELECT s.period, g.vendor, g.model, g.firmware, s.units, s.failing, s.shared_host_key, s.shared_password
            FROM group_stats s JOIN fleet_groups g ON g.group_id = s.group_id
            WHERE s.units <> 0 OR s.failing <> 0 OR s.shared_host_key <> 0 OR s.shared_password <> 0 ORDER BY 1, 2, 3, 4
            """)
        out["group_checks"] = try storeQuery(db, """
            SELECT c.period, g.vendor, g.model, g.firmware, c.check_id, c.evaluated, c.failures
            FROM group_checks c JOIN fleet_groups g ON g.group_id = c.group_id WHERE c.evaluated <> 0 OR c.failures <> 0 ORDER BY 1, 2, 3, 4, 5
            """)
        out["reports"] = try storeQuery(db, "SELECT count(*), count(DISTINCT report_id) FROM reports")
        return out
    }

    func expectSame(_ a: [String: String], _ b: [String: String], _ what: String) {
        #expect(a.keys.sorted() == b.keys.sorted())
        for k in a.keys.sorted() where a[k] != b[k] {
            Issue.record("\(what): \(k) differs:\n\(a[k]?.prefix(600) ?? "")\n---\n\(b[k]?.prefix(600) ?? "")")
        }
    }

    func post(_ base: String, _ files: [String], acked: String, concurrency: Int) throws -> String {
        let r = try run("/usr/bin/python3", [Repo.path("Tests/scripts/post-reports.py"), base, CollectorIngestTests.token, acked] + files
                        + ["--concurrency", "\(concurrency)"], timeout: 600)
        #expect(r.code == 0, "\(r.stderr)")
        return r.stdout
    }

    @Test(arguments: StoreKind.allCases) func oneByOneBulkAndGroupedHTTPIngestStoreTheSame(_ kind: StoreKind) throws {
        let t = try TempTree()
        // 160 devices in October and November, then 60 of them again in December: the same reports as batch files and
        // as one file per report.
        let batches = try synthReports(t, count: 160, perFile: 40, months: "2026-10,2026-11", dir: "first")
            + synthReports(t, count: 60, perFile: 30, months: "2026-12", dir: "again")
        let singles = try synthReports(t, count: 160, perFile: 1, months: "2026-10,2026-11", dir: "first1")
            + synthReports(t, count: 60, perFile: 1, months: "2026-12", dir: "again1")
        #expect(singles.count == 220)
        let tokens = try tokens(t)

        // One report per request, one request at a time: one transaction per report.
        let oneByOne = try kind.fresh(t)
        do {
            let server = try CollectorServer(db: oneByOne, tokens: tokens)
            for f in singles {
                let a = try http("POST", server.base + "/v1/reports", token: CollectorIngestTests.token, bodyFile: f)
                #expect(a.status == 201, "\(f): \(a.body)")
            }
            server.stop()
        }
        // Bulk: every batch file in one `ingest` run.
        let bulk = try kind.fresh(t)
        let r = try collector(["ingest"] + batches + ["--db", bulk])
        #expect(r.stdout.contains("ingested 220 report(s) from 6 file(s): 220 new, 0 already stored; 220 in"), "\(r.stdout)\(r.stderr)")
        // HTTP, four clients at once, batch files and single reports mixed (duplicates included): grouped transactions.
        let grouped = try kind.fresh(t)
        do {
            let server = try CollectorServer(db: grouped, tokens: tokens)
            let line = try post(server.base, batches + singles.enumerated().filter { $0.offset % 3 == 0 }.map { $0.element },
                                acked: t.sub("acked"), concurrency: 4)
            #expect(line.contains(" failed 0 "), "\(line)")
            server.stop()
        }
        let reference = try snapshot(oneByOne)
        #expect(reference["reports"] == "220|220")
        #expect(reference["units"]?.split(separator: "\n").count == 160 + 160 + 60)   // "all" + one month each
        expectSame(reference, try snapshot(bulk), "bulk")
        expectSame(reference, try snapshot(grouped), "grouped HTTP")
        // Bulk again: all duplicates, nothing changes.
        #expect(try collector(["ingest"] + batches + ["--db", bulk]).stdout.contains("0 new, 220 already stored; 220 in"))
        expectSame(reference, try snapshot(bulk), "bulk twice")
    }

    /// A bulk ingest alone on a SQLite store goes through the rollback journal (each new page written once, not to the
    /// WAL and again at the checkpoint); while a `serve` holds the store open it goes through the WAL. Either way the
    /// store ends in WAL mode with every report; a kill -9 in the middle of a journaled run leaves the store as it was
    /// before the run, and the next open puts it back in WAL mode.
    @Test func bulkIngestOnSQLiteUsesTheRollbackJournalOnlyWhenAlone() throws {
        let t = try TempTree()
        let db = t.sub("fleet.sqlite")
        let first = try synthReports(t, count: 100, perFile: 50, dir: "a")
        let r = try collector(["ingest"] + first + ["--db", db])
        #expect(r.stdout.contains("100 new, 0 already stored; 100 in \(db) (rollback journal)"), "\(r.stdout)\(r.stderr)")
        #expect(try storeQuery(db, "PRAGMA journal_mode") == "wal")
        #expect(try storeQuery(db, "PRAGMA integrity_check") == "ok")
        #expect(!FileManager.default.fileExists(atPath: db + "-journal"))

        // A serve has the store open: the bulk run writes through the WAL, and the serve reads what it stored.
        let second = try synthReports(t, count: 100, start: 100, perFile: 50, dir: "b")
        do {
            let server = try CollectorServer(db: db, tokens: try tokens(t))
            // The serve re-executed itself with a larger malloc cache (GLIBC_TUNABLES) and kept its name.
            let pid = server.process.processIdentifier
            #expect((try? String(contentsOfFile: "/proc/\(pid)/environ", encoding: .utf8))?.contains("GLIBC_TUNABLES=glibc.malloc.tcache_count=1000") == true)
            #expect((try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)) == "baseline-collec\n")
            let r2 = try collector(["ingest"] + second + ["--db", db])
            #expect(r2.stdout.contains("100 new, 0 already stored; 200 in \(db) (WAL: the store was open elsewhere)"), "\(r2.stdout)\(r2.stderr)")
            let units = try http("GET", server.base + "/v1/vendors")
            #expect(units.status == 200, "\(units.body)")
            let total = (units.json?["groups"] as? [[String: Any]])?.reduce(0) { $0 + (($1["units"] as? Int) ?? 0) }
            #expect(total == 200, "\(units.body.prefix(300))")
            server.stop()
        }
        #expect(try storeQuery(db, "PRAGMA journal_mode") == "wal")

        // kill -9 while a journaled bulk run is writing: once its journal exists, the run is inside its transaction.
        let big = try synthReports(t, count: 3000, start: 200, perFile: 1000, dir: "big")
        let p = Process()
        p.executableURL = Repo.root.appendingPathComponent(".build/debug/baseline-collector")
        p.arguments = ["ingest"] + big + ["--db", db]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        let deadline = Date().addingTimeInterval(60)
        var sawJournal = false
        while p.isRunning && Date() < deadline {
            if FileManager.default.fileExists(atPath: db + "-journal") { sawJournal = true; usleep(300_000); break }
            usleep(5_000)
        }
        let killedMidRun = p.isRunning
        if killedMidRun { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        #expect(sawJournal, "the bulk run never made a rollback journal")
        #expect(killedMidRun, "the bulk run ended before it could be killed: make the corpus larger")
        // The collector's next open rolls the hot journal back and sets WAL mode again.
        let after = try collector(["report", "--db", db, "--format", "json"])
        #expect(after.code == 0, "\(after.stderr)")
        #expect(try storeQuery(db, "PRAGMA journal_mode") == "wal")
        #expect(try storeQuery(db, "PRAGMA integrity_check") == "ok")
        #expect(try storeQuery(db, "SELECT count(*) FROM reports") == "200")
        #expect(try storeQuery(db, "SELECT count(*) FROM units WHERE period = 'all'") == "200")
        let again = try collector(["ingest"] + big + ["--db", db])
        #expect(again.stdout.contains("3000 new, 0 already stored; 3200 in \(db) (rollback journal)"), "\(again.stdout)\(again.stderr)")
    }

    @Test(arguments: StoreKind.allCases) func pruneDropsOnlyReportsNoPeriodUses(_ kind: StoreKind) throws {
        let t = try TempTree()
        // The same 60 devices twice in the same months (another seed: other report ids, same units): one report of
        // each unit is its latest, the other was replaced.
        let files = try synthReports(t, count: 60, perFile: 30, dir: "a") + synthReports(t, count: 60, perFile: 30, dir: "b", seed: 8)
        let db = try kind.fresh(t)
        #expect(try collector(["ingest"] + files + ["--db", db]).code == 0)
        let before = try snapshot(db)
        #expect(before["reports"] == "120|120")
        let kept = Int(try storeQuery(db, "SELECT count(DISTINCT report_id) FROM units").trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        #expect(kept == 60, "one latest report a unit")
        // Nothing is older than 2026-10-01: nothing goes.
        #expect(try collector(["prune", "--before", "2026-10-01", "--db", db]).stdout.contains("pruned 0 report(s)"))
        let r = try collector(["prune", "--before", "2027-01-01", "--db", db])
        #expect(r.code == 0 && r.stdout.contains("pruned 60 report(s) audited before 2027-01-01"), "\(r.stdout)\(r.stderr)")
        var after = try snapshot(db)
        #expect(after["reports"] == "60|60")
        after["reports"] = before["reports"]
        expectSame(before, after, "after prune")
        #expect(try collector(["prune", "--before", "tomorrow", "--db", db]).code == 2)
    }

    @Test(arguments: StoreKind.allCases) func droppingOldMonthsKeepsTheOtherPeriods(_ kind: StoreKind) throws {
        let t = try TempTree()
        // 60 devices in October/November, the same 60 again in December (their all-time latest).
        let files = try synthReports(t, count: 60, perFile: 30, dir: "a") + synthReports(t, count: 60, perFile: 30, months: "2026-12", dir: "c", seed: 9)
        let db = try kind.fresh(t)
        #expect(try collector(["ingest"] + files + ["--db", db]).code == 0)
        func kept() throws -> [String] {
            try [storeQuery(db, "SELECT period, unit, report_id, checks, flags, failing, shared FROM units WHERE period IN ('all', '2026-12') ORDER BY 1, 2"),
                 storeQuery(db, "SELECT s.period, g.vendor, g.model, g.firmware, s.units, s.failing FROM group_stats s JOIN fleet_groups g ON g.group_id = s.group_id WHERE s.period IN ('all', '2026-12') AND s.units <> 0 ORDER BY 1, 2, 3, 4"),
                 storeQuery(db, "SELECT period, group_id, check_id, evaluated, failures FROM group_checks WHERE period IN ('all', '2026-12') AND evaluated <> 0 ORDER BY 1, 2, 3"),
                 storeQuery(db, """
                    SELECT c.period, f.kind, f.value, c.units FROM fingerprint_counts c JOIN fingerprints f ON f.fp_id = c.fp_id
                    WHERE c.period IN ('all', '2026-12') ORDER BY 1, 2, 3
                    """)]
        }
        let before = try kept()
        #expect(try storeQuery(db, "SELECT count(*) FROM reports") == "120")
        let r = try collector(["prune", "--before", "2027-01-01", "--drop-months-before", "2026-12", "--db", db])
        #expect(r.code == 0 && r.stdout.contains("dropped the months before 2026-12") && r.stdout.contains("pruned 60 report(s)"), "\(r.stdout)\(r.stderr)")
        #expect(try kept() == before, "all-time and December are as they were")
        for table in ["units", "group_stats", "group_checks", "group_days", "unit_fingerprints", "fingerprint_counts", "fingerprint_groups"] {
            #expect(try storeQuery(db, "SELECT count(*) FROM \(table) WHERE period IN ('2026-10', '2026-11')") == "0", "\(table)")
        }
        #expect(try storeQuery(db, "SELECT count(*) FROM reports") == "60")
        // Fingerprints only the dropped months' units held leave the dictionary too.
        #expect(try storeQuery(db, "SELECT count(*) FROM fingerprints WHERE fp_id NOT IN (SELECT fp_id FROM unit_fingerprints)") == "0")
        #expect(try storeQuery(db, "SELECT count(*) FROM fingerprints") == storeQuery(db, "SELECT count(DISTINCT fp_id) FROM unit_fingerprints"))
        #expect(try collector(["prune", "--before", "2027-01-01", "--drop-months-before", "2026-13", "--db", db]).code == 2)
    }

    @Test func threeCollectorsOnOnePostgreSQLMatchOneCollector() throws {
        let t = try TempTree()
        // Overlapping sets: devices 0–299 and 150–449 (the same reports where they overlap), and December reports of
        // devices 0–239 (newer reports of units the other two write at the same moment).
        let sets = [try synthReports(t, count: 300, start: 0, perFile: 20, dir: "a"),
                    try synthReports(t, count: 300, start: 150, perFile: 20, dir: "b"),
                    try synthReports(t, count: 240, start: 0, perFile: 20, months: "2026-12", dir: "c")]
        let tokens = try tokens(t)
        let db = try StoreKind.postgres.fresh(t)
        let servers = try (0..<3).map { _ in try CollectorServer(db: db, tokens: tokens) }
        // Three clients at once, each posting its set to its own collector (two requests in flight each).
        var procs: [(Process, String)] = []
        for i in 0..<3 {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            let out = t.sub("post-\(i).txt")
            p.arguments = ["-c", "exec python3 '\(Repo.path("Tests/scripts/post-reports.py"))' '\(servers[i].base)' '\(CollectorIngestTests.token)' '\(t.sub("acked-\(i)"))' "
                           + sets[i].map { "'\($0)'" }.joined(separator: " ") + " --concurrency 2 > '\(out)' 2>&1"]
            try p.run()
            procs.append((p, out))
        }
        for (i, (p, out)) in procs.enumerated() {
            p.waitUntilExit()
            let line = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
            #expect(p.terminationStatus == 0 && line.contains("acked \(i == 2 ? 240 : 300) failed 0 "), "\(i): \(line)")
        }
        for s in servers { s.stop() }
        let ids = try reportIDs(sets[0] + sets[1] + sets[2])
        #expect(ids.count == 690)
        let got = try snapshot(db)
        #expect(got["reports"] == "690|690")
        #expect(Set(try storeQuery(db, "SELECT report_id FROM reports").split(separator: "\n").map(String.init)) == ids)
        // The same reports through one collector, one `ingest` run.
        let single = try StoreKind.postgres.fresh(t)
        #expect(try collector(["ingest"] + sets[0] + sets[1] + sets[2] + ["--db", single]).code == 0)
        expectSame(try snapshot(single), got, "three collectors")
    }
}
