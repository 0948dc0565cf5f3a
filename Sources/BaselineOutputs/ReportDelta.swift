// --since PREVIOUS.json: which findings are new since the previous release's report. A finding is old when the
// previous report has the same check failing (or warning) with the same evidence (path and detail; line numbers
// are ignored because they shift between releases).
import BaselineCore
import Foundation

public struct PreviousReport {
    public let path: String
    let keys: Set<String>
    let failingChecks: Set<String>

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
        return PreviousReport(path: path, keys: keys, failingChecks: failing)
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
