// Vendor health metrics per vendor, model or firmware build and per period ("all": the latest report of every unit;
// "YYYY-MM": the latest report of every unit audited that month), read from the aggregates the ledger keeps:
// units; failure count and density per check (Wilson 95% interval, flagged below the minimum sample); credential
// uniqueness (units sharing a host key or a password-hash fingerprint with another unit, largest shared cluster,
// units still carrying their profile's factory fingerprints); update hygiene (clean, signed, TLS, automatic);
// lifecycle (EOL share, median days past the base OS's end of life, support declared, median support remaining,
// support over, support gap); median firmware age; disclosure; CyberGreen's log-scaled score (100·log(1+fails)/
// log(1+max fails), higher is worse) with a rank; and the change since the previous period.
import Foundation

public enum Grouping: String, CaseIterable, Sendable { case vendor, model, firmware }

public struct CheckMetric {
    public let check: String
    public let evaluated: Int       // units where the check passed, failed or warned
    public let failures: Int
    public var density: Double { evaluated == 0 ? 0 : Double(failures) / Double(evaluated) }
    public let low: Double          // Wilson 95% interval
    public let high: Double
    public let belowMinimumSample: Bool
}

public struct PeriodChange {
    public let previousPeriod: String
    public let unitsDelta: Int
    public let failingPerUnitDelta: Double
    public let scoreDelta: Double
    public let rankDelta: Int       // positive: moved down (worse)
}

public struct GroupMetrics {
    public let vendor: String
    public let model: String?
    public let firmware: String?
    public let units: Int
    public let checks: [CheckMetric]
    public let flagCounts: [UnitFlag: Int]
    public let sharedHostKeyUnits: Int
    public let sharedPasswordUnits: Int
    public let largestCluster: Int
    public let failingFindings: Int
    public let medianSupportDays: Int?
    public let medianEOLDaysPast: Int?
    public let medianFirmwareAgeDays: Int?
    public var score = 0.0
    public var rank = 0
    public var change: PeriodChange?

    public func share(_ f: UnitFlag) -> Double { units == 0 ? 0 : Double(flagCounts[f] ?? 0) / Double(units) }
    public var failingPerUnit: Double { units == 0 ? 0 : Double(failingFindings) / Double(units) }
    public var updateHygiene: Double { share(.updateClean) }
    public var lifecycleEOL: Double { share(.endOfLife) }
    public var supportOver: Double { share(.supportOver) }
    public var disclosure: Double { share(.disclosure) }
    public var key: String { [vendor, model ?? "", firmware ?? ""].joined(separator: "\u{1f}") }
}

public struct SharedCluster {
    public let kind: String         // host_key, password_hash
    public let fingerprint: String  // the public host-key fingerprint, or the keyed password-hash fingerprint
    public let units: Int
    public let byModel: [(vendor: String, model: String, units: Int)]
}

public enum VendorMetrics {
    public static let minimumSample = 5

    public static func wilson(_ k: Int, _ n: Int) -> (Double, Double) {
        guard n > 0 else { return (0, 0) }
        let z = 1.959964, p = Double(k) / Double(n), nn = Double(n)
        let d = 1 + z * z / nn
        let c = p + z * z / (2 * nn)
        let r = z * ((p * (1 - p) + z * z / (4 * nn)) / nn).squareRoot()
        return (max(0, (c - r) / d), min(1, (c + r) / d))
    }

    static func key(_ g: Grouping, _ v: String, _ m: String, _ f: String) -> (String, String?, String?) {
        switch g {
        case .vendor: (v, nil, nil)
        case .model: (v, m, nil)
        case .firmware: (v, m, f)
        }
    }

    static func median(_ histogram: [Int: Int]) -> Int? {
        let total = histogram.values.reduce(0, +)
        guard total > 0 else { return nil }
        var seen = 0
        for (v, n) in histogram.sorted(by: { $0.key < $1.key }) {
            seen += n
            if seen * 2 >= total { return v }
        }
        return nil
    }

    /// Metrics of one period, ranked.
    static func compute(_ e: any SQLExecutor, by grouping: Grouping, period: String) throws -> [GroupMetrics] {
        struct Acc { var units = 0, failing = 0; var flags: [UnitFlag: Int] = [:]; var checks: [String: (Int, Int)] = [:]
                     var host = 0, password = 0, largest = 0; var days: [String: [Int: Int]] = [:] }
        var acc: [String: (key: (String, String?, String?), acc: Acc)] = [:]
        var groupKey: [Int: String] = [:]
        let flagCols = UnitFlag.allCases.map { "s." + $0.column }.joined(separator: ", ")
        for r in try e.rows("""
            SELECT g.group_id, g.vendor, g.model, g.firmware, s.units, s.failing, s.shared_host_key, s.shared_password, \(flagCols)
            FROM group_stats s JOIN fleet_groups g ON g.group_id = s.group_id WHERE s.period = ? AND s.units > 0
            """, [.text(period)]) {
            let k = key(grouping, r[1].text ?? "", r[2].text ?? "", r[3].text ?? "")
            let name = [k.0, k.1 ?? "", k.2 ?? ""].joined(separator: "\u{1f}")
            groupKey[r[0].int ?? 0] = name
            var a = acc[name]?.acc ?? Acc()
            a.units += r[4].int ?? 0; a.failing += r[5].int ?? 0; a.host += r[6].int ?? 0; a.password += r[7].int ?? 0
            for f in UnitFlag.allCases { a.flags[f, default: 0] += r[8 + f.rawValue].int ?? 0 }
            acc[name] = (k, a)
        }
        for r in try e.rows("SELECT group_id, check_id, evaluated, failures FROM group_checks WHERE period = ? AND evaluated > 0", [.text(period)]) {
            guard let name = groupKey[r[0].int ?? -1] else { continue }
            let c = r[1].text ?? "", old = acc[name]!.acc.checks[c] ?? (0, 0)
            acc[name]!.acc.checks[c] = (old.0 + (r[2].int ?? 0), old.1 + (r[3].int ?? 0))
        }
        for r in try e.rows("SELECT group_id, measure, days, units FROM group_days WHERE period = ? AND units > 0", [.text(period)]) {
            guard let name = groupKey[r[0].int ?? -1] else { continue }
            acc[name]!.acc.days[r[1].text ?? "", default: [:]][r[2].int ?? 0, default: 0] += r[3].int ?? 0
        }
        // The largest cluster any of a group's units is in: driven by the shared fingerprints only (index on units).
        for r in try e.rows("""
            SELECT fg.group_id, max(fc.units) FROM fingerprint_counts fc
            CROSS JOIN fingerprint_groups fg
            WHERE fc.period = ? AND fc.units > 1 AND fg.period = fc.period AND fg.fp_id = fc.fp_id
            GROUP BY fg.group_id
            """, [.text(period)]) {
            guard let name = groupKey[r[0].int ?? -1] else { continue }
            acc[name]!.acc.largest = max(acc[name]!.acc.largest, r[1].int ?? 0)
        }
        var out: [GroupMetrics] = acc.values.map { entry in
            let a = entry.acc
            let checks = a.checks.sorted { $0.key < $1.key }.map { (check, v) -> CheckMetric in
                let (lo, hi) = wilson(v.1, v.0)
                return CheckMetric(check: check, evaluated: v.0, failures: v.1, low: lo, high: hi, belowMinimumSample: v.0 < minimumSample)
            }
            return GroupMetrics(vendor: entry.key.0, model: entry.key.1, firmware: entry.key.2, units: a.units, checks: checks,
                                flagCounts: a.flags, sharedHostKeyUnits: a.host, sharedPasswordUnits: a.password,
                                largestCluster: a.units == 0 ? 0 : max(1, a.largest), failingFindings: a.failing,
                                medianSupportDays: median(a.days["support"] ?? [:]), medianEOLDaysPast: median(a.days["eol"] ?? [:]),
                                medianFirmwareAgeDays: median(a.days["age"] ?? [:]))
        }
        let maxFails = out.map { $0.failingFindings }.max() ?? 0
        for i in out.indices {
            out[i].score = maxFails == 0 ? 0 : 100 * log(1 + Double(out[i].failingFindings)) / log(1 + Double(maxFails))
        }
        out.sort { $0.score != $1.score ? $0.score < $1.score : ($0.vendor, $0.model ?? "", $0.firmware ?? "") < ($1.vendor, $1.model ?? "", $1.firmware ?? "") }
        for i in out.indices { out[i].rank = i + 1 }
        return out
    }

    static func periods(_ e: any SQLExecutor) throws -> [String] {
        try e.rows("SELECT DISTINCT period FROM group_stats WHERE period <> ? AND units > 0 ORDER BY period", [.text(FleetSchema.periodAll)])
            .compactMap { $0.first?.text }
    }

    /// Metrics of `period` with the change since the period before it (for "all": the latest month against the one before).
    static func withChange(_ e: any SQLExecutor, by grouping: Grouping, period: String) throws -> [GroupMetrics] {
        var current = try compute(e, by: grouping, period: period)
        let months = try periods(e)
        let (now, before): (String?, String?)
        if period == FleetSchema.periodAll { (now, before) = (months.last, months.count >= 2 ? months[months.count - 2] : nil) }
        else { (now, before) = (period, months.last(where: { $0 < period })) }
        guard let now, let before else { return current }
        let a = Dictionary(uniqueKeysWithValues: try compute(e, by: grouping, period: now).map { ($0.key, $0) })
        let b = Dictionary(uniqueKeysWithValues: try compute(e, by: grouping, period: before).map { ($0.key, $0) })
        for i in current.indices {
            guard let x = a[current[i].key], let y = b[current[i].key] else { continue }
            current[i].change = PeriodChange(previousPeriod: before, unitsDelta: x.units - y.units,
                                             failingPerUnitDelta: x.failingPerUnit - y.failingPerUnit,
                                             scoreDelta: x.score - y.score, rankDelta: x.rank - y.rank)
        }
        return current
    }

    /// The largest clusters of units sharing one fingerprint, with their spread over vendors and models.
    static func clusters(_ e: any SQLExecutor, period: String, limit: Int) throws -> [SharedCluster] {
        try e.rows("""
            SELECT f.kind, f.value, fc.units, fc.fp_id FROM fingerprint_counts fc JOIN fingerprints f ON f.fp_id = fc.fp_id
            WHERE fc.period = ? AND fc.units > 1 ORDER BY fc.units DESC, f.kind, f.value LIMIT ?
            """, [.text(period), .int(Int64(limit))]).map { r in
            let by = try e.rows("""
                SELECT g.vendor, g.model, count(*) FROM unit_fingerprints uf
                JOIN units un ON un.period = uf.period AND un.unit = uf.unit JOIN fleet_groups g ON g.group_id = un.group_id
                WHERE uf.period = ? AND uf.fp_id = ? GROUP BY g.vendor, g.model ORDER BY count(*) DESC, g.vendor, g.model
                """, [.text(period), r[3]]).map { (vendor: $0[0].text ?? "", model: $0[1].text ?? "", units: $0[2].int ?? 0) }
            return SharedCluster(kind: r[0].text ?? "", fingerprint: r[1].text ?? "", units: r[2].int ?? 0, byModel: by)
        }
    }
}
