// A standalone HTML report a person wants to read: verdict, totals and a severity breakdown, per-area bars with a
// legend, jump links, then every check grouped by area with its evidence and remediation; what was not read, and the
// SBOM in brief. One file, inline CSS and one small inline script (filters by status and severity, also from the URL:
// `report.html#status=fail,warn&severity=critical,high`); nothing fetched from the network. Without script every check
// is shown.
import BaselineCore
import Foundation

public enum HTMLRenderer {
    static func esc(_ s: String) -> String { Markup.escape(s) }

    static let css = """
    :root { --fail:#c62828; --warn:#ef8f00; --pass:#2e7d32; --skip:#9e9e9e; --info:#1565c0; --error:#8e24aa; --ink:#1d2330; --muted:#5f6b7a; }
    * { box-sizing: border-box; }
    body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink); margin: 0; background: #f4f6f9; }
    header { background: #1d2330; color: #fff; padding: 24px 32px; }
    header h1 { margin: 0 0 4px; font-size: 22px; }
    header .meta { color: #c5cbd6; font-size: 13px; }
    main { max-width: 1100px; margin: 0 auto; padding: 24px 32px 64px; }
    .verdict { display: inline-block; padding: 4px 14px; border-radius: 14px; font-weight: 700; letter-spacing: .04em; margin-top: 10px; }
    .verdict.pass { background: var(--pass); } .verdict.fail { background: var(--fail); }
    .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(190px, 1fr)); gap: 12px; margin: 8px 0 28px; }
    .card { background: #fff; border-radius: 8px; padding: 14px 16px; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
    .card h3 { margin: 0 0 8px; font-size: 14px; }
    .bar { display: flex; height: 10px; border-radius: 5px; overflow: hidden; background: #e6e9ee; }
    .bar span { display: block; height: 100%; }
    .counts { font-size: 12px; color: var(--muted); margin-top: 6px; }
    section h2 { font-size: 18px; margin: 28px 0 10px; }
    details { background: #fff; border-radius: 8px; margin: 8px 0; box-shadow: 0 1px 2px rgba(0,0,0,.08); border-left: 5px solid var(--skip); }
    details.fail { border-left-color: var(--fail); } details.warn { border-left-color: var(--warn); } details.pass { border-left-color: var(--pass); }
    details.error { border-left-color: var(--error); } details.info { border-left-color: var(--info); }
    summary { cursor: pointer; padding: 10px 14px; list-style: none; display: flex; gap: 10px; align-items: baseline; }
    summary::-webkit-details-marker { display: none; }
    .badge { font-size: 11px; font-weight: 700; padding: 2px 8px; border-radius: 10px; color: #fff; text-transform: uppercase; min-width: 46px; text-align: center; }
    .badge.fail { background: var(--fail); } .badge.warn { background: var(--warn); } .badge.pass { background: var(--pass); }
    .badge.skip { background: var(--skip); } .badge.info { background: var(--info); } .badge.error { background: var(--error); }
    .id { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-weight: 600; }
    .sev { margin-left: auto; font-size: 12px; color: var(--muted); }
    .body { padding: 0 14px 14px 14px; }
    .msg { margin: 0 0 8px; }
    table.ev { border-collapse: collapse; width: 100%; font-size: 13px; }
    table.ev td { border-top: 1px solid #eceff3; padding: 5px 6px; vertical-align: top; overflow-wrap: anywhere; }
    table.ev td.loc { font-family: ui-monospace, "DejaVu Sans Mono", monospace; white-space: nowrap; color: #37474f; width: 1%; }
    .fix { background: #f1f8e9; border-radius: 6px; padding: 8px 10px; margin-top: 10px; font-size: 13px; }
    .prov { font-size: 12px; color: var(--muted); margin-top: 6px; }
    footer, header .meta, .msg, .jump { overflow-wrap: anywhere; }
    footer { color: var(--muted); font-size: 12px; margin-top: 32px; }
    .new { font-size: 11px; font-weight: 700; padding: 2px 7px; border-radius: 10px; background: #fff3cd; color: #7a4b00; border: 1px solid #ef8f00; }
    .summary { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 12px; margin: 0 0 16px; }
    table.tot { border-collapse: collapse; font-size: 13px; width: 100%; }
    table.tot th, table.tot td { text-align: left; padding: 3px 6px; border-top: 1px solid #eceff3; }
    table.tot td.n { text-align: right; font-variant-numeric: tabular-nums; width: 1%; }
    .sw { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; vertical-align: baseline; }
    .legend { font-size: 12px; color: var(--muted); display: flex; flex-wrap: wrap; gap: 4px 14px; margin: -16px 0 24px; }
    nav#toc { font-size: 13px; display: flex; flex-wrap: wrap; gap: 6px 14px; margin: 0 0 10px; }
    nav#toc a, .jump a { color: #1565c0; text-decoration: none; } nav#toc a:hover, .jump a:hover { text-decoration: underline; }
    .jump { font-size: 13px; margin: 0 0 16px; } .jump a { font-family: ui-monospace, "DejaVu Sans Mono", monospace; margin-right: 8px; }
    form#filters { background: #fff; border-radius: 8px; padding: 8px 12px; margin: 0 0 12px; font-size: 13px; display: flex; flex-wrap: wrap; gap: 4px 14px;
                   box-shadow: 0 1px 2px rgba(0,0,0,.08); }
    form#filters fieldset { border: 0; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 2px 10px; align-items: center; }
    form#filters legend { float: left; font-weight: 600; margin-right: 6px; padding: 0; }
    @media (max-width: 600px) {
      header { padding: 16px; } main { padding: 16px 12px 48px; }
      table.ev td.loc { white-space: normal; word-break: break-all; width: auto; }
      summary { flex-wrap: wrap; } .sev { margin-left: 0; }
    }
    """

    /// The report's one script: the filters (checkboxes, or the URL's #status=…&severity=…), and on <body> how many
    /// checks are shown (data-shown) and whether the page overflows the window sideways (data-overflow).
    static let script = """
    (function () {
      var form = document.getElementById('filters'); if (!form) return;
      form.hidden = false;
      var boxes = form.querySelectorAll('input');
      function apply() {
        var want = { status: [], severity: [] };
        boxes.forEach(function (b) { if (b.checked) want[b.name].push(b.value); });
        var shown = 0;
        document.querySelectorAll('details[data-status]').forEach(function (d) {
          var show = want.status.indexOf(d.dataset.status) >= 0 && want.severity.indexOf(d.dataset.severity) >= 0;
          d.hidden = !show; if (show) shown++;
        });
        document.body.setAttribute('data-shown', String(shown));
        document.body.setAttribute('data-overflow', String(document.documentElement.scrollWidth > window.innerWidth + 1));
      }
      var h = decodeURIComponent(location.hash.slice(1));
      if (h.indexOf('=') > 0) h.split('&').forEach(function (kv) {
        var p = kv.split('='); if (p[0] !== 'status' && p[0] !== 'severity') return;
        var vals = (p[1] || '').split(',');
        boxes.forEach(function (b) { if (b.name === p[0]) b.checked = vals.indexOf(b.value) >= 0; });
      });
      boxes.forEach(function (b) { b.addEventListener('change', apply); });
      apply();
    })();
    """

    /// What `--format html` shows of the SBOM: the OS, the package databases read and the components found by version
    /// strings (as `baseline sbom` writes them in full).
    public struct SBOMSummary {
        public var os: String?
        public var packages: [(database: String, count: Int)] = []
        public var detected: [(name: String, version: String, path: String)] = []
        public init() {}
    }

    public static func sbomSummary(_ facts: DeviceFacts) -> SBOMSummary {
        var s = SBOMSummary()
        let r = facts.release
        s.os = r.prettyName ?? r.distroID.map { $0 + (r.versionID.map { " " + $0 } ?? "") }
        var byDB: [String: Int] = [:]
        for c in facts.packages.components { byDB[c.source, default: 0] += 1 }
        s.packages = byDB.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        s.detected = facts.components.detected.map { ($0.name, $0.version, $0.evidence.first?.path ?? "") }
        return s
    }

    static func color(_ s: Status) -> String {
        switch s {
        case .pass: return "var(--pass)"
        case .fail: return "var(--fail)"
        case .warn: return "var(--warn)"
        case .error: return "var(--error)"
        case .info: return "var(--info)"
        case .skip: return "var(--skip)"
        }
    }

    public static func render(_ r: Report, failOn: Severity?, sbom: SBOMSummary? = nil) -> String {
        let verdict = r.verdict
        let s = r.subject
        var ident: [String] = []
        for x in [s.vendor, s.model, s.osName ?? s.firmwareVersion, s.buildID.map { "build " + $0 }] { if let v = x { ident.append(v) } }
        var h = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        h += "<title>Baseline report — \(esc(r.sourcePath))</title>\n<style>\n\(css)\n</style>\n</head>\n<body>\n<header>\n"
        h += "<h1>Baseline security audit</h1>\n<div class=\"meta\">\(esc(r.sourcePath)) · \(esc(ident.joined(separator: " · ")))</div>\n"
        if let f = r.sourceFormat { h += "<div class=\"meta\" id=\"image-format\">image: \(esc(f))</div>\n" }
        h += "<div class=\"meta\">profile \(esc(r.profileID)) (\(esc(r.profileChain.joined(separator: " → ")))) · audited \(r.auditDate.iso) · Baseline \(esc(r.toolVersion)) · report \(esc(r.reportID))</div>\n"
        let failing = r.findingsAtOrAbove(failOn).count
        h += "<div class=\"verdict \(verdict)\" id=\"verdict\">\(verdict.uppercased())</div> <span class=\"meta\">\(r.verdictFindings.count) finding(s) against the firmware; \(failing) at or above --fail-on \(esc(failOn?.name ?? "never"))\(r.accepted.isEmpty ? "" : "; accepted, not gating: " + esc(r.accepted.map { $0.id }.joined(separator: " ")))</span>\n</header>\n<main>\n"
        // Totals, findings by severity, jump links, filters.
        let total = r.counts(nil)
        let findings = r.findings.filter { $0.status.isFinding }
        h += "<div class=\"summary\" id=\"summary\">\n<div class=\"card\"><h3>Checks</h3><table class=\"tot\" id=\"totals\">"
        for st in [Status.fail, .error, .warn, .pass, .info, .skip] {
            h += "<tr><td><span class=\"sw\" style=\"background:\(color(st))\"></span>\(st.name)</td><td class=\"n\">\(total[st] ?? 0)</td></tr>"
        }
        h += "<tr><th>all</th><td class=\"n\">\(r.findings.count)</td></tr></table></div>\n"
        h += "<div class=\"card\"><h3>Findings by severity</h3><table class=\"tot\" id=\"severities\">"
        for sev in [Severity.critical, .high, .medium, .low, .info] {
            let fs = findings.filter { $0.severity == sev }
            let parts = [Status.fail, .warn, .error].compactMap { st -> String? in let n = fs.filter { $0.status == st }.count; return n > 0 ? "\(n) \(st.name)" : nil }
            h += "<tr><td>\(sev.name)</td><td class=\"n\">\(fs.count)</td><td>\(esc(parts.joined(separator: ", ")))</td></tr>"
        }
        h += "</table></div>\n</div>\n"
        h += "<nav id=\"toc\">"
        for area in Area.allCases where r.findings.contains(where: { $0.area == area }) {
            let n = findings.filter { $0.area == area }.count
            h += "<a href=\"#area-\(area.name)\">\(esc(area.title))\(n > 0 ? " (\(n))" : "")</a>"
        }
        if !r.problems.isEmpty || !r.incomplete.isEmpty { h += "<a href=\"#coverage\">Coverage</a>" }
        if sbom != nil { h += "<a href=\"#sbom\">SBOM</a>" }
        h += "</nav>\n"
        if !findings.isEmpty {
            h += "<div class=\"jump\">Findings: " + findings.sorted { ($0.severity.rawValue, $1.id) > ($1.severity.rawValue, $0.id) }
                .map { "<a href=\"#\($0.id)\" title=\"\($0.status.name), \($0.severity.name)\">\($0.id)</a>" }.joined() + "</div>\n"
        }
        h += "<form id=\"filters\" hidden><fieldset><legend>Status</legend>"
        for st in [Status.fail, .warn, .error, .pass, .info, .skip] {
            h += "<label><input type=\"checkbox\" name=\"status\" value=\"\(st.name)\" checked> \(st.name)</label>"
        }
        h += "</fieldset><fieldset><legend>Severity</legend>"
        for sev in [Severity.critical, .high, .medium, .low, .info] {
            h += "<label><input type=\"checkbox\" name=\"severity\" value=\"\(sev.name)\" checked> \(sev.name)</label>"
        }
        h += "</fieldset></form>\n"
        h += "<div class=\"cards\">\n"
        for area in Area.allCases {
            let fs = r.findings.filter { $0.area == area }
            if fs.isEmpty { continue }
            let c = r.counts(area)
            h += "<div class=\"card\" data-area=\"\(area.name)\"><h3>\(esc(area.title))</h3><div class=\"bar\">"
            for st in [Status.fail, .error, .warn, .pass, .info, .skip] {
                let n = c[st] ?? 0
                if n > 0 { h += "<span style=\"width:\(Double(n) * 100 / Double(fs.count))%;background:\(color(st))\" title=\"\(n) \(st.name)\"></span>" }
            }
            h += "</div><div class=\"counts\">\(c[.fail] ?? 0) fail · \(c[.warn] ?? 0) warn · \(c[.pass] ?? 0) pass · \(c[.skip] ?? 0) skip</div></div>\n"
        }
        h += "</div>\n<div class=\"legend\" id=\"legend\">"
        for st in [Status.fail, .error, .warn, .pass, .info, .skip] { h += "<span><span class=\"sw\" style=\"background:\(color(st))\"></span>\(st.name)</span>" }
        h += "</div>\n"
        for area in Area.allCases {
            let fs = r.findings.filter { $0.area == area }.sorted { a, b in a.status.isFinding != b.status.isFinding ? a.status.isFinding : a.id < b.id }
            if fs.isEmpty { continue }
            h += "<section id=\"area-\(area.name)\">\n<h2>\(esc(area.title))</h2>\n"
            for f in fs {
                let open = f.status.isFinding ? " open" : ""
                h += "<details class=\"\(f.status.name)\" id=\"\(f.id)\" data-status=\"\(f.status.name)\" data-severity=\"\(f.severity.name)\"\(open)><summary><span class=\"badge \(f.status.name)\">\(f.status.name)</span>"
                h += "<span class=\"id\">\(f.id)</span><span>\(esc(f.title))</span><span class=\"sev\">\(f.severity.name)</span>\(r.sinceState(f) == "new" ? "<span class=\"new\" title=\"new since \(esc(r.since?.path ?? ""))\">NEW</span>" : "")</summary>\n<div class=\"body\">"
                h += "<p class=\"msg\">\(esc(f.message))</p>"
                if !f.evidence.isEmpty {
                    h += "<table class=\"ev\">"
                    for e in f.evidence {
                        h += "<tr><td class=\"loc\">\(esc(e.path))\(e.line > 0 ? ":\(e.line)" : "")</td><td>\(esc(e.detail))</td></tr>"
                    }
                    h += "</table>"
                }
                if f.status.isFinding { h += "<div class=\"fix\"><strong>Fix:</strong> \(esc(f.remediation))</div>" }
                if !f.provisions.isEmpty { h += "<div class=\"prov\">\(esc(f.provisions.joined(separator: " · ")))</div>" }
                h += "</div></details>\n"
            }
            h += "</section>\n"
        }
        h += "<section id=\"coverage\"><h2>Coverage</h2><p class=\"msg\">\(r.filesRead) file(s) read"
            + (r.incomplete.isEmpty ? "; the audit covers the whole source." : "; <strong>incomplete</strong>: " + esc(r.incomplete.joined(separator: "; ")))
            + (r.problems.isEmpty ? " Nothing was unreadable." : " Not read:") + "</p>"
        if !r.problems.isEmpty {
            h += "<table class=\"ev\">"
            for p in r.problems { h += "<tr><td class=\"loc\">\(esc(p.path))</td><td>\(esc(p.reason))</td></tr>" }
            h += "</table>"
        }
        h += "</section>\n"
        if let b = sbom {
            h += "<section id=\"sbom\"><h2>Software (SBOM summary)</h2><p class=\"msg\">"
            h += "operating system: \(esc(b.os ?? "not identified")); package databases: "
                + (b.packages.isEmpty ? "none" : esc(b.packages.map { "\($0.database) (\($0.count) packages)" }.joined(separator: ", ")))
                + ". The full CycloneDX SBOM: <code>baseline sbom</code>.</p>"
            if !b.detected.isEmpty {
                h += "<table class=\"ev\">"
                for d in b.detected { h += "<tr><td class=\"loc\">\(esc(d.name)) \(esc(d.version))</td><td>\(esc(d.path))</td></tr>" }
                h += "</table>"
            }
            h += "</section>\n"
        }
        h += "<footer>Generated \(esc(r.generatedAt)) by Baseline \(esc(r.toolVersion)). Profile digest \(esc(r.profileDigest)).</footer>\n</main>\n<script>\n\(script)</script>\n</body>\n</html>\n"
        return h
    }
}
