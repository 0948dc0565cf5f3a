// Vendor metrics as a terminal table, CSV or JSON.
import Foundation

public enum MetricsRenderer {
    static func pct(_ v: Double) -> String { String(format: "%.0f%%", v * 100) }

    public static func render(_ m: [GroupMetrics], by: Grouping, format: String, period: String = "all") -> String {
        switch format {
        case "json": return json(m, by: by, period: period)
        case "csv": return csv(m)
        default: return table(m, by: by)
        }
    }

    static func name(_ g: GroupMetrics) -> String {
        [g.vendor, g.model, g.firmware].compactMap { $0 }.joined(separator: " / ")
    }

    static func worst(_ g: GroupMetrics) -> String {
        g.checks.filter { $0.failures > 0 }.sorted { $0.density != $1.density ? $0.density > $1.density : $0.check < $1.check }
            .prefix(4).map { "\($0.check) \($0.failures)/\($0.evaluated)" }.joined(separator: " ")
    }

    static func table(_ m: [GroupMetrics], by: Grouping) -> String {
        let header = ["RANK", by.rawValue.uppercased(), "UNITS", "SCORE", "CHANGE", "SHARED-KEY", "SHARED-PW", "CLUSTER", "FACTORY", "UPDATE-OK", "SIGNED",
                      "EOL", "SUPPORT-LEFT", "SUPPORT-OVER", "DISCLOSURE", "WORST CHECKS (fail/evaluated)"]
        var rows = [header]
        for g in m {
            let change = g.change.map { String(format: "%+.0f", $0.scoreDelta) } ?? "-"
            let left = g.medianSupportDays.map { "\($0)d" } ?? "-"
            rows.append(["\(g.rank)", name(g), "\(g.units)", String(format: "%.0f", g.score), change, "\(g.sharedHostKeyUnits)", "\(g.sharedPasswordUnits)",
                         "\(g.largestCluster)", "\(g.flagCounts[.factorySecrets] ?? 0)", pct(g.updateHygiene), pct(g.share(.signedUpdates)),
                         pct(g.lifecycleEOL), left, pct(g.supportOver), pct(g.disclosure), worst(g)])
        }
        var widths = [Int](repeating: 0, count: header.count)
        for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
        var out = ""
        for r in rows {
            out += r.enumerated().map { i, c in i == r.count - 1 ? c : c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }.joined(separator: "  ") + "\n"
        }
        let low = m.filter { $0.units < VendorMetrics.minimumSample }.count
        if low > 0 { out += "(\(low) group(s) below the minimum sample of \(VendorMetrics.minimumSample) units: densities are indicative)\n" }
        return out
    }

    static func csv(_ m: [GroupMetrics]) -> String {
        func q(_ s: String) -> String { s.contains(",") || s.contains("\"") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s }
        var out = "rank,vendor,model,firmware,units,score,check,evaluated,failures,density,ci_low,ci_high,below_minimum_sample\n"
        for g in m {
            for c in g.checks {
                out += [String(g.rank), q(g.vendor), q(g.model ?? ""), q(g.firmware ?? ""), String(g.units), String(format: "%.1f", g.score), c.check,
                        String(c.evaluated), String(c.failures), String(format: "%.4f", c.density), String(format: "%.4f", c.low),
                        String(format: "%.4f", c.high), c.belowMinimumSample ? "true" : "false"].joined(separator: ",") + "\n"
            }
        }
        return out
    }

    static func json(_ m: [GroupMetrics], by: Grouping, period: String) -> String {
        let doc: [String: Any] = ["schema": "baseline.vendor-metrics/1", "by": by.rawValue, "period": period,
                                  "minimum_sample": VendorMetrics.minimumSample, "groups": m.map(object)]
        let data = (try? JSONSerialization.data(withJSONObject: doc, options: [.prettyPrinted, .sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// One group as a JSON object (`baseline.vendor-metrics/1`, groups[]).
    public static func object(_ g: GroupMetrics) -> [String: Any] {
            func opt(_ v: Int?) -> Any { v.map { $0 as Any } ?? NSNull() }
            var o: [String: Any] = [
                "rank": g.rank, "vendor": g.vendor, "units": g.units, "score": (g.score * 10).rounded() / 10,
                "failing_findings": g.failingFindings,
                "credential_uniqueness": [
                    "units_sharing_host_key": g.sharedHostKeyUnits, "units_sharing_password_hash": g.sharedPasswordUnits,
                    "largest_shared_cluster": g.largestCluster, "units_with_factory_secrets": g.flagCounts[.factorySecrets] ?? 0,
                    "units_without_failing_credential_check": g.share(.credentialsClean)],
                "update_hygiene": [
                    "units_without_failing_update_check": g.updateHygiene, "signed_share": g.share(.signedUpdates),
                    "tls_share": g.share(.tlsUpdates), "automatic_share": g.share(.automaticUpdates)],
                "lifecycle": [
                    "eol_share": g.lifecycleEOL, "median_days_past_eol": opt(g.medianEOLDaysPast),
                    "support_declared_share": g.share(.supportDeclared), "median_support_days_remaining": opt(g.medianSupportDays),
                    "support_over_share": g.supportOver, "support_gap_share": g.share(.supportGap)],
                "median_firmware_age_days": opt(g.medianFirmwareAgeDays),
                "disclosure_published_share": g.disclosure,
                "checks": g.checks.map { ["check": $0.check, "evaluated": $0.evaluated, "failures": $0.failures, "density": $0.density,
                                          "ci95": [$0.low, $0.high], "below_minimum_sample": $0.belowMinimumSample] },
            ]
            if let model = g.model { o["model"] = model }
            if let fw = g.firmware { o["firmware"] = fw }
            if let c = g.change {
                o["change"] = ["previous_period": c.previousPeriod, "units": c.unitsDelta, "failing_per_unit": c.failingPerUnitDelta,
                               "score": (c.scoreDelta * 10).rounded() / 10, "rank": c.rankDelta]
            }
            return o
    }
}
