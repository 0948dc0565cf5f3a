// Vendor health metrics over the latest report of every unit, grouped by vendor, model or firmware build: units,
// failure count and density per check (Wilson 95% interval, flagged below the minimum sample), credential uniqueness
// (units sharing a host key or a password-hash fingerprint with another unit, largest shared cluster), update,
// lifecycle and disclosure shares, and CyberGreen's log-scaled score (100·log(1+fails)/log(1+max fails), higher is
// worse) with a rank.
import Foundation
import GRDB

public enum Grouping: String, CaseIterable { case vendor, model, firmware }

public struct CheckMetric {
    public let check: String
    public let evaluated: Int       // units where the check passed, failed or warned
    public let failures: Int
    public var density: Double { evaluated == 0 ? 0 : Double(failures) / Double(evaluated) }
    public let low: Double          // Wilson 95% interval
    public let high: Double
    public let belowMinimumSample: Bool
}

public struct GroupMetrics {
    public let vendor: String
    public let model: String?
    public let firmware: String?
    public let units: Int
    public let checks: [CheckMetric]
    public let sharedHostKeyUnits: Int
    public let sharedPasswordUnits: Int
    public let largestCluster: Int
    public let updateHygiene: Double    // units with no failing UPD check
    public let lifecycleEOL: Double     // units failing LIFE-04 or LIFE-05
    public let supportOver: Double      // units failing LIFE-02
    public let disclosure: Double       // units passing DISC-01
    public let failingFindings: Int
    public var score = 0.0
    public var rank = 0
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

    public static func compute(_ store: FleetStore, by grouping: Grouping) throws -> [GroupMetrics] {
        try store.read { db in
            // The latest report of every unit.
            try db.execute(sql: """
                CREATE TEMP TABLE IF NOT EXISTS latest (report_id TEXT PRIMARY KEY, unit TEXT, vendor TEXT, model TEXT, firmware TEXT);
                DELETE FROM latest;
                INSERT INTO latest SELECT report_id, unit, vendor, model, firmware FROM (
                  SELECT report_id, unit, vendor, model, firmware,
                         row_number() OVER (PARTITION BY unit ORDER BY audit_date DESC, generated_at DESC, report_id) AS n
                  FROM reports) WHERE n = 1;
                """)
            var groupOf: [String: String] = [:]     // unit → group key
            var groups: [String: (vendor: String, model: String?, firmware: String?, units: Set<String>)] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT unit, vendor, model, firmware FROM latest") {
                let unit: String = row["unit"], vendor: String = row["vendor"], model: String = row["model"], fw: String = row["firmware"]
                let key: String
                switch grouping {
                case .vendor: key = vendor
                case .model: key = vendor + "\u{1f}" + model
                case .firmware: key = vendor + "\u{1f}" + model + "\u{1f}" + fw
                }
                groupOf[unit] = key
                var g = groups[key] ?? (vendor, grouping == .vendor ? nil : model, grouping == .firmware ? fw : nil, [])
                g.units.insert(unit)
                groups[key] = g
            }
            // Findings of those reports, per group and check.
            var evaluated: [String: [String: Int]] = [:], failed: [String: [String: Int]] = [:]
            var unitFails: [String: Set<String>] = [:]          // unit → checks failing
            var unitPasses: [String: Set<String>] = [:]
            var failing: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT l.unit, f.check_id, f.status FROM findings f JOIN latest l USING (report_id)") {
                let unit: String = row[0], check: String = row[1], status: String = row[2]
                guard let key = groupOf[unit] else { continue }
                if status == "pass" || status == "fail" || status == "warn" { evaluated[key, default: [:]][check, default: 0] += 1 }
                if status == "fail" {
                    failed[key, default: [:]][check, default: 0] += 1
                    unitFails[unit, default: []].insert(check)
                    failing[key, default: 0] += 1
                }
                if status == "pass" { unitPasses[unit, default: []].insert(check) }
            }
            // Shared secrets across the whole fleet.
            var sharedHost: Set<String> = [], sharedPassword: Set<String> = []
            var clusterOf: [String: Int] = [:]                  // unit → largest cluster it is in
            let clusters = try Row.fetchAll(db, sql: """
                SELECT p.kind, p.value, group_concat(DISTINCT l.unit) AS units, count(DISTINCT l.unit) AS n
                FROM fingerprints p JOIN latest l USING (report_id) GROUP BY p.kind, p.value HAVING n > 1
                """)
            for c in clusters {
                let kind: String = c["kind"], units = (c["units"] as String).split(separator: ",").map(String.init), n: Int = c["n"]
                for u in units {
                    if kind == "host_key" { sharedHost.insert(u) } else { sharedPassword.insert(u) }
                    clusterOf[u] = max(clusterOf[u] ?? 0, n)
                }
            }
            var out: [GroupMetrics] = []
            for (key, g) in groups {
                let n = g.units.count
                var checks: [CheckMetric] = []
                for (check, e) in (evaluated[key] ?? [:]).sorted(by: { $0.key < $1.key }) {
                    let f = failed[key]?[check] ?? 0
                    let (lo, hi) = wilson(f, e)
                    checks.append(CheckMetric(check: check, evaluated: e, failures: f, low: lo, high: hi, belowMinimumSample: e < minimumSample))
                }
                func share(_ pred: (String) -> Bool) -> Double { n == 0 ? 0 : Double(g.units.filter(pred).count) / Double(n) }
                out.append(GroupMetrics(
                    vendor: g.vendor, model: g.model, firmware: g.firmware, units: n, checks: checks,
                    sharedHostKeyUnits: g.units.filter { sharedHost.contains($0) }.count,
                    sharedPasswordUnits: g.units.filter { sharedPassword.contains($0) }.count,
                    largestCluster: g.units.map { clusterOf[$0] ?? 1 }.max() ?? 0,
                    updateHygiene: share { !(unitFails[$0] ?? []).contains(where: { $0.hasPrefix("UPD-") }) },
                    lifecycleEOL: share { let f = unitFails[$0] ?? []; return f.contains("LIFE-04") || f.contains("LIFE-05") },
                    supportOver: share { (unitFails[$0] ?? []).contains("LIFE-02") },
                    disclosure: share { (unitPasses[$0] ?? []).contains("DISC-01") },
                    failingFindings: failing[key] ?? 0))
            }
            let maxFails = out.map { $0.failingFindings }.max() ?? 0
            for i in out.indices {
                out[i].score = maxFails == 0 ? 0 : 100 * log(1 + Double(out[i].failingFindings)) / log(1 + Double(maxFails))
            }
            out.sort { $0.score != $1.score ? $0.score < $1.score : ($0.vendor, $0.model ?? "", $0.firmware ?? "") < ($1.vendor, $1.model ?? "", $1.firmware ?? "") }
            for i in out.indices { out[i].rank = i + 1 }
            return out
        }
    }
}
