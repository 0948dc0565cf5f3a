// Issue 19: the check catalogue, the checks registered next to their code (CredentialChecks.all, …, BundleChecks.all),
// the bundled profiles and the README's catalogue table name the same checks, each once.
import BaselineCore
import Foundation
import Testing

struct CheckRegistryTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func catalogueAndRegisteredChecksAgree() {
        let catalogue = CheckCatalog.all.map { $0.id }
        let registered = (CredentialChecks.all + LiveChecks.all + UpdateChecks.all + LifecycleChecks.all + SurfaceChecks.all
                          + DisclosureChecks.all + BundleChecks.all).map { $0.0 }
        #expect(Set(catalogue).count == catalogue.count, "a catalogue id twice")
        #expect(Set(registered).count == registered.count, "a check registered twice")
        // The capture checks (CRED-10, UPD-10, SURF-04) are registered in BaselineTraffic (TrafficChecks.checks, tested
        // by TrafficCheckRegistryTests there) and the SSH scan's (CRED-12, CRED-13) in BaselineScan (ScanChecks.all,
        // ScanChecksTests).
        let traffic: Set<String> = ["CRED-10", "UPD-10", "SURF-04", "CRED-12", "CRED-13"]
        #expect(Set(catalogue).subtracting(traffic) == Set(registered),
                "catalogue only: \(Set(catalogue).subtracting(traffic).subtracting(registered)); code only: \(Set(registered).subtracting(catalogue))")
        // The audit runs them in the catalogue's order (bundle checks come after, for bundles only).
        let order = Auditor.checks.map { $0.0 }
        #expect(order == catalogue.filter { !traffic.contains($0) && !BundleChecks.all.map { $0.0 }.contains($0) })
    }

    @Test func bundledProfilesNameOnlyCatalogueChecksAndTheFullBaselineNamesAll() throws {
        let dir = Self.repo.appendingPathComponent("Profiles")
        let catalogue = Set(CheckCatalog.all.map { $0.id })
        var files: [String] = []
        for sub in ["baselines", "vendors"] {
            for n in try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent(sub).path) where n.hasSuffix(".json") {
                files.append(dir.appendingPathComponent(sub).appendingPathComponent(n).path)
            }
        }
        #expect(files.count >= 7)
        for f in files {
            let p = try ProfileLoader.load(f)
            #expect(Set(p.checks.keys).isSubset(of: catalogue), "\(f): \(Set(p.checks.keys).subtracting(catalogue))")
        }
        let etsi = try ProfileLoader.load(dir.appendingPathComponent("baselines/etsi-en-303-645.json").path)
        #expect(Set(etsi.checks.keys) == catalogue, "the ETSI baseline maps every check: missing \(catalogue.subtracting(etsi.checks.keys))")
    }

    @Test func theReadmeCatalogueTableListsEveryCheck() throws {
        let readme = try String(contentsOf: Self.repo.appendingPathComponent("README.md"), encoding: .utf8)
        for d in CheckCatalog.all { #expect(readme.contains("| \(d.id) | \(d.area.name) |"), "README lacks \(d.id)") }
    }

    @Test func aCheckTheProfileDoesNotListIsReportedNotDropped() throws {
        let t = try TempDir()
        try t.mkdir("etc")
        try t.write("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n")
        try t.write("p.json", """
            {"schema": "baseline.profile/1", "id": "two-checks", "checks": {"CRED-01": {}, "UPD-01": {"enabled": false}}}
            """)
        let profile = try ProfileLoader.load(t.sub("p.json"))
        let fs = try RootView(root: t.path)
        let report = try Auditor.run(fs: fs, profile: profile, options: AuditOptions(today: CivilDate.parse("2026-11-23")!, generatedAt: 0, fleetKey: nil,
                                                                                     sourceKind: "rootfs", sourcePath: t.path))
        #expect(report.findings.map { $0.id } == ["CRED-01"])
        let expected = Auditor.checks.map { $0.0 }.filter { $0 != "CRED-01" && $0 != "UPD-01" }
        #expect(report.checksNotInProfile == expected, "disabled on purpose (UPD-01) is not 'missing'")
        let json = ReportJSON.encode(report, failOn: .low)
        #expect(json.contains("\"checks_not_in_profile\""))
    }
}
