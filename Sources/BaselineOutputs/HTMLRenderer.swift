// A standalone HTML report a person wants to read: verdict, per-area bars, then every check grouped by area with
// its evidence and remediation. One file, inline CSS, no script, nothing fetched from the network.
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
    table.ev td { border-top: 1px solid #eceff3; padding: 5px 6px; vertical-align: top; }
    table.ev td.loc { font-family: ui-monospace, "DejaVu Sans Mono", monospace; white-space: nowrap; color: #37474f; width: 1%; }
    .fix { background: #f1f8e9; border-radius: 6px; padding: 8px 10px; margin-top: 10px; font-size: 13px; }
    .prov { font-size: 12px; color: var(--muted); margin-top: 6px; }
    footer { color: var(--muted); font-size: 12px; margin-top: 32px; }
    """

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

    public static func render(_ r: Report, failOn: Severity?) -> String {
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
        h += "</div>\n"
        for area in Area.allCases {
            let fs = r.findings.filter { $0.area == area }.sorted { a, b in a.status.isFinding != b.status.isFinding ? a.status.isFinding : a.id < b.id }
            if fs.isEmpty { continue }
            h += "<section id=\"area-\(area.name)\">\n<h2>\(esc(area.title))</h2>\n"
            for f in fs {
                let open = f.status.isFinding ? " open" : ""
                h += "<details class=\"\(f.status.name)\" id=\"\(f.id)\"\(open)><summary><span class=\"badge \(f.status.name)\">\(f.status.name)</span>"
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
        if !r.problems.isEmpty {
            h += "<section id=\"coverage\"><h2>Not read</h2><table class=\"ev\">"
            for p in r.problems { h += "<tr><td class=\"loc\">\(esc(p.path))</td><td>\(esc(p.reason))</td></tr>" }
            h += "</table></section>\n"
        }
        h += "<footer>Generated \(esc(r.generatedAt)) by Baseline \(esc(r.toolVersion)). Profile digest \(esc(r.profileDigest)).</footer>\n</main>\n</body>\n</html>\n"
        return h
    }
}
