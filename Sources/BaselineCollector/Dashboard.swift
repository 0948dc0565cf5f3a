// The dashboard: server-rendered HTML with inline CSS and SVG, no script and nothing fetched from elsewhere. The
// overview has the vendor scorecard, per-area failure bars, trend lines per month and the largest shared-credential
// clusters; vendor pages list firmware builds and units; device pages show a unit's reports and findings.
import BaselineFleet
import Foundation

enum Dashboard {
    static func esc(_ s: String) -> String {
        var o = ""
        for c in s {
            switch c { case "&": o += "&amp;"; case "<": o += "&lt;"; case ">": o += "&gt;"; case "\"": o += "&quot;"; case "'": o += "&#39;"; default: o.append(c) }
        }
        return o
    }

    static func link(_ s: String) -> String { s.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? s }
    static func unescape(_ s: String) -> String { s.removingPercentEncoding ?? s }
    static func pct(_ v: Double) -> String { String(format: "%.0f%%", v * 100) }

    static let style = """
        body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1d2330;background:#f6f7f9}
        h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
        table{border-collapse:collapse;background:#fff;box-shadow:0 1px 2px #0002}
        th,td{padding:5px 9px;border-bottom:1px solid #e3e6ea;text-align:left;vertical-align:top}
        th{background:#eef1f5;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}
        a{color:#1456b8;text-decoration:none}.muted{color:#69707d}
        .bar{display:inline-block;height:10px;background:#d94b3d;vertical-align:middle}.bar.ok{background:#2f9e5b}
        .track{display:inline-block;width:120px;height:10px;background:#e3e6ea;margin-right:6px;vertical-align:middle}
        .fail{color:#b3261e;font-weight:600}.warn{color:#9a6700;font-weight:600}.pass{color:#1e7b45}
        svg text{font:11px system-ui,sans-serif;fill:#1d2330}
        """

    static func page(_ title: String, _ body: String) -> String {
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>\(esc(title))</title><style>\(style)</style></head><body>\n\(body)\n</body></html>\n"
    }

    static let notFound = page("Not found", "<h1>Not found</h1><p><a href=\"/\">Fleet overview</a></p>")

    static func bar(_ share: Double, good: Bool = false) -> String {
        let w = Int((max(0, min(1, share)) * 120).rounded())
        return "<span class=\"track\"><span class=\"bar\(good ? " ok" : "")\" style=\"width:\(w)px\"></span></span>\(pct(share))"
    }

    static let areas = [("CRED-", "credentials"), ("UPD-", "update"), ("LIFE-", "lifecycle"), ("SURF-", "surface"), ("DISC-", "disclosure")]

    static func areaDensity(_ g: GroupMetrics, _ prefix: String) -> Double {
        let cs = g.checks.filter { $0.check.hasPrefix(prefix) }
        let e = cs.reduce(0) { $0 + $1.evaluated }, f = cs.reduce(0) { $0 + $1.failures }
        return e == 0 ? 0 : Double(f) / Double(e)
    }

    static func overview(_ store: FleetStore) throws -> String? {
        let m = try store.metrics(by: .vendor)
        var b = "<h1>Baseline fleet — vendor health</h1>\n<p class=\"muted\">\(try store.reportCount()) report(s), \(m.reduce(0) { $0 + $1.units }) unit(s), "
            + "\(m.count) vendor(s). Latest report of every unit; score 0–100, higher is worse (log-scaled failing findings).</p>\n"
        b += "<h2>Vendor scorecard</h2>\n<table id=\"vendors\"><thead><tr><th>Rank</th><th>Vendor</th><th>Units</th><th>Score</th><th>Change</th>"
            + "<th>Credentials clean</th><th>Shared secrets</th><th>Factory secrets</th><th>Update clean</th><th>Signed updates</th>"
            + "<th>EOL</th><th>Support left (median)</th><th>Support over</th><th>Disclosure</th></tr></thead><tbody>\n"
        for g in m {
            let change = g.change.map { String(format: "%+.0f since %@", $0.scoreDelta, $0.previousPeriod) } ?? "–"
            b += "<tr><td class=\"n\">\(g.rank)</td><td><a href=\"/vendors/\(link(g.vendor))\">\(esc(g.vendor))</a></td><td class=\"n\">\(g.units)</td>"
                + "<td class=\"n\">\(String(format: "%.0f", g.score))</td><td>\(esc(change))</td><td>\(bar(g.share(.credentialsClean), good: true))</td>"
                + "<td class=\"n\">\(max(g.sharedHostKeyUnits, g.sharedPasswordUnits))</td><td class=\"n\">\(g.flagCounts[.factorySecrets] ?? 0)</td>"
                + "<td>\(bar(g.updateHygiene, good: true))</td><td>\(bar(g.share(.signedUpdates), good: true))</td><td>\(bar(g.lifecycleEOL))</td>"
                + "<td class=\"n\">\(g.medianSupportDays.map { "\($0) d" } ?? "–")</td><td>\(bar(g.supportOver))</td><td>\(bar(g.disclosure, good: true))</td></tr>\n"
        }
        b += "</tbody></table>\n"
        if m.contains(where: { $0.units < VendorMetrics.minimumSample }) {
            b += "<p class=\"muted\">Vendors with fewer than \(VendorMetrics.minimumSample) units are below the minimum sample: their shares are indicative.</p>\n"
        }
        b += "<h2>Failure density per area</h2>\n<table id=\"areas\"><thead><tr><th>Vendor</th>" + areas.map { "<th>\($0.1)</th>" }.joined() + "</tr></thead><tbody>\n"
        for g in m { b += "<tr><td>\(esc(g.vendor))</td>" + areas.map { "<td>\(bar(areaDensity(g, $0.0)))</td>" }.joined() + "</tr>\n" }
        b += "</tbody></table>\n"
        b += "<h2>Trend: failing findings per unit, by month</h2>\n" + (try trendChart(store))
        b += "<h2>Largest shared-credential clusters</h2>\n"
        let clusters = try store.clusters(limit: 10)
        if clusters.isEmpty { b += "<p id=\"clusters\">No host key or password-hash fingerprint is shared by two or more units.</p>\n" } else {
            b += "<table id=\"clusters\"><thead><tr><th>Units</th><th>Secret</th><th>Fingerprint</th><th>Vendors and models</th></tr></thead><tbody>\n"
            for c in clusters {
                b += "<tr><td class=\"n\">\(c.units)</td><td>\(c.kind == "host_key" ? "SSH host key" : "password hash")</td><td><code>\(esc(CollectorPeriod.short(c.fingerprint)))</code></td><td>"
                    + c.byModel.map { "\(esc($0.vendor)) \(esc($0.model)): \($0.units)" }.joined(separator: "<br>") + "</td></tr>\n"
            }
            b += "</tbody></table>\n"
        }
        b += "<p class=\"muted\">JSON: <a href=\"/v1/vendors\">/v1/vendors</a> · <a href=\"/v1/clusters\">/v1/clusters</a> · Prometheus: <a href=\"/metrics\">/metrics</a></p>"
        return page("Baseline fleet", b)
    }

    static let palette = ["#1456b8", "#d94b3d", "#2f9e5b", "#9a6700", "#7a3eb1", "#0b7d86", "#c2185b", "#5d6b7a"]

    static func trendChart(_ store: FleetStore) throws -> String {
        let months = try store.trend(by: .vendor)
        guard !months.isEmpty else { return "<p id=\"trend\">No dated reports yet.</p>\n" }
        let vendors = Array(Set(months.flatMap { $0.metrics.map { $0.vendor } })).sorted()
        let maxY = max(1, months.flatMap { $0.metrics.map { $0.failingPerUnit } }.max() ?? 1)
        let w = 640.0, h = 220.0, left = 44.0, bottom = 28.0, top = 10.0
        func x(_ i: Int) -> Double { months.count == 1 ? left + (w - left) / 2 : left + Double(i) * (w - left - 20) / Double(months.count - 1) }
        func y(_ v: Double) -> Double { top + (h - top - bottom) * (1 - v / maxY) }
        var s = "<svg id=\"trend\" width=\"\(Int(w + 180))\" height=\"\(Int(h))\" viewBox=\"0 0 \(Int(w + 180)) \(Int(h))\" role=\"img\" aria-label=\"failing findings per unit by month\">"
        s += "<line x1=\"\(left)\" y1=\"\(y(0))\" x2=\"\(w)\" y2=\"\(y(0))\" stroke=\"#999\"/><line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(y(0))\" stroke=\"#999\"/>"
        s += "<text x=\"4\" y=\"\(y(maxY) + 4)\">\(String(format: "%.1f", maxY))</text><text x=\"4\" y=\"\(y(0) + 4)\">0</text>"
        for (i, mo) in months.enumerated() { s += "<text x=\"\(x(i) - 18)\" y=\"\(h - 8)\">\(esc(mo.period))</text>" }
        for (vi, v) in vendors.enumerated() {
            let color = palette[vi % palette.count]
            let pts = months.enumerated().compactMap { i, mo in mo.metrics.first { $0.vendor == v }.map { (x(i), y($0.failingPerUnit)) } }
            if pts.count > 1 { s += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"" + pts.map { String(format: "%.1f,%.1f", $0.0, $0.1) }.joined(separator: " ") + "\"/>" }
            for p in pts { s += String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%@\"/>", p.0, p.1, color) }
            s += "<rect x=\"\(w + 14)\" y=\"\(top + Double(vi) * 16)\" width=\"10\" height=\"10\" fill=\"\(color)\"/><text x=\"\(w + 30)\" y=\"\(top + Double(vi) * 16 + 9)\">\(esc(v))</text>"
        }
        return s + "</svg>\n"
    }

    static func vendor(_ store: FleetStore, _ name: String) throws -> String? {
        let builds = try store.metrics(by: .firmware).filter { $0.vendor == name }
        guard !builds.isEmpty else { return nil }
        var b = "<p><a href=\"/\">← Fleet overview</a></p><h1>\(esc(name))</h1>\n<h2>Firmware builds</h2>\n<table id=\"builds\"><thead><tr><th>Model</th><th>Firmware</th><th>Units</th>"
            + "<th>Failing findings</th><th>Worst checks (fail/evaluated, 95% CI)</th><th>Support left</th><th>Firmware age</th></tr></thead><tbody>\n"
        for g in builds {
            let worst = g.checks.filter { $0.failures > 0 }.sorted { $0.density > $1.density }.prefix(5)
                .map { String(format: "%@ %d/%d [%.0f–%.0f%%]", $0.check, $0.failures, $0.evaluated, $0.low * 100, $0.high * 100) }.joined(separator: "<br>")
            b += "<tr><td>\(esc(g.model ?? ""))</td><td>\(esc(g.firmware ?? ""))</td><td class=\"n\">\(g.units)</td><td class=\"n\">\(g.failingFindings)</td><td>\(worst)</td>"
                + "<td class=\"n\">\(g.medianSupportDays.map { "\($0) d" } ?? "–")</td><td class=\"n\">\(g.medianFirmwareAgeDays.map { "\($0) d" } ?? "–")</td></tr>\n"
        }
        b += "</tbody></table>\n<h2>Units (latest report, worst first)</h2>\n<table id=\"units\"><thead><tr><th>Unit</th><th>Model</th><th>Firmware</th><th>Source</th><th>Audited</th><th>Failing</th><th>Factory secrets</th></tr></thead><tbody>\n"
        for u in try store.units(vendor: name) {
            b += "<tr><td><a href=\"/devices/\(link(u.unit))\"><code>\(esc(CollectorPeriod.short(u.unit)))</code></a></td><td>\(esc(u.model))</td><td>\(esc(u.firmware))</td>"
                + "<td>\(esc(u.sourceKind))</td><td>\(esc(u.auditDate))</td><td class=\"n\">\(u.failing)</td><td>\(u.has(.factorySecrets) ? "<span class=\"fail\">yes</span>" : "no")</td></tr>\n"
        }
        return page("\(name) — Baseline fleet", b + "</tbody></table>")
    }

    static func device(_ store: FleetStore, _ unit: String) throws -> String? {
        let reports = try store.reports(unit: unit)
        guard let latest = reports.first, let o = (try? JSONSerialization.jsonObject(with: Data(latest.body.utf8))) as? [String: Any] else { return nil }
        let subject = o["subject"] as? [String: Any] ?? [:]
        let vendor = subject["vendor"] as? String ?? ""
        var b = "<p><a href=\"/\">← Fleet overview</a> · <a href=\"/vendors/\(link(vendor))\">\(esc(vendor))</a></p><h1>\(esc(CollectorPeriod.short(unit)))</h1>\n"
        b += "<p>\(esc(vendor)) \(esc(subject["model"] as? String ?? "")), firmware \(esc(subject["firmware_version"] as? String ?? "?")); "
            + "\(reports.count) report(s), latest \(esc(latest.auditDate)) (<a href=\"/v1/devices/\(link(unit))\">JSON</a>).</p>\n"
        b += "<table id=\"findings\"><thead><tr><th>Check</th><th>Status</th><th>Severity</th><th>Title</th><th>Message</th></tr></thead><tbody>\n"
        for f in (o["findings"] as? [[String: Any]]) ?? [] {
            let st = f["status"] as? String ?? ""
            b += "<tr><td>\(esc(f["id"] as? String ?? ""))</td><td class=\"\(esc(st))\">\(esc(st))</td><td>\(esc(f["severity"] as? String ?? ""))</td>"
                + "<td>\(esc(f["title"] as? String ?? ""))</td><td>\(esc(f["message"] as? String ?? ""))</td></tr>\n"
        }
        return page("\(unit) — Baseline fleet", b + "</tbody></table>")
    }
}
