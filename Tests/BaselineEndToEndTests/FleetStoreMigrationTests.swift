// Issue 16: schema version 3 names fingerprints by id (and version 4 counts shared fingerprints only) and keeps per-group counts for shared fingerprints only. A store
// written at version 2 (by the collector of 05148ec: Tests/fixtures/fleet-store-v2) is migrated when the current
// collector opens it, and reports exactly what the version 2 collector reported for it; ingest goes on from there.
import Foundation
import Testing

struct FleetStoreMigrationTests {
    static let fixture = Repo.path("Tests/fixtures/fleet-store-v2")

    /// `expected.json.gz`: what the version 2 collector printed and stored.
    func expected() throws -> [String: Any] {
        let r = try python(["-c", "import gzip, sys; sys.stdout.write(gzip.open(sys.argv[1], 'rt').read())", Self.fixture + "/expected.json.gz"])
        guard r.code == 0 else { throw ToolError(message: r.stderr) }
        return try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    }

    /// Rows as `storeQuery` prints them (Python's str of each value, joined by |).
    func lines(_ rows: Any?) -> String {
        ((rows as? [[Any]]) ?? []).map { row in
            row.map { v -> String in
                if v is NSNull { return "None" }
                if let n = v as? NSNumber { return n.stringValue }
                return "\(v)"
            }.joined(separator: "|")
        }.joined(separator: "\n")
    }

    /// `report` by vendor, model and firmware, in every period, prints what version 2 printed.
    func expectVersion2Reports(_ db: String, _ want: [String: Any]) throws {
        for period in ["all", "2026-10", "2026-11", "2026-12"] {
            for by in ["vendor", "model", "firmware"] {
                let r = try collector(["report", "--db", db, "--format", "json", "--by", by, "--period", period])
                #expect(r.code == 0, "\(r.stderr)")
                let got = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? NSDictionary
                let was = want["report \(by) \(period)"] as? NSDictionary
                #expect(got != nil && got == was, "report --by \(by) --period \(period) differs from version 2's")
            }
        }
    }

    @Test func aVersion2StoreMigratesAndReportsWhatVersion2Reported() throws {
        let t = try TempTree()
        let db = t.sub("v2.sqlite")
        let load = try python(["-c", "import gzip, sqlite3, sys; sqlite3.connect(sys.argv[2]).executescript(gzip.open(sys.argv[1], 'rt').read())",
                               Self.fixture + "/store.sql.gz", db])
        #expect(load.code == 0, "\(load.stderr)")
        #expect(try storeQuery(db, "SELECT max(version) FROM fleet_schema") == "2")
        let want = try expected()

        try expectVersion2Reports(db, want)
        #expect(try storeQuery(db, "SELECT max(version) FROM fleet_schema") == "4", "the first open migrated the store")
        #expect(try collector(["clusters", "--db", db, "--limit", "100"]).stdout == want["clusters"] as? String)
        #expect(try storeQuery(db, """
            SELECT u.period, u.unit, u.report_id, g.vendor, g.model, g.firmware, u.audit_date, u.generated_at, u.checks, u.flags, u.failing,
                   u.support_days, u.eol_days, u.firmware_age_days, u.shared FROM units u JOIN fleet_groups g ON g.group_id = u.group_id ORDER BY u.period, u.unit
            """) == lines(want["units"]))
        let holders = try storeQuery(db, "SELECT uf.period, uf.unit, f.kind, f.value FROM unit_fingerprints uf JOIN fingerprints f ON f.fp_id = uf.fp_id ORDER BY 1, 2, 3, 4")
        #expect(holders == lines(want["unit_fingerprints"]))
        #expect(try storeQuery(db, """
            SELECT u.period, u.unit, f.kind, f.value FROM units u JOIN fingerprints f ON ',' || u.prints || ',' LIKE '%,' || f.fp_id || ',%' ORDER BY 1, 2, 3, 4
            """) == holders, "each unit row lists the fingerprints unit_fingerprints gives it")
        // Version 4 keeps the counts of shared fingerprints only.
        let sharedCounts = lines(want["fingerprint_counts"]).split(separator: "\n").filter { (Int($0.split(separator: "|").last ?? "") ?? 0) > 1 }
        #expect(!sharedCounts.isEmpty)
        #expect(try storeQuery(db, "SELECT c.period, f.kind, f.value, c.units FROM fingerprint_counts c JOIN fingerprints f ON f.fp_id = c.fp_id ORDER BY 1, 2, 3")
                == sharedCounts.joined(separator: "\n"))
        #expect(try storeQuery(db, """
            SELECT fg.period, f.kind, f.value, g.vendor, g.model, g.firmware, fg.units FROM fingerprint_groups fg JOIN fingerprints f ON f.fp_id = fg.fp_id
            JOIN fleet_groups g ON g.group_id = fg.group_id ORDER BY 1, 2, 3, 4, 5, 6
            """) == lines(want["fingerprint_groups_shared"]), "per-group counts: the shared fingerprints' only")
        #expect(try storeQuery(db, "PRAGMA integrity_check") == "ok")

        // Ingest goes on in the migrated store: 30 more units, and newer reports of 20 stored ones.
        let more = try synthReports(t, count: 30, start: 100, perFile: 30, months: "2026-12", dir: "more", seed: 11)
            + synthReports(t, count: 20, perFile: 20, months: "2026-12", dir: "newer", seed: 12)
        let r = try collector(["ingest"] + more + ["--db", db])
        #expect(r.code == 0 && r.stdout.contains("50 new"), "\(r.stdout)\(r.stderr)")
        #expect(try storeQuery(db, "SELECT count(*) FROM units WHERE period = 'all'") == "70")
        #expect(try storeQuery(db, "SELECT sum(units) FROM group_stats WHERE period = 'all'") == "70")
        #expect(try storeQuery(db, "PRAGMA integrity_check") == "ok")
    }

    /// The same store on PostgreSQL: the version 2 tables as the version 2 collector created them there (the dump's
    /// DDL in PostgreSQL's types: FleetSchema's version 1 and 2 for PostgreSQL), the rows loaded, and the current
    /// collector's first open migrating them to version 4 (3: fingerprints by id, check lists; 4: shared counts only).
    /// It must report what version 2 reported. PostgreSQL orders text by its collation, so rows are compared as sets.
    @Test func aVersion2StoreOnPostgreSQLMigratesAndReportsWhatVersion2Reported() throws {
        let t = try TempTree()
        let db = try PostgresLab.freshDatabase()
        let sql = t.sub("v2-postgres.sql")
        let convert = try python(["-c", """
            import gzip, re, sys
            out = []
            for line in gzip.open(sys.argv[1], 'rt').read().split(';\\n'):
                if line.startswith('PRAGMA'): continue
                line = line.replace('INTEGER PRIMARY KEY', 'BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY').replace(' BLOB', ' BYTEA')
                out.append(line)
            open(sys.argv[2], 'w').write(';\\n'.join(out))
            """, Self.fixture + "/store.sql.gz", sql])
        #expect(convert.code == 0, "\(convert.stderr)")
        let load = try run("/usr/bin/psql", [db, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", sql], timeout: 120)
        #expect(load.code == 0, "\(load.stderr)")
        #expect(try storeQuery(db, "SELECT max(version) FROM fleet_schema") == "2")
        let want = try expected()

        try expectVersion2Reports(db, want)
        #expect(try storeQuery(db, "SELECT max(version) FROM fleet_schema") == "4", "the first open migrated the store")
        #expect(try collector(["clusters", "--db", db, "--limit", "100"]).stdout == want["clusters"] as? String)
        // Rows as Python printed them (None for NULL), compared as sets of lines.
        func rows(_ query: String) throws -> Set<String> {
            let r = try run("/usr/bin/psql", [db, "-X", "-q", "-t", "-A", "-P", "null=None", "-v", "ON_ERROR_STOP=1", "-c", query], timeout: 60)
            guard r.code == 0 else { throw ToolError(message: "psql: \(r.stderr)") }
            return Set(r.stdout.split(separator: "\n").map(String.init).filter { !$0.isEmpty })
        }
        func set(_ text: String) -> Set<String> { Set(text.split(separator: "\n").map(String.init)) }
        #expect(try rows("""
            SELECT u.period, u.unit, u.report_id, g.vendor, g.model, g.firmware, u.audit_date, u.generated_at, u.checks, u.flags, u.failing,
                   u.support_days, u.eol_days, u.firmware_age_days, u.shared FROM units u JOIN fleet_groups g ON g.group_id = u.group_id
            """) == set(lines(want["units"])))
        let holders = try rows("SELECT uf.period, uf.unit, f.kind, f.value FROM unit_fingerprints uf JOIN fingerprints f ON f.fp_id = uf.fp_id")
        #expect(holders == set(lines(want["unit_fingerprints"])))
        #expect(try rows("""
            SELECT u.period, u.unit, f.kind, f.value FROM units u JOIN fingerprints f ON ',' || u.prints || ',' LIKE '%,' || f.fp_id || ',%'
            """) == holders, "each unit row lists the fingerprints unit_fingerprints gives it")
        let sharedCounts = set(lines(want["fingerprint_counts"])).filter { (Int($0.split(separator: "|").last ?? "") ?? 0) > 1 }
        #expect(!sharedCounts.isEmpty)
        #expect(try rows("SELECT c.period, f.kind, f.value, c.units FROM fingerprint_counts c JOIN fingerprints f ON f.fp_id = c.fp_id") == sharedCounts)
        #expect(try rows("""
            SELECT fg.period, f.kind, f.value, g.vendor, g.model, g.firmware, fg.units FROM fingerprint_groups fg JOIN fingerprints f ON f.fp_id = fg.fp_id
            JOIN fleet_groups g ON g.group_id = fg.group_id
            """) == set(lines(want["fingerprint_groups_shared"])), "per-group counts: the shared fingerprints' only")
    }
}
