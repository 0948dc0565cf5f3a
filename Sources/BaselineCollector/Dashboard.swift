// The dashboard's pages, server-rendered HTML (frame, CSS and the small sorting/filtering script: DashboardPage.swift).
// The overview has the period picker, the vendor scorecard (with the rank's tie-breaking rule in words), per-area
// failure bars, trend lines per month and the largest shared-credential clusters; vendor pages list firmware builds
// and units of the chosen period; device pages show a unit's latest report, failures first, with the evidence and the
// fix inline, and its report history.
import BaselineCore
import BaselineFleet
import Foundation

enum Dashboard {
    static let areas = [("CRED-", "credentials"), ("UPD-", "update"), ("LIFE-", "lifecycle"), ("SURF-", "surface"), ("DISC-", "disclosure")]

    static func areaDensity(_ g: GroupMetrics, _ prefix: String) -> Double {
        let cs = g.checks.filter { $0.check.hasPrefix(prefix) }
        let e = cs.reduce(0) { $0 + $1.evaluated }, f = cs.reduce(0) { $0 + $1.failures }
        return e == 0 ? 0 : Double(f) / Double(e)
    }

    /// "?period=…" for links that keep the chosen period.
    static func query(_ period: String) -> String { period == "all" ? "" : "?period=\(link(period))" }

    static func periodWords(_ period: String) -> String {
        period == "all" ? "all time: the latest report of every unit" : "\(period): the latest report of every unit audited that month"
    }

    /// How VendorMetrics.compute ranks, in words.
    static let rankRule = "Rank 1 is the healthiest vendor. Vendors are ranked by score, lowest first; the score is "
        + "100·log(1 + failing findings) / log(1 + the largest vendor's failing findings), so two vendors tie exactly when they have "
        + "the same number of failing findings (a count over all their units, not per unit). Ties are broken by vendor name in "
        + "alphabetical order (for builds: then model, then firmware), so every vendor gets its own rank and a tied vendor earlier "
        + "in the alphabet ranks higher; the tie says nothing about which is better."

    static func overview(_ store: FleetStore, period requested: String? = nil) throws -> String? {
        let periods = try store.periods()
        guard let period = period(requested, periods) else { return nil }
        let m = try store.metrics(by: .vendor, period: period)
        var b = "<h1>Baseline fleet — vendor health</h1>\n" + periodPicker(periods, selected: period, path: "/")
        b += "<p class=\"muted\" id=\"summary\">Period: \(esc(periodWords(period))). \(try store.reportCount()) report(s) stored, "
            + "\(m.reduce(0) { $0 + $1.units }) unit(s), \(m.count) vendor(s). Score 0–100, higher is worse (log-scaled failing findings).</p>\n"
        b += "<h2>Vendor scorecard</h2>\n<p class=\"note\" id=\"rank-rule\">\(esc(rankRule))</p>\n"
        let q = query(period)
        var rows = ""
        for g in m {
            let change = g.change.map { String(format: "%+.0f since %@", $0.scoreDelta, $0.previousPeriod) } ?? "–"
            rows += "<tr><td class=\"n\">\(g.rank)</td><td><a href=\"/vendors/\(link(g.vendor))\(q)\">\(esc(g.vendor))</a></td><td class=\"n\">\(g.units)</td>"
                + "<td class=\"n\">\(String(format: "%.0f", g.score))</td><td class=\"n\">\(g.failingFindings)</td>"
                + "<td data-v=\"\(g.change.map { String(format: "%.1f", $0.scoreDelta) } ?? "")\">\(esc(change))</td>"
                + barCell(g.share(.credentialsClean), good: true)
                + "<td class=\"n\">\(max(g.sharedHostKeyUnits, g.sharedPasswordUnits))</td><td class=\"n\">\(g.flagCounts[.factorySecrets] ?? 0)</td>"
                + barCell(g.updateHygiene, good: true) + barCell(g.share(.signedUpdates), good: true) + barCell(g.lifecycleEOL)
                + "<td class=\"n\">\(g.medianSupportDays.map { "\($0) d" } ?? "–")</td>" + barCell(g.supportOver) + barCell(g.disclosure, good: true) + "</tr>\n"
        }
        b += table("vendors", ["Rank", "Vendor", "Units", "Score", "Failing findings", "Change", "Credentials clean", "Shared secrets", "Factory secrets",
                               "Update clean", "Signed updates", "EOL", "Support left (median)", "Support over", "Disclosure"], rows, label: "vendors")
        if m.isEmpty { b += "<p>No reports in this period.</p>\n" }
        if m.contains(where: { $0.units < VendorMetrics.minimumSample }) {
            b += "<p class=\"muted\">Vendors with fewer than \(VendorMetrics.minimumSample) units are below the minimum sample: their shares are indicative.</p>\n"
        }
        b += "<h2>Failure density per area</h2>\n"
        rows = m.map { g in "<tr><td>\(esc(g.vendor))</td>" + areas.map { barCell(areaDensity(g, $0.0)) }.joined() + "</tr>\n" }.joined()
        b += table("areas", ["Vendor"] + areas.map { $0.1 }, rows, label: "vendors")
        b += "<h2>Trend: failing findings per unit, by month</h2>\n" + (try trendChart(store))
        b += "<h2>Largest shared-credential clusters</h2>\n"
        let clusters = try store.clusters(period: period, limit: 10)
        if clusters.isEmpty { b += "<p id=\"clusters\">No host key or password-hash fingerprint is shared by two or more units.</p>\n" } else {
            rows = clusters.map { c in
                "<tr><td class=\"n\">\(c.units)</td><td>\(c.kind == "host_key" ? "SSH host key" : "password hash")</td><td><code>\(esc(CollectorPeriod.short(c.fingerprint)))</code></td><td>"
                    + c.byModel.map { "\(esc($0.vendor)) \(esc($0.model)): \($0.units)" }.joined(separator: "<br>") + "</td></tr>\n"
            }.joined()
            b += table("clusters", ["Units", "Secret", "Fingerprint", "Vendors and models"], rows, label: "clusters")
        }
        b += "<p class=\"muted\">JSON: <a href=\"/v1/vendors\">/v1/vendors</a> · <a href=\"/v1/clusters\">/v1/clusters</a> · Prometheus: <a href=\"/metrics\">/metrics</a></p>"
        return page("Baseline fleet", b)
    }

    static let palette = ["#1456b8", "#d94b3d", "#2f9e5b", "#9a6700", "#7a3eb1", "#0b7d86", "#c2185b", "#5d6b7a"]

    /// One line per vendor over the months; a single month draws its points and says there is no trend yet.
    static func trendChart(_ store: FleetStore) throws -> String {
        let months = try store.trend(by: .vendor)
        guard !months.isEmpty else { return "<p id=\"trend\">No dated reports yet.</p>\n" }
        let vendors = Array(Set(months.flatMap { $0.metrics.map { $0.vendor } })).sorted()
        let maxY = max(1, months.flatMap { $0.metrics.map { $0.failingPerUnit } }.max() ?? 1)
        let w = 640.0, top = 10.0, bottom = 28.0, left = 44.0
        let h = max(220.0, top + Double(vendors.count) * 16 + bottom)
        func x(_ i: Int) -> Double { months.count == 1 ? left + (w - left) / 2 : left + Double(i) * (w - left - 20) / Double(months.count - 1) }
        func y(_ v: Double) -> Double { top + (h - top - bottom) * (1 - v / maxY) }
        var s = months.count == 1
            ? "<p class=\"note\" id=\"no-trend\">No trend yet: there are reports of one month only (\(esc(months[0].period))). "
                + "The points show that month; a line needs a second month.</p>\n"
            : "<p class=\"muted\" id=\"trend-months\">\(months.count) months, \(esc(months[0].period)) to \(esc(months[months.count - 1].period)).</p>\n"
        s += "<svg id=\"trend\" width=\"\(Int(w + 180))\" height=\"\(Int(h))\" viewBox=\"0 0 \(Int(w + 180)) \(Int(h))\" role=\"img\" aria-label=\"failing findings per unit by month\">"
        s += "<line x1=\"\(left)\" y1=\"\(y(0))\" x2=\"\(w)\" y2=\"\(y(0))\" stroke=\"#999\"/><line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(y(0))\" stroke=\"#999\"/>"
        s += "<text x=\"4\" y=\"\(y(maxY) + 4)\">\(String(format: "%.1f", maxY))</text><text x=\"4\" y=\"\(y(0) + 4)\">0</text>"
        for (i, mo) in months.enumerated() { s += "<text x=\"\(x(i) - 18)\" y=\"\(h - 8)\">\(esc(mo.period))</text>" }
        for (vi, v) in vendors.enumerated() {
            let color = palette[vi % palette.count]
            let pts = months.enumerated().compactMap { i, mo in mo.metrics.first { $0.vendor == v }.map { (x(i), y($0.failingPerUnit)) } }
            if pts.count > 1 { s += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"" + pts.map { String(format: "%.1f,%.1f", $0.0, $0.1) }.joined(separator: " ") + "\"/>" }
            for p in pts { s += String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%d\" fill=\"%@\"/>", p.0, p.1, months.count == 1 ? 5 : 3, color) }
            s += "<rect x=\"\(w + 14)\" y=\"\(top + Double(vi) * 16)\" width=\"10\" height=\"10\" fill=\"\(color)\"/><text x=\"\(w + 30)\" y=\"\(top + Double(vi) * 16 + 9)\">\(esc(v))</text>"
        }
        return s + "</svg>\n"
    }

    static func vendor(_ store: FleetStore, _ name: String, period requested: String? = nil) throws -> String? {
        let periods = try store.periods()
        guard let period = period(requested, periods) else { return nil }
        let builds = try store.metrics(by: .firmware, period: period).filter { $0.vendor == name }
        // A vendor without reports in the chosen month still has a page (it says so); an unknown vendor does not.
        if builds.isEmpty {
            guard period != "all", try store.metrics(by: .firmware).contains(where: { $0.vendor == name }) else { return nil }
        }
        var b = "<p><a href=\"/\(query(period))\">← Fleet overview</a></p><h1>\(esc(name))</h1>\n"
            + periodPicker(periods, selected: period, path: "/vendors/\(link(name))")
            + "<p class=\"muted\" id=\"summary\">Period: \(esc(periodWords(period))).</p>\n<h2>Firmware builds</h2>\n"
        var rows = ""
        for g in builds {
            let worst = g.checks.filter { $0.failures > 0 }.sorted { $0.density > $1.density }.prefix(5)
                .map { String(format: "%@ %d/%d [%.0f–%.0f%%]", $0.check, $0.failures, $0.evaluated, $0.low * 100, $0.high * 100) }.joined(separator: "<br>")
            rows += "<tr><td>\(esc(g.model ?? ""))</td><td>\(esc(g.firmware ?? ""))</td><td class=\"n\">\(g.units)</td><td class=\"n\">\(g.failingFindings)</td><td>\(worst)</td>"
                + "<td class=\"n\" data-v=\"\(g.medianSupportDays.map(String.init) ?? "")\">\(g.medianSupportDays.map { "\($0) d" } ?? "–")</td>"
                + "<td class=\"n\" data-v=\"\(g.medianFirmwareAgeDays.map(String.init) ?? "")\">\(g.medianFirmwareAgeDays.map { "\($0) d" } ?? "–")</td></tr>\n"
        }
        b += builds.isEmpty ? "<p>No reports of this vendor in \(esc(period)).</p>\n"
            : table("builds", ["Model", "Firmware", "Units", "Failing findings", "Worst checks (fail/evaluated, 95% CI)", "Support left", "Firmware age"], rows, label: "builds")
        rows = ""
        for u in try store.units(vendor: name, period: period) {
            rows += "<tr><td><a href=\"/devices/\(link(u.unit))\"><code>\(esc(CollectorPeriod.short(u.unit)))</code></a></td><td>\(esc(u.model))</td><td>\(esc(u.firmware))</td>"
                + "<td>\(esc(u.sourceKind))</td><td>\(esc(u.auditDate))</td><td class=\"n\">\(u.failing)</td><td>\(u.has(.factorySecrets) ? "<span class=\"fail\">yes</span>" : "no")</td></tr>\n"
        }
        b += "<h2>Units (latest report, worst first)</h2>\n"
            + table("units", ["Unit", "Model", "Firmware", "Source", "Audited", "Failing", "Factory secrets"], rows, label: "units")
        return page("\(name) — Baseline fleet", b)
    }

    static let statusOrder = ["fail": 0, "error": 1, "warn": 2, "info": 3, "skip": 4, "pass": 5]
    static let severityOrder = ["critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4]

    /// The evidence of a finding (path:line — detail), at most 20 items inline.
    static func evidence(_ f: JSONNode) -> String {
        let items = f["evidence"]?.array ?? []
        guard !items.isEmpty else { return "" }
        var s = "<ul class=\"evidence\">"
        for e in items.prefix(20) {
            let place = (e["path"]?.string).map { p in (e["line"]?.int).map { "\(p):\($0)" } ?? p }
            s += "<li>" + (place.map { "<code>\(esc($0))</code> " } ?? "") + esc(e["detail"]?.string ?? "") + "</li>"
        }
        if items.count > 20 { s += "<li class=\"muted\">and \(items.count - 20) more (see the JSON)</li>" }
        return s + "</ul>"
    }

    static func device(_ store: FleetStore, _ unit: String) throws -> String? {
        let reports = try store.reports(unit: unit)
        // The stored body was validated at ingest; read as a tree, so any report the store holds gets a page.
        guard let latest = reports.first, let o = try? JSONParser.parse(Array(latest.body.utf8)), o.members != nil else { return nil }
        let subject = o["subject"]
        let vendor = subject?["vendor"]?.string ?? ""
        var b = "<p><a href=\"/\">← Fleet overview</a> · <a href=\"/vendors/\(link(vendor))\">\(esc(vendor))</a></p><h1>\(esc(CollectorPeriod.short(unit)))</h1>\n"
        b += "<p>\(esc(vendor)) \(esc(subject?["model"]?.string ?? "")), firmware \(esc(subject?["firmware_version"]?.string ?? "?")); "
            + "\(reports.count) report(s), latest \(esc(latest.auditDate)) (<a href=\"/v1/devices/\(link(unit))\">JSON</a>).</p>\n"
        let findings = (o["findings"]?.array ?? []).filter { $0.members != nil }.enumerated().sorted { a, c in
            let sa = statusOrder[a.element["status"]?.string ?? ""] ?? 3, sc = statusOrder[c.element["status"]?.string ?? ""] ?? 3
            if sa != sc { return sa < sc }
            let va = severityOrder[a.element["severity"]?.string ?? ""] ?? 5, vc = severityOrder[c.element["severity"]?.string ?? ""] ?? 5
            return va != vc ? va < vc : a.offset < c.offset
        }.map { $0.element }
        let counts = Dictionary(grouping: findings) { $0["status"]?.string ?? "" }.mapValues { $0.count }
        b += "<p id=\"counts\">" + ["fail", "warn", "error", "info", "skip", "pass"].compactMap { s in counts[s].map { "<span class=\"\(s)\">\($0) \(s)</span>" } }
            .joined(separator: " · ") + " — failures first, each with its evidence and fix.</p>\n"
        var rows = ""
        for f in findings {
            let st = f["status"]?.string ?? "", id = f["id"]?.string ?? ""
            let fix = (f["remediation"]?.string).map { st == "pass" ? "" : "<p class=\"fix\"><strong>Fix:</strong> \(esc($0))</p>" } ?? ""
            rows += "<tr class=\"st-\(esc(st))\" id=\"f-\(esc(id))\"><td data-v=\"\(statusOrder[st] ?? 3)\" class=\"\(esc(st))\">\(esc(st))</td>"
                + "<td data-v=\"\(severityOrder[f["severity"]?.string ?? ""] ?? 5)\">\(esc(f["severity"]?.string ?? ""))</td><td>\(esc(id))</td>"
                + "<td><strong>\(esc(f["title"]?.string ?? ""))</strong><br>\(esc(f["message"]?.string ?? ""))\(evidence(f))\(fix)</td></tr>\n"
        }
        b += "<h2>Findings (latest report)</h2>\n" + table("findings", ["Status", "Severity", "Check", "Finding, evidence and fix"], rows, label: "findings")
        rows = reports.map { "<tr><td><code>\(esc(CollectorPeriod.short($0.reportID)))</code></td><td>\(esc($0.auditDate))</td></tr>\n" }.joined()
        b += "<h2>Reports of this unit</h2>\n" + table("reports", ["Report", "Audited"], rows, label: "reports")
        return page("\(unit) — Baseline fleet", b)
    }
}
