// Reads a `baseline.report/1` back into the typed model: the mirror of ReportJSON. Every reader of reports (collector
// ingest, `--since`, the scan's agent reports) goes through it, so a field the writer adds is read in one place.
// Embedded-safe (no Foundation, typed throws): it also builds into the agent's core. Strict like the schema: a field
// the writer always writes must be there with its type; an error names the JSON path and what was expected.

public struct ReportReadError: Error, CustomStringConvertible {
    /// Where in the document: `findings[3].status`; empty for the document itself.
    public var path: String
    /// The line the offending value (or its object) starts on; 0 when unknown.
    public var line: Int
    public var message: String

    public init(path: String, line: Int, message: String) { self.path = path; self.line = line; self.message = message }

    /// One line: `line 12: 'findings[3].status': expected pass, fail, warn, info, skip or error, found 'bad'`.
    public var description: String {
        var out = line > 0 ? "line " + String(line) + ": " : ""
        if !path.isEmpty { out += "'" + path + "': " }
        return out + message
    }

    /// The same error seen from the enclosing value (`prefix` is its path: `findings[3]`).
    func under(_ prefix: String) -> ReportReadError {
        var e = self
        e.path = path.isEmpty ? prefix : (path.first == "[" ? prefix + path : prefix + "." + path)
        return e
    }
}

/// A report as read: the model, plus what the writer derives from its arguments rather than the model (the
/// `--fail-on` threshold and the summary as written).
public struct ReadReport {
    public var report: Report
    /// `summary.fail_on`: nil for "never".
    public var failOn: Severity?
    /// `summary.verdict` and `summary.failing` as the report states them.
    public var verdict: String
    public var failing: Int

    public init(report: Report, failOn: Severity?, verdict: String, failing: Int) {
        self.report = report; self.failOn = failOn; self.verdict = verdict; self.failing = failing
    }

    /// A report made here: the summary is what the writer would write for it.
    public init(_ report: Report, failOn: Severity?) {
        self.init(report: report, failOn: failOn, verdict: report.verdict, failing: report.findingsAtOrAbove(failOn).count)
    }
}

public enum ReportReader {
    /// Top-level members the model holds; any other member is kept, in order, as one of `Report.sections`. (A switch,
    /// not a static Set: no table for the agent's linker to keep.)
    static func isKnown(_ key: String) -> Bool {
        switch key {
        case "schema", "report_id", "tool", "generated_at", "audit_date", "source", "profile", "subject", "summary", "findings",
             "fingerprints", "runtime", "coverage": return true
        default: return false
        }
    }

    /// Parses and reads a report's bytes.
    public static func read(_ bytes: [UInt8]) throws(ReportReadError) -> ReadReport {
        let node: JSONNode
        do throws(JSONError) { node = try JSONParser.parse(bytes) } catch {
            throw ReportReadError(path: "", line: error.line, message: "not JSON: " + error.message)
        }
        return try read(node)
    }

    /// Reads an already parsed report (the collector validates the tree against the schema first).
    public static func read(_ o: JSONNode) throws(ReportReadError) -> ReadReport {
        guard let top = o.members else { throw expected(o, "", "a JSON object (a baseline.report/1)") }
        guard let schemaNode = o["schema"] else { throw ReportReadError(path: "schema", line: o.line, message: "missing: expected \"" + reportSchemaID + "\"") }
        guard let schema = schemaNode.string else { throw expected(schemaNode, "schema", "the string \"" + reportSchemaID + "\"") }
        guard schema == reportSchemaID else {
            throw ReportReadError(path: "schema", line: schemaNode.line, message: "expected \"" + reportSchemaID + "\", found \"" + schema + "\" (a schema version this build does not read)")
        }
        let tool = try object(o, "tool")
        let source = try object(o, "source")
        let profile = try object(o, "profile")
        let summary = try object(o, "summary")
        let date = try string(o, "audit_date")
        guard let auditDate = CivilDate.parse(date) else {
            throw ReportReadError(path: "audit_date", line: o["audit_date"]?.line ?? o.line, message: "expected a YYYY-MM-DD date, found '" + date + "'")
        }
        var r = Report(reportID: try string(o, "report_id"), generatedAt: try string(o, "generated_at"), auditDate: auditDate,
                       sourceKind: try string(source, "kind", in: "source"), sourcePath: try string(source, "path", in: "source"),
                       profileID: try string(profile, "id", in: "profile"), profileTitle: try string(profile, "title", in: "profile"),
                       profileChain: try strings(profile, "chain", in: "profile"), profileDigest: try string(profile, "digest", in: "profile"),
                       subject: try subject(try object(o, "subject")), findings: [], fingerprints: try fingerprints(try object(o, "fingerprints")),
                       runtime: nil, filesRead: 0, problems: [])
        r.tool = try string(tool, "name", in: "tool")
        r.toolVersion = try string(tool, "version", in: "tool")
        r.sourceFormat = try optionalString(source, "format", in: "source")
        if let c = source["container"] {
            do throws(ReportReadError) {
                guard c.members != nil else { throw expected(c, "", "an object") }
                r.sourceContainer = Report.Container(format: try string(c, "format"), offset: try int(c, "offset"))
            } catch { throw error.under("source.container") }
        }
        let rawFindings = try array(o, "findings")
        r.findings.reserveCapacity(rawFindings.count)
        for (i, f) in rawFindings.enumerated() {
            do throws(ReportReadError) { r.findings.append(try finding(f)) } catch { throw error.under("findings[" + String(i) + "]") }
        }
        if let rt = o["runtime"], !rt.isNull {
            do throws(ReportReadError) { r.runtime = try runtime(rt) } catch { throw error.under("runtime") }
        } else if o["runtime"] == nil {
            throw missing(o, "runtime", "null or an object")
        }
        let coverage = try object(o, "coverage")
        do throws(ReportReadError) {
            r.filesRead = try int(coverage, "files_read")
            for (i, p) in try array(coverage, "unreadable").enumerated() {
                do throws(ReportReadError) {
                    guard p.members != nil else { throw expected(p, "", "an object") }
                    r.problems.append(FSProblem(path: try string(p, "path"), reason: try string(p, "reason")))
                } catch { throw error.under("unreadable[" + String(i) + "]") }
            }
            if let c = coverage["complete"], c.bool == nil { throw expected(c, "complete", "true or false") }
            r.incomplete = try optionalStrings(coverage, "incomplete") ?? []
            if coverage["complete"]?.bool == false && r.incomplete.isEmpty {
                throw ReportReadError(path: "incomplete", line: coverage.line, message: "expected why the audit is incomplete (\"complete\": false)")
            }
            r.checksNotInProfile = try optionalStrings(coverage, "checks_not_in_profile") ?? []
        } catch { throw error.under("coverage") }
        var failOn: Severity? = nil
        let verdict: String, failing: Int
        do throws(ReportReadError) {
            verdict = try string(summary, "verdict")
            guard verdict == "pass" || verdict == "fail" else {
                throw ReportReadError(path: "verdict", line: summary["verdict"]?.line ?? summary.line, message: "expected pass or fail, found '" + verdict + "'")
            }
            let threshold = try string(summary, "fail_on")
            if threshold != "never" {
                guard let s = severity(threshold) else {
                    throw ReportReadError(path: "fail_on", line: summary["fail_on"]?.line ?? summary.line, message: "expected never, info, low, medium, high or critical, found '" + threshold + "'")
                }
                failOn = s
            }
            failing = try int(summary, "failing")
            if let acc = summary["accepted"] {
                guard let items = acc.array else { throw expected(acc, "accepted", "an array") }
                for (i, a) in items.enumerated() {
                    do throws(ReportReadError) {
                        guard a.members != nil else { throw expected(a, "", "an object") }
                        r.accepted.append((id: try string(a, "id"), justification: try string(a, "justification")))
                    } catch { throw error.under("accepted[" + String(i) + "]") }
                }
            }
            if let s = summary["since"] {
                do throws(ReportReadError) {
                    guard s.members != nil else { throw expected(s, "", "an object") }
                    r.since = (path: try string(s, "previous"), new: try strings(s, "new"))
                } catch { throw error.under("since") }
            }
            try counts(try object(summary, "totals"), "totals")
            let areas = try object(summary, "areas")
            for a in 0..<5 {
                let name = a == 0 ? "credentials" : a == 1 ? "update" : a == 2 ? "lifecycle" : a == 3 ? "surface" : "disclosure"
                try counts(try object(areas, name, in: "areas"), "areas." + name)
            }
        } catch { throw error.under("summary") }
        for m in top where !isKnown(m.key) { r.sections.append((m.key, m.node)) }
        return ReadReport(report: r, failOn: failOn, verdict: verdict, failing: failing)
    }

    // MARK: parts

    /// One pass over the finding's members (a report holds dozens of findings: looking each key up by name would scan
    /// the members again for every field).
    static func finding(_ f: JSONNode) throws(ReportReadError) -> Finding {
        guard let members = f.members else { throw expected(f, "", "an object") }
        var id: String? = nil, areaNode: JSONNode? = nil, title: String? = nil, statusNode: JSONNode? = nil, severityNode: JSONNode? = nil
        var message: String? = nil, remediation: String? = nil, evidenceNode: JSONNode? = nil, provisionsNode: JSONNode? = nil
        var dataNode: JSONNode? = nil
        for m in members {
            let n = m.node
            switch m.key {
            case "id" where id == nil: id = try text(n, "id")
            case "area" where areaNode == nil: areaNode = n
            case "title" where title == nil: title = try text(n, "title")
            case "status" where statusNode == nil: statusNode = n
            case "severity" where severityNode == nil: severityNode = n
            case "message" where message == nil: message = try text(n, "message")
            case "remediation" where remediation == nil: remediation = try text(n, "remediation")
            case "evidence" where evidenceNode == nil: evidenceNode = n
            case "provisions" where provisionsNode == nil: provisionsNode = n
            case "data" where dataNode == nil: dataNode = n
            case "since":
                guard let v = n.string, v == "new" || v == "unchanged" else { throw expected(n, "since", "\"new\" or \"unchanged\"") }
            default: break
            }
        }
        guard let areaNode else { throw missing(f, "area", "a string") }
        let areaName = try text(areaNode, "area")
        guard let area = area(areaName) else {
            throw ReportReadError(path: "area", line: areaNode.line, message: "expected credentials, update, lifecycle, surface or disclosure, found '" + areaName + "'")
        }
        guard let statusNode else { throw missing(f, "status", "a string") }
        let statusName = try text(statusNode, "status")
        guard let status = status(statusName) else {
            throw ReportReadError(path: "status", line: statusNode.line, message: "expected pass, fail, warn, info, skip or error, found '" + statusName + "'")
        }
        guard let severityNode else { throw missing(f, "severity", "a string") }
        let severityName = try text(severityNode, "severity")
        guard let severity = severity(severityName) else {
            throw ReportReadError(path: "severity", line: severityNode.line, message: "expected info, low, medium, high or critical, found '" + severityName + "'")
        }
        guard let evidenceNode else { throw missing(f, "evidence", "an array") }
        guard let evidenceItems = evidenceNode.array else { throw expected(evidenceNode, "evidence", "an array") }
        var evidence: [Evidence] = []
        evidence.reserveCapacity(evidenceItems.count)
        for (i, e) in evidenceItems.enumerated() {
            do throws(ReportReadError) {
                guard e.members != nil else { throw expected(e, "", "an object") }
                evidence.append(Evidence(try string(e, "path"), try optionalInt(e, "line") ?? 0, try string(e, "detail")))
            } catch { throw error.under("evidence[" + String(i) + "]") }
        }
        guard let provisionsNode else { throw missing(f, "provisions", "an array of strings") }
        let provisions = try stringArray(provisionsNode, "provisions")
        guard let id else { throw missing(f, "id", "a string") }
        guard let title else { throw missing(f, "title", "a string") }
        guard let message else { throw missing(f, "message", "a string") }
        guard let remediation else { throw missing(f, "remediation", "a string") }
        var out = Finding(id: id, area: area, title: title, status: status, severity: severity, message: message, evidence: evidence,
                          provisions: provisions, remediation: remediation)
        if let d = dataNode {
            guard let members = d.members else { throw expected(d, "data", "an object of strings") }
            for m in members {
                guard let v = m.node.string else { throw expected(m.node, "data." + m.key, "a string") }
                out.data.append((m.key, v))
            }
        }
        return out
    }

    static func text(_ n: JSONNode, _ path: String) throws(ReportReadError) -> String {
        guard let s = n.string else { throw expected(n, path, "a string") }
        return s
    }

    // Exact names, as the writer writes them (no case folding: cheaper, and stricter).
    static func area(_ s: String) -> Area? {
        switch s {
        case "credentials": return .credentials
        case "update": return .update
        case "lifecycle": return .lifecycle
        case "surface": return .surface
        case "disclosure": return .disclosure
        default: return nil
        }
    }

    /// The writer's severity names, exactly (lower case): `Severity.parse` also takes other cases.
    static func severity(_ s: String) -> Severity? { Text.lower(s) == s ? Severity.parse(s) : nil }

    static func status(_ s: String) -> Status? {
        switch s {
        case "pass": return .pass
        case "fail": return .fail
        case "warn": return .warn
        case "info": return .info
        case "skip": return .skip
        case "error": return .error
        default: return nil
        }
    }

    static func subject(_ s: JSONNode) throws(ReportReadError) -> Subject {
        var out = Subject()
        do throws(ReportReadError) {
            out.vendor = try nullableString(s, "vendor")
            out.model = try nullableString(s, "model")
            out.firmwareVersion = try nullableString(s, "firmware_version")
            out.buildID = try nullableString(s, "build_id")
            out.osID = try nullableString(s, "os_id")
            out.osVersion = try nullableString(s, "os_version")
            out.osName = try nullableString(s, "os_name")
            out.deviceID = try nullableString(s, "device_id")
            out.imageID = try optionalString(s, "image_id")
        } catch { throw error.under("subject") }
        return out
    }

    static func fingerprints(_ f: JSONNode) throws(ReportReadError) -> Fingerprints {
        var out = Fingerprints()
        do throws(ReportReadError) {
            out.fleetKeyID = try nullableString(f, "fleet_key_id")
            out.hostKeys = try objects(f, "host_keys") { k throws(ReportReadError) in
                HostKeyFingerprint(path: try string(k, "path"), type: try string(k, "type"), sha256: try string(k, "sha256"))
            }
            out.authorizedKeys = try objects(f, "authorized_keys") { k throws(ReportReadError) in
                AuthorizedKeyFingerprint(path: try string(k, "path"), line: try int(k, "line"), type: try string(k, "type"), sha256: try string(k, "sha256"))
            }
            out.passwordHashes = try objects(f, "password_hashes") { h throws(ReportReadError) in
                PasswordFingerprint(account: try string(h, "account"), scheme: try string(h, "scheme"), hmac: try string(h, "hmac_sha256"))
            }
            out.privateKeys = try objects(f, "private_keys") { k throws(ReportReadError) in
                PrivateKeyFingerprint(path: try string(k, "path"), label: try string(k, "label"),
                                      publicSHA256: try nullableString(k, "public_sha256"), hmac: try nullableString(k, "hmac_sha256"))
            }
        } catch { throw error.under("fingerprints") }
        return out
    }

    /// An array of objects at `key`, each made into a `T`; an error names the element (`key[i]`).
    static func objects<T>(_ o: JSONNode, _ key: String, _ make: (JSONNode) throws(ReportReadError) -> T) throws(ReportReadError) -> [T] {
        var out: [T] = []
        for (i, n) in try array(o, key).enumerated() {
            do throws(ReportReadError) {
                guard n.members != nil else { throw expected(n, "", "an object") }
                out.append(try make(n))
            } catch { throw error.under(key + "[" + String(i) + "]") }
        }
        return out
    }

    static func runtime(_ rt: JSONNode) throws(ReportReadError) -> Runtime {
        guard rt.members != nil else { throw expected(rt, "", "null or an object") }
        var lastUpdate: LastUpdate? = nil
        guard let lu = rt["last_update"] else { throw missing(rt, "last_update", "null or an object") }
        if !lu.isNull {
            do throws(ReportReadError) {
                guard lu.members != nil else { throw expected(lu, "", "null or an object") }
                lastUpdate = LastUpdate(source: try string(lu, "source"), date: try string(lu, "date"), path: try string(lu, "path"))
            } catch { throw error.under("last_update") }
        }
        var listeners: [Listener] = []
        for (i, l) in try array(rt, "listeners").enumerated() {
            do throws(ReportReadError) {
                guard l.members != nil else { throw expected(l, "", "an object") }
                guard let loopback = l["loopback"] else { throw missing(l, "loopback", "true or false") }
                guard let lb = loopback.bool else { throw expected(loopback, "loopback", "true or false") }
                let address = try string(l, "address")
                // Where the listener was read (path, line) is absent from reports of earlier versions; the address
                // tells the family.
                listeners.append(Listener(proto: try string(l, "proto"), ipv6: address.utf8.contains(58), address: address, port: try int(l, "port"),
                                          loopback: lb, path: try optionalString(l, "path") ?? "", line: try optionalInt(l, "line") ?? 0))
            } catch { throw error.under("listeners[" + String(i) + "]") }
        }
        guard let up = rt["uptime_seconds"] else { throw missing(rt, "uptime_seconds", "null or a whole number") }
        var uptime: Int? = nil
        if !up.isNull {
            guard let u = integer(up) else { throw expected(up, "uptime_seconds", "null or a whole number") }
            uptime = u
        }
        return Runtime(kernel: try nullableString(rt, "kernel"), uptimeSeconds: uptime, lastUpdate: lastUpdate,
                       interfaces: try int(rt, "interfaces"), listeners: listeners)
    }

    /// A `statusCounts` object: a whole number for each status (derived from the findings, so only checked).
    static func counts(_ o: JSONNode, _ path: String) throws(ReportReadError) {
        guard let members = o.members else { throw expected(o, path, "an object") }
        for s in 0..<6 {
            let name = s == 0 ? "pass" : s == 1 ? "fail" : s == 2 ? "warn" : s == 3 ? "info" : s == 4 ? "skip" : "error"
            var found = false
            for m in members where m.key == name {
                guard isWholeNumber(m.node) else { throw expected(m.node, path + "." + name, "a whole number") }
                found = true
                break
            }
            if !found { throw missing(o, path + "." + name, "a whole number") }
        }
    }

    /// A non-negative or negative integer as written (digits only), without converting it.
    static func isWholeNumber(_ n: JSONNode) -> Bool {
        guard case .number(let text) = n.value else { return false }
        var digits = 0
        for (i, c) in text.utf8.enumerated() {
            if c == 45 && i == 0 { continue }
            guard c >= 48 && c <= 57 else { return false }
            digits += 1
        }
        return digits > 0 && digits <= 18
    }

    /// The integer value of a number node (digits only, at most 18), without an intermediate array.
    static func integer(_ n: JSONNode) -> Int? {
        guard case .number(let text) = n.value else { return nil }
        var v = 0, digits = 0, negative = false
        for (i, c) in text.utf8.enumerated() {
            if c == 45 && i == 0 { negative = true; continue }
            guard c >= 48 && c <= 57 else { return nil }
            v = v * 10 + Int(c - 48)
            digits += 1
        }
        guard digits > 0 && digits <= 18 else { return nil }
        return negative ? -v : v
    }

    // MARK: typed members (paths are relative: the callers prefix the enclosing path when an error passes through)

    static func expected(_ n: JSONNode, _ path: String, _ what: String) -> ReportReadError {
        var found = n.kindName
        if let s = n.string { found = "a string ('" + s + "')" }
        return ReportReadError(path: path, line: n.line, message: "expected " + what + ", found " + found)
    }

    static func missing(_ o: JSONNode, _ key: String, _ what: String) -> ReportReadError {
        ReportReadError(path: key, line: o.line, message: "missing: expected " + what)
    }

    static func join(_ parent: String, _ key: String) -> String { parent.isEmpty ? key : parent + "." + key }

    static func object(_ o: JSONNode, _ key: String, in parent: String = "") throws(ReportReadError) -> JSONNode {
        guard let n = o[key] else { throw missing(o, join(parent, key), "an object") }
        guard n.members != nil else { throw expected(n, join(parent, key), "an object") }
        return n
    }

    static func array(_ o: JSONNode, _ key: String, in parent: String = "") throws(ReportReadError) -> [JSONNode] {
        guard let n = o[key] else { throw missing(o, join(parent, key), "an array") }
        guard let a = n.array else { throw expected(n, join(parent, key), "an array") }
        return a
    }

    static func string(_ o: JSONNode, _ key: String, in parent: String = "") throws(ReportReadError) -> String {
        guard let n = o[key] else { throw missing(o, join(parent, key), "a string") }
        guard let s = n.string else { throw expected(n, join(parent, key), "a string") }
        return s
    }

    /// A member the writer writes as a string or null.
    static func nullableString(_ o: JSONNode, _ key: String) throws(ReportReadError) -> String? {
        guard let n = o[key] else { throw missing(o, key, "a string or null") }
        if n.isNull { return nil }
        guard let s = n.string else { throw expected(n, key, "a string or null") }
        return s
    }

    /// A member the writer leaves out when it has no value.
    static func optionalString(_ o: JSONNode, _ key: String, in parent: String = "") throws(ReportReadError) -> String? {
        guard let n = o[key] else { return nil }
        guard let s = n.string else { throw expected(n, join(parent, key), "a string") }
        return s
    }

    static func int(_ o: JSONNode, _ key: String) throws(ReportReadError) -> Int {
        guard let n = o[key] else { throw missing(o, key, "a whole number") }
        guard let i = integer(n) else { throw expected(n, key, "a whole number") }
        return i
    }

    static func optionalInt(_ o: JSONNode, _ key: String) throws(ReportReadError) -> Int? {
        guard let n = o[key] else { return nil }
        guard let i = integer(n) else { throw expected(n, key, "a whole number") }
        return i
    }

    static func strings(_ o: JSONNode, _ key: String, in parent: String = "") throws(ReportReadError) -> [String] {
        guard let n = o[key] else { throw missing(o, join(parent, key), "an array of strings") }
        return try stringArray(n, join(parent, key))
    }

    static func optionalStrings(_ o: JSONNode, _ key: String) throws(ReportReadError) -> [String]? {
        guard let n = o[key] else { return nil }
        return try stringArray(n, key)
    }

    static func stringArray(_ n: JSONNode, _ path: String) throws(ReportReadError) -> [String] {
        guard let a = n.array else { throw expected(n, path, "an array of strings") }
        var out: [String] = []
        out.reserveCapacity(a.count)
        for (i, e) in a.enumerated() {
            guard let s = e.string else { throw expected(e, path + "[" + String(i) + "]", "a string") }
            out.append(s)
        }
        return out
    }
}
