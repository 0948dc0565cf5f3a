// --since PREVIOUS.json: which findings are new since the previous release's report. A finding is old when the
// previous report has the same check failing (or warning) with the same evidence (path and detail; line numbers
// are ignored because they shift between releases).
import BaselineCore
import Foundation

public struct PreviousReport {
    public let path: String
    let keys: Set<String>
    let failingChecks: Set<String>
    var profileID: String? = nil
    var device: (vendor: String?, model: String?, deviceID: String?) = (nil, nil, nil)

    public struct LoadError: Error { public let message: String }

    public static func load(_ path: String) throws -> PreviousReport {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LoadError(message: "\(path): cannot read the previous report")
        }
        guard let obj = try? JSONSerialization.jsonObject(with: data), let doc = obj as? [String: Any] else {
            throw LoadError(message: "\(path): not a JSON document (expected a baseline.report/1 report)")
        }
        guard doc["schema"] as? String == reportSchemaID, let findings = doc["findings"] as? [[String: Any]] else {
            throw LoadError(message: "\(path): expected \"schema\": \"\(reportSchemaID)\" with a \"findings\" array")
        }
        var keys: Set<String> = []
        var failing: Set<String> = []
        for f in findings {
            guard let id = f["id"] as? String, let status = f["status"] as? String, ["fail", "warn", "error"].contains(status) else { continue }
            failing.insert(id)
            let ev = (f["evidence"] as? [[String: Any]]) ?? []
            if ev.isEmpty { keys.insert(id + "\u{0}") }
            for e in ev { keys.insert(key(id, e["path"] as? String ?? "", e["detail"] as? String ?? "")) }
        }
        var prev = PreviousReport(path: path, keys: keys, failingChecks: failing)
        prev.profileID = (doc["profile"] as? [String: Any])?["id"] as? String
        let subject = doc["subject"] as? [String: Any] ?? [:]
        prev.device = (subject["vendor"] as? String, subject["model"] as? String, subject["device_id"] as? String)
        return prev
    }

    /// Why comparing `report` with this previous report may mislead: another profile, vendor, model or device.
    public func mismatches(_ report: Report) -> [String] {
        var out: [String] = []
        if let p = profileID, p != report.profileID { out.append("the previous report is against profile '\(p)', this one against '\(report.profileID)'") }
        let s = report.subject
        if let v = device.vendor, let now = s.vendor, v != now { out.append("the previous report is of vendor '\(v)', this one of '\(now)'") }
        if let m = device.model, let now = s.model, m != now { out.append("the previous report is of model '\(m)', this one of '\(now)'") }
        if let d = device.deviceID, let now = s.deviceID, d != now { out.append("the previous report is of another device (\(d), now \(now))") }
        return out
    }

    static func key(_ id: String, _ path: String, _ detail: String) -> String { id + "\u{0}" + path + "\u{0}" + detail }

    /// Evidence of `f` that the previous report did not have (all of it for a check that newly fails).
    public func newEvidence(_ f: Finding) -> [Evidence] {
        guard f.status.isFinding else { return [] }
        if f.evidence.isEmpty { return keys.contains(f.id + "\u{0}") ? [] : [Evidence("", 0, f.message)] }
        return f.evidence.filter { !keys.contains(PreviousReport.key(f.id, $0.path, $0.detail)) }
    }

    public func isNew(_ f: Finding) -> Bool { !newEvidence(f).isEmpty }
}
