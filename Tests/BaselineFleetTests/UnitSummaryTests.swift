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
