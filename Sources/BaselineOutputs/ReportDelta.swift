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
        // Read through the core's ReportReader (the writer's mirror): a report this build does not read, or a
        // malformed one, is refused with the JSON path at fault.
        let previous: Report
        do { previous = try ReportReader.read([UInt8](data)).report } catch {
            throw LoadError(message: "\(path): not a baseline.report/1 this build reads: \(error)")
        }
        return PreviousReport(previous, path: path)
    }

    /// A previous `baseline scan --format json` (`baseline.scan/1`): each reached device's report, by "address:port"
    /// ("[v6]:port"), read through the core's ReportReader.
    public static func loadScan(_ path: String) throws -> [String: PreviousReport] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LoadError(message: "\(path): cannot read the previous scan")
        }
        let doc: JSONNode
        do { doc = try JSONParser.parse([UInt8](data)) } catch {
            throw LoadError(message: "\(path): line \(error.line): not JSON: \(error.message)")
        }
        guard doc["schema"]?.string == "baseline.scan/1" else {
            throw LoadError(message: "\(path): expected a baseline.scan/1 document (baseline scan --format json), found schema '\(doc["schema"]?.string ?? "none")'")
        }
        var out: [String: PreviousReport] = [:]
        for (i, d) in (doc["devices"]?.array ?? []).enumerated() {
            guard let r = d["report"], r.members != nil else { continue }
            guard let address = d["address"]?.string, let port = d["port"]?.int else {
                throw LoadError(message: "\(path): devices[\(i)]: expected 'address' (a string) and 'port' (a number)")
            }
            do { out[(address.contains(":") ? "[\(address)]" : address) + ":\(port)"] = PreviousReport(try ReportReader.read(r).report, path: path) } catch {
                throw LoadError(message: "\(path): devices[\(i)].report: not a baseline.report/1 this build reads: \(error)")
            }
        }
        return out
    }

    init(_ previous: Report, path: String) {
        var keys: Set<String> = []
        var failing: Set<String> = []
        for f in previous.findings where f.status.isFinding {
            failing.insert(f.id)
            if f.evidence.isEmpty { keys.insert(f.id + "\u{0}") }
            for e in f.evidence { keys.insert(PreviousReport.key(f.id, e.path, e.detail)) }
        }
        self.path = path; self.keys = keys; self.failingChecks = failing
        profileID = previous.profileID
        let subject = previous.subject
        device = (subject.vendor, subject.model, subject.deviceID)
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
