// Prometheus text exposition (format 0.0.4) of the fleet: stored reports, and per vendor the units, score, rank,
// shares, cluster sizes and per-check failures over the latest report of every unit; plus this process's requests.
import BaselineFleet
import Foundation

enum PrometheusText {
    static func label(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }

    static func number(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(format: "%.6g", v) }

    static func render(_ store: FleetStore, counters: RequestCounters) throws -> String {
        var out = ""
        func family(_ name: String, _ type: String, _ help: String, _ samples: [(String, Double)]) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for (labels, v) in samples { out += name + (labels.isEmpty ? "" : "{\(labels)}") + " " + number(v) + "\n" }
        }
        let metrics = try store.metrics(by: .vendor)
        func perVendor(_ f: (GroupMetrics) -> Double) -> [(String, Double)] { metrics.map { ("vendor=\"\(label($0.vendor))\"", f($0)) } }
        family("baseline_fleet_reports", "gauge", "Reports in the fleet store.", [("", Double(try store.reportCount()))])
        family("baseline_vendor_units", "gauge", "Units per vendor (latest report of each).", perVendor { Double($0.units) })
        family("baseline_vendor_score", "gauge", "Log-scaled vendor score, 0 to 100, higher is worse.", perVendor { ($0.score * 10).rounded() / 10 })
        family("baseline_vendor_rank", "gauge", "Vendor rank, 1 is best.", perVendor { Double($0.rank) })
        family("baseline_vendor_failing_findings", "gauge", "Failing findings over the vendor's units.", perVendor { Double($0.failingFindings) })
        family("baseline_vendor_units_sharing_host_key", "gauge", "Units sharing an SSH host key with another unit.", perVendor { Double($0.sharedHostKeyUnits) })
        family("baseline_vendor_units_sharing_password_hash", "gauge", "Units sharing a password-hash fingerprint with another unit.", perVendor { Double($0.sharedPasswordUnits) })
        family("baseline_vendor_largest_shared_cluster", "gauge", "Largest number of units sharing one fingerprint.", perVendor { Double($0.largestCluster) })
        var shares: [(String, Double)] = []
        for g in metrics {
            for f in UnitFlag.allCases { shares.append(("vendor=\"\(label(g.vendor))\",measure=\"\(f.column.dropFirst(2))\"", g.share(f))) }
        }
        family("baseline_vendor_unit_share", "gauge", "Share of the vendor's units with a property (measure).", shares)
        var fails: [(String, Double)] = [], evaluated: [(String, Double)] = []
        for g in metrics {
            for c in g.checks {
                let l = "vendor=\"\(label(g.vendor))\",check=\"\(label(c.check))\""
                fails.append((l, Double(c.failures))); evaluated.append((l, Double(c.evaluated)))
            }
        }
        family("baseline_vendor_check_failures", "gauge", "Units failing a check.", fails)
        family("baseline_vendor_check_evaluated", "gauge", "Units on which a check passed, failed or warned.", evaluated)
        let (byStatus, stored) = counters.snapshot()
        family("baseline_collector_responses_total", "counter", "Ingest answers and refused requests of this process, by status.",
               byStatus.sorted { $0.key < $1.key }.map { ("status=\"\($0.key)\"", Double($0.value)) })
        family("baseline_collector_reports_stored_total", "counter", "Reports this process stored.", [("", Double(stored))])
        return out
    }
}
