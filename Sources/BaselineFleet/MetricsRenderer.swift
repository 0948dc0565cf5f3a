// Vendor metrics as a terminal table, CSV or JSON (the core's JSON writer, keys sorted).
import BaselineCore
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
        let doc: JSONNode = .obj([("schema", .str("baseline.vendor-metrics/1")), ("by", .str(by.rawValue)), ("period", .str(period)),
                                  ("minimum_sample", .num(VendorMetrics.minimumSample)), ("groups", .arr(m.map(object)))])
        return JSONWriter.write(doc, sortKeys: true)
    }

    /// One group as a JSON object (`baseline.vendor-metrics/1`, groups[]).
    public static func object(_ g: GroupMetrics) -> JSONNode {
        func opt(_ v: Int?) -> JSONNode { v.map { .num($0) } ?? .null }
        var o: [(String, JSONNode)] = [
            ("rank", .num(g.rank)), ("vendor", .str(g.vendor)), ("units", .num(g.units)), ("score", .num((g.score * 10).rounded() / 10)),
            ("failing_findings", .num(g.failingFindings)),
            ("credential_uniqueness", .obj([
                ("units_sharing_host_key", .num(g.sharedHostKeyUnits)), ("units_sharing_password_hash", .num(g.sharedPasswordUnits)),
                ("largest_shared_cluster", .num(g.largestCluster)), ("units_with_factory_secrets", .num(g.flagCounts[.factorySecrets] ?? 0)),
                ("units_without_failing_credential_check", .num(g.share(.credentialsClean)))])),
            ("update_hygiene", .obj([
                ("units_without_failing_update_check", .num(g.updateHygiene)), ("signed_share", .num(g.share(.signedUpdates))),
                ("tls_share", .num(g.share(.tlsUpdates))), ("automatic_share", .num(g.share(.automaticUpdates)))])),
            ("lifecycle", .obj([
                ("eol_share", .num(g.lifecycleEOL)), ("median_days_past_eol", opt(g.medianEOLDaysPast)),
                ("support_declared_share", .num(g.share(.supportDeclared))), ("median_support_days_remaining", opt(g.medianSupportDays)),
                ("support_over_share", .num(g.supportOver)), ("support_gap_share", .num(g.share(.supportGap)))])),
            ("median_firmware_age_days", opt(g.medianFirmwareAgeDays)),
            ("disclosure_published_share", .num(g.disclosure)),
            ("checks", .arr(g.checks.map { c in
                .obj([("check", .str(c.check)), ("evaluated", .num(c.evaluated)), ("failures", .num(c.failures)), ("density", .num(c.density)),
                      ("ci95", .arr([.num(c.low), .num(c.high)])), ("below_minimum_sample", .flag(c.belowMinimumSample))])
            })),
        ]
        if let model = g.model { o.append(("model", .str(model))) }
        if let fw = g.firmware { o.append(("firmware", .str(fw))) }
        if let c = g.change {
            o.append(("change", .obj([("previous_period", .str(c.previousPeriod)), ("units", .num(c.unitsDelta)),
                                      ("failing_per_unit", .num(c.failingPerUnitDelta)), ("score", .num((c.scoreDelta * 10).rounded() / 10)),
                                      ("rank", .num(c.rankDelta))])))
        }
        return .obj(o)
    }
}
