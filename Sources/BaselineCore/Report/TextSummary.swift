// A readable terminal summary grouped by area, worst first within an area, with evidence and remediation for
// every finding. Colour only when asked (the CLI asks when stdout is a terminal and NO_COLOR is unset).

public enum TextSummary {
    public static func render(_ r: Report, failOn: Severity?, color: Bool, verbose: Bool = false) -> String {
        func paint(_ s: String, _ code: String) -> String { color ? "\u{1B}[" + code + "m" + s + "\u{1B}[0m" : s }
        func badge(_ st: Status) -> String {
            switch st {
            case .pass: return paint("PASS ", "32")
            case .fail: return paint("FAIL ", "1;31")
            case .warn: return paint("WARN ", "33")
            case .info: return paint("INFO ", "36")
            case .skip: return paint("SKIP ", "2")
            case .error: return paint("ERROR", "1;35")
            }
        }
        var out = ""
        let s = r.subject
        out += paint("Baseline \(r.toolVersion)", "1") + " — audit of \(r.sourcePath) (\(r.sourceKind))\n"
        if let f = r.sourceFormat { out += "Image:   \(f)\n" }
        var ident: [String] = []
        if let v = s.vendor { ident.append(v) }
        if let m = s.model { ident.append(m) }
        if let n = s.osName { ident.append(n) } else if let v = s.firmwareVersion { ident.append(v) }
        if let b = s.buildID { ident.append("build " + b) }
        if !ident.isEmpty { out += "Device:  " + Text.joinWith(ident, " · ") + "\n" }
        out += "Profile: \(r.profileID) (" + Text.joinWith(r.profileChain, " → ") + ")\n"
        out += "Date:    \(r.auditDate.iso)\n"
        for area in Area.allCases {
            let fs = r.findings.filter { $0.area == area }
            if fs.isEmpty { continue }
            let c = r.counts(area)
            out += "\n" + paint(area.title, "1") + "  (\(c[.pass] ?? 0) pass, \(c[.fail] ?? 0) fail, \(c[.warn] ?? 0) warn)\n"
            let sorted = fs.sorted { a, b in a.status.rank != b.status.rank ? a.status.rank > b.status.rank : a.id < b.id }
            for f in sorted {
                let sev = f.status.isFinding ? " [" + f.severity.name + "]" : ""
                out += "  " + badge(f.status) + " " + f.id + "  " + f.title + sev + (r.sinceState(f) == "new" ? "  NEW" : "") + "\n"
                out += "         " + f.message + "\n"
                let showEvidence = f.status.isFinding || verbose
                if showEvidence {
                    for (i, e) in f.evidence.enumerated() {
                        if i == 8 && !verbose { out += "         … \(f.evidence.count - 8) more (see --format json)\n"; break }
                        out += "         " + paint("↳ ", "2") + e.path + (e.line > 0 ? ":\(e.line)" : "") + "  " + e.detail + "\n"
                    }
                }
                if f.status.isFinding { out += "         " + paint("fix: ", "2") + f.remediation + "\n" }
            }
        }
        if !r.incomplete.isEmpty {
            out += "\n" + paint("INCOMPLETE", "1;33") + ": the audit covers only part of the image\n"
            for w in r.incomplete { out += "  " + w + "\n" }
        }
        if !r.checksNotInProfile.isEmpty {
            out += "\n" + paint("Not in the profile", "1") + " (did not run): " + Text.joinWith(r.checksNotInProfile, " ") + "\n"
        }
        if !r.problems.isEmpty {
            out += "\n" + paint("Not read", "1") + " (\(r.problems.count))\n"
            for p in r.problems.prefix(verbose ? 500 : 10) { out += "  " + p.path + ": " + p.reason + "\n" }
            if r.problems.count > 10 && !verbose { out += "  … \(r.problems.count - 10) more\n" }
        }
        let t = r.counts(nil)
        let failing = r.findingsAtOrAbove(failOn)
        out += "\n"
        let verdict = r.verdict == "pass" ? paint("PASS", "1;32") : paint("FAIL", "1;31")
        out += "Verdict: " + verdict + " — \(t[.fail] ?? 0) fail, \(t[.warn] ?? 0) warn, \(t[.pass] ?? 0) pass, \(t[.skip] ?? 0) skip"
        if (t[.error] ?? 0) > 0 { out += ", \(t[.error] ?? 0) error" }
        out += "; \(failing.count) finding(s) at or above --fail-on \(failOn?.name ?? "never")\n"
        return out
    }
}
