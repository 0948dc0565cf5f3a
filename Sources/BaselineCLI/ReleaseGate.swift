// The release gate of `baseline audit`: which findings make the exit code 1. `--fail-on` takes a severity, or
// per-area thresholds (`--fail-on high,lifecycle=never,credentials=low`: the bare severity is the default), and
// `--baseline-file accepted.json` lists accepted findings, each with an owner and an expiry, like a SARIF baseline:
//
//   {"accepted": [{"id": "CRED-06", "path": "/etc/dropbear/dropbear_rsa_host_key", "owner": "jane@acme.example",
//                  "expires": "2027-03-31", "reason": "keys regenerated at first boot by S50dropbear (ticket 4711)"}]}
//
// An accepted finding does not gate until its expiry (the day after it, it gates again and a warning says so); it
// stays in every report, marked in SARIF as an external suppression and listed under the text report.
import BaselineCore
import Foundation

struct Acceptance {
    let index: Int
    let id: String
    let path: String?           // the finding must have evidence at this path (any, when absent)
    let owner: String
    let expires: CivilDate
    let reason: String

    func matches(_ f: Finding) -> Bool { f.id == id && (path == nil || f.evidence.contains { $0.path == path }) }
    var justification: String { "\(reason) (accepted by \(owner) until \(expires.iso))" }
}

struct ReleaseGate {
    var threshold: Severity?                    // the default (and the verdict's)
    var areas: [String: Severity?] = [:]        // area name → threshold, nil = never
    var accepted: [Acceptance] = []
    var today: CivilDate

    /// `SEVERITY` or `SEVERITY,AREA=SEVERITY,…` (`never` anywhere a severity goes).
    static func parseFailOn(_ spec: String) throws -> (Severity?, [String: Severity?]) {
        func severity(_ s: String) throws -> Severity? {
            if s == "never" || s == "none" { return nil }
            guard let v = Severity.parse(s) else {
                throw die("--fail-on: expected info, low, medium, high, critical or never, found '\(s)'", code: 2)
            }
            return v
        }
        var def: Severity? = .low
        var areas: [String: Severity?] = [:]
        for part in spec.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if let eq = part.firstIndex(of: "=") {
                let area = String(part[..<eq]), value = String(part[part.index(after: eq)...])
                guard Area.allCases.contains(where: { $0.name == area }) else {
                    throw die("--fail-on: unknown area '\(area)' (expected " + Area.allCases.map { $0.name }.joined(separator: ", ") + ")", code: 2)
                }
                areas[area] = try severity(value)
            } else {
                def = try severity(part)
            }
        }
        return (def, areas)
    }

    /// Every error is one line naming the file, the line and what was expected.
    static func loadAccepted(_ path: String) throws -> [Acceptance] {
        guard let data = FileManager.default.contents(atPath: path) else { throw die("\(path): cannot read the baseline file", code: 2) }
        let doc: JSONNode
        do throws(JSONError) { doc = try JSONParser.parse([UInt8](data)) } catch { throw die("\(path):\(error.line): invalid JSON: \(error.message)", code: 2) }
        guard doc.members != nil, let list = doc["accepted"]?.array else {
            let found = doc.members == nil ? doc.kindName : doc["accepted"].map { $0.kindName + " for \"accepted\"" } ?? "no \"accepted\" member"
            throw die("\(path):\((doc["accepted"] ?? doc).line): expected a JSON object with an \"accepted\" array, found \(found)", code: 2)
        }
        var out: [Acceptance] = []
        for (i, e) in list.enumerated() {
            guard e.members != nil else { throw die("\(path):\(e.line): accepted[\(i)]: expected an object, found \(e.kindName)", code: 2) }
            func field(_ k: String) throws -> String {
                guard let v = e[k]?.string, !v.trimmingCharacters(in: .whitespaces).isEmpty else {
                    throw die("\(path):\((e[k] ?? e).line): accepted[\(i)]: expected \"\(k)\" (a non-empty string)", code: 2)
                }
                return v
            }
            let id = try field("id")
            guard CheckCatalog.definition(id) != nil else { throw die("\(path):\(e["id"]?.line ?? e.line): accepted[\(i)]: unknown check id '\(id)'", code: 2) }
            let exp = try field("expires")
            guard let d = CivilDate.parse(exp) else {
                throw die("\(path):\(e["expires"]?.line ?? e.line): accepted[\(i)]: \"expires\": expected YYYY-MM-DD, found '\(exp)'", code: 2)
            }
            var evidencePath: String?
            if let p = e["path"], !p.isNull {
                guard let s = p.string else { throw die("\(path):\(p.line): accepted[\(i)]: \"path\": expected a string, found \(p.kindName)", code: 2) }
                evidencePath = s
            }
            out.append(Acceptance(index: i, id: id, path: evidencePath, owner: try field("owner"), expires: d, reason: try field("reason")))
        }
        return out
    }

    /// The acceptance in force for `f`, if any.
    func acceptance(_ f: Finding) -> Acceptance? { accepted.first { $0.matches(f) && !($0.expires < today) } }

    func threshold(for f: Finding) -> Severity? {
        if let t = areas[f.area.name] { return t }
        return threshold
    }

    /// The findings that fail the gate: at or above their area's threshold and not accepted.
    func gating(_ r: Report) -> [Finding] {
        r.findings.filter { f in
            guard f.status.isFinding, let t = threshold(for: f), f.severity >= t else { return false }
            return acceptance(f) == nil
        }
    }

    /// One line per acceptance that has expired but still matches a finding.
    func expiredWarnings(_ r: Report, file: String) -> [String] {
        accepted.filter { a in a.expires < today && r.findings.contains { $0.status.isFinding && a.matches($0) } }.map {
            "baseline: \(file): accepted[\($0.index)] \($0.id) (owner \($0.owner)) expired on \($0.expires.iso); the finding gates again"
        }
    }
}
