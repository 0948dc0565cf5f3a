// Update-bundle signatures (issue 17): bundles made here with the real tools — `rauc bundle` (plain and verity),
// an SWUpdate .swu whose sw-description is signed with `openssl cms`, `mender-artifact write -k` — signed by a test
// PKI made with the openssl CLI: valid, unsigned, tampered, wrong signer, expired or short-lived certificate,
// development certificate. Each gives the right UPD-11..UPD-15 finding with the signature file and the certificate
// subject as evidence, and agrees with `rauc info --keyring` and `openssl cms -verify`.
import Foundation
import Testing

/// A test PKI and the payloads the bundles wrap, made once per test.
final class BundleLab {
    let t: TempTree
    let sample = Repo.path("Firmware-samples/yocto-scarthgap-acme-rauc")

    init() throws {
        t = try TempTree()
        let script = """
        set -e; cd '\(t.path)'
        ca() { openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 7300 -subj "$2" -keyout $1.key -out $1.pem 2>/dev/null; }
        leaf() { openssl req -newkey rsa:2048 -nodes -sha256 -subj "$2" -keyout $1.key -out $1.csr 2>/dev/null
                 printf 'basicConstraints=CA:FALSE\\nkeyUsage=digitalSignature\\n' > ext.cnf
                 openssl x509 -req -in $1.csr -CA $3.pem -CAkey $3.key -CAcreateserial -days $4 -sha256 -extfile ext.cnf -out $1.pem 2>/dev/null; }
        ca acme-ca "/O=Acme Networks/CN=Acme Release CA"
        ca other-ca "/O=Other Vendor/CN=Other Release CA"
        leaf release "/O=Acme Networks/CN=Acme Release Signing 2026" acme-ca 3650
        leaf short "/O=Acme Networks/CN=Acme Release Signing Q1" acme-ca 30
        leaf devel "/O=Acme Networks/CN=Acme Development Signing" acme-ca 3650
        leaf other "/O=Other Vendor/CN=Other Release Signing" other-ca 3650
        mke2fs -q -F -t ext4 -d '\(sample)' -E root_owner=0:0 rootfs.ext4 16M
        """
        let r = try run("/bin/bash", ["-c", script], timeout: 120)
        guard r.code == 0 else { throw ToolError(message: "test PKI: \(r.stderr)") }
    }

    func path(_ n: String) -> String { t.sub(n) }

    /// `rauc bundle` of rootfs.ext4, signed by `signer`, in the plain or verity format.
    func rauc(_ name: String, signer: String, format: String) throws -> String {
        let dir = t.sub(name + ".d")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: t.sub("rootfs.ext4"), toPath: dir + "/rootfs.ext4")
        try "[update]\ncompatible=acme-gw7100\nversion=7200.3.1\n\n[bundle]\nformat=\(format)\n\n[image.rootfs]\nfilename=rootfs.ext4\n"
            .write(toFile: dir + "/manifest.raucm", atomically: false, encoding: .utf8)
        let out = t.sub(name + ".raucb")
        let r = try run("/usr/bin/rauc", ["bundle", "--cert=" + t.sub(signer + ".pem"), "--key=" + t.sub(signer + ".key"), dir, out], timeout: 120)
        guard r.code == 0 else { throw ToolError(message: "rauc bundle: \(r.stderr)") }
        return out
    }

    /// An SWUpdate bundle (cpio -H crc, sw-description first) whose sw-description is signed by `signer` with
    /// `openssl cms -sign` (CONFIG_SIGALG_CMS); `tamper` edits sw-description after signing.
    func swu(_ name: String, signer: String?, tamper: Bool = false, tamperPayload: Bool = false) throws -> String {
        let dir = t.sub(name + ".d")
        let sign = signer.map { "openssl cms -sign -binary -nosmimecap -outform DER -in sw-description -signer '\(t.sub($0 + ".pem"))' -inkey '\(t.sub($0 + ".key"))' -out sw-description.sig" } ?? "true"
        let files = signer == nil ? "sw-description rootfs.ext4.gz" : "sw-description sw-description.sig rootfs.ext4.gz"
        let script = """
        set -e; mkdir -p '\(dir)'; cd '\(dir)'; gzip -9n < '\(t.sub("rootfs.ext4"))' > rootfs.ext4.gz
        printf 'software =\\n{\\n\\tversion = "7100.1.9";\\n\\timages: ( { filename = "rootfs.ext4.gz"; device = "/dev/mmcblk0p2"; compressed = "zlib"; sha256 = "%s"; } );\\n}\\n' $(sha256sum rootfs.ext4.gz | cut -d' ' -f1) > sw-description
        \(sign)
        \(tamper ? "sed -i 's/mmcblk0p2/mmcblk0p3/' sw-description" : "true")
        \(tamperPayload ? "gzip -1n < '\(t.sub("rootfs.ext4"))' > rootfs.ext4.gz" : "true")
        printf '%s\\n' \(files) | cpio -o -H crc -R 0:0 --quiet > '\(t.sub(name + ".swu"))'
        """
        let r = try run("/bin/bash", ["-c", script], timeout: 120)
        guard r.code == 0 else { throw ToolError(message: "swu: \(r.stderr)") }
        return t.sub(name + ".swu")
    }

    func audit(_ file: String, _ extra: [String] = []) throws -> RunResult {
        try baseline(["audit", file, "--profile", "acme-gateway", "--format", "json", "--date", Repo.auditDate] + extra, timeout: 120)
    }
}

@Suite("Update bundle signatures")
struct BundleSignatureTests {
    static let ids = ["UPD-11", "UPD-12", "UPD-13", "UPD-14", "UPD-15"]

    func statuses(_ r: RunResult) -> [String] { Self.ids.map { r.status($0) ?? "-" } }

    @Test("RAUC: a valid bundle, plain and verity, verifies against the keyring as rauc info does", arguments: ["plain", "verity"])
    func raucValid(_ format: String) throws {
        let lab = try BundleLab()
        let b = try lab.rauc("valid-" + format, signer: "release", format: format)
        let r = try lab.audit(b, ["--keyring", lab.path("acme-ca.pem")])
        #expect(statuses(r) == ["pass", "pass", "pass", "pass", "pass"], "\(r.stderr) \(statuses(r))")
        #expect(r.evidenceText("UPD-13").contains("CN=Acme Release Signing 2026"), "\(r.evidenceText("UPD-13"))")
        #expect((r.finding("UPD-11")?["message"] as? String ?? "").contains(format), "the format is named")
        #expect(try run("/usr/bin/rauc", ["info", "--keyring", lab.path("acme-ca.pem"), b]).code == 0, "rauc agrees")
        // The same bundle against another vendor's keyring: the signer is not in it, for rauc too.
        let other = try lab.audit(b, ["--keyring", lab.path("other-ca.pem")])
        #expect(statuses(other) == ["pass", "pass", "fail", "pass", "pass"], "\(statuses(other))")
        #expect(try run("/usr/bin/rauc", ["info", "--keyring", lab.path("other-ca.pem"), b]).code != 0)
    }

    @Test func raucUnsignedTamperedWrongSignerDevelopmentKey() throws {
        let lab = try BundleLab()
        let keyring = ["--keyring", lab.path("acme-ca.pem")]
        // Unsigned: the bundle cut before its CMS signature.
        let plain = try lab.rauc("p", signer: "release", format: "plain")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: plain))
        let sigSize = bytes.suffix(8).reduce(0) { $0 << 8 | Int($1) }
        try bytes.prefix(bytes.count - 8 - sigSize).write(to: URL(fileURLWithPath: lab.path("unsigned.raucb")))
        let unsigned = try lab.audit(lab.path("unsigned.raucb"), keyring)
        #expect(unsigned.status("UPD-11") == "fail" && unsigned.code == 1, "\(unsigned.stderr) \(statuses(unsigned))")
        #expect(unsigned.evidenceText("UPD-11").contains("(CMS signature appended)"))
        // Tampered: one byte of the SquashFS padding (inside what is signed, outside what is read) changed.
        for (name, format) in [("tp", "plain"), ("tv", "verity")] {
            let b = try lab.rauc(name, signer: "release", format: format)
            bytes = try Data(contentsOf: URL(fileURLWithPath: b))
            let squashfsUsed = bytes[40..<48].reversed().reduce(0) { $0 << 8 | Int($1) }
            #expect(bytes[squashfsUsed] == 0, "padding after the SquashFS")
            bytes[squashfsUsed] = 0x5A
            try bytes.write(to: URL(fileURLWithPath: b))
            let r = try lab.audit(b, keyring)
            #expect(r.status("UPD-12") == "fail", "\(format): \(statuses(r)) \(r.stderr)")
            #expect(r.evidenceText("UPD-12").contains("CN=Acme Release Signing 2026"), "\(r.evidenceText("UPD-12"))")
            if format == "plain" { #expect(try run("/usr/bin/rauc", ["info", "--keyring", lab.path("acme-ca.pem"), b]).code != 0, "rauc agrees") }
            else { #expect((r.finding("UPD-12")?["message"] as? String ?? "") != "" && r.evidenceText("UPD-12").contains("dm-verity root hash")) }
        }
        // Wrong signer: another vendor's key.
        let wrong = try lab.audit(try lab.rauc("w", signer: "other", format: "verity"), keyring)
        #expect(statuses(wrong) == ["pass", "pass", "fail", "pass", "pass"], "\(statuses(wrong))")
        #expect(wrong.evidenceText("UPD-13").contains("CN=Other Release Signing"))
        // A development certificate, chained to the right CA.
        let dev = try lab.audit(try lab.rauc("d", signer: "devel", format: "verity"), keyring)
        #expect(statuses(dev) == ["pass", "pass", "pass", "pass", "fail"], "\(statuses(dev))")
        #expect(dev.evidenceText("UPD-15").contains("CN=Acme Development Signing"))
    }

    @Test func raucCertificateDatesAgainstTheAuditDateAndTheSupportPeriod() throws {
        let lab = try BundleLab()
        let keyring = ["--keyring", lab.path("acme-ca.pem")]
        // Valid for 30 days: expires before the profile's support end (2028-04-30) → warn.
        let short = try lab.audit(try lab.rauc("s", signer: "short", format: "verity"), keyring)
        #expect(short.status("UPD-14") == "warn", "\(statuses(short))")
        #expect((short.finding("UPD-14")?["message"] as? String ?? "").contains("2028-04-30"))
        // Audited in 2040, the ten-year certificate has expired → fail.
        let later = try baseline(["audit", try lab.rauc("l", signer: "release", format: "verity"), "--profile", "acme-gateway",
                                  "--format", "json", "--date", "2040-01-01"] + keyring, timeout: 120)
        #expect(later.status("UPD-14") == "fail", "\(statuses(later))")
        #expect(later.evidenceText("UPD-14").contains("CN=Acme Release Signing 2026"))
    }

    @Test func swupdateCMS() throws {
        let lab = try BundleLab()
        let keyring = ["--keyring", lab.path("acme-ca.pem")]
        let valid = try lab.swu("valid", signer: "release")
        let r = try lab.audit(valid, keyring)
        #expect(statuses(r) == ["pass", "pass", "pass", "pass", "pass"], "\(statuses(r)) \(r.stderr)")
        #expect(r.evidenceText("UPD-13").contains("sw-description.sig") && r.evidenceText("UPD-13").contains("CN=Acme Release Signing 2026"))
        let d = lab.path("valid.d")
        #expect(try run("/usr/bin/openssl", ["cms", "-verify", "-binary", "-inform", "DER", "-in", d + "/sw-description.sig", "-content",
                                             d + "/sw-description", "-CAfile", lab.path("acme-ca.pem"), "-purpose", "any", "-out", "/dev/null"]).code == 0)
        let tampered = try lab.audit(try lab.swu("tampered", signer: "release", tamper: true), keyring)
        #expect(statuses(tampered).prefix(2) == ["pass", "fail"], "\(statuses(tampered))")
        let t = lab.path("tampered.d")
        #expect(try run("/usr/bin/openssl", ["cms", "-verify", "-binary", "-inform", "DER", "-in", t + "/sw-description.sig", "-content",
                                             t + "/sw-description", "-CAfile", lab.path("acme-ca.pem"), "-purpose", "any", "-out", "/dev/null"]).code != 0)
        let wrong = try lab.audit(try lab.swu("wrong", signer: "other"), keyring)
        #expect(statuses(wrong) == ["pass", "pass", "fail", "pass", "pass"], "\(statuses(wrong))")
        let unsigned = try lab.audit(try lab.swu("unsigned", signer: nil), keyring)
        #expect(unsigned.status("UPD-11") == "fail" && unsigned.evidenceText("UPD-11").contains("sw-description.sig"))
        // The payload swapped after signing (the same file system, compressed again): sw-description still verifies,
        // but the image's SHA-256 is not the one it signs (sha256sum agrees), so the bundle is not what was signed.
        let swapped = try lab.audit(try lab.swu("swapped", signer: "release", tamperPayload: true), keyring)
        #expect(statuses(swapped).prefix(2) == ["pass", "fail"], "\(statuses(swapped)) \(swapped.stderr)")
        #expect(swapped.evidenceText("UPD-12").contains("rootfs.ext4.gz: sha256 ") && swapped.evidenceText("UPD-12").contains("CN=Acme Release Signing 2026"),
                "\(swapped.evidenceText("UPD-12"))")
        let listed = try String(contentsOfFile: lab.path("swapped.d/sw-description"), encoding: .utf8)
        let actual = String(try run("/usr/bin/sha256sum", [lab.path("swapped.d/rootfs.ext4.gz")]).stdout.prefix(64))
        #expect(!listed.contains(actual) && swapped.evidenceText("UPD-12").contains(actual))
        #expect(r.evidenceText("UPD-11").contains("SHA-256 of its 1 payload file(s)"), "the valid bundle's payload was checked: \(r.evidenceText("UPD-11"))")
        // Audited in 2040, the release certificate (ten years from today) has expired.
        let later = try baseline(["audit", valid, "--profile", "acme-gateway", "--format", "json", "--date", "2040-01-01"] + keyring, timeout: 120)
        #expect(later.status("UPD-14") == "fail" && later.evidenceText("UPD-14").contains("CN=Acme Release Signing 2026"), "\(statuses(later))")
        #expect(later.evidenceText("UPD-14").contains("sw-description.sig"))
    }

    @Test func aTestKeyTheProfileNamesFailsUPD15() throws {
        let lab = try BundleLab()
        let keyring = ["--keyring", lab.path("acme-ca.pem")]
        let spki = try run("/bin/bash", ["-c", "openssl x509 -in '\(lab.path("release.pem"))' -noout -pubkey | openssl pkey -pubin -outform der | sha256sum | cut -c1-64"])
        try #require(spki.code == 0 && spki.stdout.count >= 64)
        let key = String(spki.stdout.prefix(64))
        try "{\"schema\": \"baseline.profile/1\", \"id\": \"acme-with-test-keys\", \"extends\": \"\(Repo.path("Profiles/vendors/acme-gateway.json"))\", \"update\": {\"test_keys\": [\"sha256:\(key.uppercased())\"]}}\n"
            .write(toFile: lab.path("profile.json"), atomically: false, encoding: .utf8)
        let b = try lab.rauc("tk", signer: "release", format: "verity")
        let r = try baseline(["audit", b, "--profile", lab.path("profile.json"), "--format", "json", "--date", Repo.auditDate] + keyring, timeout: 120)
        #expect(statuses(r) == ["pass", "pass", "pass", "pass", "fail"], "\(statuses(r)) \(r.stderr)")
        #expect(r.evidenceText("UPD-15").contains("key sha256:\(key)") && r.evidenceText("UPD-15").contains("CN=Acme Release Signing 2026"), "\(r.evidenceText("UPD-15"))")
        // Without the profile's list the same release key passes.
        #expect(try lab.audit(b, keyring).status("UPD-15") == "pass")
        // A malformed entry is one line naming the file and the line.
        try "{\"schema\": \"baseline.profile/1\", \"id\": \"bad\",\n \"update\": {\"test_keys\": [\"\(key)\"]}}\n".write(toFile: lab.path("bad.json"), atomically: false, encoding: .utf8)
        let bad = try baseline(["audit", b, "--profile", lab.path("bad.json")], timeout: 120)
        #expect(bad.code == 2 && bad.stderr.contains("bad.json:2") && bad.stderr.contains("'sha256:' and 64 hex digits"), "\(bad.code) \(bad.stderr)")
    }

    @Test func menderArtifactSignature() throws {
        let lab = try BundleLab()
        let make = """
        set -e; cd '\(lab.t.path)'
        openssl genrsa -traditional -out mender.key 3072 2>/dev/null; openssl rsa -in mender.key -pubout -out mender.pub 2>/dev/null
        openssl genrsa -traditional -out stranger.key 3072 2>/dev/null; openssl rsa -in stranger.key -pubout -out stranger.pub 2>/dev/null
        mender-artifact write rootfs-image -t acme-gw7100 -n acme-7200.3.1 -f rootfs.ext4 -k mender.key -o signed.mender >/dev/null
        mender-artifact write rootfs-image -t acme-gw7100 -n acme-7200.3.1 -f rootfs.ext4 -o unsigned.mender >/dev/null
        """
        let m = try run("/bin/bash", ["-c", make], timeout: 180)
        try #require(m.code == 0, "\(m.stderr)")
        let ok = try lab.audit(lab.path("signed.mender"), ["--keyring", lab.path("mender.pub")])
        #expect(statuses(ok) == ["pass", "pass", "pass", "skip", "pass"], "\(statuses(ok)) \(ok.stderr)")
        #expect(try run("/usr/bin/mender-artifact", ["validate", "-k", lab.path("mender.pub"), lab.path("signed.mender")]).code == 0)
        let stranger = try lab.audit(lab.path("signed.mender"), ["--keyring", lab.path("stranger.pub")])
        #expect(stranger.status("UPD-12") == "fail" && stranger.evidenceText("UPD-12").contains("manifest.sig"), "\(statuses(stranger))")
        #expect(try run("/usr/bin/mender-artifact", ["validate", "-k", lab.path("stranger.pub"), lab.path("signed.mender")]).code != 0)
        let none = try lab.audit(lab.path("signed.mender"))
        #expect(none.status("UPD-12") == "warn", "no key: nothing known about the signature — \(statuses(none))")
        #expect(try lab.audit(lab.path("unsigned.mender")).status("UPD-11") == "fail")
        // The payload swapped after signing: the rootfs changed inside data/0000.tar.gz, the signed manifest kept.
        let swap = """
        set -e; cd '\(lab.t.path)'; rm -rf sw; mkdir -p sw/outer sw/inner; cd sw
        tar -xf ../signed.mender -C outer; tar -xzf outer/data/0000.tar.gz -C inner
        printf 'x' | dd of=inner/rootfs.ext4 bs=1 seek=2000000 conv=notrunc 2>/dev/null
        (cd inner && tar -czf ../outer/data/0000.tar.gz --owner=0 --group=0 *)
        (cd outer && tar -cf ../../swapped.mender --owner=0 --group=0 version manifest manifest.sig header.tar.gz data/0000.tar.gz)
        """
        let sw = try run("/bin/bash", ["-c", swap], timeout: 120)
        try #require(sw.code == 0, "\(sw.stderr)")
        #expect(try run("/usr/bin/mender-artifact", ["validate", "-k", lab.path("mender.pub"), lab.path("swapped.mender")]).code != 0, "mender-artifact refuses it too")
        let swapped = try lab.audit(lab.path("swapped.mender"), ["--keyring", lab.path("mender.pub")])
        #expect(swapped.status("UPD-12") == "fail", "\(statuses(swapped)) \(swapped.stderr)")
        #expect(swapped.evidenceText("UPD-12").contains("data/0000/rootfs.ext4: sha256 ") && swapped.evidenceText("UPD-12").contains("manifest.sig"),
                "\(swapped.evidenceText("UPD-12"))")
        #expect(ok.evidenceText("UPD-11").contains("payload file(s)"), "\(ok.evidenceText("UPD-11"))")
        // Mender signs with a bare key (no certificate, so UPD-14 has nothing to date): a key the vendor's profile names
        // as its test key fails UPD-15 by the key's fingerprint.
        let spki = try run("/bin/bash", ["-c", "openssl pkey -pubin -in '\(lab.path("mender.pub"))' -outform der | sha256sum | cut -c1-64"])
        let key = String(spki.stdout.prefix(64))
        try "{\"schema\": \"baseline.profile/1\", \"id\": \"acme-mender-test\", \"extends\": \"\(Repo.path("Profiles/vendors/acme-gateway.json"))\", \"update\": {\"test_keys\": [\"sha256:\(key)\"]}}\n"
            .write(toFile: lab.path("mender-profile.json"), atomically: false, encoding: .utf8)
        let test = try baseline(["audit", lab.path("signed.mender"), "--profile", lab.path("mender-profile.json"), "--format", "json",
                                 "--date", Repo.auditDate, "--keyring", lab.path("mender.pub")], timeout: 120)
        #expect(statuses(test) == ["pass", "pass", "pass", "skip", "fail"], "\(statuses(test)) \(test.stderr)")
        #expect(test.evidenceText("UPD-15").contains("manifest.sig") && test.evidenceText("UPD-15").contains(key), "\(test.evidenceText("UPD-15"))")
    }

    @Test func keyringOnARootFilesystemIsAMistake() throws {
        let r = try baseline(["audit", Repo.path("Firmware-samples/yocto-scarthgap-acme-rauc"), "--keyring", "/etc/hostname", "--profile", "acme-gateway"])
        #expect(r.code == 2 && r.stderr.contains("not an update bundle"), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1)
    }
}
