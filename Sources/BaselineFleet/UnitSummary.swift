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
    /// Every flag's bit (a stored value with others, from a newer collector, counts only these).
    static let knownBits: Int64 = (1 << Int64(allCases.count)) - 1
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

    /// A summary of nothing (the places of documents a batch does not store).
    static let placeholder = UnitSummary(checks: [], letters: "", flags: 0, failing: 0)
    private init(checks: [(String, Character)], letters: String, flags: Int64, failing: Int) {
        self.checks = checks; self.letters = letters; self.flags = flags; self.failing = failing
    }

    static func letter(_ status: String) -> Character { Character(Unicode.Scalar(letterByte(status))) }

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
    /// A check id's first 8 UTF-8 bytes as one number (little-endian, zero-padded), so the ids the summary looks for
    /// are found by comparing numbers instead of strings: every check id of the schema (`^[A-Z]{3,5}-[0-9]{2}$`) fits.
    static func key(_ id: String) -> (UInt64, count: Int) {
        var id = id
        return id.withUTF8 { u in
            var k: UInt64 = 0
            for j in 0..<min(8, u.count) { k |= UInt64(u[j]) << UInt64(8 * j) }
            return (k, u.count)
        }
    }
    private static let flagKeys = flagChecks.map { key($0) }
    private static let life02 = key("LIFE-02").0, life04 = key("LIFE-04").0, life05 = key("LIFE-05").0   // 7 bytes each
    private static let updPrefix = key("UPD-").0, credPrefix = key("CRED-").0

    /// One pass over the findings (on the parse stage's cores, for every report): a check's status is its last
    /// finding's, a check fails if any of its findings fails. The findings are read in place (a copy of a row retains
    /// its strings) and their ids compared as numbers (`key`).
    init(_ d: borrowing ReportDocument, factory: Set<String>) {
        var checks: [(String, Character)] = []
        checks.reserveCapacity(d.findings.count)
        var letters: [UInt8] = []
        letters.reserveCapacity(d.findings.count)
        var failing = 0
        var lastStatus = [UInt8](repeating: 0, count: UnitSummary.flagChecks.count)   // the letter, 0: none
        var failed = [Bool](repeating: false, count: UnitSummary.flagChecks.count)
        var failUPD = false, failCRED = false, failLIFE02 = false, failLIFE04 = false, failLIFE05 = false
        var life02: Int?, life04Fail: Int?
        let p = UInt8(ascii: "p"), f = UInt8(ascii: "f")
        d.findings.withUnsafeBufferPointer { rows in
            for i in rows.indices {
                let c = rows[i].check, letter = UnitSummary.letterByte(rows[i].status), fail = letter == f
                checks.append((c, Character(Unicode.Scalar(letter))))
                letters.append(letter)
                let (k, n) = UnitSummary.key(c)
                if fail {
                    failing += 1
                    if n >= 4 && k & 0xFFFF_FFFF == UnitSummary.updPrefix { failUPD = true }
                    if n >= 5 && k & 0xFF_FFFF_FFFF == UnitSummary.credPrefix { failCRED = true }
                }
                if let j = UnitSummary.flagKeys.firstIndex(where: { $0 == (k, n) }) { lastStatus[j] = letter; if fail { failed[j] = true } }
                guard n == 7 else { continue }
                switch k {
                case UnitSummary.life02: if life02 == nil { life02 = i }; if fail { failLIFE02 = true }
                case UnitSummary.life04: if fail { failLIFE04 = true; if life04Fail == nil { life04Fail = i } }
                case UnitSummary.life05: if fail { failLIFE05 = true }
                default: break
                }
            }
        }
        self.checks = checks
        self.letters = String(decoding: letters, as: UTF8.self)
        self.failing = failing
        var flags: Int64 = 0
        func set(_ flag: UnitFlag) { flags |= flag.bit }
        if !failUPD { set(.updateClean) }
        let signature = 0..<4                                 // UPD-02…05
        if signature.contains(where: { lastStatus[$0] == p }) && !signature.contains(where: { failed[$0] }) { set(.signedUpdates) }
        if lastStatus[4] == p { set(.tlsUpdates) }
        if lastStatus[5] == p { set(.automaticUpdates) }
        let eol = failLIFE04 || failLIFE05
        if eol { set(.endOfLife) }
        // Dates are the core's CivilDate: a day a month does not have (2026-02-31) is no date.
        let audit = CivilDate.parse(d.auditDate)
        // The support end and end of life from the findings' data, never from their text (a report without `data`
        // counts as one that declares no date).
        if let i = life02, let end = d.findings[i].data["support_end"].flatMap(CivilDate.parse), let a = audit {
            set(.supportDeclared)
            supportDays = a.days(until: end)
        }
        if failLIFE02 { set(.supportOver) }
        if flags & UnitFlag.supportDeclared.bit != 0 && !failLIFE02 && eol { set(.supportGap) }
        if lastStatus[6] == p { set(.disclosure) }
        if !factory.isEmpty {
            let prints = d.hostKeys + (d.passwordHMACs + d.secretHMACs).map { "hmac-sha256:" + $0 }  // `baseline fingerprint` form
            if prints.contains(where: factory.contains) { set(.factorySecrets) }
        }
        if !failCRED { set(.credentialsClean) }
        if !d.hostKeys.isEmpty { set(.hasHostKey) }
        if !d.passwordHMACs.isEmpty { set(.hasPasswordHash) }
        if let i = life04Fail, let end = d.findings[i].data["eol"].flatMap(CivilDate.parse), let a = audit, a >= end { eolDaysPast = a.days(since: end) }
        if let b = d.buildID, let built = CivilDate.leading(b), let a = audit, a >= built { firmwareAgeDays = a.days(since: built) }
        self.flags = flags
        fleetPrints = UnitSummary.fleetPrints(d)
    }

    /// `letter` as its ASCII byte.
    static func letterByte(_ status: String) -> UInt8 {
        switch status {
        case "pass": UInt8(ascii: "p"); case "fail": UInt8(ascii: "f"); case "warn": UInt8(ascii: "w"); case "info": UInt8(ascii: "i")
        case "skip": UInt8(ascii: "s"); default: UInt8(ascii: "e")
        }
    }
}
