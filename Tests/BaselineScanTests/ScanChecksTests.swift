// Issue 19: the SSH scan's checks (CRED-12, CRED-13) on scan results built here, the per-device report they go into,
// and the registry: core, capture and scan checks together are the catalogue, each once.
import BaselineCore
import BaselineTraffic
import Foundation
import Testing
@testable import BaselineScan

func device(_ port: Int, keys: [String] = [], methods: [String] = ["publickey", "password"]) -> DeviceResult {
    var r = DeviceResult(target: ScanTarget(address: "192.0.2.1", port: port))
    r.hostKeys = keys.map { HostKey(type: "ssh-ed25519", fingerprint: $0, base64: "AAAA") }
    r.authMethods = methods
    return r
}

func profile(_ checks: String = "") throws -> Profile {
    let path = NSTemporaryDirectory() + "/scan-checks-\(UUID().uuidString).json"
    let text = "{\"schema\": \"baseline.profile/1\", \"id\": \"t\", \"vendor\": {\"name\": \"Acme\", \"models\": [\"GW-1\"]}"
        + (checks.isEmpty ? "" : ", \"checks\": {" + checks + "}") + "}"
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try ProfileLoader.load(path)
}

struct ScanChecksTests {
    @Test func registeredScanChecksCompleteTheCatalogue() {
        let scan = ScanChecks.all.map { $0.0 }
        let core = (Auditor.checks + BundleChecks.all).map { $0.0 }
        let traffic = TrafficChecks.checks.map { $0.0 }
        #expect(scan == ["CRED-12", "CRED-13"])
        #expect(Set(scan).isDisjoint(with: core) && Set(scan).isDisjoint(with: traffic))
        let all = core + traffic + scan
        #expect(Set(all).count == all.count, "a check registered twice")
        #expect(Set(all) == Set(CheckCatalog.all.map { $0.id }), "catalogue and registrations differ")
    }

    @Test func defaultCredential() throws {
        var open = device(22)
        open.attempts = 4
        open.defaultCredential = (user: "admin", source: "/x/mirai.txt:4")
        let tried = ScanContext([open], defaultCredentialsTried: true)
        let fail = ScanChecks.defaultCredential(open, tried)
        #expect(fail.status == .fail && fail.evidence.first?.path == "/x/mirai.txt" && fail.evidence.first?.line == 4)
        #expect(fail.data.contains { $0.0 == "user" && $0.1 == "admin" })

        var none = device(23)
        none.attempts = 3
        #expect(ScanChecks.defaultCredential(none, tried).status == .pass)
        #expect(ScanChecks.defaultCredential(none, ScanContext([none], defaultCredentialsTried: false)).status == .skip)
        #expect(ScanChecks.defaultCredential(device(24, methods: ["publickey"]), tried).status == .pass, "no password auth offered")
        var stopped = device(25)
        stopped.attempts = 2
        stopped.detail = "default-credential probe stopped after 2 attempt(s): timed out"
        stopped.probeStopped = true
        #expect(ScanChecks.defaultCredential(stopped, tried).status == .error, "a probe cut short proves nothing")
    }

    @Test func sharedHostKey() {
        let a = device(1, keys: ["SHA256:shared", "SHA256:a"]), b = device(2, keys: ["SHA256:shared"]), c = device(3, keys: ["SHA256:c"])
        let ctx = ScanContext([a, b, c], defaultCredentialsTried: false)
        let fa = ScanChecks.sharedHostKey(a, ctx)
        #expect(fa.status == .fail && fa.evidence.count == 1 && fa.evidence[0].detail.contains("192.0.2.1:2") && !fa.evidence[0].detail.contains("192.0.2.1:1 "))
        #expect(ScanChecks.sharedHostKey(c, ctx).status == .pass)
        #expect(ScanChecks.sharedHostKey(c, ScanContext([c], defaultCredentialsTried: false)).status == .skip, "one device cannot show uniqueness")
        #expect(ScanChecks.sharedHostKey(device(4), ctx).status == .skip, "no key read")
    }

    @Test func deviceReportFromAScanAlone() throws {
        var a = device(1, keys: ["SHA256:shared"]), b = device(2, keys: ["SHA256:shared"])
        a.attempts = 1
        a.defaultCredential = (user: "root", source: "list.txt:1")
        b.attempts = 10
        let ctx = ScanContext([a, b], defaultCredentialsTried: true)
        let p = try profile()
        let today = CivilDate.parse("2026-12-04")!
        let ra = try #require(ScanDeviceReport.build(a, context: ctx, profile: p, today: today, generatedAt: 0))
        #expect(ra.sourceKind == "ssh" && ra.sourcePath == "ssh://192.0.2.1:1")
        #expect(ra.findings.map { $0.id } == ["CRED-12", "CRED-13"] && ra.findings.allSatisfy { $0.status == .fail })
        #expect(ra.verdict == "fail" && ra.subject.vendor == "Acme" && ra.subject.model == "GW-1")
        #expect(ra.fingerprints.hostKeys.map { $0.sha256 } == ["SHA256:shared"])
        #expect(ra.incomplete.first?.hasPrefix("no login") == true, "a scan without a login says what it did not check")
        // written and read back through the core's reader: the scan's findings survive as they are
        let back = try ReportReader.read(Array(ReportJSON.encode(ra, failOn: .low).utf8)).report
        #expect(back.findings.map { "\($0.id) \($0.status.name) \($0.severity.name)" } == ["CRED-12 fail critical", "CRED-13 fail high"])
        // a device not spoken to has no report
        var refused = device(3)
        refused.status = .refused
        refused.authMethods = []
        #expect(ScanDeviceReport.build(refused, context: ctx, profile: p, today: today, generatedAt: 0) == nil)
    }

    @Test func aProfileWithoutTheScanChecksReportsThemNotInProfile() throws {
        let p = try profile("\"CRED-12\": {}")
        let a = device(1, keys: ["SHA256:x"]), b = device(2, keys: ["SHA256:x"])
        let r = try #require(ScanDeviceReport.build(a, context: ScanContext([a, b], defaultCredentialsTried: false), profile: p,
                                                    today: CivilDate.parse("2026-12-04")!, generatedAt: 0))
        #expect(r.findings.map { $0.id } == ["CRED-12"])
        #expect(r.checksNotInProfile == ["CRED-13"], "not judged, and said so")
    }
}
