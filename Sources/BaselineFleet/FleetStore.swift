// The fleet store: reports, their findings and fingerprints in SQLite (GRDB), versioned migrations. A report is
// stored once (idempotent by report id) and acknowledged only after its transaction has committed.
import Foundation
import GRDB

public final class FleetStore {
    let db: DatabaseQueue

    public init(path: String) throws {
        var config = Configuration()
        config.busyMode = .timeout(10)
        db = try DatabaseQueue(path: path, configuration: config)
        try FleetStore.migrator.migrate(db)
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1: reports, findings, fingerprints") { db in
            try db.execute(sql: """
                CREATE TABLE reports (
                  report_id TEXT PRIMARY KEY,
                  unit TEXT NOT NULL,
                  vendor TEXT NOT NULL, model TEXT NOT NULL, firmware TEXT NOT NULL,
                  source_kind TEXT NOT NULL, audit_date TEXT NOT NULL, generated_at TEXT NOT NULL,
                  received_at TEXT NOT NULL, body BLOB NOT NULL);
                CREATE INDEX reports_unit ON reports(unit, audit_date);
                CREATE INDEX reports_vendor ON reports(vendor, model, firmware);
                CREATE TABLE findings (
                  report_id TEXT NOT NULL REFERENCES reports(report_id) ON DELETE CASCADE,
                  check_id TEXT NOT NULL, area TEXT NOT NULL, status TEXT NOT NULL, severity TEXT NOT NULL);
                CREATE INDEX findings_report ON findings(report_id);
                CREATE TABLE fingerprints (
                  report_id TEXT NOT NULL REFERENCES reports(report_id) ON DELETE CASCADE,
                  kind TEXT NOT NULL, value TEXT NOT NULL);
                CREATE INDEX fingerprints_value ON fingerprints(kind, value);
                """)
        }
        return m
    }

    /// Stores the documents in one transaction; returns how many were new (the others were already stored).
    @discardableResult
    public func ingest(_ docs: [ReportDocument]) throws -> Int {
        let now = ISO8601DateFormatter().string(from: Date())
        return try db.write { db in
            var fresh = 0
            for d in docs {
                try db.execute(sql: """
                    INSERT OR IGNORE INTO reports (report_id, unit, vendor, model, firmware, source_kind, audit_date, generated_at, received_at, body)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [d.reportID, d.unit, d.vendor, d.model, d.firmware, d.sourceKind, d.auditDate, d.generatedAt, now, d.body])
                guard db.changesCount == 1 else { continue }
                fresh += 1
                for f in d.findings {
                    try db.execute(sql: "INSERT INTO findings (report_id, check_id, area, status, severity) VALUES (?, ?, ?, ?, ?)",
                                   arguments: [d.reportID, f.check, f.area, f.status, f.severity])
                }
                for k in d.hostKeys { try db.execute(sql: "INSERT INTO fingerprints VALUES (?, 'host_key', ?)", arguments: [d.reportID, k]) }
                for h in d.passwordHMACs { try db.execute(sql: "INSERT INTO fingerprints VALUES (?, 'password_hash', ?)", arguments: [d.reportID, h]) }
            }
            return fresh
        }
    }

    public func reportCount() throws -> Int { try db.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM reports") ?? 0 } }

    /// Direct access (the metrics build a temporary table of the latest reports).
    public func read<T>(_ body: (Database) throws -> T) throws -> T { try db.inDatabase(body) }
}
