// What one report contributes to the fleet view, derived once at ingest: the status of every check, a set of unit
// flags (update hygiene, lifecycle, disclosure, factory secrets) and the day counts the lifecycle medians are made of.
import BaselineCore
import Foundation

/// One bit per fact about a unit; group statistics keep a count per flag.
public enum UnitFlag: Int, CaseIterable {
    case updateClean        // no failing UPD check
    case signedUpdates      // an update-signature check (UPD-02…05) passes and none fails
    case tlsUpdates         // UPD-06 passes (feeds and servers over verified TLS)
    case automaticUpdates   // UPD-07 passes
    case endOfLife          // LIFE-04 or LIFE-05 fails: EOL base OS or component
    case supportDeclared    // LIFE-02 found a support end date
    case supportOver        // LIFE-02 fails: the declared support period is over
    case supportGap         // support declared and not over, yet on an EOL base or component
    case disclosure         // DISC-01 passes
    case factorySecrets     // carries a fingerprint its vendor profile lists as the factory image's
    case credentialsClean   // no failing CRED check
    case hasHostKey
    case hasPasswordHash

    public var column: String { "c_" + String(describing: self).snakeCased }
    var bit: Int64 { 1 << Int64(rawValue) }
}

extension String {
    var snakeCased: String {
        var out = ""
        for ch in self { if ch.isUppercase { out += "_" + ch.lowercased() } else { out.append(ch) } }
        return out
    }
}

struct UnitSummary: Equatable {
    var checks: [(String, Character)]     // check id, status letter p/f/w/i/s/e
    /// `CRED-01=f;CRED-02=p;…`: the checks and their status letters as text (what units.checks held before schema
    /// version 3; now it holds a check list's id and `letters`, FleetLedger).
    var encodedChecks: String { checks.map { "\($0.0)=\($0.1)" }.joined(separator: ";") }
    /// One status letter per check, in order.
    var letters: String
    var flags: Int64
    var failing: Int
    var supportDays: Int?                 // support end − audit date (negative: over)
    var eolDaysPast: Int?                 // audit date − end of life of the base OS, when it is past
    var firmwareAgeDays: Int?             // audit date − build date, when the build id is a date
    /// The fingerprints the fleet counts of the report, (kind, value) each once (`fleetPrints(_:)`), made with the
    /// summary on the parse stage's cores.
    var fleetPrints: [(String, String)] = []

    static func letter(_ status: String) -> Character {
        switch status { case "pass": "p"; case "fail": "f"; case "warn": "w"; case "info": "i"; case "skip": "s"; default: "e" }
    }

    static func == (a: UnitSummary, b: UnitSummary) -> Bool {
        a.checks.elementsEqual(b.checks, by: { $0.0 == $1.0 && $0.1 == $1.1 }) && a.flags == b.flags && a.failing == b.failing && a.supportDays == b.supportDays
            && a.eolDaysPast == b.eolDaysPast && a.firmwareAgeDays == b.firmwareAgeDays
    }

    static func fleetPrints(_ d: ReportDocument) -> [(String, String)] {
        let keyed = d.fleetKeyID ?? "unkeyed"
        var list: [(String, String)] = []                  // a handful: duplicates found by a scan, not a set
        for k in d.hostKeys where !list.contains(where: { $0.0 == "host_key" && $0.1 == k }) { list.append(("host_key", k)) }
        for h in d.passwordHMACs {
            let v = keyed + ":" + h
            if !list.contains(where: { $0.0 == "password_hash" && $0.1 == v }) { list.append(("password_hash", v)) }
        }
        return list
    }

    static func decode(_ s: String) -> [(String, Character)] {
        s.split(separator: ";").compactMap { part in
            guard let eq = part.firstIndex(of: "="), let c = part[part.index(after: eq)...].first else { return nil }
            return (String(part[..<eq]), c)
        }
    }

    /// The checks whose status decides a flag: UPD-02…05 (signature), UPD-06 (TLS), UPD-07 (automatic), DISC-01.
    private static let flagChecks = ["UPD-02", "UPD-03", "UPD-04", "UPD-05", "UPD-06", "UPD-07", "DISC-01"]

    /// One pass over the findings (on the parse stage's cores, for every report): a check's status is its last
    /// finding's, a check fails if any of its findings fails.
    init(_ d: ReportDocument, factory: Set<String>) {
        var checks: [(String, Character)] = []
        checks.reserveCapacity(d.findings.count)
        var letters: [UInt8] = []
        letters.reserveCapacity(d.findings.count)
        var failing = 0
        var lastStatus = [String?](repeating: nil, count: UnitSummary.flagChecks.count)
        var failed = [Bool](repeating: false, count: UnitSummary.flagChecks.count)
        var failUPD = false, failCRED = false, failLIFE02 = false, failLIFE04 = false, failLIFE05 = false
        var life02: Int?, life04Fail: Int?
        for (i, f) in d.findings.enumerated() {
            let c = f.check, letter = UnitSummary.letter(f.status), fail = letter == "f"
            checks.append((c, letter))
            letters.append(letter.asciiValue ?? UInt8(ascii: "e"))
            if fail {
                failing += 1
                if c.hasPrefix("UPD-") { failUPD = true }
                if c.hasPrefix("CRED-") { failCRED = true }
            }
            if let k = UnitSummary.flagChecks.firstIndex(of: c) { lastStatus[k] = f.status; if fail { failed[k] = true } }
            switch c {
            case "LIFE-02": if life02 == nil { life02 = i }; if fail { failLIFE02 = true }
            case "LIFE-04": if fail { failLIFE04 = true; if life04Fail == nil { life04Fail = i } }
            case "LIFE-05": if fail { failLIFE05 = true }
            default: break
            }
        }
        self.checks = checks
        self.letters = String(decoding: letters, as: UTF8.self)
        self.failing = failing
        var set: Set<UnitFlag> = []
        if !failUPD { set.insert(.updateClean) }
        let signature = 0..<4                                 // UPD-02…05
        if signature.contains(where: { lastStatus[$0] == "pass" }) && !signature.contains(where: { failed[$0] }) { set.insert(.signedUpdates) }
        if lastStatus[4] == "pass" { set.insert(.tlsUpdates) }
        if lastStatus[5] == "pass" { set.insert(.automaticUpdates) }
        let eol = failLIFE04 || failLIFE05
        if eol { set.insert(.endOfLife) }
        // Dates are the core's CivilDate: a day a month does not have (2026-02-31) is no date.
        let audit = CivilDate.parse(d.auditDate)
        // The support end and end of life from the findings' data, never from their text (a report without `data`
        // counts as one that declares no date).
        if let i = life02, let end = d.findings[i].data["support_end"].flatMap(CivilDate.parse), let a = audit {
            set.insert(.supportDeclared)
            supportDays = a.days(until: end)
        }
        if failLIFE02 { set.insert(.supportOver) }
        if set.contains(.supportDeclared) && !failLIFE02 && eol { set.insert(.supportGap) }
        if lastStatus[6] == "pass" { set.insert(.disclosure) }
        if !factory.isEmpty {
            let prints = d.hostKeys + (d.passwordHMACs + d.secretHMACs).map { "hmac-sha256:" + $0 }  // `baseline fingerprint` form
            if prints.contains(where: factory.contains) { set.insert(.factorySecrets) }
        }
        if !failCRED { set.insert(.credentialsClean) }
        if !d.hostKeys.isEmpty { set.insert(.hasHostKey) }
        if !d.passwordHMACs.isEmpty { set.insert(.hasPasswordHash) }
        if let i = life04Fail, let end = d.findings[i].data["eol"].flatMap(CivilDate.parse), let a = audit, a >= end { eolDaysPast = a.days(since: end) }
        if let b = d.buildID, let built = CivilDate.leading(b), let a = audit, a >= built { firmwareAgeDays = a.days(since: built) }
        flags = set.reduce(0) { $0 | $1.bit }
        fleetPrints = UnitSummary.fleetPrints(d)
    }
}
