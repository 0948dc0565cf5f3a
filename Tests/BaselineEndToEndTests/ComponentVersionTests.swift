// LIFE-05 through the CLI: versions read from the host's own binaries agree with what the programs say about
// themselves; every sample shows the components planned for it (Firmware-samples/README.md); bad component data
// and a bad age limit are refused with one line naming file and line.
import Foundation
import Testing

/// The LIFE-05 message of a sample, as planned: each fragment must appear in it.
struct ComponentPlan: CustomTestStringConvertible, Sendable {
    let sample: String
    let profile: String
    let status: String
    let fragments: [String]
    var testDescription: String { sample }
}

let componentPlans: [ComponentPlan] = [
    ComponentPlan(sample: "openwrt-24.10-nordlicht-legacy", profile: "nordlicht-router", status: "fail", fragments: [
        "end of life: OpenSSL 3.0.15 (cycle 3.0 ended 2026-09-07)", "Linux 6.6.73 (cycle 6.6 until 2027-12-31)",
        "BusyBox 1.36.1 (released 2023-05-19)", "Dropbear 2024.86 (released in 2024)", "dnsmasq 2.90 (released 2024-02-13)"]),
    ComponentPlan(sample: "openwrt-25.12-nordlicht", profile: "nordlicht-router", status: "pass", fragments: [
        "supported: Linux 6.12.58 (cycle 6.12 until 2028-12-31), OpenSSL 3.5.4 (cycle 3.5 until 2030-04-08), BusyBox 1.37.0 (released 2024-09-26), Dropbear 2025.88 (released in 2025)",
        "not in the end-of-life data: dnsmasq 2.91"]),
    ComponentPlan(sample: "yocto-scarthgap-acme-rauc", profile: "acme-gateway", status: "pass", fragments: [
        "supported: Linux 6.6.52-yocto-standard (cycle 6.6 until 2027-12-31), OpenSSL 3.5.4 (cycle 3.5 until 2030-04-08), BusyBox 1.36.1 (released 2023-05-19), OpenSSH 9.6p1 (released 2023-12-18)"]),
    ComponentPlan(sample: "yocto-kirkstone-acme-swupdate", profile: "acme-gateway", status: "fail", fragments: [
        "end of life: Linux 5.4.70-2.3.0 (cycle 5.4 ended 2025-12-03), OpenSSL 3.0.14 (cycle 3.0 ended 2026-09-07)",
        "released more than 4 years ago: BusyBox 1.35.0 (released 2021-12-26), OpenSSH 8.9p1 (released 2022-02-23)"]),
    ComponentPlan(sample: "buildroot-sensorix-hub", profile: "sensorix-hub", status: "fail", fragments: [
        "end of life: Linux 4.19.232 (cycle 4.19 ended 2024-12-05), OpenSSL 3.2.2 (cycle 3.2 ended 2025-11-23)",
        "released more than 4 years ago: Dropbear 2022.83 (released 2022-11-14)", "supported: BusyBox 1.36.1"]),
    ComponentPlan(sample: "debian-13-fernwerk", profile: "fernwerk-edge", status: "pass", fragments: [
        "supported: Linux 6.12.48+deb13-arm64 (cycle 6.12 until 2028-12-31), OpenSSL 3.5.1 (cycle 3.5 until 2030-04-08), OpenSSH 10.0p2 (released 2025-04-09), OpenSSH 10.0p1"]),
    ComponentPlan(sample: "debian-11-fernwerk-legacy", profile: "fernwerk-edge", status: "fail", fragments: [
        "end of life: OpenSSL 1.1.1w (cycle 1.1.1 ended 2023-09-11)", "released more than 4 years ago: OpenSSH 8.4p1 (released 2020-09-27)",
        "supported: Linux 5.10.0-30-armmp (cycle 5.10 until 2026-12-31)"]),
]

@Suite("LIFE-05 component versions")
struct ComponentVersionTests {
    @Test("versions read from real host binaries equal what the programs report")
    func realBinaries() throws {
        // Debian packages from `make deps`: dropbear-bin, openssl/libssl3, busybox, dnsmasq-base, openssh-client.
        let copies = [("/usr/sbin/dropbear", "usr/sbin/dropbear"), ("/usr/lib/x86_64-linux-gnu/libcrypto.so.3", "usr/lib/x86_64-linux-gnu/libcrypto.so.3"),
                      ("/bin/busybox", "bin/busybox"), ("/usr/sbin/dnsmasq", "usr/sbin/dnsmasq"), ("/usr/bin/ssh", "usr/bin/ssh")]
        let t = try TempTree()
        try t.mkdir("etc")     // with /bin: a root filesystem baseline audits
        for (host, rel) in copies {
            try #require(FileManager.default.fileExists(atPath: host), "\(host) missing: run `make deps`")
            try t.mkdir((rel as NSString).deletingLastPathComponent)
            try FileManager.default.copyItem(atPath: host, toPath: t.sub(rel))
        }
        func says(_ program: String, _ args: [String]) throws -> String {
            let r = try run(program, args)
            #expect(r.code == 0, "\(program) \(args)")
            return r.stdout + r.stderr
        }
        func word(after marker: String, in text: String) throws -> String {
            let range = try #require(text.range(of: marker), "'\(marker)' in '\(text)'")
            return String(text[range.upperBound...].prefix { !" ,\n()".contains($0) })
        }
        let expected: [(String, String)] = [
            ("Dropbear", try word(after: "Dropbear v", in: try says("/usr/sbin/dropbear", ["-V"]))),
            ("OpenSSL", try word(after: "Library: OpenSSL ", in: try says("/usr/bin/openssl", ["version"]))),
            ("BusyBox", try word(after: "BusyBox v", in: try says("/bin/busybox", ["--help"]))),
            ("dnsmasq", try word(after: "Dnsmasq version ", in: try says("/usr/sbin/dnsmasq", ["--version"]))),
            ("OpenSSH", try word(after: "OpenSSH_", in: try says("/usr/bin/ssh", ["-V"]))),
        ]
        let r = try audit(t.path, profile: etsiPath)
        let message = try #require(r.finding("LIFE-05")?["message"] as? String, "\(r.stderr)")
        for (name, version) in expected {
            #expect(version.first?.isNumber == true, "\(name) reports '\(version)'")
            #expect(message.contains("\(name) \(version) ("), "\(name) \(version) not detected: \(message)")
        }
        let evidence = r.evidenceText("LIFE-05")
        for (_, rel) in copies { #expect(evidence.contains("/" + rel + ":0 "), "\(rel) in evidence:\n\(evidence)") }
        let problems: [Any] = r.json?["problems"] as? [Any] ?? []
        #expect(problems.isEmpty, "libcrypto (about 5 MB) is read whole: \(problems)")
    }

    @Test("each sample's components, as planned", arguments: componentPlans)
    func samples(_ p: ComponentPlan) throws {
        let r = try audit(Repo.path("Firmware-samples/" + p.sample), profile: p.profile)
        #expect(r.status("LIFE-05") == p.status)
        let message = r.finding("LIFE-05")?["message"] as? String ?? ""
        for f in p.fragments { #expect(message.contains(f), "\(message)") }
        let f = try #require(r.finding("LIFE-05"))
        #expect((f["provisions"] as? [String])?.contains("OWASP IoT Top 10 I5") == true)
        #expect((f["provisions"] as? [String])?.contains("ETSI EN 303 645 5.3-8") == true)
        let ev = try #require(f["evidence"] as? [[String: Any]])
        let first = try #require(ev.first?["path"] as? String)
        #expect(FileManager.default.fileExists(atPath: Repo.path("Firmware-samples/" + p.sample + first)), "first evidence is in the tree: \(first)")
    }

    @Test("the CRA profile cites Annex I Part I(2)(a)")
    func craProvision() throws {
        let r = try audit(Repo.path("Firmware-samples/debian-11-fernwerk-legacy"), profile: "fernwerk-edge")
        let provisions = r.finding("LIFE-05")?["provisions"] as? [String] ?? []
        #expect(provisions.contains("EU CRA Annex I Part I(2)(a) no known exploitable vulnerabilities"))
    }

    @Test("malformed component data in the EOL file: exit 2, one line with file and line")
    func badComponentData() throws {
        let t = try TempTree()
        try t.write("eol.json", "{\"source\": \"x\", \"snapshot\": \"2026-08-22\", \"products\": {\n \"openssl\": {\"kind\": \"component\",\n \"os_ids\": [\"openssl\"], \"cycles\": []}}}\n")
        let p = try writeProfile(t, body: "{\"schema\": \"baseline.profile/1\", \"id\": \"x\", \"lifecycle\": {\"eol_data\": \"eol.json\"}}")
        let r = try audit(Repo.path("Firmware-samples/openwrt-25.12-nordlicht"), profile: p)
        #expect(r.code == 2)
        #expect(r.stderr.contains("eol.json:3: 'os_ids' is for base OS products; 'openssl' is a component"), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1)
        #expect(r.stdout.isEmpty)
    }

    @Test("component_max_age_years: a bad value is refused; a larger one turns the warning into a pass")
    func ageLimit() throws {
        let t = try TempTree()
        let bad = try writeProfile(t, "bad.json", body: "{\"schema\": \"baseline.profile/1\", \"id\": \"x\",\n \"lifecycle\": {\"component_max_age_years\": 0}}")
        let r = try audit(Repo.path("Firmware-samples/openwrt-25.12-nordlicht"), profile: bad)
        #expect(r.code == 2)
        #expect(r.stderr.contains("bad.json:2: expected a whole number from 1 to 50 for 'component_max_age_years'"), "\(r.stderr)")
        let sshd = "\u{7F}ELF\u{2}\u{1}\u{1}\u{0}OpenSSH_8.4p1 Debian-5+deb11u3\u{0}"
        let tree = try TempTree(["usr/sbin/sshd": sshd, "etc/hostname": "tc-1\n"])
        #expect(try audit(tree.path, profile: try vendorProfile(tree)).status("LIFE-05") == "warn")
        let relaxed = try vendorProfile(tree, extra: "\"lifecycle\": {\"component_max_age_years\": 7}")
        let ok = try audit(tree.path, profile: relaxed)
        #expect(ok.status("LIFE-05") == "pass", "\(ok.finding("LIFE-05") ?? [:])")
    }
}
