// JUnit XML: one test suite per area, one test case per check; fail → <failure>, error → <error>,
// skip → <skipped>, warn → <failure> when it counts against the verdict (severity low or above; else a passing case
// with the warning as output). Like the verdict, the cases do not depend on --fail-on, which sets only the exit code;
// every suite carries the verdict and --fail-on as properties.
import BaselineCore
import Foundation

public enum JUnitRenderer {
    static func esc(_ s: String) -> String { Markup.escape(s) }

    static func evidenceText(_ f: Finding) -> String {
        var lines = [f.message]
        for e in f.evidence { lines.append("  " + e.path + (e.line > 0 ? ":\(e.line)" : "") + "  " + e.detail) }
        if !f.provisions.isEmpty { lines.append("provisions: " + f.provisions.joined(separator: ", ")) }
        lines.append("fix: " + f.remediation)
        return lines.joined(separator: "\n")
    }

    public static func render(_ r: Report, failOn: Severity?) -> String {
        let gating = Set(r.verdictFindings.map { $0.id })
        let properties = "    <properties><property name=\"baseline.verdict\" value=\"\(r.verdict)\"/><property name=\"baseline.fail_on\" value=\"\(failOn?.name ?? "never")\"/>"
            + (r.accepted.isEmpty ? "" : "<property name=\"baseline.accepted\" value=\"\(esc(r.accepted.map { $0.id }.joined(separator: " ")))\"/>")
            + (r.since.map { "<property name=\"baseline.since\" value=\"\(esc($0.path))\"/><property name=\"baseline.new\" value=\"\(esc($0.new.joined(separator: " ")))\"/>" } ?? "")
            + "</properties>\n"
        var suites: [String] = []
        var total = 0, failures = 0, errors = 0, skipped = 0
        for area in Area.allCases {
            let fs = r.findings.filter { $0.area == area }
            if fs.isEmpty { continue }
            var cases: [String] = []
            var sf = 0, se = 0, ss = 0
            for f in fs {
                var body = ""
                let name = esc(f.id + " " + f.title)
                if f.status == .error {
                    body = "<error message=\"\(esc(f.message))\" type=\"\(f.severity.name)\">\(esc(evidenceText(f)))</error>"; se += 1
                } else if f.status == .fail || (f.status == .warn && gating.contains(f.id)) {
                    let mark = r.sinceState(f) == "new" ? "[new] " : ""
                    body = "<failure message=\"\(esc(mark + f.message))\" type=\"\(f.status.name):\(f.severity.name)\">\(esc(evidenceText(f)))</failure>"; sf += 1
                } else if f.status == .skip {
                    body = "<skipped message=\"\(esc(f.message))\"/>"; ss += 1
                } else {
                    body = "<system-out>\(esc(f.status.name + ": " + f.message))</system-out>"
                }
                cases.append("    <testcase classname=\"baseline.\(area.name)\" name=\"\(name)\" time=\"0\">\(body)</testcase>")
            }
            total += fs.count; failures += sf; errors += se; skipped += ss
            suites.append("  <testsuite name=\"\(esc(area.title))\" tests=\"\(fs.count)\" failures=\"\(sf)\" errors=\"\(se)\" skipped=\"\(ss)\" timestamp=\"\(esc(String(r.generatedAt.dropLast())))\">\n" + properties + cases.joined(separator: "\n") + "\n  </testsuite>")
        }
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<testsuites name=\"baseline \(esc(r.sourcePath)) (\(esc(r.profileID)))\" tests=\"\(total)\" failures=\"\(failures)\" errors=\"\(errors)\" skipped=\"\(skipped)\">\n"
            + suites.joined(separator: "\n") + "\n</testsuites>\n"
    }
}
