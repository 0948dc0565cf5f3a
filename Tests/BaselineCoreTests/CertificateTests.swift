// PEM block scanning, the minimal DER reader and X.509 CertificateInfo, with certificates made by openssl.
import Foundation
import Testing
@testable import BaselineCore

private func today() -> CivilDate { CivilDate.fromEpochSeconds(Int64(Date().timeIntervalSince1970)) }

/// Creates a self-signed certificate with openssl and returns its PEM text and DER bytes.
private func makeCertificate(subject: String, days: Int, in dir: TempDir, name: String = "cert",
                             extra: [String] = []) throws -> (pem: [UInt8], der: [UInt8]) {
    try Tool.run("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", subject, "-days", String(days),
                             "-keyout", dir.sub(name + ".key"), "-out", dir.sub(name + ".pem")] + extra)
    try Tool.run("openssl", ["x509", "-in", dir.sub(name + ".pem"), "-outform", "DER", "-out", dir.sub(name + ".der")])
    return (try dir.read(name + ".pem"), try dir.read(name + ".der"))
}

@Suite("PEM")
struct PEMTests {
    @Test("blocks with labels, lines, headers and damaged bodies")
    func synthetic() throws {
        let text = """
        junk before
        -----BEGIN CERTIFICATE-----
        Zm9v
        YmFy
        -----END CERTIFICATE-----
        -----BEGIN RSA PRIVATE KEY-----
        Proc-Type: 4,ENCRYPTED
        DEK-Info: AES-128-CBC,0123456789ABCDEF0123456789ABCDEF

        Zm9vYmFy
        -----END RSA PRIVATE KEY-----
          -----BEGIN PUBLIC KEY-----  \r
        Zm9v\r
        -----END PUBLIC KEY-----\r
        -----BEGIN OPENSSH PRIVATE KEY-----
        !!not base64!!
        -----END OPENSSH PRIVATE KEY-----
        -----BEGIN TRUSTED CERTIFICATE-----
        YQ==
        -----END TRUSTED CERTIFICATE-----
        -----BEGIN EC PRIVATE KEY-----
        YWJj
        """
        let blocks = PEM.blocks(bytes(text))
        #expect(blocks.map(\.label) == ["CERTIFICATE", "RSA PRIVATE KEY", "PUBLIC KEY", "OPENSSH PRIVATE KEY", "TRUSTED CERTIFICATE"])
        #expect(blocks.map(\.line) == [2, 6, 12, 15, 18])
        #expect(blocks[0].der == bytes("foobar"))
        #expect(blocks[0].isCertificate && !blocks[0].isPrivateKey && !blocks[0].isPublicKey)
        #expect(blocks[1].der == nil)            // encrypted: headers present
        #expect(blocks[1].isPrivateKey)
        #expect(blocks[2].der == bytes("foo"))
        #expect(blocks[2].isPublicKey)
        #expect(blocks[3].der == nil)            // damaged base64
        #expect(blocks[3].isPrivateKey)
        #expect(blocks[4].isCertificate)
        #expect(blocks[4].der == bytes("a"))
    }

    @Test("no BEGIN marker gives no blocks")
    func none() {
        #expect(PEM.blocks([]).isEmpty)
        #expect(PEM.blocks(bytes("-----END CERTIFICATE-----\nZm9v\n")).isEmpty)
        #expect(PEM.blocks(bytes("-----BEGIN -----\nZm9v\n-----END -----\n")).isEmpty)
        #expect(PEM.blocks(pseudoRandomBytes(10_000, seed: 4)).isEmpty)
    }

    @Test("maxBlocks caps the result")
    func maxBlocks() {
        var text = ""
        for _ in 0..<10 { text += "-----BEGIN CERTIFICATE-----\nYQ==\n-----END CERTIFICATE-----\n" }
        #expect(PEM.blocks(bytes(text)).count == 10)
        #expect(PEM.blocks(bytes(text), maxBlocks: 3).count == 3)
    }

    @Test("openssl certificate PEM decodes to the same DER openssl writes", .enabled(if: Tool.available("openssl")))
    func opensslDER() throws {
        let dir = try TempDir("pem")
        let cert = try makeCertificate(subject: "/CN=Test CA/O=Example", days: 30, in: dir)
        let blocks = PEM.blocks(cert.pem)
        #expect(blocks.count == 1)
        #expect(blocks.first?.label == "CERTIFICATE")
        #expect(blocks.first?.line == 1)
        #expect(blocks.first?.der == cert.der)
        // The key file is a private key block.
        let key = PEM.blocks(try dir.read("cert.key"))
        #expect(key.first?.isPrivateKey == true)
        #expect(key.first?.der != nil)
    }
}

@Suite("DER")
struct DERTests {
    @Test("short and long form lengths")
    func lengths() throws {
        let short = try #require(DER.read([0x04, 0x03, 1, 2, 3, 9][...], at: 0))
        #expect(short.tag == 0x04)
        #expect(Array(short.content) == [1, 2, 3])
        #expect(short.end == 5)
        let body = [UInt8](repeating: 7, count: 300)
        let long = try #require(DER.read(([0x04, 0x82, 0x01, 0x2C] + body)[...], at: 0))
        #expect(long.content.count == 300)
        #expect(long.end == 304)
        let one = try #require(DER.read(([0x04, 0x81, 0x80] + [UInt8](repeating: 1, count: 128))[...], at: 0))
        #expect(one.content.count == 128)
    }

    @Test("truncated or unsupported encodings return nil")
    func invalid() {
        #expect(DER.read([][...], at: 0) == nil)
        #expect(DER.read([0x30][...], at: 0) == nil)
        #expect(DER.read([0x04, 0x05, 1, 2][...], at: 0) == nil)            // content shorter than length
        #expect(DER.read([0x04, 0x82, 0x01][...], at: 0) == nil)            // length bytes missing
        #expect(DER.read([0x30, 0x80, 0x00, 0x00][...], at: 0) == nil)      // indefinite length
        #expect(DER.read([0x04, 0x85, 1, 0, 0, 0, 0][...], at: 0) == nil)   // 5 length bytes
        #expect(DER.read([0x04, 0x84, 0xFF, 0xFF, 0xFF, 0xFF, 0][...], at: 0) == nil)
    }

    @Test("children of a constructed value, at an offset inside a slice")
    func children() throws {
        let seq: [UInt8] = [0xAA, 0x30, 0x08, 0x02, 0x01, 0x05, 0x04, 0x03, 0x61, 0x62, 0x63]
        let slice = seq[1...]
        let d = try #require(DER.read(slice, at: 1))
        #expect(d.tag == 0x30)
        let c = d.children
        #expect(c.count == 2)
        #expect(c[0].tag == 0x02 && Array(c[0].content) == [5])
        #expect(c[1].tag == 0x04 && Array(c[1].content) == bytes("abc"))
        // A damaged child stops the walk.
        let damaged = try #require(DER.read([0x30, 0x05, 0x02, 0x01, 0x05, 0x04, 0x09][...], at: 0))
        #expect(damaged.children.count == 1)
    }
}

@Suite("CertificateInfo")
struct CertificateInfoTests {
    @Test("self-signed test CA from openssl", .enabled(if: Tool.available("openssl")))
    func testCA() throws {
        let dir = try TempDir("x509")
        let cert = try makeCertificate(subject: "/CN=Test CA/O=Example", days: 30, in: dir)
        let der = try #require(PEM.blocks(cert.pem).first?.der)
        let info = try #require(CertificateInfo.parse(der: der))
        #expect(info.subject == "CN=Test CA, O=Example")
        #expect(Text.contains(info.subject, "CN=Test CA"))
        #expect(info.issuer == info.subject)
        #expect(info.selfSigned)
        #expect(info.looksLikeTestCertificate)
        let now = today()
        let notBefore = try #require(info.notBefore)
        let notAfter = try #require(info.notAfter)
        #expect(abs(now.days(until: notBefore)) <= 1)
        #expect(abs(now.adding(days: 30).days(until: notAfter)) <= 1)
        #expect(notBefore.days(until: notAfter) == 30)
    }

    @Test("production-looking names are not test certificates", .enabled(if: Tool.available("openssl")))
    func productionCA() throws {
        let dir = try TempDir("x509")
        let cert = try makeCertificate(subject: "/C=DE/CN=Acme Firmware Root/O=Acme GmbH/OU=Update Signing", days: 3650, in: dir)
        let info = try #require(CertificateInfo.parse(der: cert.der))
        #expect(info.subject == "CN=Acme Firmware Root, O=Acme GmbH, OU=Update Signing")
        #expect(!info.looksLikeTestCertificate)
        #expect(info.notBefore.map { $0.days(until: info.notAfter!) } == 3650)
    }

    @Test("UTF-8 names", .enabled(if: Tool.available("openssl")))
    func utf8Names() throws {
        let dir = try TempDir("x509")
        let cert = try makeCertificate(subject: "/CN=Prüf-Zertifikat/O=Müller AG", days: 5, in: dir, extra: ["-utf8"])
        let info = try #require(CertificateInfo.parse(der: cert.der))
        #expect(info.subject == "CN=Prüf-Zertifikat, O=Müller AG")
    }

    @Test("dates from 2050 on use GeneralizedTime and are read", .enabled(if: Tool.available("openssl")))
    func generalizedTime() throws {
        let dir = try TempDir("x509")
        let target = try #require(CivilDate(year: 2061, month: 3, day: 15))
        let days = today().days(until: target)
        let cert = try makeCertificate(subject: "/CN=Long Lived/O=Acme", days: days, in: dir)
        let info = try #require(CertificateInfo.parse(der: cert.der))
        let notAfter = try #require(info.notAfter)
        #expect(notAfter.year == 2061)
        #expect(abs(notAfter.days(until: target)) <= 1)
    }

    @Test("2049 still uses UTCTime and maps to 20xx", .enabled(if: Tool.available("openssl")))
    func utcTime2049() throws {
        let dir = try TempDir("x509")
        let target = try #require(CivilDate(year: 2049, month: 6, day: 1))
        let cert = try makeCertificate(subject: "/CN=Mid/O=Acme", days: today().days(until: target), in: dir)
        let info = try #require(CertificateInfo.parse(der: cert.der))
        #expect(info.notAfter?.year == 2049)
    }

    @Test("v1 certificate issued by another CA", .enabled(if: Tool.available("openssl")))
    func v1Issued() throws {
        let dir = try TempDir("x509")
        _ = try makeCertificate(subject: "/CN=Issuing CA/O=Acme", days: 100, in: dir, name: "ca")
        try Tool.run("openssl", ["req", "-new", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=device-42/O=Acme",
                                 "-keyout", dir.sub("leaf.key"), "-out", dir.sub("leaf.csr")])
        try Tool.run("openssl", ["x509", "-req", "-in", dir.sub("leaf.csr"), "-CA", dir.sub("ca.pem"), "-CAkey", dir.sub("ca.key"),
                                 "-CAcreateserial", "-days", "10", "-outform", "DER", "-out", dir.sub("leaf.der")])
        let text = try Tool.run("openssl", ["x509", "-inform", "DER", "-in", dir.sub("leaf.der"), "-noout", "-text"]).stdout
        #expect(text.contains("Version: 1"))
        let info = try #require(CertificateInfo.parse(der: try dir.read("leaf.der")))
        #expect(info.subject == "CN=device-42, O=Acme")
        #expect(info.issuer == "CN=Issuing CA, O=Acme")
        #expect(!info.selfSigned)
        #expect(!info.looksLikeTestCertificate)
        #expect(info.notBefore.map { $0.days(until: info.notAfter!) } == 10)
    }

    @Test("non-certificates return nil")
    func garbage() throws {
        #expect(CertificateInfo.parse(der: []) == nil)
        #expect(CertificateInfo.parse(der: [0x30, 0x00]) == nil)
        #expect(CertificateInfo.parse(der: [0x02, 0x01, 0x00]) == nil)
        #expect(CertificateInfo.parse(der: [0x30, 0x03, 0x02, 0x01, 0x00]) == nil)
        for seed in 1...200 { _ = CertificateInfo.parse(der: [0x30, 0x82, 0x01, 0x00] + pseudoRandomBytes(256, seed: UInt64(seed))) }
    }

    @Test("an RSA private key is not a certificate", .enabled(if: Tool.available("openssl")))
    func privateKeyIsNotCertificate() throws {
        let dir = try TempDir("x509")
        try Tool.run("openssl", ["genrsa", "-traditional", "-out", dir.sub("k.pem"), "2048"])
        let der = try #require(PEM.blocks(try dir.read("k.pem")).first?.der)
        #expect(CertificateInfo.parse(der: der) == nil)
    }

    @Test("time values", arguments: [
        (UInt8(0x17), "491231235959Z", "2049-12-31"),
        (UInt8(0x17), "000101000000Z", "2000-01-01"),
        (UInt8(0x17), "700101000000Z", "1970-01-01"),
        (UInt8(0x17), "991231235959Z", "1999-12-31"),
        (UInt8(0x17), "500101000000Z", "1970-01-01"),   // 1950: before the epoch, clamped
        (UInt8(0x18), "20500101000000Z", "2050-01-01"),
        (UInt8(0x18), "99991231235959Z", "9999-12-31"),
    ])
    func times(tag: UInt8, text: String, expected: String) throws {
        let d = try #require(DER.read(([tag, UInt8(text.utf8.count)] + bytes(text))[...], at: 0))
        #expect(CertificateInfo.time(d)?.iso == expected)
    }

    @Test("invalid time values give nil")
    func badTimes() throws {
        for (tag, text) in [(UInt8(0x17), "491332000000Z"), (UInt8(0x17), "4912"), (UInt8(0x18), "2050130100Z"),
                            (UInt8(0x04), "491231235959Z"), (UInt8(0x17), "4x1231235959Z")] {
            let d = try #require(DER.read(([tag, UInt8(text.utf8.count)] + bytes(text))[...], at: 0))
            #expect(CertificateInfo.time(d) == nil, "\(text)")
        }
    }

    @Test("looksLikeTestCertificate keywords")
    func keywords() {
        func info(_ s: String, _ i: String = "CN=Acme") -> CertificateInfo {
            CertificateInfo(notBefore: nil, notAfter: nil, subject: s, issuer: i)
        }
        #expect(info("CN=Development Key").looksLikeTestCertificate)
        #expect(info("CN=Acme", "CN=DUMMY CA").looksLikeTestCertificate)
        #expect(info("CN=Insecure Signing").looksLikeTestCertificate)
        #expect(info("O=Do Not Use").looksLikeTestCertificate)
        #expect(info("CN=example.com").looksLikeTestCertificate)
        #expect(!info("CN=Acme Production Root").looksLikeTestCertificate)
    }
}

@Suite("CertificateInfo: test-certificate heuristic")
struct TestCertificateHeuristicTests {
    @Test("words that merely contain \"test\" are not test authorities",
          arguments: ["CN=Device Attestation Root CA, O=Acme", "CN=Latest Firmware Signing, O=Acme", "CN=Root, O=Contest Systems"])
    func substringFalsePositives(subject: String) {
        let info = CertificateInfo(notBefore: nil, notAfter: nil, subject: subject, issuer: subject)
        #expect(!info.looksLikeTestCertificate)
    }
}
