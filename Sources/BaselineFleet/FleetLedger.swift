// Ingest: reports into the store and the per-period aggregates up to date, in the caller's transaction. A report id
// seen before is acknowledged again and changes nothing; a newer report of a unit replaces the unit's previous one
// in every period it falls in, taking back what the old one contributed.
import Foundation

public struct IngestOutcome: Equatable, Sendable {
    public var received = 0
    public var stored = 0
    public var duplicates: Int { received - stored }
}

enum FleetLedger {
    struct StatKey: Hashable { let period: String; let group: Int64 }
    struct CheckKey: Hashable { let period: String; let group: Int64; let check: String }
    struct PrintKey: Hashable { let period: String; let kind: String; let value: String }
    struct GroupPrintKey: Hashable { let period: String; let kind: String; let value: String; let group: Int64 }
    struct UnitKey: Hashable { let period: String; let unit: String }
    struct DayKey: Hashable { let period: String; let group: Int64; let measure: String; let days: Int64 }
    static let measures = ["support", "eol", "age"]

    static func periods(_ auditDate: String) -> [String] { [FleetSchema.periodAll, String(auditDate.prefix(7))] }

    static func fingerprints(_ d: ReportDocument) -> [(String, String)] {
        let keyed = d.fleetKeyID ?? "unkeyed"
        var out = Set<String>(), list: [(String, String)] = []
        for k in d.hostKeys where out.insert("h" + k).inserted { list.append(("host_key", k)) }
        for h in d.passwordHMACs where out.insert("p" + h).inserted { list.append(("password_hash", keyed + ":" + h)) }
        return list
    }

    static func ingest<E: SQLExecutor>(_ e: E, _ docs: [ReportDocument], fleet: String, factory: FactoryFingerprints) throws -> IngestOutcome {
        let now = ISO8601DateFormatter().string(from: Date())
        var outcome = IngestOutcome()
        var groups: [String: Int64] = [:]
        var stats: [StatKey: [Int64]] = [:]                 // units, failing, one per UnitFlag
        var checks: [CheckKey: (Int64, Int64)] = [:]        // evaluated, failures
        var prints: [PrintKey: Int64] = [:]
        var days: [DayKey: Int64] = [:]
        var groupPrints: [GroupPrintKey: Int64] = [:]
        var touched = Set<UnitKey>()                        // units whose sharing must be looked at again
        let width = 4 + UnitFlag.allCases.count             // units, failing, shared host key, shared password, flags…
        let sharedBits: [Int64] = [1, 2]                    // units.shared: bit 0 host key, bit 1 password hash
        func kindBit(_ kind: String) -> Int64 { kind == "host_key" ? 1 : 2 }
        func shareDelta(_ sign: Int64, period: String, group: Int64, bits: Int64) {
            guard bits != 0 else { return }
            var s = stats[StatKey(period: period, group: group)] ?? Array(repeating: 0, count: width)
            for (i, b) in sharedBits.enumerated() where bits & b != 0 { s[2 + i] += sign }
            stats[StatKey(period: period, group: group)] = s
        }

        func contribute(_ sign: Int64, period: String, group: Int64, checkList: [(String, Character)], flags: Int64, failing: Int64,
                        dayCounts: [Int?]) {
            for (m, v) in zip(measures, dayCounts) {
                if let v { days[DayKey(period: period, group: group, measure: m, days: Int64(v)), default: 0] += sign }
            }
            var s = stats[StatKey(period: period, group: group)] ?? Array(repeating: 0, count: width)
            s[0] += sign; s[1] += sign * failing
            for f in UnitFlag.allCases where flags & f.bit != 0 { s[4 + f.rawValue] += sign }
            stats[StatKey(period: period, group: group)] = s
            for (c, st) in checkList where st == "p" || st == "f" || st == "w" {
                let k = CheckKey(period: period, group: group, check: c)
                let old = checks[k] ?? (0, 0)
                checks[k] = (old.0 + sign, old.1 + (st == "f" ? sign : 0))
            }
        }

        for d in docs {
            outcome.received += 1
            let inserted = try e.rows("""
                INSERT INTO reports (report_id, fleet, unit, device_id, vendor, model, firmware, source_kind, audit_date, generated_at, received_at, body)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (report_id) DO NOTHING RETURNING report_id
                """, [.text(d.reportID), .text(fleet), .text(d.unit), .of(d.deviceID), .text(d.vendor), .text(d.model), .text(d.firmware),
                      .text(d.sourceKind), .text(d.auditDate), .text(d.generatedAt), .text(now), .text(String(decoding: d.body, as: UTF8.self))])
            guard !inserted.isEmpty else { continue }
            outcome.stored += 1
            let summary = UnitSummary(d, factory: factory.fingerprints(for: d.profileChain))
            let gkey = d.vendor + "\u{1f}" + d.model + "\u{1f}" + d.firmware
            let group: Int64
            if let g = groups[gkey] { group = g } else {
                try e.execute("INSERT INTO fleet_groups (vendor, model, firmware) VALUES (?, ?, ?) ON CONFLICT (vendor, model, firmware) DO NOTHING",
                              [.text(d.vendor), .text(d.model), .text(d.firmware)])
                group = Int64(try e.scalar("SELECT group_id FROM fleet_groups WHERE vendor = ? AND model = ? AND firmware = ?",
                                           [.text(d.vendor), .text(d.model), .text(d.firmware)]))
                groups[gkey] = group
            }
            let unitPrints = fingerprints(d)
            for period in periods(d.auditDate) {
                let old = try e.one("SELECT report_id, group_id, audit_date, generated_at, checks, flags, failing, support_days, eol_days, firmware_age_days, shared FROM units WHERE period = ? AND unit = ?",
                                    [.text(period), .text(d.unit)])
                let row: [SQLValue] = [.text(d.reportID), .int(group), .text(d.auditDate), .text(d.generatedAt), .text(summary.encodedChecks),
                                       .int(summary.flags), .int(Int64(summary.failing)), .of(summary.supportDays), .of(summary.eolDaysPast),
                                       .of(summary.firmwareAgeDays), .text(period), .text(d.unit)]
                if let o = old {
                    let oldKey = (o[2].text ?? "", o[3].text ?? "", o[0].text ?? "")
                    guard (d.auditDate, d.generatedAt, d.reportID) > oldKey else { continue }
                    contribute(-1, period: period, group: Int64(o[1].int ?? 0), checkList: UnitSummary.decode(o[4].text ?? ""),
                               flags: Int64(o[5].int ?? 0), failing: Int64(o[6].int ?? 0), dayCounts: [o[7].int, o[8].int, o[9].int])
                    shareDelta(-1, period: period, group: Int64(o[1].int ?? 0), bits: Int64(o[10].int ?? 0))
                    for p in try e.rows("SELECT kind, value FROM unit_fingerprints WHERE period = ? AND unit = ?", [.text(period), .text(d.unit)]) {
                        prints[PrintKey(period: period, kind: p[0].text ?? "", value: p[1].text ?? ""), default: 0] -= 1
                        groupPrints[GroupPrintKey(period: period, kind: p[0].text ?? "", value: p[1].text ?? "", group: Int64(o[1].int ?? 0)), default: 0] -= 1
                    }
                    try e.execute("DELETE FROM unit_fingerprints WHERE period = ? AND unit = ?", [.text(period), .text(d.unit)])
                    try e.execute("""
                        UPDATE units SET report_id = ?, group_id = ?, audit_date = ?, generated_at = ?, checks = ?, flags = ?, failing = ?,
                          support_days = ?, eol_days = ?, firmware_age_days = ?, shared = 0 WHERE period = ? AND unit = ?
                        """, row)
                } else {
                    try e.execute("""
                        INSERT INTO units (report_id, group_id, audit_date, generated_at, checks, flags, failing, support_days, eol_days,
                          firmware_age_days, period, unit) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """, row)
                }
                contribute(1, period: period, group: group, checkList: summary.checks, flags: summary.flags, failing: Int64(summary.failing),
                           dayCounts: [summary.supportDays, summary.eolDaysPast, summary.firmwareAgeDays])
                for (kind, value) in unitPrints {
                    try e.execute("INSERT INTO unit_fingerprints (period, unit, kind, value) VALUES (?, ?, ?, ?)",
                                  [.text(period), .text(d.unit), .text(kind), .text(value)])
                    prints[PrintKey(period: period, kind: kind, value: value), default: 0] += 1
                    groupPrints[GroupPrintKey(period: period, kind: kind, value: value, group: group), default: 0] += 1
                }
                touched.insert(UnitKey(period: period, unit: d.unit))
            }
        }

        // Fingerprint counts first: a count crossing 1↔2 changes whether its other holders share a secret.
        for (k, v) in prints.sorted(by: { ($0.key.period, $0.key.kind, $0.key.value) < ($1.key.period, $1.key.kind, $1.key.value) }) where v != 0 {
            let now = Int64(try e.one("""
                INSERT INTO fingerprint_counts (period, kind, value, units) VALUES (?, ?, ?, ?)
                ON CONFLICT (period, kind, value) DO UPDATE SET units = fingerprint_counts.units + excluded.units RETURNING units
                """, [.text(k.period), .text(k.kind), .text(k.value), .int(v)])?.first?.int ?? 0)
            if (now - v >= 2) != (now >= 2) {
                for h in try e.rows("SELECT unit FROM unit_fingerprints WHERE period = ? AND kind = ? AND value = ?", [.text(k.period), .text(k.kind), .text(k.value)]) {
                    touched.insert(UnitKey(period: k.period, unit: h[0].text ?? ""))
                }
            }
        }
        if prints.values.contains(where: { $0 < 0 }) { try e.execute("DELETE FROM fingerprint_counts WHERE units <= 0") }
        for k in groupPrints.keys.sorted(by: { ($0.period, $0.kind, $0.value, $0.group) < ($1.period, $1.kind, $1.value, $1.group) }) {
            guard let v = groupPrints[k], v != 0 else { continue }
            try e.execute("""
                INSERT INTO fingerprint_groups (period, kind, value, group_id, units) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (period, kind, value, group_id) DO UPDATE SET units = fingerprint_groups.units + excluded.units
                """, [.text(k.period), .text(k.kind), .text(k.value), .int(k.group), .int(v)])
        }
        if groupPrints.values.contains(where: { $0 < 0 }) { try e.execute("DELETE FROM fingerprint_groups WHERE units <= 0") }
        // Whether each touched unit now shares a host key / a password hash with another unit.
        for u in touched.sorted(by: { ($0.period, $0.unit) < ($1.period, $1.unit) }) {
            guard let row = try e.one("SELECT group_id, shared FROM units WHERE period = ? AND unit = ?", [.text(u.period), .text(u.unit)]) else { continue }
            var bits: Int64 = 0
            for r in try e.rows("""
                SELECT DISTINCT uf.kind FROM unit_fingerprints uf JOIN fingerprint_counts fc ON fc.period = uf.period AND fc.kind = uf.kind AND fc.value = uf.value
                WHERE uf.period = ? AND uf.unit = ? AND fc.units > 1
                """, [.text(u.period), .text(u.unit)]) { bits |= kindBit(r[0].text ?? "") }
            let was = Int64(row[1].int ?? 0), group = Int64(row[0].int ?? 0)
            guard bits != was else { continue }
            shareDelta(-1, period: u.period, group: group, bits: was)
            shareDelta(1, period: u.period, group: group, bits: bits)
            try e.execute("UPDATE units SET shared = ? WHERE period = ? AND unit = ?", [.int(bits), .text(u.period), .text(u.unit)])
        }

        // The aggregates, once per key for the whole batch (in key order, so concurrent writers never deadlock).
        let statColumns = ["units", "failing", "shared_host_key", "shared_password"] + UnitFlag.allCases.map { $0.column }
        let statSQL = "INSERT INTO group_stats (period, group_id, \(statColumns.joined(separator: ", "))) VALUES (?, ?, "
            + statColumns.map { _ in "?" }.joined(separator: ", ") + ") ON CONFLICT (period, group_id) DO UPDATE SET "
            + statColumns.map { "\($0) = group_stats.\($0) + excluded.\($0)" }.joined(separator: ", ")
        for (k, v) in stats.sorted(by: { ($0.key.period, $0.key.group) < ($1.key.period, $1.key.group) }) where v.contains(where: { $0 != 0 }) {
            try e.execute(statSQL, [.text(k.period), .int(k.group)] + v.map { .int($0) })
        }
        for (k, v) in checks.sorted(by: { ($0.key.period, $0.key.group, $0.key.check) < ($1.key.period, $1.key.group, $1.key.check) }) where v != (0, 0) {
            try e.execute("""
                INSERT INTO group_checks (period, group_id, check_id, evaluated, failures) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (period, group_id, check_id) DO UPDATE SET evaluated = group_checks.evaluated + excluded.evaluated,
                  failures = group_checks.failures + excluded.failures
                """, [.text(k.period), .int(k.group), .text(k.check), .int(v.0), .int(v.1)])
        }
        for (k, v) in days.sorted(by: { ($0.key.period, $0.key.group, $0.key.measure, $0.key.days) < ($1.key.period, $1.key.group, $1.key.measure, $1.key.days) }) where v != 0 {
            try e.execute("""
                INSERT INTO group_days (period, group_id, measure, days, units) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (period, group_id, measure, days) DO UPDATE SET units = group_days.units + excluded.units
                """, [.text(k.period), .int(k.group), .text(k.measure), .int(k.days), .int(v)])
        }
        return outcome
    }
}
