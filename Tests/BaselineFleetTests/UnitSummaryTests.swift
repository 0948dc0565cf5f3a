// The day counts a report contributes to the fleet view are read with the core's CivilDate (issue 19): a day the
// month does not have (2024-02-31) is no date, so no support period is declared from it.
@testable import BaselineFleet
@testable import BaselineCore
import Foundation
import Testing

struct UnitSummaryTests {
    static func summary(supportEnd: String, message: String) throws -> UnitSummary {
        var r = ReportDocumentTests.report()
        r.findings[0] = Finding(id: "LIFE-02", area: .lifecycle, title: "t", status: .warn, severity: .medium, message: message,
                                evidence: [], provisions: [], remediation: "", data: [("support_end", supportEnd)])
        let d = try #require(try ReportDocument.parse(Data(ReportJSON.encode(r, failOn: .low).utf8), source: "r.json").first)
        return UnitSummary(d, factory: [])
    }

    @Test func dayCountsComeFromRealDates() throws {
        let s = try Self.summary(supportEnd: "2027-01-31", message: "support ends 2027-01-31")
        #expect(s.supportDays == 69, "2026-11-23 → 2027-01-31")
        #expect(s.firmwareAgeDays == 478, "build 20250802-0911 → audit 2026-11-23")
        #expect(s.flags & UnitFlag.supportDeclared.bit != 0)
    }

    @Test func february31IsRefused() throws {
        let s = try Self.summary(supportEnd: "2024-02-31", message: "support ends 2024-02-31")
        #expect(s.supportDays == nil)
        #expect(s.flags & UnitFlag.supportDeclared.bit == 0)
        // The text is never read for a date (issue 19: findings carry their dates in `data`).
        let t = try Self.summary(supportEnd: "2024-02-31", message: "support ends 2024-02-31, extended to 2027-01-31")
        #expect(t.supportDays == nil)
    }

    /// Issue 16: the summary is made on the parse threads when the parse is given the factory fingerprints; it is the
    /// one the store's writer would have made (the factory-secrets flag included).
    @Test func theParseStageMakesTheWritersSummary() throws {
        let text = ReportTapeReaderTests.reports()[0]
        let plain = try #require(try ReportDocument.parse(Data(text.utf8), source: "r.json").first)
        #expect(plain.summary == nil, "no factory given: the writer makes it")
        var factory = FactoryFingerprints()
        factory.byProfile = ["acme-gateway": ["SHA256:" + String(repeating: "A", count: 43)]]
        let d = try #require(try ReportDocument.parse(Data(text.utf8), source: "r.json", validator: ReportTapeReaderTests.validator, factory: factory).first)
        let made = try #require(d.summary)
        #expect(made == UnitSummary(d, factory: factory.fingerprints(for: d.profileChain)))
        #expect(made.flags & UnitFlag.factorySecrets.bit != 0, "the host key is the profile's factory key")
        #expect(made.encodedChecks == "LIFE-02=w;CRED-01=f")
    }
}

/// The summary is made in one pass over the findings (issue 16: it ran for every report on the parse cores and was a
/// tenth of their time). It must say what the previous, check-by-check reading said — here kept as the reference —
/// for findings in every order, with repeated checks (a check's status is its last finding's; it fails if any fails).
struct UnitSummaryReferenceTests {
    static func reference(_ d: ReportDocument, factory: Set<String>) -> (flags: Int64, failing: Int, encoded: String, support: Int?, eol: Int?) {
        let checks = d.findings.map { ($0.check, UnitSummary.letter($0.status)) }
        let encoded = checks.map { "\($0.0)=\($0.1)" }.joined(separator: ";")
        let failing = d.findings.filter { $0.status == "fail" }.count
        var status: [String: String] = [:]
        for f in d.findings { status[f.check] = f.status }
        let fails = Set(d.findings.filter { $0.status == "fail" }.map { $0.check })
        var set: Set<UnitFlag> = []
        var supportDays: Int?, eolDaysPast: Int?
        if !fails.contains(where: { $0.hasPrefix("UPD-") }) { set.insert(.updateClean) }
        let signature = ["UPD-02", "UPD-03", "UPD-04", "UPD-05"]
        if signature.contains(where: { status[$0] == "pass" }) && !signature.contains(where: { fails.contains($0) }) { set.insert(.signedUpdates) }
        if status["UPD-06"] == "pass" { set.insert(.tlsUpdates) }
        if status["UPD-07"] == "pass" { set.insert(.automaticUpdates) }
        let eol = fails.contains("LIFE-04") || fails.contains("LIFE-05")
        if eol { set.insert(.endOfLife) }
        let audit = CivilDate.parse(d.auditDate)
        if let f = d.findings.first(where: { $0.check == "LIFE-02" }), let end = f.data["support_end"].flatMap(CivilDate.parse), let a = audit {
            set.insert(.supportDeclared)
            supportDays = a.days(until: end)
        }
        if fails.contains("LIFE-02") { set.insert(.supportOver) }
        if set.contains(.supportDeclared) && !fails.contains("LIFE-02") && eol { set.insert(.supportGap) }
        if status["DISC-01"] == "pass" { set.insert(.disclosure) }
        let prints = d.hostKeys + (d.passwordHMACs + d.secretHMACs).map { "hmac-sha256:" + $0 }
        if !factory.isEmpty && prints.contains(where: factory.contains) { set.insert(.factorySecrets) }
        if !fails.contains(where: { $0.hasPrefix("CRED-") }) { set.insert(.credentialsClean) }
        if !d.hostKeys.isEmpty { set.insert(.hasHostKey) }
        if !d.passwordHMACs.isEmpty { set.insert(.hasPasswordHash) }
        if let f = d.findings.first(where: { $0.check == "LIFE-04" && $0.status == "fail" }),
           let end = f.data["eol"].flatMap(CivilDate.parse), let a = audit, a >= end { eolDaysPast = a.days(since: end) }
        return (set.reduce(0) { $0 | $1.bit }, failing, encoded, supportDays, eolDaysPast)
    }

    @Test func onePassSaysWhatTheCheckByCheckReadingSaid() throws {
        let base = try #require(try ReportDocument.parse(Data(ReportTapeReaderTests.reports()[0].utf8), source: "r.json").first)
        let ids = ["UPD-02", "UPD-03", "UPD-04", "UPD-05", "UPD-06", "UPD-07", "UPD-10", "DISC-01", "LIFE-02", "LIFE-04", "LIFE-05", "CRED-01", "SURF-01",
                   // look-alikes: the summary compares ids as numbers of their first 8 bytes and their length
                   "UPD-", "UPD-0", "CRED-", "CRED", "LIFE-020", "LIFE-0", "UPD-02\u{0}", "DISC-01A", "CREDENTIAL-01", "UPD-02-LONGER-ID", "é-01"]
        let statuses = ["pass", "fail", "warn", "info", "skip", "error"]
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<3000 {
            let findings = (0..<Int.random(in: 0...14, using: &rng)).map { _ -> FindingRow in
                var f = FindingRow(check: ids.randomElement(using: &rng)!, area: "update", status: statuses.randomElement(using: &rng)!, severity: "high")
                if Bool.random(using: &rng) { f.data["support_end"] = ["2027-01-31", "2025-06-30", "2026-02-31"].randomElement(using: &rng)! }
                if Bool.random(using: &rng) { f.data["eol"] = ["2024-06-30", "2026-11-23", "2027-01-01"].randomElement(using: &rng)! }
                return f
            }
            let d = ReportDocument(reportID: base.reportID, sourceKind: base.sourceKind, auditDate: base.auditDate, generatedAt: base.generatedAt,
                                   vendor: base.vendor, model: base.model, firmware: base.firmware, deviceID: base.deviceID, findings: findings,
                                   hostKeys: Bool.random(using: &rng) ? base.hostKeys : [], passwordHMACs: Bool.random(using: &rng) ? ["ab", "ab", "cd"] : [],
                                   secretHMACs: [], fleetKeyID: base.fleetKeyID, profileChain: base.profileChain, buildID: base.buildID, body: Data())
            let factory: Set<String> = Bool.random(using: &rng) ? Set(base.hostKeys) : []
            let s = UnitSummary(d, factory: factory), r = Self.reference(d, factory: factory)
            #expect(s.flags == r.flags && s.failing == r.failing && s.encodedChecks == r.encoded && s.supportDays == r.support && s.eolDaysPast == r.eol,
                    "\(findings.map { "\($0.check)=\($0.status) \($0.data)" })")
            #expect(s.checks.map { "\($0.0)=\($0.1)" }.joined(separator: ";") == s.encodedChecks)
            #expect(s.fleetPrints.filter { $0.0 == "password_hash" }.count == (d.passwordHMACs.isEmpty ? 0 : 2), "duplicates counted once")
        }
    }
}
