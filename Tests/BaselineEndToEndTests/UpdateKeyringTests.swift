// RAUC keyrings with certificates made by openssl: production CA passes, test/example CA and expired CA warn.
import Foundation
import Testing

@Suite("RAUC keyring certificates")
struct UpdateKeyringTests {
    func raucTree(subject: String, days: Int) throws -> TempTree {
        let t = try TempTree(["usr/bin/rauc": "x", "etc/rauc/system.conf": "[system]\ncompatible=x\nbootloader=uboot\n\n[keyring]\npath=ca.cert.pem\n"])
        _ = try tool("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                                 "-keyout", t.sub("ca.key"), "-subj", subject, "-days", String(days), "-out", t.sub("etc/rauc/ca.cert.pem")])
        try FileManager.default.removeItem(atPath: t.sub("ca.key"))
        return t
    }

    @Test func productionCertificatePasses() throws {
        let t = try raucTree(subject: "/O=Acme Networks/CN=Acme Update CA", days: 3650)
        let r = try audit(t.path, profile: try vendorProfile(t), [])
        #expect(r.status("UPD-03") == "pass", "\(r.finding("UPD-03") ?? [:])")
        #expect((r.finding("UPD-03")?["message"] as? String)?.contains("CN=Acme Update CA") == true)
    }

    @Test func testCertificateWarns() throws {
        let t = try raucTree(subject: "/O=Test Org/CN=Test Org Development CA", days: 3650)
        let r = try audit(t.path, profile: try vendorProfile(t), [])
        #expect(r.status("UPD-03") == "warn")
        #expect(r.evidenceText("UPD-03").contains("test or example CA"))
    }

    @Test func expiredCertificateWarns() throws {
        let t = try raucTree(subject: "/O=Acme Networks/CN=Acme Update CA", days: 30)
        // audit as of a day long after the certificate's notAfter
        let r = try baseline(["audit", t.path, "--profile", try vendorProfile(t), "--format", "json", "--date", "2029-01-01"])
        #expect(r.status("UPD-03") == "warn")
        #expect(r.evidenceText("UPD-03").contains("expired on"))
    }

    @Test func keyringWithoutCertificateFails() throws {
        let t = try TempTree(["etc/rauc/system.conf": "[keyring]\npath=/etc/rauc/ca.cert.pem\n", "etc/rauc/ca.cert.pem": "not a certificate\n"])
        try t.mkdir("bin")     // a root filesystem, not just an /etc
        let r = try audit(t.path, profile: try vendorProfile(t), [])
        #expect(r.status("UPD-03") == "fail")
        #expect((r.finding("UPD-03")?["message"] as? String)?.contains("no readable X.509 certificate") == true)
    }
}
