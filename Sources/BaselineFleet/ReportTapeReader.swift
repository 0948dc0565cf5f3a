// The fleet's fields of a report, read from a JSONTape the schema probe accepted: ingest's fast path, with no tree.
// It reads what ReportDocument keeps, and checks what ReportReader checks beyond the schema (a real calendar date,
// whole numbers of at most 18 digits, an incomplete audit saying why). For anything else it declines (nil) and the
// report takes the tree way (JSONParser, SchemaValidator.validate, ReportReader), which decides and words every
// refusal. ReportTapeReaderTests hold the two ways to the same documents, field by field, over valid reports and
// thousands of mutations of them.
import BaselineCore
import Foundation

enum ReportTapeReader {
    /// The document, or nil to send the report the tree way.
    static func document(_ t: TapeView, raw: Data) -> ReportDocument? {
        guard t[0].kind == .object, wholeNumbersFit(t) else { return nil }
        func text(_ o: Int, _ key: StaticString) -> String? {
            guard let v = t.member(o, key), t[v].kind == .string else { return nil }
            return t.string(v)
        }
        /// A member that is a string or null: .some(nil) for null, nil when missing or of another type.
        func nullable(_ o: Int, _ key: StaticString) -> String?? {
            guard let v = t.member(o, key) else { return nil }
            if t[v].kind == .null { return .some(nil) }
            guard t[v].kind == .string else { return nil }
            return .some(t.string(v))
        }
        // report_id: the schema's pattern (a lowercase version-4 UUID) is stricter than the tree way's UUID check.
        guard let reportID = text(0, "report_id"),
              let generatedAt = text(0, "generated_at"),
              let day = text(0, "audit_date"), let auditDate = CivilDate.parse(day),
              let source = t.member(0, "source"), let sourceKind = text(source, "kind"),
              let profile = t.member(0, "profile"), let profileID = text(profile, "id"), let chainAt = t.member(profile, "chain"),
              let subject = t.member(0, "subject"), t[subject].kind == .object,
              let vendor = nullable(subject, "vendor"), let model = nullable(subject, "model"),
              let firmware = nullable(subject, "firmware_version"), let osVersion = nullable(subject, "os_version"),
              let deviceID = nullable(subject, "device_id"), let buildID = nullable(subject, "build_id"),
              let findingsAt = t.member(0, "findings"), t[findingsAt].kind == .array,
              let prints = t.member(0, "fingerprints"), t[prints].kind == .object, let fleetKeyID = nullable(prints, "fleet_key_id"),
              let coverage = t.member(0, "coverage"), t[coverage].kind == .object
        else { return nil }
        // ReportReader: an audit that says it is incomplete must say why.
        if let complete = t.member(coverage, "complete"), t[complete].kind == .no {
            guard let why = t.member(coverage, "incomplete"), t[why].kind == .array, t[why].start > 0 else { return nil }
        }
        var imageID: String? = nil
        if let i = t.member(subject, "image_id") { guard t[i].kind == .string else { return nil }; imageID = t.string(i) }
        var chain: [String] = []
        for i in t.items(chainAt) { guard t[i].kind == .string else { return nil }; chain.append(t.string(i)) }

        var findings: [FindingRow] = []
        findings.reserveCapacity(Int(t[findingsAt].start))
        for f in t.items(findingsAt) {
            // One pass over the finding's members for the ones it checks (instead of a search of its keys for each).
            guard t[f].kind == .object else { return nil }
            var at: (id: Int?, area: Int?, status: Int?, severity: Int?, message: Int?, data: Int?)
            var k = f + 1
            for _ in 0..<t[f].start {
                if t.isKey(k, "id") { at.id = k + 1 } else if t.isKey(k, "area") { at.area = k + 1 } else if t.isKey(k, "status") { at.status = k + 1 }
                else if t.isKey(k, "severity") { at.severity = k + 1 } else if t.isKey(k, "message") { at.message = k + 1 }
                else if t.isKey(k, "data") { at.data = k + 1 }
                k = t.after(k + 1)
            }
            // The names are matched where they are and taken from the lists (no string made per finding); the message
            // must be a string, as the tree way reads it, but the fleet keeps none.
            guard let i = at.id, t[i].kind == .string, let m = at.message, t[m].kind == .string,
                  let area = area(t, at.area), let status = status(t, at.status), let severity = severity(t, at.severity)
            else { return nil }
            var data: [String: String] = [:]
            if let d = at.data {
                guard t[d].kind == .object else { return nil }
                var k = d + 1
                for _ in 0..<t[d].start {
                    guard t[k + 1].kind == .string else { return nil }
                    let key = t.string(k)
                    if data[key] == nil { data[key] = t.string(k + 1) }
                    k = t.after(k + 1)
                }
            }
            findings.append(FindingRow(check: t.string(i), area: area, status: status, severity: severity, data: data))   // made in place
        }
        func values(_ list: StaticString, _ key: StaticString, nullable allowsNull: Bool) -> [String]? {
            guard let a = t.member(prints, list), t[a].kind == .array else { return nil }
            var out: [String] = []
            for item in t.items(a) {
                guard let v = t.member(item, key) else { return nil }
                if t[v].kind == .null && allowsNull { continue }
                guard t[v].kind == .string else { return nil }
                out.append(t.string(v))
            }
            return out
        }
        guard let hostKeys = values("host_keys", "sha256", nullable: false),
              let hmacs = values("password_hashes", "hmac_sha256", nullable: false),
              let secrets = values("private_keys", "hmac_sha256", nullable: true) else { return nil }
        // A crypt(3) hash where a keyed fingerprint belongs: the tree way words the refusal.
        for h in hmacs + hostKeys + secrets where h.hasPrefix("$") { return nil }
        let doc = ReportDocument(reportID: reportID.lowercased(), sourceKind: sourceKind, auditDate: auditDate.iso, generatedAt: generatedAt,
                                 vendor: vendor ?? "(unknown)", model: model ?? "(unknown)", firmware: firmware ?? osVersion ?? "(unknown)",
                                 deviceID: deviceID, findings: findings, hostKeys: hostKeys, passwordHMACs: hmacs, secretHMACs: secrets,
                                 fleetKeyID: fleetKeyID, profileChain: chain.isEmpty ? [profileID] : chain, buildID: buildID, body: raw,
                                 imageID: imageID)
        return doc
    }

    // The names a finding's area, status and severity may have, matched in place: the one name of the string's length
    // and first byte is compared byte for byte, and returned as the literal it is (no string made per finding, no
    // shared array touched: the parse threads would contend for its reference count).
    static func area(_ t: TapeView, _ v: Int?) -> String? {
        name(t, v) { n, _ in
            switch n { case 11: "credentials"; case 6: "update"; case 9: "lifecycle"; case 7: "surface"; case 10: "disclosure"; default: nil }
        }
    }
    static func status(_ t: TapeView, _ v: Int?) -> String? {
        name(t, v) { n, c in
            switch (n, c) {
            case (4, UInt8(ascii: "p")): "pass"; case (4, UInt8(ascii: "f")): "fail"; case (4, UInt8(ascii: "w")): "warn"
            case (4, UInt8(ascii: "i")): "info"; case (4, UInt8(ascii: "s")): "skip"; case (5, UInt8(ascii: "e")): "error"
            default: nil
            }
        }
    }
    static func severity(_ t: TapeView, _ v: Int?) -> String? {
        name(t, v) { n, c in
            switch (n, c) {
            case (4, UInt8(ascii: "i")): "info"; case (3, UInt8(ascii: "l")): "low"; case (6, UInt8(ascii: "m")): "medium"
            case (4, UInt8(ascii: "h")): "high"; case (8, UInt8(ascii: "c")): "critical"
            default: nil
            }
        }
    }

    /// The name the string at `v` is: `candidate(length, first byte)` says which one it can be, and it is that one if
    /// the bytes are the same; nil when `v` is missing, not a string, or no name. A string with escapes is compared
    /// decoded, as the tree way would.
    @inline(__always) static func name(_ t: TapeView, _ v: Int?, _ candidate: (Int, UInt8) -> String?) -> String? {
        guard let v, t[v].kind == .string else { return nil }
        if t[v].decode {
            let s = t.string(v)
            guard let c = candidate(s.utf8.count, s.utf8.first ?? 0), c == s else { return nil }
            return c
        }
        let e = t[v], n = Int(e.end - e.start)
        guard n > 0, let c = candidate(n, t.bytes[Int(e.start)]), t.equals(v, c) else { return nil }
        return c
    }

    /// ReportReader reads whole numbers of at most 18 digits; the schema's `integer` has no limit. A document with a
    /// longer number anywhere goes the tree way.
    static func wholeNumbersFit(_ t: TapeView) -> Bool {
        guard t.longestNumber > 18 else { return true }         // no number has more than 18 characters
        for e in t.entries where e.kind == .number && e.end - e.start > 18 {
            var digits = 0
            for j in Int(e.start)..<Int(e.end) where t.bytes[j] >= 48 && t.bytes[j] <= 57 { digits += 1 }
            if digits > 18 { return false }
        }
        return true
    }
}

/// For the fuzzer (Fuzz/Harness.swift): whether ingest's fast path and the tree way agree on `bytes` — the tape parser
/// accepts only what JSONParser accepts, and a report the fast path takes is one the tree way reads the same.
public enum IngestFastPathCheck {
    public static func agrees(_ bytes: [UInt8], validator: SchemaValidator) -> Bool {
        var tape: [JSONTape.Entry] = []
        let tree = try? JSONParser.parse(bytes)
        let parsed = bytes.withUnsafeBufferPointer { JSONTape.parse($0, into: &tape) }
        if parsed && tree == nil { return false }
        guard let tree, let fast = bytes.withUnsafeBufferPointer({ ReportDocument.fast($0, validator: validator, tape: &tape) }) else { return true }
        guard let slow = try? ReportDocument.documents(tree, source: "fuzz", validator: validator, raw: Data(bytes)) else { return false }
        return slow == [fast]
    }
}
