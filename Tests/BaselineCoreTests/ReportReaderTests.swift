// Issue 19: ReportReader mirrors ReportJSON. Write → read → compare, field by field, for a report that sets every
// optional field the writer knows, for one that sets none, and for real audits of the bundled samples; and refusals
// that name the JSON path.
@testable import BaselineCore
import Foundation
import Testing

struct ReportReaderTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A report with every field the writer can write set, most of them to values that differ from the defaults.
    static func full() -> Report {
        var s = Subject()
        s.vendor = "Acme"; s.model = "GW-1"; s.firmwareVersion = "4.2.1"; s.buildID = "20260101"; s.osID = "poky"
        s.osVersion = "4.0.9"; s.osName = "Poky (Yocto)"; s.deviceID = "hmac-sha256:aa11"; s.imageID = "sha256:feed"
        var fp = Fingerprints()
        fp.fleetKeyID = "sha256:0123456789abcdef"
        fp.hostKeys = [HostKeyFingerprint(path: "/etc/ssh/ssh_host_ed25519_key.pub", type: "ssh-ed25519", sha256: "SHA256:abc"),
                       HostKeyFingerprint(path: "/etc/dropbear/dropbear_rsa_host_key", type: "ssh-rsa", sha256: "SHA256:def")]
        fp.authorizedKeys = [AuthorizedKeyFingerprint(path: "/root/.ssh/authorized_keys", line: 3, type: "ssh-rsa", sha256: "SHA256:ghi")]
        fp.passwordHashes = [PasswordFingerprint(account: "root", scheme: "sha512crypt", hmac: "hmac-sha256:01"),
                             PasswordFingerprint(account: "admin", scheme: "md5crypt", hmac: "hmac-sha256:02")]
        fp.privateKeys = [PrivateKeyFingerprint(path: "/etc/ssl/private/a.key", label: "RSA private key", publicSHA256: "SHA256:pub", hmac: "hmac-sha256:03"),
                          PrivateKeyFingerprint(path: "/etc/ssl/private/b.key", label: "EC private key", publicSHA256: nil, hmac: nil)]
        let findings = [
            Finding(id: "CRED-01", area: .credentials, title: "Default password", status: .fail, severity: .critical,
                    message: "root has the password \"root\"\ttab ✓", evidence: [Evidence("/etc/shadow", 1, "root: known password"), Evidence("/etc/passwd", 0, "no line")],
                    provisions: ["5.1-1", "5.1-2"], remediation: "Set a unique password."),
            Finding(id: "LIFE-02", area: .lifecycle, title: "Support end", status: .warn, severity: .medium, message: "support ends 2027-01-31",
                    evidence: [], provisions: [], remediation: "", data: [("support_end", "2027-01-31"), ("eol", "2026-12-31")]),
            Finding(id: "UPD-01", area: .update, title: "Signed updates", status: .pass, severity: .high, message: "ok",
                    evidence: [], provisions: ["5.3-2"], remediation: "r"),
            Finding(id: "SURF-01", area: .surface, title: "Listeners", status: .info, severity: .info, message: "i", evidence: [], provisions: [], remediation: ""),
            Finding(id: "DISC-01", area: .disclosure, title: "Disclosure", status: .skip, severity: .low, message: "s", evidence: [], provisions: [], remediation: ""),
            Finding(id: "SURF-02", area: .surface, title: "Telnet", status: .error, severity: .high, message: "e", evidence: [Evidence("/proc/net/tcp", 7, "d")],
                    provisions: [], remediation: ""),
        ]
        let runtime = Runtime(kernel: "6.1.0", uptimeSeconds: 1234,
                              lastUpdate: LastUpdate(source: "swupdate", date: "2026-10-01", path: "/var/lib/swupdate/state"), interfaces: 3,
                              listeners: [Listener(proto: "tcp", ipv6: false, address: "0.0.0.0", port: 22, loopback: false, path: "/proc/net/tcp", line: 2),
                                          Listener(proto: "udp", ipv6: true, address: "::1", port: 53, loopback: true, path: "/proc/net/udp6", line: 3)])
        var r = Report(reportID: "6f1c2d3e-0000-4000-8000-000000000001", generatedAt: "2026-11-23T10:00:00Z", auditDate: CivilDate.parse("2026-11-23")!,
                       sourceKind: "image", sourcePath: "/fw/acme.swu", profileID: "acme-gateway", profileTitle: "Acme gateway",
                       profileChain: ["acme-gateway", "etsi-en-303-645"], profileDigest: "sha256:cafe", subject: s, findings: findings,
                       fingerprints: fp, runtime: runtime, filesRead: 421,
                       problems: [FSProblem(path: "/etc/shadow-", reason: "permission denied"), FSProblem(path: "/x", reason: "loop")])
        r.tool = "baseline-agent"
        r.toolVersion = "9.9.9"
        r.sourceFormat = "SWUpdate (CPIO) › rootfs.ext4 › ext2/3/4"
        r.sourceContainer = Report.Container(format: "uImage", offset: 65536)
        r.incomplete = ["squashfs block 12 unreadable", "truncated image"]
        r.checksNotInProfile = ["UPD-09", "SURF-05"]
        r.accepted = [(id: "SURF-02", justification: "telnet is firewalled"), (id: "DISC-01", justification: "policy in review")]
        r.since = (path: "prev/report.json", new: ["CRED-01"])
        r.sections = [("delivery", .obj([("spool_dropped", .num(2))])), ("traffic", .obj([("complete", .flag(true)), ("link_types", .arr([.str("EN10MB")]))]))]
        return r
    }

    /// The same report with every optional field at its default (absent, null or empty).
    static func bare() -> Report {
        Report(reportID: "6f1c2d3e-0000-4000-8000-000000000002", generatedAt: "1970-01-01T00:00:00Z", auditDate: CivilDate.parse("1970-01-01")!,
               sourceKind: "rootfs", sourcePath: "/", profileID: "p", profileTitle: "", profileChain: [], profileDigest: "",
               subject: Subject(), findings: [], fingerprints: Fingerprints(), runtime: nil, filesRead: 0, problems: [])
    }

    /// Every field of the model, compared one by one (the model is not Equatable: tuples and JSON sections).
    static func expectSame(_ a: Report, _ b: Report, sourceLocation: SourceLocation = #_sourceLocation) {
        func same<T: Equatable>(_ x: T, _ y: T, _ what: String) { #expect(x == y, "\(what)", sourceLocation: sourceLocation) }
        same(a.reportID, b.reportID, "report_id"); same(a.tool, b.tool, "tool"); same(a.toolVersion, b.toolVersion, "tool version")
        same(a.generatedAt, b.generatedAt, "generated_at"); same(a.auditDate, b.auditDate, "audit_date")
        same(a.sourceKind, b.sourceKind, "source.kind"); same(a.sourcePath, b.sourcePath, "source.path"); same(a.sourceFormat, b.sourceFormat, "source.format")
        same(a.sourceContainer?.format, b.sourceContainer?.format, "container format"); same(a.sourceContainer?.offset, b.sourceContainer?.offset, "container offset")
        same(a.profileID, b.profileID, "profile.id"); same(a.profileTitle, b.profileTitle, "profile.title")
        same(a.profileChain, b.profileChain, "profile.chain"); same(a.profileDigest, b.profileDigest, "profile.digest")
        let (s, t) = (a.subject, b.subject)
        same([s.vendor, s.model, s.firmwareVersion, s.buildID, s.osID, s.osVersion, s.osName, s.deviceID, s.imageID],
             [t.vendor, t.model, t.firmwareVersion, t.buildID, t.osID, t.osVersion, t.osName, t.deviceID, t.imageID], "subject")
        same(a.findings.count, b.findings.count, "finding count")
        for (f, g) in zip(a.findings, b.findings) {
            same(f.id, g.id, "finding id"); same(f.area, g.area, "\(f.id) area"); same(f.title, g.title, "\(f.id) title")
            same(f.status, g.status, "\(f.id) status"); same(f.severity, g.severity, "\(f.id) severity"); same(f.message, g.message, "\(f.id) message")
            same(f.evidence, g.evidence, "\(f.id) evidence"); same(f.provisions, g.provisions, "\(f.id) provisions")
            same(f.remediation, g.remediation, "\(f.id) remediation")
            same(f.data.map { $0.0 + "=" + $0.1 }, g.data.map { $0.0 + "=" + $0.1 }, "\(f.id) data")
        }
        let (p, q) = (a.fingerprints, b.fingerprints)
        same(p.fleetKeyID, q.fleetKeyID, "fleet_key_id")
        same(p.hostKeys.map { [$0.path, $0.type, $0.sha256] }, q.hostKeys.map { [$0.path, $0.type, $0.sha256] }, "host_keys")
        same(p.authorizedKeys.map { [$0.path, String($0.line), $0.type, $0.sha256] }, q.authorizedKeys.map { [$0.path, String($0.line), $0.type, $0.sha256] }, "authorized_keys")
        same(p.passwordHashes.map { [$0.account, $0.scheme, $0.hmac] }, q.passwordHashes.map { [$0.account, $0.scheme, $0.hmac] }, "password_hashes")
        same(p.privateKeys.map { [$0.path, $0.label, $0.publicSHA256, $0.hmac] }, q.privateKeys.map { [$0.path, $0.label, $0.publicSHA256, $0.hmac] }, "private_keys")
        same(a.runtime == nil, b.runtime == nil, "runtime present")
        if let x = a.runtime, let y = b.runtime {
            same(x.kernel, y.kernel, "kernel"); same(x.uptimeSeconds, y.uptimeSeconds, "uptime"); same(x.interfaces, y.interfaces, "interfaces")
            same(x.lastUpdate.map { [$0.source, $0.date, $0.path] }, y.lastUpdate.map { [$0.source, $0.date, $0.path] }, "last_update")
            same(x.listeners, y.listeners, "listeners")
        }
        same(a.filesRead, b.filesRead, "files_read"); same(a.problems, b.problems, "unreadable")
        same(a.incomplete, b.incomplete, "incomplete"); same(a.checksNotInProfile, b.checksNotInProfile, "checks_not_in_profile")
        same(a.accepted.map { [$0.id, $0.justification] }, b.accepted.map { [$0.id, $0.justification] }, "accepted")
        same(a.since?.path, b.since?.path, "since.previous"); same(a.since?.new, b.since?.new, "since.new")
        same(a.sections.map { $0.0 }, b.sections.map { $0.0 }, "section names")
        same(a.sections.map { JSONWriter.write($0.1) }, b.sections.map { JSONWriter.write($0.1) }, "section contents")
    }

    /// Write, read, compare the model; and writing what was read gives the same bytes.
    static func roundTrip(_ r: Report, failOn: Severity?, sourceLocation: SourceLocation = #_sourceLocation) throws -> ReadReport {
        let text = ReportJSON.encode(r, failOn: failOn)
        let read = try ReportReader.read(Array(text.utf8))
        expectSame(r, read.report, sourceLocation: sourceLocation)
        #expect(read.failOn == failOn, sourceLocation: sourceLocation)
        #expect(read.verdict == r.verdict, sourceLocation: sourceLocation)
        #expect(read.failing == r.findingsAtOrAbove(failOn).count, sourceLocation: sourceLocation)
        #expect(ReportJSON.encode(read.report, failOn: read.failOn) == text, "rewriting what was read changes the report", sourceLocation: sourceLocation)
        return read
    }

    @Test func everyFieldSurvivesWriteThenRead() throws {
        let r = Self.full()
        let read = try Self.roundTrip(r, failOn: .medium)
        // The test's own inputs really are set (so the comparisons above compare something).
        #expect(read.report.sourceContainer?.offset == 65536 && read.report.incomplete.count == 2 && read.report.accepted.count == 2)
        #expect(read.report.since?.new == ["CRED-01"] && read.report.findings[1].data.count == 2 && read.report.runtime?.listeners.count == 2)
        #expect(read.verdict == "fail" && read.failing == 3)
        // The per-finding "since" marks come back from summary.since.
        #expect(read.report.sinceState(read.report.findings[0]) == "new" && read.report.sinceState(read.report.findings[1]) == "unchanged")
        for t in [nil, Severity.info, .low, .high, .critical] { _ = try Self.roundTrip(r, failOn: t) }
    }

    @Test func aReportWithNoOptionalFieldSurvivesToo() throws {
        let read = try Self.roundTrip(Self.bare(), failOn: nil)
        #expect(read.report.runtime == nil && read.report.sourceContainer == nil && read.report.since == nil && read.report.subject.vendor == nil)
        #expect(read.verdict == "pass" && read.failOn == nil)
        var r = Self.bare()
        r.runtime = Runtime(kernel: nil, uptimeSeconds: nil, lastUpdate: nil, interfaces: 0, listeners: [])
        _ = try Self.roundTrip(r, failOn: .low)
    }

    @Test func realAuditsOfTheBundledSamplesSurvive() throws {
        let key = [UInt8]("fleet-key-for-the-round-trip-test".utf8)
        for (sample, profile) in [("yocto-kirkstone-acme-swupdate", "vendors/acme-gateway.json"), ("openwrt-24.10-nordlicht-legacy", "vendors/nordlicht-router.json"),
                                  ("debian-11-fernwerk-legacy", "vendors/fernwerk-edge.json")] {
            let root = Self.repo.appendingPathComponent("Firmware-samples/" + sample).path
            let p = try ProfileLoader.load(Self.repo.appendingPathComponent("Profiles/" + profile).path)
            let fs = try RootView(root: root)
            var options = AuditOptions(today: CivilDate.parse("2026-11-23")!, generatedAt: 1_700_000_000, fleetKey: key, sourceKind: "rootfs", sourcePath: root)
            options.passwordBudgetMs = 20_000
            let r = try Auditor.run(fs: fs, profile: p, options: options)
            #expect(!r.findings.isEmpty && !r.fingerprints.passwordHashes.isEmpty, "\(sample): the audit found something to compare")
            _ = try Self.roundTrip(r, failOn: .high)
        }
    }

    static func refusal(_ text: String) -> String? {
        do { _ = try ReportReader.read(Array(text.utf8)); return nil } catch { return error.description }
    }

    static func mutated(_ edit: (inout [String: Any]) -> Void) throws -> String {
        var o = try JSONSerialization.jsonObject(with: Data(ReportJSON.encode(full(), failOn: .low).utf8)) as! [String: Any]
        edit(&o)
        return String(decoding: try JSONSerialization.data(withJSONObject: o, options: [.prettyPrinted, .sortedKeys]), as: UTF8.self)
    }

    @Test func anUnknownSchemaVersionIsRefused() throws {
        let e = Self.refusal(try Self.mutated { $0["schema"] = "baseline.report/2" })
        #expect(e?.contains("'schema': expected \"baseline.report/1\", found \"baseline.report/2\"") == true, "\(e ?? "accepted")")
        #expect(Self.refusal(try Self.mutated { $0["schema"] = nil })?.contains("'schema': missing") == true)
        #expect(Self.refusal("[1]")?.contains("expected a JSON object") == true)
        #expect(Self.refusal("{\"schema\": ")?.hasPrefix("line 1: not JSON") == true)
    }

    @Test func aWrongTypeIsRefusedWithItsPathAndLine() throws {
        let cases: [(String, (inout [String: Any]) -> Void)] = [
            ("'findings[1].status': expected pass, fail, warn, info, skip or error, found 'broken'", { f in
                var fs = f["findings"] as! [[String: Any]]; fs[1]["status"] = "broken"; f["findings"] = fs }),
            ("'findings[0].evidence[1].line': expected a whole number, found a string", { f in
                var fs = f["findings"] as! [[String: Any]]; var ev = fs[0]["evidence"] as! [[String: Any]]
                ev[1]["line"] = "7"; fs[0]["evidence"] = ev; f["findings"] = fs }),
            ("'findings[2].remediation': missing: expected a string", { f in
                var fs = f["findings"] as! [[String: Any]]; fs[2]["remediation"] = nil; f["findings"] = fs }),
            ("'findings[0].since': expected \"new\" or \"unchanged\", found a string ('old')", { f in
                var fs = f["findings"] as! [[String: Any]]; fs[0]["since"] = "old"; f["findings"] = fs }),
            ("'findings[1].data.eol': expected a string, found a number", { f in
                var fs = f["findings"] as! [[String: Any]]; fs[1]["data"] = ["eol": 2026]; f["findings"] = fs }),
            ("'fingerprints.host_keys[1].sha256': missing: expected a string", { f in
                var fp = f["fingerprints"] as! [String: Any]; var hk = fp["host_keys"] as! [[String: Any]]
                hk[1]["sha256"] = nil; fp["host_keys"] = hk; f["fingerprints"] = fp }),
            ("'subject.vendor': expected a string or null, found a number", { f in
                var s = f["subject"] as! [String: Any]; s["vendor"] = 3; f["subject"] = s }),
            ("'summary.areas.update.fail': expected a whole number, found a string ('x')", { f in
                var s = f["summary"] as! [String: Any]; var a = s["areas"] as! [String: Any]; var u = a["update"] as! [String: Any]
                u["fail"] = "x"; a["update"] = u; s["areas"] = a; f["summary"] = s }),
            ("'summary.fail_on': expected never, info, low, medium, high or critical, found 'sometimes'", { f in
                var s = f["summary"] as! [String: Any]; s["fail_on"] = "sometimes"; f["summary"] = s }),
            ("'runtime.listeners[0].loopback': expected true or false, found a string", { f in
                var r = f["runtime"] as! [String: Any]; var l = r["listeners"] as! [[String: Any]]; l[0]["loopback"] = "no"
                r["listeners"] = l; f["runtime"] = r }),
            ("'runtime': missing: expected null or an object", { f in f["runtime"] = nil }),
            ("'audit_date': expected a YYYY-MM-DD date, found '2026-02-31'", { f in f["audit_date"] = "2026-02-31" }),
            ("'coverage.incomplete[1]': expected a string, found null", { f in
                var c = f["coverage"] as! [String: Any]; c["incomplete"] = ["a", NSNull()]; f["coverage"] = c }),
            ("'source.container.offset': expected a whole number, found a string", { f in
                var s = f["source"] as! [String: Any]; s["container"] = ["format": "uImage", "offset": "0"]; f["source"] = s }),
        ]
        for (want, edit) in cases {
            let e = Self.refusal(try Self.mutated(edit))
            #expect(e?.contains(want) == true, "expected “\(want)”, got \(e ?? "no refusal")")
            #expect(e?.hasPrefix("line ") == true && e?.contains("\n") == false, "one line naming the line: \(e ?? "")")
        }
    }
}
