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
    /// `CRED-01=f;CRED-02=p;…`: what the units table keeps so a replaced report's contribution can be taken back.
    var encodedChecks: String
    var flags: Int64
    var failing: Int
    var supportDays: Int?                 // support end − audit date (negative: over)
    var eolDaysPast: Int?                 // audit date − end of life of the base OS, when it is past
    var firmwareAgeDays: Int?             // audit date − build date, when the build id is a date
    /// The fingerprints the fleet counts (FleetLedger.fingerprints), made with the summary on the parse stage's cores.
    var fleetPrints: [(String, String)] = []

    static func letter(_ status: String) -> Character {
        switch status { case "pass": "p"; case "fail": "f"; case "warn": "w"; case "info": "i"; case "skip": "s"; default: "e" }
    }

    static func == (a: UnitSummary, b: UnitSummary) -> Bool {
        a.encodedChecks == b.encodedChecks && a.flags == b.flags && a.failing == b.failing && a.supportDays == b.supportDays
            && a.eolDaysPast == b.eolDaysPast && a.firmwareAgeDays == b.firmwareAgeDays
    }

    static func fleetPrints(_ d: ReportDocument) -> [(String, String)] {
        let keyed = d.fleetKeyID ?? "unkeyed"
        var out = Set<String>(), list: [(String, String)] = []
        for k in d.hostKeys where out.insert("h" + k).inserted { list.append(("host_key", k)) }
        for h in d.passwordHMACs where out.insert("p" + h).inserted { list.append(("password_hash", keyed + ":" + h)) }
        return list
    }

    static func decode(_ s: String) -> [(String, Character)] {
        s.split(separator: ";").compactMap { part in
            guard let eq = part.firstIndex(of: "="), let c = part[part.index(after: eq)...].first else { return nil }
            return (String(part[..<eq]), c)
        }
    }

    init(_ d: ReportDocument, factory: Set<String>) {
        checks = d.findings.map { ($0.check, UnitSummary.letter($0.status)) }
        encodedChecks = checks.map { "\($0.0)=\($0.1)" }.joined(separator: ";")
        failing = d.findings.filter { $0.status == "fail" }.count
        var status: [String: String] = [:]
        for f in d.findings { status[f.check] = f.status }
        let fails = Set(d.findings.filter { $0.status == "fail" }.map { $0.check })
        var set: Set<UnitFlag> = []
        if !fails.contains(where: { $0.hasPrefix("UPD-") }) { set.insert(.updateClean) }
        let signature = ["UPD-02", "UPD-03", "UPD-04", "UPD-05"]
        if signature.contains(where: { status[$0] == "pass" }) && !signature.contains(where: { fails.contains($0) }) { set.insert(.signedUpdates) }
        if status["UPD-06"] == "pass" { set.insert(.tlsUpdates) }
        if status["UPD-07"] == "pass" { set.insert(.automaticUpdates) }
        let eol = fails.contains("LIFE-04") || fails.contains("LIFE-05")
        if eol { set.insert(.endOfLife) }
        let life02 = d.findings.first { $0.check == "LIFE-02" }
        // Dates are the core's CivilDate: a day a month does not have (2026-02-31) is no date.
        let audit = CivilDate.parse(d.auditDate)
        // The support end and end of life from the findings' data, never from their text (a report without `data`
        // counts as one that declares no date).
        if let f = life02, let end = f.data["support_end"].flatMap(CivilDate.parse),
           let a = audit {
            set.insert(.supportDeclared)
            supportDays = a.days(until: end)
        }
        if fails.contains("LIFE-02") { set.insert(.supportOver) }
        if set.contains(.supportDeclared) && !fails.contains("LIFE-02") && eol { set.insert(.supportGap) }
        if status["DISC-01"] == "pass" { set.insert(.disclosure) }
        let prints = d.hostKeys + (d.passwordHMACs + d.secretHMACs).map { "hmac-sha256:" + $0 }  // `baseline fingerprint` form
        if !factory.isEmpty && prints.contains(where: factory.contains) { set.insert(.factorySecrets) }
        if !fails.contains(where: { $0.hasPrefix("CRED-") }) { set.insert(.credentialsClean) }
        if !d.hostKeys.isEmpty { set.insert(.hasHostKey) }
        if !d.passwordHMACs.isEmpty { set.insert(.hasPasswordHash) }
        if let f = d.findings.first(where: { $0.check == "LIFE-04" && $0.status == "fail" }),
           let end = f.data["eol"].flatMap(CivilDate.parse), let a = audit, a >= end { eolDaysPast = a.days(since: end) }
        if let b = d.buildID, let built = CivilDate.leading(b), let a = audit, a >= built { firmwareAgeDays = a.days(since: built) }
        flags = set.reduce(0) { $0 | $1.bit }
        fleetPrints = UnitSummary.fleetPrints(d)
    }
}
