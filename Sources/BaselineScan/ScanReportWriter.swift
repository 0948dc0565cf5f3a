// The scan's outputs: JSON (`baseline.scan/1`: one entry per device plus the summary, for the collector) and text.
import BaselineCore
import Foundation

public enum ScanReportWriter {
    public static let schemaID = "baseline.scan/1"

    public static func device(_ r: DeviceResult) -> [String: Any] {
        var d: [String: Any] = ["address": r.target.address, "port": r.target.port, "status": r.status.rawValue,
                                "seconds": (r.seconds * 1000).rounded() / 1000]
        if !r.detail.isEmpty { d["detail"] = r.detail }
        if let b = r.banner { d["banner"] = b }
        if let s = r.software { d["software"] = s }
        if !r.hostKeys.isEmpty { d["host_keys"] = r.hostKeys.map { ["type": $0.type, "fingerprint": $0.fingerprint, "public_key": $0.base64] } }
        if !r.authMethods.isEmpty { d["auth_methods"] = r.authMethods }
        if let k = r.knownHosts { d["known_hosts"] = k }
        if r.attempts > 0 || r.defaultCredential != nil {
            var p: [String: Any] = ["attempts": r.attempts]
            if let c = r.defaultCredential { p["working"] = ["user": c.user, "source": c.source] }
            d["default_credentials"] = p
        }
        if let l = r.login { d["login"] = l }
        if let a = r.architecture { d["architecture"] = a }
        if let rep = r.report, let obj = try? JSONSerialization.jsonObject(with: Data(ReportJSON.encode(rep.report, failOn: rep.failOn).utf8)) {
            d["audit"] = ["copied_with": r.copiedWith ?? "", "report": obj]
        } else if let e = r.auditError {
            d["audit"] = ["error": e]
        }
        for (k, v) in [("vendor", r.target.vendor), ("model", r.target.model), ("profile", r.target.profile)] { if let v { d[k] = v } }
        return d
    }

    public static func json(_ results: [DeviceResult], generatedAt: Date = Date()) -> String {
        let s = ScanSummary(results)
        let iso = ISO8601DateFormatter()
        let doc: [String: Any] = [
            "schema": schemaID,
            "generated_at": iso.string(from: generatedAt),
            "devices": results.map(device),
            "summary": [
                "devices": results.count,
                "verdict": s.verdict,
                "not_reached": s.notReached,
                "by_status": Dictionary(uniqueKeysWithValues: s.byStatus),
                "shared_host_keys": s.sharedHostKeys.map { ["fingerprint": $0.fingerprint, "type": $0.type, "devices": $0.devices] },
                "default_credentials": s.defaultCredentials.map { ["user": $0.user, "source": $0.source, "devices": $0.devices] },
            ] as [String: Any],
        ]
        let data = (try? JSONSerialization.data(withJSONObject: doc, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    public static func text(_ results: [DeviceResult]) -> String {
        var out = ""
        for r in results {
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
            if let rep = r.report {
                let failing = rep.report.findings.filter { $0.status.isFinding }.map { $0.id }
                out += "    audit     agent (copied with \(r.copiedWith ?? "?")): \(rep.verdict.uppercased())" + (failing.isEmpty ? "" : "  " + failing.joined(separator: " ")) + "\n"
            } else if let e = r.auditError {
                out += "    audit     not done: \(e)\n"
            }
        }
        let s = ScanSummary(results)
        out += "\n\(results.count) device(s): " + s.byStatus.map { "\($0.1) \($0.0)" }.joined(separator: ", ") + "\n"
        for g in s.sharedHostKeys {
            out += "SHARED HOST KEY  \(g.type) \(g.fingerprint) on \(g.devices.count) devices: \(g.devices.joined(separator: " "))\n"
        }
        for g in s.defaultCredentials {
            out += "DEFAULT CREDENTIAL  user \(g.user) (\(g.source)) opens \(g.devices.count) device(s): \(g.devices.joined(separator: " "))\n"
        }
        switch s.verdict {
        case "fail": out += "Verdict: FAIL" + (s.notReached.isEmpty ? "" : " (and \(s.notReached.count) device(s) not reached)") + "\n"
        case "incomplete": out += "Verdict: INCOMPLETE — \(s.notReached.count) of \(results.count) device(s) not reached: " + s.notReached.joined(separator: " ") + "\n"
        default: out += "Verdict: PASS — every device reached, no default credential, no shared host key\n"
        }
        return out
    }
}
