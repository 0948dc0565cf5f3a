// `baseline fingerprint IMAGE` writes the factory image's secret fingerprints as a profile; an agent on a unit that
// still runs with those secrets fails CRED-03/06/07/08, a unit that replaced them passes.
import Foundation
import Testing

@Suite("Factory fingerprints")
struct FactoryFingerprintTests {
    let factory = Repo.path("Firmware-samples/yocto-kirkstone-acme-swupdate")

    /// The factory image as a tar.gz, its fingerprints, and a vendor profile that extends them.
    func setUp(_ t: TempTree) throws -> String {
        try t.write("fleet.key", "fleet-key-0123456789abcdef-XYZ\n")
        _ = try tool("tar", ["--owner=0", "--group=0", "-C", factory, "-czf", t.sub("factory.tar.gz"), "."])
        let r = try baseline(["fingerprint", t.sub("factory.tar.gz"), "--fleet-key-file", t.sub("fleet.key"), "--id", "gw7100-factory", "-o", t.sub("factory.json")])
        #expect(r.code == 0, "\(r.stderr)")
        try t.write("vendor.json", """
        {"schema": "baseline.profile/1", "id": "v", "extends": ["\(etsiPath)", "factory.json"],
         "support": {"end": "2030-01-31", "url": "https://v.example/support"}, "disclosure": {"contact": "mailto:s@v.example"}}
        """)
        return t.sub("vendor.json")
    }

    /// A running unit made from the factory image: its files plus /proc.
    func unit(_ t: TempTree) throws -> String {
        _ = try run("/bin/cp", ["-a", factory, t.sub("unit")])
        try t.write("unit/proc/uptime", "100.0 50.0\n")
        try t.write("unit/proc/net/tcp", tcpHeader + tcpLine(0, "00000000:0016", "0A"))
        return t.sub("unit")
    }

    @Test func fingerprintProfileIsValidAndKeyed() throws {
        let t = try TempTree()
        _ = try setUp(t)
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: t.sub("factory.json")))) as? [String: Any])
        let prints = try #require(doc["factory_fingerprints"] as? [String])
        #expect(prints.filter { $0.hasPrefix("SHA256:") }.count == 2, "host key and authorized key: \(prints)")
        #expect(prints.filter { $0.hasPrefix("hmac-sha256:") }.count == 2, "root's hash and the device key: \(prints)")
        let shadow = try String(contentsOfFile: factory + "/etc/shadow", encoding: .utf8)
        let hash = String(shadow.split(separator: "\n")[0].split(separator: ":")[1])
        #expect(prints.contains("hmac-sha256:" + hmacHex(key: "fleet-key-0123456789abcdef-XYZ", message: hash)))
        let text = try String(contentsOfFile: t.sub("factory.json"), encoding: .utf8)
        #expect(!text.contains(hash))
        let v = try python([Repo.path("Tests/scripts/validate_json.py"), Repo.path("Profiles/schema/profile.schema.json"), t.sub("factory.json")])
        #expect(v.code == 0, "\(v.stdout)")
        let missingKey = try baseline(["fingerprint", t.sub("factory.tar.gz")])
        #expect(missingKey.code == 2)
    }

    @Test func unitStillOnFactorySecretsFails() throws {
        let t = try TempTree()
        let profile = try setUp(t)
        let root = try unit(t)
        let r = try Agent.run(nil, ["--root", root, "--profile", profile, "--date", Repo.auditDate, "--fleet-key-file", t.sub("fleet.key")])
        for id in ["CRED-03", "CRED-06", "CRED-07", "CRED-08"] {
            #expect(r.status(id) == "fail", "\(id): \(r.finding(id)?["message"] ?? "")")
        }
        #expect(r.evidenceText("CRED-06").contains("factory image's"))
        // without the fleet key the keyed secrets cannot be compared, the public host key still can
        let unkeyed = try Agent.run(nil, ["--root", root, "--profile", profile, "--date", Repo.auditDate])
        #expect(unkeyed.status("CRED-06") == "fail")
        #expect(unkeyed.status("CRED-03") == "info")
    }

    @Test func unitWithItsOwnSecretsPasses() throws {
        let t = try TempTree()
        let profile = try setUp(t)
        let root = try unit(t)
        // first boot: new host key, the user set a password, the device key re-provisioned, the factory key removed
        try FileManager.default.removeItem(atPath: root + "/etc/ssh/ssh_host_ed25519_key")
        try FileManager.default.removeItem(atPath: root + "/etc/ssh/ssh_host_ed25519_key.pub")
        _ = try tool("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", root + "/etc/ssh/ssh_host_ed25519_key"])
        try t.write("unit/etc/shadow", "root:\(try tool("openssl", ["passwd", "-6", UUID().uuidString])):20400:0:99999:7:::\n")
        try FileManager.default.removeItem(atPath: root + "/etc/ssl/private/device-key.pem")
        _ = try tool("openssl", ["genpkey", "-algorithm", "ed25519", "-out", root + "/etc/ssl/private/device-key.pem"])
        try t.write("unit/home/root/.ssh/authorized_keys", try String(contentsOfFile: root + "/etc/ssh/ssh_host_ed25519_key.pub", encoding: .utf8))
        let r = try Agent.run(nil, ["--root", root, "--profile", profile, "--date", Repo.auditDate, "--fleet-key-file", t.sub("fleet.key")])
        for id in ["CRED-03", "CRED-06", "CRED-07"] {
            #expect(r.status(id) == "pass", "\(id): \(r.finding(id)?["message"] ?? "")")
        }
        #expect(r.status("CRED-08") == "info", "an operator's key is not a finding on a live unit")
    }
}
