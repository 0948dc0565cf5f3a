// The fleet store: SQLite (a file, the default) or PostgreSQL (`postgres://…`), the same tables and the same SQL.
// A report is acknowledged only after the transaction that stored it has committed.
import Foundation

public final class FleetStore: @unchecked Sendable {
    enum Backend { case sqlite(SQLiteBackend), postgres(PostgresBackend) }

    let backend: Backend
    public let location: String
    public var isPostgres: Bool { if case .postgres = backend { return true }; return false }
    private let lock = NSLock()     // one PostgreSQL connection: one transaction at a time per process

    /// `location`: a SQLite file path (created when missing) or `postgres://user[:password]@host[:port]/database`.
    public init(location: String) throws {
        self.location = location
        if location.hasPrefix("postgres://") || location.hasPrefix("postgresql://") {
            backend = .postgres(try PostgresBackend(url: location))
        } else if let r = location.range(of: "://"), !location[..<r.lowerBound].isEmpty,
                  location[..<r.lowerBound].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." }) {
            throw StoreError("unsupported database URL scheme '\(location[..<r.lowerBound])': expected a SQLite file path or postgres://user[:password]@host[:port]/database")
        } else {
            do { backend = .sqlite(try SQLiteBackend(path: location)) } catch { throw StoreError("\(location): cannot open: \(error)") }
        }
        try transaction(write: true, exclusive: true) { e in
            try FleetSchema.migrate(e)
            // The dictionary this collector compresses bodies with, kept in the store (readers need only the store).
            if try e.one("SELECT 1 FROM body_dictionaries WHERE dict_id = ?", [.int(ReportBody.dictionaryID)]) == nil {
                try e.execute("INSERT INTO body_dictionaries (dict_id, dict) VALUES (?, ?) ON CONFLICT (dict_id) DO NOTHING",
                              [.int(ReportBody.dictionaryID), .blob(ReportBodyDictionary.bytes)])
            }
        }
    }

    /// One transaction on whichever database this is; errors become one-line StoreErrors. `bulk`: one large write, on
    /// SQLite through the rollback journal when the store is not open elsewhere (`SQLiteBackend.bulkWrite`).
    private func transaction<T>(write: Bool, exclusive: Bool = false, bulk: Bool = false, _ body: (any SQLExecutor) throws -> T) throws -> T {
        lock.lock(); defer { lock.unlock() }
        do {
            switch backend {
            case .sqlite(let b) where bulk:
                let (result, journaled) = try b.bulkWrite { try body($0) }
                lastBulkJournaled = journaled
                return result
            case .sqlite(let b): return try write ? b.write { try body($0) } : b.read { try body($0) }
            case .postgres(let b):
                if exclusive { return try b.exclusiveWrite { try body($0) } }
                return try write ? b.write { try body($0) } : b.read { try body($0) }
            }
        } catch let e as StoreError { throw e } catch { throw StoreError(FleetStore.describe(error)) }
    }

    func write<T>(_ body: (any SQLExecutor) throws -> T) throws -> T { try transaction(write: true, body) }
    /// Whether the last bulk ingest on SQLite went through the rollback journal (false: through the WAL).
    public private(set) var lastBulkJournaled = false
    func read<T>(_ body: (any SQLExecutor) throws -> T) throws -> T { try transaction(write: false, body) }

    static func describe(_ error: Error) -> String {
        let text = String(reflecting: error)
        if let r = text.range(of: "message: ") { return String(text[r.upperBound...].prefix(200)) }   // PostgreSQL's own words
        var plain = String(describing: error)
        if let r = plain.range(of: " - while executing") { plain = String(plain[..<r.lowerBound]) }   // GRDB: not the statement
        return String(plain.prefix(300))
    }

    /// Stores the documents in one transaction; returns how many were new (the others were already stored).
    @discardableResult
    public func ingest(_ docs: [ReportDocument], fleet: String = "default", factory: FactoryFingerprints = FactoryFingerprints()) throws -> IngestOutcome {
        try write { try FleetLedger.ingest($0, docs, fleet: fleet, factory: factory) }
    }

    /// Stores every group of documents `next` hands over (until it returns nil) in one transaction, each group
    /// ingested as if on its own; nothing is stored when `next` or the store throws (`next`'s error is rethrown as is).
    /// On SQLite the transaction uses the rollback journal when nobody else has the store open (`bulkWrite`).
    public func ingest(stream next: () throws -> [ReportDocument]?, fleet: String = "default",
                       factory: FactoryFingerprints = FactoryFingerprints()) throws -> IngestOutcome {
        var sourceError: Error?
        do {
            return try transaction(write: true, bulk: true) { e in
                var total = IngestOutcome()
                let deltas = FleetLedger.Deltas()           // the aggregates, written once at the end
                while true {
                    var fetched: [ReportDocument]?
                    do { fetched = try next() } catch { sourceError = error; throw error }
                    guard let docs = fetched.take() else {
                        try FleetLedger.flush(e, deltas)
                        return total
                    }
                    let o = try FleetLedger.ingest(e, docs, fleet: fleet, factory: factory, deltas: deltas)
                    total.received += o.received
                    total.stored += o.stored
                    FleetStore.free(consume docs)
                }
            }
        } catch {
            if let sourceError { throw sourceError }
            throw error
        }
    }

    /// Frees a stored group of documents on another thread. The single writer is a bulk ingest's narrowest stage, and
    /// freeing 2,000 documents (every string, finding and array in them) was ~5% of its instructions; the parse
    /// stage's cores have time to spare. The caller gives up its reference (`consume`), so the last one is released
    /// over there.
    static func free(_ docs: consuming [ReportDocument]) {
        nonisolated(unsafe) let group = docs          // only released over there, never read
        DispatchQueue.global(qos: .utility).async { withExtendedLifetime(group) {} }
    }

    /// Several ingests (each its documents and fleet) in one transaction, as if made one after the other: each
    /// outcome counts as stored the reports that it was the first to bring. Nothing is stored when it throws.
    public func ingest(batches: [(docs: [ReportDocument], fleet: String)], factory: FactoryFingerprints = FactoryFingerprints()) throws -> [IngestOutcome] {
        try write { e in
            var storedIDs = Set<String>()
            var fleets: [String] = []
            var docsByFleet: [String: [ReportDocument]] = [:]
            for b in batches {
                if docsByFleet[b.fleet] == nil { fleets.append(b.fleet) }
                docsByFleet[b.fleet, default: []] += b.docs
            }
            let deltas = FleetLedger.Deltas()
            for f in fleets { storedIDs.formUnion(try FleetLedger.ingest(e, docsByFleet[f] ?? [], fleet: f, factory: factory, deltas: deltas).storedIDs) }
            try FleetLedger.flush(e, deltas)
            return batches.map { b in
                var o = IngestOutcome(received: b.docs.count)
                for d in b.docs where storedIDs.remove(d.reportID) != nil { o.stored += 1; o.storedIDs.insert(d.reportID) }
                return o
            }
        }
    }

    public func reportCount() throws -> Int { try read { try $0.scalar("SELECT count(*) FROM reports") } }

    /// Retention: deletes the reports audited before `day` (YYYY-MM-DD) that are no unit's latest report in any period.
    /// The aggregates never read report bodies, so every metric, cluster and unit row stays as it was; what goes is the
    /// history `/v1/devices/{id}` lists. Exclusive on PostgreSQL (no writer makes a report a unit's latest meanwhile).
    /// Returns how many reports were deleted.
    /// `dropMonthsBefore` (YYYY-MM): first drop every month before it from the per-period tables (its unit rows,
    /// fingerprints and aggregates; the all-time period keeps its own), so the reports only those months used go too.
    public func prune(before day: String, dropMonthsBefore month: String? = nil) throws -> Int {
        try transaction(write: true, exclusive: true) { e in
            if let month {
                for table in ["units", "unit_fingerprints", "fingerprint_counts", "fingerprint_groups", "group_stats", "group_checks", "group_days"] {
                    try e.execute("DELETE FROM \(table) WHERE period <> ? AND period < ?", [.text(FleetSchema.periodAll), .text(month)])
                }
            }
            // Fingerprints no unit holds any more (replaced by newer reports, or only in the months dropped) leave the
            // dictionary.
            try e.execute("DELETE FROM fingerprints WHERE fp_id NOT IN (SELECT fp_id FROM unit_fingerprints)")
            let filter = "FROM reports WHERE audit_date < ? AND report_id NOT IN (SELECT report_id FROM units)"
            let n = try e.scalar("SELECT count(*) " + filter, [.text(day)])
            if n > 0 { try e.execute("DELETE " + filter, [.text(day)]) }
            return n
        }
    }

    public func periods() throws -> [String] { try read { try VendorMetrics.periods($0) } }

    /// Vendor metrics of a period ("all" or YYYY-MM), with the change since the previous period.
    public func metrics(by grouping: Grouping, period: String = "all") throws -> [GroupMetrics] {
        try read { try VendorMetrics.withChange($0, by: grouping, period: period) }
    }

    /// Metrics of every month, oldest first (trend lines).
    public func trend(by grouping: Grouping) throws -> [(period: String, metrics: [GroupMetrics])] {
        try read { e in try VendorMetrics.periods(e).map { ($0, try VendorMetrics.compute(e, by: grouping, period: $0)) } }
    }

    public func clusters(period: String = "all", limit: Int = 10) throws -> [SharedCluster] {
        try read { try VendorMetrics.clusters($0, period: period, limit: limit) }
    }

    /// The units of a vendor (latest report each, of all time or of one month), worst first.
    public func units(vendor: String, period: String = "all", limit: Int = 500) throws -> [UnitRow] {
        try read { e in
            try e.rows("""
                SELECT un.unit, g.model, g.firmware, un.report_id, un.audit_date, un.failing, un.flags, r.source_kind
                FROM units un JOIN fleet_groups g ON g.group_id = un.group_id JOIN reports r ON r.report_id = un.report_id
                WHERE un.period = ? AND g.vendor = ? ORDER BY un.failing DESC, un.unit LIMIT ?
                """, [.text(period), .text(vendor), .int(Int64(limit))]).map {
                UnitRow(unit: $0[0].text ?? "", vendor: vendor, model: $0[1].text ?? "", firmware: $0[2].text ?? "",
                        reportID: $0[3].text ?? "", auditDate: $0[4].text ?? "", failing: $0[5].int ?? 0,
                        flags: Int64($0[6].int ?? 0), sourceKind: $0[7].text ?? "")
            }
        }
    }

    /// Every stored report of a unit (a keyed device id, or `report:<id>`), newest first, as stored.
    public func reports(unit: String) throws -> [(reportID: String, auditDate: String, body: String)] {
        try read { e in
            try e.rows("SELECT report_id, audit_date, body, body_zstd FROM reports WHERE unit = ? ORDER BY audit_date DESC, generated_at DESC, report_id",
                       [.text(unit)]).map { r in
                let body = try r[3].blob.map { frame in
                    String(decoding: try ReportBody.decompress(frame) { id in
                        try e.one("SELECT dict FROM body_dictionaries WHERE dict_id = ?", [.int(id)])?.first?.blob
                    }, as: UTF8.self)
                } ?? r[2].text ?? ""
                return (r[0].text ?? "", r[1].text ?? "", body)
            }
        }
    }
}

public struct UnitRow {
    public let unit, vendor, model, firmware, reportID, auditDate: String
    public let failing: Int
    public let flags: Int64
    public let sourceKind: String
    public func has(_ f: UnitFlag) -> Bool { flags & f.bit != 0 }
}
