// Ingest: reports into the store and the per-period aggregates up to date, in the caller's transaction. A report id
// seen before is acknowledged again and changes nothing; a newer report of a unit replaces the unit's previous one
// in every period it falls in, taking back what the old one contributed.
import Foundation

public struct IngestOutcome: Equatable, Sendable {
    public var received = 0
    public var stored = 0
    /// The ids of the reports this ingest stored (the others were in the store already, or earlier in the batch).
    public var storedIDs: Set<String> = []
    public init(received: Int = 0, stored: Int = 0) { self.received = received; self.stored = stored }
    public var duplicates: Int { received - stored }
}

enum FleetLedger {
    struct StatKey: Hashable { let period: String; let group: Int64 }
    struct CheckKey: Hashable { let period: String; let group: Int64; let check: String }
    struct PrintKey: Hashable { let period: String; let fp: Int64 }                    // fp: fingerprints.fp_id
    struct GroupPrintKey: Hashable { let period: String; let fp: Int64; let group: Int64 }
    struct UnitKey: Hashable { let period: String; let unit: String }
    struct DayKey: Hashable { let period: String; let group: Int64; let measure: Int; let days: Int64 }   // measure: in `measures`
    static let measures = ["support", "eol", "age"]
    static let perKeyLimit = 256                            // reports per batch locked key by key on PostgreSQL
    static let chunkSize = 400                              // keys per `IN (…)` read, and reports per multi-row insert (12 binds each)

    /// A unit's latest report in a period, as the units table holds it (and the batch changes it).
    struct UnitState {
        var key: (String, String, String)                   // audit date, generated at, report id: the newer wins
        var group: Int64
        var checks: String
        var flags: Int64
        var failing: Int64
        var days: [Int?]
        var shared: Int64
        var prints: [Int64]                                 // its fingerprints (fingerprints.fp_id)
    }

    /// The current time as `2026-12-05T09:30:00Z` (what ISO8601DateFormatter writes by default), made without one:
    /// creating the formatter cost ~600,000 instructions, once per stored batch (an HTTP batch of 100 reports).
    static func utcTimestamp(_ t: time_t = time(nil)) -> String {
        var t = t, tm = Glibc.tm()
        gmtime_r(&t, &tm)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(tm.tm_year + 1900)-\(two(tm.tm_mon + 1))-\(two(tm.tm_mday))T\(two(tm.tm_hour)):\(two(tm.tm_min)):\(two(tm.tm_sec))Z"
    }

    static func periods(_ auditDate: String) -> [String] { [FleetSchema.periodAll, String(auditDate.prefix(7))] }

    /// A fingerprint kind's bit in units.shared (and group_stats.shared_*): 1 host key, 2 password hash.
    static func kindBit(_ kind: String) -> Int64 { kind == "host_key" ? 1 : 2 }

    /// units.prints: the ids of a unit's fingerprints, comma-separated.
    static func decodePrints(_ text: String) -> [Int64] { text.split(separator: ",").compactMap { Int64($0) } }

    /// What a batch adds to the aggregate tables that nothing in an ingest reads back (group stats, check counts, day
    /// histograms): deltas, written by `flush`. A bulk ingest carries one across all its
    /// groups and writes it once at the end of its transaction, instead of rewriting the same few thousand aggregate
    /// rows after every group.
    final class Deltas {
        var stats: [StatKey: [Int64]] = [:]                 // units, failing, shared host key, shared password, one per UnitFlag
        /// Per period and group, evaluated and failures of each check: check `i` (`checkIDs[i]`) at 2i and 2i + 1 (one
        /// dictionary lookup per report and period, then array slots, instead of one hashed key per check).
        var checks: [StatKey: [Int64]] = [:]
        var checkIndex: [String: Int] = [:]
        var checkIDs: [String] = []
        func index(_ check: String) -> Int {
            if let i = checkIndex[check] { return i }
            checkIDs.append(check)
            checkIndex[check] = checkIDs.count - 1
            return checkIDs.count - 1
        }
        var days: [DayKey: Int64] = [:]
        /// The group ids (fleet_groups) this transaction has read or created, by "vendor␟model␟firmware".
        var groupIDs: [String: Int64] = [:]
    }

    static func ingest<E: SQLExecutor>(_ e: E, _ docs: [ReportDocument], fleet: String, factory: FactoryFingerprints, deltas: Deltas? = nil) throws -> IngestOutcome {
        try docs.withUnsafeBufferPointer { try ingest(e, $0, fleet: fleet, factory: factory, deltas: deltas) }
    }

    /// The documents are read in place, a field at a time: `docs[k].vendor` on an array copies the whole document
    /// first (every string and array in it retained, then released), ~13 times per report.
    private static func ingest<E: SQLExecutor>(_ e: E, _ docs: UnsafeBufferPointer<ReportDocument>, fleet: String, factory: FactoryFingerprints,
                                               deltas: Deltas?) throws -> IngestOutcome {
        let agg = deltas ?? Deltas()
        let now = utcTimestamp()
        var outcome = IngestOutcome()
        // PostgreSQL: a batch of up to `perKeyLimit` reports takes the store-wide lock shared and then locks each unit
        // and fingerprint it rewrites (so collectors writing different units run side by side); a larger batch takes
        // the store-wide lock exclusively instead — the server's lock table is small (max_locks_per_transaction,
        // 64 per connection by default), and a bulk run of 10,000 reports would name ~50,000 keys.
        let perKey = e.dialect == .postgres && docs.count <= perKeyLimit
        if e.dialect == .postgres {
            _ = try e.rows("SELECT count(\(perKey ? "pg_advisory_xact_lock_shared" : "pg_advisory_xact_lock")(\(PostgresBackend.lockKey)))", [])
        }
        var prints: [PrintKey: Int64] = [:]                 // this batch's change of each fingerprint's count
        var groupEvents: [(PrintKey, group: Int64, delta: Int64)] = []   // the same per group (summed later, for shared ones only)
        var crossed = Set<UnitKey>()                        // holders of fingerprints crossing 1↔2, besides the changed units
        // Sized for the batch up front (two periods, a few fingerprints per report): growing them rehashes every key.
        prints.reserveCapacity(docs.count * 6); groupEvents.reserveCapacity(docs.count * 6)
        let width = 4 + UnitFlag.allCases.count             // units, failing, shared host key, shared password, flags…
        let sharedBits: [Int64] = [1, 2]                    // units.shared: bit 0 host key, bit 1 password hash
        let zeros = [Int64](repeating: 0, count: width)
        /// Changes a group's stats in place (one hash, no copy of the counts).
        func bump(_ s: inout [Int64], _ change: (inout [Int64]) -> Void) { change(&s) }
        func shareDelta(_ sign: Int64, period: String, group: Int64, bits: Int64) {
            guard bits != 0 else { return }
            bump(&agg.stats[StatKey(period: period, group: group), default: zeros]) { s in
                for (i, b) in sharedBits.enumerated() where bits & b != 0 { s[2 + i] += sign }
            }
        }
        /// PostgreSQL: keys in one global order, so concurrent writers never deadlock. SQLite has a single writer: the
        /// order does not matter, and sorting thousands of string keys per batch was a measurable part of its time.
        func inOrder<C: Collection>(_ c: C, by less: (C.Element, C.Element) -> Bool) -> [C.Element] {
            e.dialect == .postgres ? c.sorted(by: less) : Array(c)
        }
        func placeholders(_ n: Int) -> String { Array(repeating: "?", count: n).joined(separator: ", ") }

        /// A report's counted checks (passed, failed, warned: the ones "evaluated") as (slot in the deltas, failed)
        /// pairs. Consecutive reports mostly list the same checks in the same order: the last list's slots are reused
        /// when its ids match (short strings compare inline; hashing each id was a measurable part of the writer's time).
        var lastIDs: [String] = [], lastSlots: [Int] = []
        func slots(_ list: [(String, Character)]) -> [(Int, Bool)] {
            if list.count != lastIDs.count || !zip(list, lastIDs).allSatisfy({ $0.0.0 == $0.1 }) {
                lastIDs = list.map { $0.0 }
                lastSlots = lastIDs.map { agg.index($0) }
            }
            return counted(list) { j, _ in lastSlots[j] }
        }
        func counted(_ list: [(String, Character)], slot: (Int, String) -> Int) -> [(Int, Bool)] {
            var out: [(Int, Bool)] = []
            out.reserveCapacity(list.count)
            for j in list.indices {
                // Characters compared with literals (one machine word each), not through `asciiValue`.
                let c = list[j].1
                if c == "f" { out.append((slot(j, list[j].0), true)) } else if c == "p" || c == "w" { out.append((slot(j, list[j].0), false)) }
            }
            return out
        }
        func contribute(_ sign: Int64, period: String, group: Int64, checkList: [(Int, Bool)], flags: Int64, failing: Int64,
                        dayCounts: [Int?]) {
            for (m, v) in dayCounts.enumerated() {
                if let v { agg.days[DayKey(period: period, group: group, measure: m, days: Int64(v)), default: 0] += sign }
            }
            bump(&agg.stats[StatKey(period: period, group: group), default: zeros]) { s in
                s[0] += sign; s[1] += sign * failing
                var bits = flags & UnitFlag.knownBits       // each set bit (UnitFlag.allCases would make an array per call)
                while bits != 0 { s[4 + bits.trailingZeroBitCount] += sign; bits &= bits - 1 }
            }
            bump(&agg.checks[StatKey(period: period, group: group), default: []]) { counts in
                for (i, failed) in checkList {
                    if 2 * i + 1 >= counts.count { counts += [Int64](repeating: 0, count: 2 * i + 2 - counts.count) }
                    counts[2 * i] += sign
                    if failed { counts[2 * i + 1] += sign }
                }
            }
        }

        // Reports first, in multi-row inserts: the ones the store did not have yet come back.
        // Inserted in report-id order, so concurrent PostgreSQL writers that share reports wait on each other's rows
        // in one order (no deadlock); `fresh` keeps the batch's order. Documents are referred to by index (a
        // ReportDocument is a large value: copying one retains every string and array in it).
        var seen = Set<String>(minimumCapacity: docs.count)
        let unique = docs.indices.filter { seen.insert(docs[$0].reportID).inserted }
        outcome.received = docs.count
        let byID = e.dialect == .postgres ? unique.sorted { docs[$0].reportID < docs[$1].reportID } : unique
        var storedIDs = Set<String>(minimumCapacity: docs.count)
        let reportColumns = "report_id, fleet, unit, device_id, vendor, model, firmware, source_kind, audit_date, generated_at, received_at, body, body_zstd"
        var compressor: ReportBody.Compressor?              // only for documents the parse stage did not compress
        for chunkStart in stride(from: 0, to: byID.count, by: chunkSize) {
            let chunk = byID[chunkStart..<min(chunkStart + chunkSize, byID.count)]
            let rows = chunk.map { k -> [SQLValue] in
                let frame = docs[k].storedBody ?? { let c = compressor ?? ReportBody.Compressor(); compressor = c; return c.compress(docs[k].body) }()
                return [.text(docs[k].reportID), .text(fleet), .text(docs[k].unit), .of(docs[k].deviceID), .text(docs[k].vendor), .text(docs[k].model),
                        .text(docs[k].firmware), .text(docs[k].sourceKind), .text(docs[k].auditDate), .text(docs[k].generatedAt), .text(now),
                        .text(frame == nil ? String(decoding: docs[k].body, as: UTF8.self) : ""), frame.map { .blob($0) } ?? .null]
            }
            let head = "INSERT INTO reports (\(reportColumns))"
            if let inserted = try e.insertedRowIDs(head, rows, "ON CONFLICT (report_id) DO NOTHING") {
                for (k, id) in zip(chunk, inserted) where id != nil { storedIDs.insert(docs[k].reportID) }
            } else {
                for r in try e.insertRows(head, rows, "ON CONFLICT (report_id) DO NOTHING RETURNING report_id", returning: true) {
                    if let id = r.first?.text { storedIDs.insert(id) }
                }
            }
        }
        let fresh = unique.filter { storedIDs.contains(docs[$0].reportID) }
        outcome.stored = fresh.count
        outcome.storedIDs = storedIDs

        // The fingerprints' ids (the `fingerprints` dictionary): the new ones inserted (in one order: writers inserting
        // the same new fingerprint wait on each other's row, before either holds any other lock), the others read.
        // A fingerprint new to the store has no count in any period yet: its count is not read.
        var ids: [String: [String: Int64]] = [:]            // kind → value → id
        var kindBits: [Int64: Int64] = [:]                  // id → its units.shared bit
        var newIDs = Set<Int64>()
        var docPrints = [[Int64]](repeating: [], count: docs.count)
        // Made on the parse stage's cores, or here; read a field at a time (binding a whole summary retained each of
        // its arrays and strings).
        var summaries = [UnitSummary](repeating: .placeholder, count: docs.count)
        var checkList = [Int64](repeating: 0, count: docs.count)         // check_lists.list_id of each report's checks
        let lists = CheckLists()
        do {
            var named: [String: Set<String>] = [:]
            for k in fresh {
                summaries[k] = docs[k].summary ?? UnitSummary(docs[k], factory: factory.fingerprints(for: docs[k].profileChain))
                for (kind, value) in summaries[k].fleetPrints { named[kind, default: Set(minimumCapacity: 2 * fresh.count)].insert(value) }
            }
            var rows: [[SQLValue]] = []
            for (kind, values) in named.sorted(by: { $0.key < $1.key }) { for v in inOrder(values, by: <) { rows.append([.text(kind), .text(v)]) } }
            let head = "INSERT INTO fingerprints (kind, value)"
            if let inserted = try e.insertedRowIDs(head, rows, "ON CONFLICT (kind, value) DO NOTHING") {
                for (r, id) in zip(rows, inserted) {
                    guard let id, case .text(let kind) = r[0], case .text(let value) = r[1] else { continue }
                    ids[kind, default: [:]][value] = id
                    newIDs.insert(id)
                }
            } else {
                for r in try e.insertRows(head, rows, "ON CONFLICT (kind, value) DO NOTHING RETURNING fp_id, kind, value", returning: true) {
                    let id = Int64(r[0].int ?? 0)
                    ids[r[1].text ?? "", default: [:]][r[2].text ?? ""] = id
                    newIDs.insert(id)
                }
            }
            for (kind, values) in named.sorted(by: { $0.key < $1.key }) {
                let missing = values.filter { ids[kind]?[$0] == nil }.sorted()
                for c in stride(from: 0, to: missing.count, by: chunkSize) {
                    let part = Array(missing[c..<min(c + chunkSize, missing.count)])
                    for r in try e.rows("SELECT fp_id, value FROM fingerprints WHERE kind = ? AND value IN (\(placeholders(part.count)))",
                                        [.text(kind)] + part.map { .text($0) }) {
                        ids[kind, default: [:]][r[1].text ?? ""] = Int64(r[0].int ?? 0)
                    }
                }
            }
            for (kind, byValue) in ids { for id in byValue.values { kindBits[id] = kindBit(kind) } }
            for k in fresh { docPrints[k] = summaries[k].fleetPrints.compactMap { ids[$0.0]?[$0.1] } }
        }
        // Each report's check list (the same for most reports: the last one's id is reused when the ids match), new
        // lists inserted here for the same reason as new fingerprints.
        var lastList: (summary: Int, id: Int64)?
        for k in fresh {
            let checks = summaries[k].checks
            if let l = lastList, summaries[l.summary].checks.count == checks.count,
               zip(summaries[l.summary].checks, checks).allSatisfy({ $0.0.0 == $0.1.0 }) {
                checkList[k] = l.id
            } else {
                checkList[k] = try lists.id(e, checks.map { $0.0 })
            }
            lastList = (k, checkList[k])
        }

        // PostgreSQL, several collectors at once: every unit this batch rewrites is locked (transaction-scoped advisory
        // locks, in one global order) before its row is read, so two writers of one unit take turns and each reads
        // what the other committed; writers of different units do not wait for each other.
        if perKey {
            try lockKeys(e, Set(fresh.map { "u\u{1f}" + docs[$0].unit }))
        }

        // What the store holds for the units of these reports (their fingerprints are in the row), read in chunks
        // (then kept here as the batch changes it, and written back once at the end). The all-time period first: a
        // unit has a row in a month only if it has one there, so a unit new to the store is looked for once.
        var state: [UnitKey: UnitState] = [:]
        state.reserveCapacity(docs.count * 2)
        func readUnits(_ period: String, _ units: [String]) throws {
            for c in stride(from: 0, to: units.count, by: chunkSize) {
                let part = units[c..<min(c + chunkSize, units.count)]
                for o in try e.rows("""
                    SELECT unit, report_id, group_id, audit_date, generated_at, checks, flags, failing, support_days, eol_days, firmware_age_days, shared, prints
                    FROM units WHERE period = ? AND unit IN (\(placeholders(part.count)))
                    """, [.text(period)] + part.map { .text($0) }) {
                    state[UnitKey(period: period, unit: o[0].text ?? "")] = UnitState(
                        key: (o[3].text ?? "", o[4].text ?? "", o[1].text ?? ""), group: Int64(o[2].int ?? 0), checks: o[5].text ?? "",
                        flags: Int64(o[6].int ?? 0), failing: Int64(o[7].int ?? 0), days: [o[8].int, o[9].int, o[10].int],
                        shared: Int64(o[11].int ?? 0), prints: decodePrints(o[12].text ?? ""))
                }
            }
        }
        var months: [String: Set<String>] = [:]              // (sized up front: growing a set hashes its strings again)
        var allUnits = Set<String>(minimumCapacity: fresh.count)
        for k in fresh {
            allUnits.insert(docs[k].unit)
            for p in periods(docs[k].auditDate) where p != FleetSchema.periodAll { months[p, default: Set(minimumCapacity: fresh.count)].insert(docs[k].unit) }
        }
        try readUnits(FleetSchema.periodAll, allUnits.sorted())
        for (period, units) in months.sorted(by: { $0.key < $1.key }) {
            try readUnits(period, units.filter { state[UnitKey(period: FleetSchema.periodAll, unit: $0)] != nil }.sorted())
        }
        // The kinds of the fingerprints the stored units hold that this batch did not name.
        do {
            let unknown = Set(state.values.flatMap { $0.prints }.filter { kindBits[$0] == nil }).sorted()
            for c in stride(from: 0, to: unknown.count, by: chunkSize) {
                let part = unknown[c..<min(c + chunkSize, unknown.count)]
                for r in try e.rows("SELECT fp_id, kind FROM fingerprints WHERE fp_id IN (\(placeholders(part.count)))", part.map { .int($0) }) {
                    kindBits[Int64(r[0].int ?? 0)] = kindBit(r[1].text ?? "")
                }
            }
        }
        let storedPrints = state.mapValues { $0.prints }    // what unit_fingerprints holds for them
        // Fingerprints next (after every unit lock): the new ones and those the rewritten units held, whose counts
        // this batch changes and whose other holders it may mark as sharing.
        if perKey {
            var keys = Set<String>()
            for k in fresh { for id in docPrints[k] { keys.insert("f\u{1f}\(id)") } }
            for st in state.values { for id in st.prints { keys.insert("f\u{1f}\(id)") } }
            try lockKeys(e, keys)
            // A unit's `shared` bits are also written by other writers (a fingerprint of it crossing 1↔2), which hold
            // that fingerprint's lock, not the unit's: read before these locks, the bits may be stale, and taking back
            // a stale value would leave the group's shared counts off by one. Now that every fingerprint of these units
            // is locked here, nobody else can change them: read them again.
            var byPeriod: [String: [String]] = [:]
            for k in state.keys { byPeriod[k.period, default: []].append(k.unit) }
            for (period, units) in byPeriod.sorted(by: { $0.key < $1.key }) {
                let sorted = units.sorted()
                for c in stride(from: 0, to: sorted.count, by: chunkSize) {
                    let part = Array(sorted[c..<min(c + chunkSize, sorted.count)])
                    for o in try e.rows("SELECT unit, shared FROM units WHERE period = ? AND unit IN (\(placeholders(part.count)))",
                                        [.text(period)] + part.map { .text($0) }) {
                        state[UnitKey(period: period, unit: o[0].text ?? "")]?.shared = Int64(o[1].int ?? 0)
                    }
                }
            }
        }
        // New vendor/model/firmware groups, created in one order (concurrent writers creating the same groups).
        // Groups whose id this transaction already has (an earlier group of a bulk run) are not asked for again.
        var newGroups: [(String, String, String)] = []
        var namedGroups = Set<String>()
        var previous: (String, String, String)?
        for k in fresh {
            let name = (docs[k].vendor, docs[k].model, docs[k].firmware)
            if let p = previous, p == name { continue }
            previous = name
            let key = name.0 + "\u{1f}" + name.1 + "\u{1f}" + name.2
            if agg.groupIDs[key] == nil && namedGroups.insert(key).inserted { newGroups.append(name) }
        }
        for (v, m, f) in inOrder(newGroups, by: { ($0.0, $0.1, $0.2) < ($1.0, $1.1, $1.2) }) {
            try e.execute("INSERT INTO fleet_groups (vendor, model, firmware) VALUES (?, ?, ?) ON CONFLICT (vendor, model, firmware) DO NOTHING",
                          [.text(v), .text(m), .text(f)])
        }
        var changed = Set<UnitKey>(minimumCapacity: docs.count * 2)   // units whose row this batch rewrites

        var lastGroup: (String, String, String, Int64)?
        for k in fresh {
            // Fields read in place (a copy of a ReportDocument retains every string and array in it); the summary was
            // made for every fresh report above.
            let (vendor, model, firmware, unit) = (docs[k].vendor, docs[k].model, docs[k].firmware, docs[k].unit)
            let (auditDate, generatedAt, reportID) = (docs[k].auditDate, docs[k].generatedAt, docs[k].reportID)
            let group: Int64
            if let last = lastGroup, last.0 == vendor, last.1 == model, last.2 == firmware { group = last.3 } else {
                let gkey = vendor + "\u{1f}" + model + "\u{1f}" + firmware
                if let g = agg.groupIDs[gkey] { group = g } else {
                    group = Int64(try e.scalar("SELECT group_id FROM fleet_groups WHERE vendor = ? AND model = ? AND firmware = ?",
                                               [.text(vendor), .text(model), .text(firmware)]))
                    agg.groupIDs[gkey] = group
                }
                lastGroup = (vendor, model, firmware, group)
            }
            let checkSlots = slots(summaries[k].checks)
            let checksText = "#" + String(checkList[k]) + ":" + summaries[k].letters
            let unitPrints = docPrints[k]
            let days = [summaries[k].supportDays, summaries[k].eolDaysPast, summaries[k].firmwareAgeDays]
            let (flags, failing) = (summaries[k].flags, Int64(summaries[k].failing))
            for period in periods(auditDate) {
                let uk = UnitKey(period: period, unit: unit)
                if let o = state[uk] {
                    guard (auditDate, generatedAt, reportID) > o.key else { continue }
                    contribute(-1, period: period, group: o.group, checkList: counted(try lists.decode(e, o.checks)) { agg.index($1) }, flags: o.flags, failing: o.failing, dayCounts: o.days)
                    shareDelta(-1, period: period, group: o.group, bits: o.shared)
                    for id in o.prints {
                        prints[PrintKey(period: period, fp: id), default: 0] -= 1
                        groupEvents.append((PrintKey(period: period, fp: id), o.group, -1))
                    }
                }
                state[uk] = UnitState(key: (auditDate, generatedAt, reportID), group: group, checks: checksText, flags: flags,
                                      failing: failing, days: days, shared: 0, prints: unitPrints)
                changed.insert(uk)
                contribute(1, period: period, group: group, checkList: checkSlots, flags: flags, failing: failing, dayCounts: days)
                for id in unitPrints {
                    prints[PrintKey(period: period, fp: id), default: 0] += 1
                    groupEvents.append((PrintKey(period: period, fp: id), group, 1))
                }
            }
        }

        // The fingerprints' counts before this batch (not those of fingerprints new to the store: none), read before
        // their holders change. fingerprint_counts has the shared ones (2 units or more, version 4); of the others,
        // whether one unit holds it is read from unit_fingerprints (at most one row each).
        var before: [PrintKey: Int64] = [:]
        var counts: [PrintKey: Int64] = [:]
        do {
            var byPeriod: [String: [Int64]] = [:]
            for k in prints.keys where !newIDs.contains(k.fp) { byPeriod[k.period, default: []].append(k.fp) }
            for (period, list) in byPeriod.sorted(by: { $0.key < $1.key }) {
                for c in stride(from: 0, to: list.count, by: chunkSize) {
                    let part = list[c..<min(c + chunkSize, list.count)]
                    for r in try e.rows("SELECT fp_id, units FROM fingerprint_counts WHERE period = ? AND fp_id IN (\(placeholders(part.count)))",
                                        [.text(period)] + part.map { .int($0) }) {
                        before[PrintKey(period: period, fp: Int64(r[0].int ?? 0))] = Int64(r[1].int ?? 0)
                    }
                    let single = part.filter { before[PrintKey(period: period, fp: $0)] == nil }
                    guard !single.isEmpty else { continue }
                    for r in try e.rows("SELECT DISTINCT fp_id FROM unit_fingerprints WHERE period = ? AND fp_id IN (\(placeholders(single.count)))",
                                        [.text(period)] + single.map { .int($0) }) {
                        before[PrintKey(period: period, fp: Int64(r[0].int ?? 0))] = 1
                    }
                }
            }
        }

        // The holders of each fingerprint (unit_fingerprints, keyed by fingerprint then unit): of every rewritten unit,
        // the fingerprints it no longer holds out, those it newly holds in (a unit reporting the same keys again
        // writes nothing here). New rows in key order: a fingerprint new to the store sorts after all the others.
        var gone: [[SQLValue]] = [], added: [(String, Int64, String)] = []
        for k in changed {
            let old = storedPrints[k] ?? [], new = state[k]?.prints ?? []
            for id in old where !new.contains(id) { gone.append([.text(k.period), .int(id), .text(k.unit)]) }
            for id in new where !old.contains(id) { added.append((k.period, id, k.unit)) }
        }
        for g in gone { try e.execute("DELETE FROM unit_fingerprints WHERE period = ? AND fp_id = ? AND unit = ?", g) }
        // (each period ranked once: comparing two periods' strings went out of line for every pair the sort compared)
        let rank = Dictionary(uniqueKeysWithValues: Set(added.map { $0.0 }).sorted().enumerated().map { ($1, $0) })
        var ranked = added.map { (rank[$0.0] ?? 0, $0.1, $0.2, $0.0) }
        ranked.sort { a, b in a.0 != b.0 ? a.0 < b.0 : a.1 != b.1 ? a.1 < b.1 : a.2 < b.2 }
        let upRows: [[SQLValue]] = ranked.map { [.text($0.3), .int($0.1), .text($0.2)] }
        try e.insertRows("INSERT INTO unit_fingerprints (period, fp_id, unit)", upRows)

        // The new counts: written for shared fingerprints (their count as it now is: this writer holds their locks),
        // deleted for those no longer shared. A count crossing 1↔2 changes whether its other holders share a secret.
        // Every fingerprint the batch names is counted here, so the batch's units are judged without asking again.
        var countRows: [[SQLValue]] = []
        var unshared: [PrintKey] = []
        var crossings: [(PrintKey, up: Bool)] = []
        for (k, v) in inOrder(prints, by: { ($0.key.period, $0.key.fp) < ($1.key.period, $1.key.fp) }) {
            let was = before[k] ?? 0, after = was + v
            counts[k] = after
            if after >= 2 && v != 0 { countRows.append([.text(k.period), .int(k.fp), .int(after)]) }
            if after < 2 && was >= 2 { unshared.append(k) }
            if (was >= 2) != (after >= 2) {
                crossings.append((k, after >= 2))
                for h in try e.rows("SELECT unit FROM unit_fingerprints WHERE period = ? AND fp_id = ?", [.text(k.period), .int(k.fp)]) {
                    crossed.insert(UnitKey(period: k.period, unit: h[0].text ?? ""))
                }
            }
        }
        try e.insertRows("INSERT INTO fingerprint_counts (period, fp_id, units)", countRows,
                       "ON CONFLICT (period, fp_id) DO UPDATE SET units = excluded.units")
        try deleteRows(e, "fingerprint_counts", unshared)

        // Whether each touched unit now shares a host key / a password hash with another unit: in memory for the
        // units this batch read, from the store for the other holders of a fingerprint that crossed 1↔2.
        // Those are the changed units and the holders of fingerprints that crossed 1↔2.
        for u in inOrder(crossed.isEmpty ? changed : changed.union(crossed), by: { ($0.period, $0.unit) < ($1.period, $1.unit) }) {
            var bits: Int64 = 0
            let was: Int64, group: Int64
            if let st = state[u], case let mine = st.prints, mine.allSatisfy({ counts[PrintKey(period: u.period, fp: $0)] != nil }) {
                for id in mine where (counts[PrintKey(period: u.period, fp: id)] ?? 0) > 1 { bits |= kindBits[id] ?? 0 }
                was = st.shared; group = st.group
                guard bits != was else { continue }
                state[u]?.shared = bits
                changed.insert(u)
            } else {
                // Another unit: on PostgreSQL its row is locked first, so a writer changing another of its fingerprints
                // at the same time has committed before its bits are read here (or waits until this one commits).
                guard let row = try e.one("SELECT group_id, shared, prints FROM units WHERE period = ? AND unit = ?" + (e.dialect == .postgres ? " FOR UPDATE" : ""),
                                          [.text(u.period), .text(u.unit)]) else { continue }
                let held = decodePrints(row[2].text ?? "")
                if !held.isEmpty {
                    for r in try e.rows("""
                        SELECT DISTINCT f.kind FROM fingerprint_counts fc JOIN fingerprints f ON f.fp_id = fc.fp_id
                        WHERE fc.period = ? AND fc.fp_id IN (\(placeholders(held.count))) AND fc.units > 1
                        """, [.text(u.period)] + held.map { .int($0) }) { bits |= kindBit(r[0].text ?? "") }
                }
                was = Int64(row[1].int ?? 0); group = Int64(row[0].int ?? 0)
                guard bits != was else { continue }
                try e.execute("UPDATE units SET shared = ? WHERE period = ? AND unit = ?", [.int(bits), .text(u.period), .text(u.unit)])
            }
            shareDelta(-1, period: u.period, group: group, bits: was)
            shareDelta(1, period: u.period, group: group, bits: bits)
        }

        // Every rewritten unit's row, once.
        var unitRows: [[SQLValue]] = []
        for k in inOrder(changed, by: { ($0.period, $0.unit) < ($1.period, $1.unit) }) {
            guard let st = state[k] else { continue }
            unitRows.append([.text(k.period), .text(k.unit), .text(st.key.2), .int(st.group), .text(st.key.0), .text(st.key.1), .text(st.checks),
                             .int(st.flags), .int(st.failing), .of(st.days[0]), .of(st.days[1]), .of(st.days[2]), .int(st.shared),
                             .text(st.prints.map { String($0) }.joined(separator: ","))])
        }
        let unitColumns = ["report_id", "group_id", "audit_date", "generated_at", "checks", "flags", "failing", "support_days", "eol_days", "firmware_age_days",
                           "shared", "prints"]
        try e.insertRows("INSERT INTO units (period, unit, \(unitColumns.joined(separator: ", ")))", unitRows,
                       "ON CONFLICT (period, unit) DO UPDATE SET " + unitColumns.map { "\($0) = excluded.\($0)" }.joined(separator: ", "))

        // Per-group counts, kept for shared fingerprints only (all the metrics read: the largest cluster a group's
        // units are in). A fingerprint becoming shared gets its rows from its holders' unit rows (written above); one
        // no longer shared loses them; one shared before and after takes this batch's per-group changes.
        var shared = Set<PrintKey>()
        for (k, up) in crossings {
            try e.execute("DELETE FROM fingerprint_groups WHERE period = ? AND fp_id = ?", [.text(k.period), .int(k.fp)])
            guard up else { continue }
            try e.execute("""
                INSERT INTO fingerprint_groups (period, fp_id, group_id, units)
                SELECT uf.period, uf.fp_id, un.group_id, count(*) FROM unit_fingerprints uf JOIN units un ON un.period = uf.period AND un.unit = uf.unit
                WHERE uf.period = ? AND uf.fp_id = ? GROUP BY uf.period, uf.fp_id, un.group_id
                """, [.text(k.period), .int(k.fp)])
        }
        for (k, v) in counts where v >= 2 && (before[k] ?? 0) >= 2 { shared.insert(k) }
        var groupPrints: [GroupPrintKey: Int64] = [:]
        if !shared.isEmpty {
            for (k, group, delta) in groupEvents where shared.contains(k) {
                groupPrints[GroupPrintKey(period: k.period, fp: k.fp, group: group), default: 0] += delta
            }
        }
        var groupRows: [[SQLValue]] = []
        var emptied: [PrintKey] = []
        for (k, v) in inOrder(groupPrints, by: { ($0.key.period, $0.key.fp, $0.key.group) < ($1.key.period, $1.key.fp, $1.key.group) }) where v != 0 {
            groupRows.append([.text(k.period), .int(k.fp), .int(k.group), .int(v)])
            if v < 0 { emptied.append(PrintKey(period: k.period, fp: k.fp)) }
        }
        try e.insertRows("INSERT INTO fingerprint_groups (period, fp_id, group_id, units)", groupRows,
                       "ON CONFLICT (period, fp_id, group_id) DO UPDATE SET units = fingerprint_groups.units + excluded.units")
        try deleteRows(e, "fingerprint_groups", emptied, where: "units <= 0")

        if deltas == nil { try flush(e, agg) }
        return outcome
    }

    /// The check lists units.checks refers to (`#ID:letters`), read from the store once per batch when first needed.
    final class CheckLists {
        var byText: [String: Int64] = [:]
        var byID: [Int64: [String]] = [:]
        var loaded = false

        func load<E: SQLExecutor>(_ e: E) throws {
            for r in try e.rows("SELECT list_id, ids FROM check_lists", []) {
                let id = Int64(r[0].int ?? 0), text = r[1].text ?? ""
                byText[text] = id
                byID[id] = text.split(separator: ";", omittingEmptySubsequences: false).map(String.init)
            }
            loaded = true
        }

        /// The id of the list `ids`, inserted when the store does not have it yet.
        func id<E: SQLExecutor>(_ e: E, _ ids: [String]) throws -> Int64 {
            let text = ids.joined(separator: ";")
            if let id = byText[text] { return id }
            if !loaded { try load(e); if let id = byText[text] { return id } }
            try e.execute("INSERT INTO check_lists (ids) VALUES (?) ON CONFLICT (ids) DO NOTHING", [.text(text)])
            let id = Int64(try e.scalar("SELECT list_id FROM check_lists WHERE ids = ?", [.text(text)]))
            byText[text] = id
            byID[id] = ids
            return id
        }

        /// units.checks as (check, status letter) pairs: `#ID:letters`, or the text rows kept before version 3.
        func decode<E: SQLExecutor>(_ e: E, _ checks: String) throws -> [(String, Character)] {
            guard checks.hasPrefix("#"), let colon = checks.firstIndex(of: ":"),
                  let id = Int64(checks[checks.index(after: checks.startIndex)..<colon]) else { return UnitSummary.decode(checks) }
            if byID[id] == nil && !loaded { try load(e) }
            let letters = checks[checks.index(after: colon)...]
            guard let ids = byID[id], ids.count == letters.count else {
                throw StoreError("a unit row's checks name check list \(id) of \(letters.count) checks, which the store does not have")
            }
            return Array(zip(ids, letters))
        }
    }

    /// Writes the aggregate deltas (once per key, in key order: concurrent PostgreSQL writers never deadlock).
    static func flush<E: SQLExecutor>(_ e: E, _ d: Deltas) throws {
        let statColumns = ["units", "failing", "shared_host_key", "shared_password"] + UnitFlag.allCases.map { $0.column }
        try e.insertRows("INSERT INTO group_stats (period, group_id, \(statColumns.joined(separator: ", ")))",
                       d.stats.sorted(by: { ($0.key.period, $0.key.group) < ($1.key.period, $1.key.group) })
                        .filter { $0.value.contains(where: { $0 != 0 }) }.map { [.text($0.key.period), .int($0.key.group)] + $0.value.map { .int($0) } },
                       "ON CONFLICT (period, group_id) DO UPDATE SET " + statColumns.map { "\($0) = group_stats.\($0) + excluded.\($0)" }.joined(separator: ", "))
        var checkRows: [(CheckKey, Int64, Int64)] = []
        for (k, counts) in d.checks {
            for i in 0..<counts.count / 2 where counts[2 * i] != 0 || counts[2 * i + 1] != 0 {
                checkRows.append((CheckKey(period: k.period, group: k.group, check: d.checkIDs[i]), counts[2 * i], counts[2 * i + 1]))
            }
        }
        try e.insertRows("INSERT INTO group_checks (period, group_id, check_id, evaluated, failures)",
                       checkRows.sorted(by: { ($0.0.period, $0.0.group, $0.0.check) < ($1.0.period, $1.0.group, $1.0.check) })
                        .map { [.text($0.0.period), .int($0.0.group), .text($0.0.check), .int($0.1), .int($0.2)] },
                       """
                       ON CONFLICT (period, group_id, check_id) DO UPDATE SET evaluated = group_checks.evaluated + excluded.evaluated,
                         failures = group_checks.failures + excluded.failures
                       """)
        try e.insertRows("INSERT INTO group_days (period, group_id, measure, days, units)",
                       d.days.sorted(by: { ($0.key.period, $0.key.group, $0.key.measure, $0.key.days) < ($1.key.period, $1.key.group, $1.key.measure, $1.key.days) })
                        .filter { $0.value != 0 }.map { [.text($0.key.period), .int($0.key.group), .text(measures[$0.key.measure]), .int($0.key.days), .int($0.value)] },
                       "ON CONFLICT (period, group_id, measure, days) DO UPDATE SET units = group_days.units + excluded.units")
        d.stats = [:]; d.checks = [:]; d.days = [:]
    }

    /// The rows of `table` (fingerprint_counts, fingerprint_groups) of the fingerprints `keys`, those matching
    /// `condition` if given (a count fallen to zero): only these keys, as a table-wide delete would scan the table and
    /// wait on other writers' rows.
    static func deleteRows<E: SQLExecutor>(_ e: E, _ table: String, _ keys: [PrintKey], where condition: String? = nil) throws {
        var byPeriod: [String: Set<Int64>] = [:]
        for k in keys { byPeriod[k.period, default: []].insert(k.fp) }
        for (period, ids) in byPeriod.sorted(by: { $0.key < $1.key }) {
            let list = ids.sorted()
            for c in stride(from: 0, to: list.count, by: chunkSize) {
                let part = list[c..<min(c + chunkSize, list.count)]
                try e.execute("DELETE FROM \(table) WHERE period = ? AND fp_id IN (\(part.map { _ in "?" }.joined(separator: ", ")))" + (condition.map { " AND " + $0 } ?? ""),
                              [.text(period)] + part.map { .int($0) })
            }
        }
    }

    /// Transaction-scoped PostgreSQL advisory locks on `keys` (64-bit FNV-1a of each), taken in ascending order so
    /// that writers locking overlapping sets never deadlock. A hash collision only makes two writers take turns.
    static func lockKeys<E: SQLExecutor>(_ e: E, _ keys: Set<String>) throws {
        let hashes = Set(keys.map(lockHash)).sorted()
        for c in stride(from: 0, to: hashes.count, by: chunkSize) {
            let part = hashes[c..<min(c + chunkSize, hashes.count)]
            // VALUES is read in the order written: the locks are taken in ascending order.
            _ = try e.rows("SELECT count(pg_advisory_xact_lock(k)) FROM (VALUES \(part.map { _ in "(?::bigint)" }.joined(separator: ", "))) AS v(k)",
                           part.map { .int($0) })
        }
    }

    static func lockHash(_ key: String) -> Int64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in key.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        return Int64(bitPattern: h)
    }
}



