// The scan's outputs: JSON (`baseline.scan/1`: one entry per device, each reached device with its
// `baseline.report/1`, plus the summary, for the collector) and text. Written with the core's JSON stack.
import BaselineCore
import Foundation

/// A finished scan: what each device showed and the report built from it (nil for a device not reached).
public struct ScanResult {
    public var devices: [(result: DeviceResult, report: Report?)]
    public var failOn: Severity?
    public init(devices: [(result: DeviceResult, report: Report?)], failOn: Severity?) { self.devices = devices; self.failOn = failOn }

    public var results: [DeviceResult] { devices.map { $0.result } }

    /// "fail" when a device's report fails (its verdict: a finding of severity low or above, whatever --fail-on
    /// says), else "incomplete" when a device was not reached, else "pass".
    public var verdict: String {
        let s = ScanSummary(results)
        if devices.contains(where: { $0.report?.verdict == "fail" }) || !s.defaultCredentials.isEmpty || !s.sharedHostKeys.isEmpty { return "fail" }
        return s.notReached.isEmpty ? "pass" : "incomplete"
    }
}

public enum ScanReportWriter {
    public static let schemaID = "baseline.scan/1"

    static func seconds(_ s: Double) -> JSONNode { JSONNode(.number(String(format: "%.3f", s))) }

    public static func device(_ r: DeviceResult, report: Report?, failOn: Severity?) -> JSONNode {
        var d: [(String, JSONNode)] = [("address", .str(r.target.address)), ("port", .num(r.target.port)), ("status", .str(r.status.rawValue)),
                                       ("seconds", seconds(r.seconds))]
        for (k, v) in [("vendor", r.target.vendor), ("model", r.target.model), ("profile", r.target.profile)] { if let v { d.append((k, .str(v))) } }
        if !r.detail.isEmpty { d.append(("detail", .str(r.detail))) }
        if let b = r.banner { d.append(("banner", .str(b))) }
        if let s = r.software { d.append(("software", .str(s))) }
        if !r.hostKeys.isEmpty {
            d.append(("host_keys", .arr(r.hostKeys.map { .obj([("type", .str($0.type)), ("fingerprint", .str($0.fingerprint)), ("public_key", .str($0.base64))]) })))
        }
        if !r.authMethods.isEmpty { d.append(("auth_methods", .arr(r.authMethods.map { .str($0) }))) }
        if let k = r.knownHosts { d.append(("known_hosts", .str(k))) }
        if r.attempts > 0 || r.defaultCredential != nil {
            var p: [(String, JSONNode)] = [("attempts", .num(r.attempts))]
            if let c = r.defaultCredential { p.append(("working", .obj([("user", .str(c.user)), ("source", .str(c.source))]))) }
            d.append(("default_credentials", .obj(p)))
        }
        if let l = r.login { d.append(("login", .str(l))) }
        if let a = r.architecture { d.append(("architecture", .str(a))) }
        if r.report != nil { d.append(("audit", .obj([("copied_with", .str(r.copiedWith ?? ""))]))) }
        else if let e = r.auditError { d.append(("audit", .obj([("error", .str(e))]))) }
        if let rep = report { d.append(("report", ReportJSON.node(rep, failOn: failOn))) }
        return .obj(d)
    }

    public static func json(_ scan: ScanResult, generatedAt: Int64 = Int64(Date().timeIntervalSince1970)) -> String {
        let s = ScanSummary(scan.results)
        let summary: JSONNode = .obj([
            ("devices", .num(scan.devices.count)),
            ("verdict", .str(scan.verdict)),
            ("fail_on", .str(scan.failOn?.name ?? "never")),
            ("failing_devices", .arr(scan.devices.filter { $0.report.map { !$0.findingsAtOrAbove(scan.failOn).isEmpty } ?? false }.map { .str($0.result.target.label) })),
            ("not_reached", .arr(s.notReached.map { .str($0) })),
            ("by_status", .obj(s.byStatus.map { ($0.0, .num($0.1)) })),
            ("shared_host_keys", .arr(s.sharedHostKeys.map { .obj([("fingerprint", .str($0.fingerprint)), ("type", .str($0.type)), ("devices", .arr($0.devices.map { .str($0) }))]) })),
            ("default_credentials", .arr(s.defaultCredentials.map { .obj([("user", .str($0.user)), ("source", .str($0.source)), ("devices", .arr($0.devices.map { .str($0) }))]) })),
        ])
        let doc: JSONNode = .obj([
            ("schema", .str(schemaID)),
            ("generated_at", .str(isoTimestamp(generatedAt))),
            ("devices", .arr(scan.devices.map { device($0.result, report: $0.report, failOn: scan.failOn) })),
            ("summary", summary),
        ])
        return JSONWriter.write(doc) + "\n"
    }

    public static func text(_ scan: ScanResult) -> String {
        var out = ""
        for (r, report) in scan.devices {
            out += "\(r.target.label)  \(r.status.rawValue)"
            if let s = r.software { out += "  \(s)" }
            if !r.detail.isEmpty { out += "  — \(r.detail)" }
            out += "\n"
            for k in r.hostKeys { out += "    host key  \(k.type)  \(k.fingerprint)\n" }
            if !r.authMethods.isEmpty { out += "    auth      \(r.authMethods.joined(separator: ", "))\n" }
            if let k = r.knownHosts { out += "    known_hosts: \(k)\n" }
            if let c = r.defaultCredential { out += "    DEFAULT CREDENTIAL WORKS: user \(c.user) (\(c.source)) after \(r.attempts) attempt(s)\n" }
            else if r.attempts > 0 { out += "    default credentials: none of \(r.attempts) tried worked\n" }
            if let l = r.login { out += "    login     \(l)" + (r.architecture.map { ", architecture \($0)" } ?? "") + "\n" }
            if r.report != nil {
                out += "    audit     " + (r.copiedWith.map { $0.hasPrefix("none") ? "host side (\($0))" : "agent (copied with \($0))" } ?? "done") + "\n"
            } else if let e = r.auditError {
                out += "    audit     not done: \(e)\n"
            }
            if let rep = report {
                let failing = rep.findings.filter { $0.status.isFinding }
                out += "    report    \(rep.verdict.uppercased())" + (failing.isEmpty ? "" : "  " + failing.map { "\($0.id)(\($0.status.name))" }.joined(separator: " "))
                if let since = rep.since { out += "  — \(since.new.count) new since \(since.path)" }
                out += "\n"
                if !rep.checksNotInProfile.isEmpty { out += "    not in profile \(rep.profileID): \(rep.checksNotInProfile.joined(separator: " ")) (not judged)\n" }
            }
        }
        let s = ScanSummary(scan.results)
        out += "\n\(scan.devices.count) device(s): " + s.byStatus.map { "\($0.1) \($0.0)" }.joined(separator: ", ") + "\n"
        for g in s.sharedHostKeys {
            out += "SHARED HOST KEY  \(g.type) \(g.fingerprint) on \(g.devices.count) devices: \(g.devices.joined(separator: " "))\n"
        }
        for g in s.defaultCredentials {
            out += "DEFAULT CREDENTIAL  user \(g.user) (\(g.source)) opens \(g.devices.count) device(s): \(g.devices.joined(separator: " "))\n"
        }
        let failing = scan.devices.filter { $0.report?.verdict == "fail" }.map { $0.result.target.label }
        switch scan.verdict {
        case "fail": out += "Verdict: FAIL — " + (failing.isEmpty ? "a default credential works or devices share a host key" : "\(failing.count) device report(s) failing: " + failing.joined(separator: " ")) + (s.notReached.isEmpty ? "" : " (and \(s.notReached.count) device(s) not reached)") + "\n"
        case "incomplete": out += "Verdict: INCOMPLETE — \(s.notReached.count) of \(scan.devices.count) device(s) not reached: " + s.notReached.joined(separator: " ") + "\n"
        default: out += "Verdict: PASS — every device reached, no finding (no default credential, no shared host key)\n"
        }
        return out
    }
}
