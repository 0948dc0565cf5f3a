// Issue 19: the capture checks registered in TrafficChecks.checks are the catalogue's capture checks, and together
// with the core's registrations (CheckRegistryTests) cover the catalogue exactly.
import BaselineCore
import Testing
@testable import BaselineTraffic

struct TrafficCheckRegistryTests {
    @Test func captureChecksAreInTheCatalogueAndNowhereElse() {
        let traffic = TrafficChecks.checks.map { $0.0 }
        #expect(Set(traffic).count == traffic.count)
        #expect(traffic.allSatisfy { CheckCatalog.definition($0) != nil })
        let core = (Auditor.checks + BundleChecks.all).map { $0.0 }
        #expect(Set(core).isDisjoint(with: traffic))
        // With the SSH scan's two (ScanChecks.all, checked against this set in ScanChecksTests) they are the catalogue.
        #expect(Set(core + traffic + ["CRED-12", "CRED-13"]) == Set(CheckCatalog.all.map { $0.id }))
    }
}
