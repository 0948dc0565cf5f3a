// Default-password testing on hashes made with real tools, fingerprints that match ssh-keygen, and no secret in
// any report.
import Foundation
import Testing

struct HashMaker: CustomTestStringConvertible, Sendable {
    let name: String
    let program: String
    let args: [String]      // password is appended
    var testDescription: String { name }
}

let hashMakers: [HashMaker] = [
    HashMaker(name: "DES (mkpasswd)", program: "mkpasswd", args: ["-m", "descrypt"]),
    HashMaker(name: "$1$ (openssl)", program: "openssl", args: ["passwd", "-1"]),
    HashMaker(name: "$1$ (mkpasswd)", program: "mkpasswd", args: ["-m", "md5crypt"]),
    HashMaker(name: "$5$ (openssl)", program: "openssl", args: ["passwd", "-5"]),
    HashMaker(name: "$5$ (mkpasswd)", program: "mkpasswd", args: ["-m", "sha256crypt"]),
    HashMaker(name: "$6$ (openssl)", program: "openssl", args: ["passwd", "-6"]),
    HashMaker(name: "$6$ (mkpasswd, 50000 rounds)", program: "mkpasswd", args: ["-m", "sha512crypt", "-R", "50000"]),
    HashMaker(name: "$y$ (mkpasswd)", program: "mkpasswd", args: ["-m", "yescrypt"]),
    HashMaker(name: "$2b$ (mkpasswd)", program: "mkpasswd", args: ["-m", "bcrypt", "-R", "5"]),
    HashMaker(name: "$gy$ (mkpasswd)", program: "mkpasswd", args: ["-m", "gost-yescrypt"]),
]

@Suite("Credentials with real tools")
struct CredentialToolTests {
    func shadowTree(_ hashes: [(String, String)]) throws -> TempTree {
        var passwd = ""
        var shadow = ""
        for (i, (user, hash)) in hashes.enumerated() {
            passwd += "\(user):x:\(i == 0 ? 0 : 1000 + i):\(i):\(user):/home/\(user):/bin/sh\n"
            shadow += "\(user):\(hash):20000:0:99999:7:::\n"
        }
        return try TempTree(["etc/passwd": passwd, "etc/shadow": shadow, "etc/os-release": osr])
    }

    @Test("a Mirai password is found", arguments: hashMakers)
    func miraiPasswordFound(_ m: HashMaker) throws {
        let hash = try tool(m.program, m.args + ["xc3511"])   // root:xc3511 is the first Mirai entry
        let t = try shadowTree([("root", hash)])
        let r = try audit(t.path, profile: etsiPath)
        #expect(r.status("CRED-02") == "fail", "\(hash): \(r.evidenceText("CRED-02"))")
        #expect(r.evidenceText("CRED-02").contains("mirai.txt:1"))
        #expect(!r.stdout.contains("xc3511"), "the password itself is not printed")
        #expect(!r.stdout.contains(hash), "the hash itself is not printed")
    }

    @Test("a random password is not found", arguments: hashMakers)
    func randomPasswordNotFound(_ m: HashMaker) throws {
        let pw = UUID().uuidString
        let hash = try tool(m.program, m.args + [pw])
        let t = try shadowTree([("root", hash)])
        let r = try audit(t.path, profile: etsiPath)
        #expect(r.status("CRED-02") == "pass", "\(r.evidenceText("CRED-02"))")
        #expect(r.status("CRED-03") == "fail")
    }

    /// A hash crypt(3) does not know is reported as untested (the pool finds it refused), next to a real match.
    @Test func aSchemeCryptRefusesIsReportedNotPassed() throws {
        let t = try shadowTree([("root", try tool("openssl", ["passwd", "-6", "xc3511"])), ("svc", "$9$abcdefgh$notahash")])
        let r = try audit(t.path, profile: etsiPath)
        #expect(r.status("CRED-02") == "fail")
        #expect(r.evidenceText("CRED-02").contains("'svc'") && r.evidenceText("CRED-02").contains("not supported by libcrypt"), "\(r.evidenceText("CRED-02"))")
        let t2 = try shadowTree([("svc", "$9$abcdefgh$notahash")])
        let only = try audit(t2.path, profile: etsiPath)
        #expect(only.status("CRED-02") == "warn", "\(only.evidenceText("CRED-02"))")
    }

    /// A budget too small for the test: CRED-02 says it was cut short and how much was tried, and is no pass.
    @Test func aPasswordBudgetThatRunsOutIsStated() throws {
        let t = try shadowTree(try (0..<6).map { i in ("user\(i)", try tool("mkpasswd", ["-m", "yescrypt", UUID().uuidString])) })
        let r = try audit(t.path, profile: etsiPath, ["--password-budget", "0.2"])
        #expect(r.status("CRED-02") == "warn", "\(r.evidenceText("CRED-02"))")
        let message = r.finding("CRED-02")?["message"] as? String ?? ""
        #expect(message.contains("cut short"), "\(message)")
        #expect(r.evidenceText("CRED-02").contains("pairs were tried on"), "\(r.evidenceText("CRED-02"))")
        let unbounded = try audit(t.path, profile: etsiPath, ["--password-budget", "0"])
        #expect(unbounded.status("CRED-02") == "pass", "no budget: every pair tested, no match")
        #expect(try audit(t.path, profile: etsiPath, ["--password-budget", "-1"]).code == 2)
    }

    @Test func accountNameAndVendorWordsAreCandidates() throws {
        let t = try shadowTree([("root", try tool("mkpasswd", ["-m", "yescrypt", "Testco123"])),
                                ("operator", try tool("openssl", ["passwd", "-6", "operator"])),
                                ("guest", try tool("openssl", ["passwd", "-6", "tc-1!"]))])
        let p = try vendorProfile(t)
        let r = try audit(t.path, profile: p)
        let ev = r.evidenceText("CRED-02")
        #expect(r.status("CRED-02") == "fail")
        #expect(ev.contains("'root'") && ev.contains("Testco"), "\(ev)")
        #expect(ev.contains("'operator'"), "\(ev)")
        #expect(ev.contains("'guest'") && ev.contains("TC-1"), "\(ev)")
    }

    @Test func vendorDefaultFromProfile() throws {
        let t = try shadowTree([("admin", try tool("openssl", ["passwd", "-5", "Zx9-factory-Qw"]))])
        let without = try audit(t.path, profile: try vendorProfile(t))
        #expect(without.status("CRED-02") == "pass")
        let with = try audit(t.path, profile: try vendorProfile(t, extra: "\"credentials\": {\"defaults\": [{\"user\": \"admin\", \"password\": \"Zx9-factory-Qw\"}]}"))
        #expect(with.status("CRED-02") == "fail")
        #expect(with.evidenceText("CRED-02").contains("vendor default (profile.json:"))
    }

    @Test func unsupportedSchemeIsReportedNotGuessed() throws {
        let t = try shadowTree([("root", "$9$notarealscheme$abcdef")])
        let r = try audit(t.path, profile: etsiPath)
        #expect(r.status("CRED-02") == "warn")
        #expect(r.evidenceText("CRED-02").contains("not supported"))
    }

    @Test func hostKeyFingerprintsMatchSshKeygen() throws {
        let t = try TempTree(["etc/os-release": osr])
        try t.mkdir("etc/dropbear")
        try t.mkdir("etc/ssh")
        _ = try tool("dropbearkey", ["-t", "ed25519", "-f", t.sub("etc/dropbear/dropbear_ed25519_host_key")])
        _ = try tool("dropbearkey", ["-t", "rsa", "-s", "2048", "-f", t.sub("etc/dropbear/dropbear_rsa_host_key")])
        _ = try tool("dropbearkey", ["-t", "ecdsa", "-s", "256", "-f", t.sub("etc/dropbear/dropbear_ecdsa_host_key")])
        _ = try tool("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", t.sub("etc/ssh/ssh_host_ed25519_key")])
        _ = try tool("ssh-keygen", ["-q", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "", "-f", t.sub("etc/ssh/ssh_host_rsa_key")])
        var expected: [String: String] = [:]
        let scratch = try TempTree()
        for k in ["ed25519", "rsa", "ecdsa"] {
            let pub = try tool("dropbearkey", ["-y", "-f", t.sub("etc/dropbear/dropbear_\(k)_host_key")])
                .split(separator: "\n").first { $0.hasPrefix("ssh-") || $0.hasPrefix("ecdsa-") }!
            try scratch.write("\(k).pub", String(pub) + "\n")
            expected["/etc/dropbear/dropbear_\(k)_host_key"] = String(try tool("ssh-keygen", ["-lf", scratch.sub("\(k).pub")]).split(separator: " ")[1])
        }
        for k in ["ed25519", "rsa"] {
            expected["/etc/ssh/ssh_host_\(k)_key"] = String(try tool("ssh-keygen", ["-lf", t.sub("etc/ssh/ssh_host_\(k)_key.pub")]).split(separator: " ")[1])
        }
        // remove the .pub files: the fingerprint must come from the private key itself
        for k in ["ed25519", "rsa"] { try FileManager.default.removeItem(atPath: t.sub("etc/ssh/ssh_host_\(k)_key.pub")) }
        let r = try audit(t.path, profile: etsiPath)
        #expect(r.status("CRED-06") == "fail")
        let fps = try #require((r.json?["fingerprints"] as? [String: Any])?["host_keys"] as? [[String: Any]])
        var got: [String: String] = [:]
        for f in fps { got[f["path"] as! String] = f["sha256"] as? String }
        #expect(got == expected)
    }

    @Test func noSecretInAnyReport() throws {
        let t = try TempTree(["etc/os-release": osr])
        let hash = try tool("mkpasswd", ["-m", "sha512crypt", "s3cr3t-unit-pw"])
        try t.write("etc/passwd", "root:x:0:0::/root:/bin/sh\n")
        try t.write("etc/shadow", "root:\(hash):1:0:99999:7:::\n")
        try t.mkdir("etc/dropbear")
        _ = try tool("dropbearkey", ["-t", "ed25519", "-f", t.sub("etc/dropbear/dropbear_ed25519_host_key")])
        try t.mkdir("etc/ssl/private")
        _ = try tool("openssl", ["genpkey", "-algorithm", "ed25519", "-out", t.sub("etc/ssl/private/dev.pem")])
        try t.write("fleet.key", "fleet-key-of-at-least-16-bytes\n")
        let keyPEM = try String(contentsOfFile: t.sub("etc/ssl/private/dev.pem"), encoding: .utf8)
        let keyBody = keyPEM.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        let hostKey = try Data(contentsOf: URL(fileURLWithPath: t.sub("etc/dropbear/dropbear_ed25519_host_key")))
        let salt = String(hash.split(separator: "$")[1])
        for format in ["json", "text"] {
            for keyed in [false, true] {
                let r = try audit(t.path, profile: etsiPath, ["--format", format] + (keyed ? ["--fleet-key-file", t.sub("fleet.key")] : []))
                #expect(r.code == 1)
                #expect(!r.stdout.contains(hash))
                #expect(!r.stdout.contains(String(hash.suffix(40))))
                #expect(!r.stdout.contains(salt), "not even the salt")
                #expect(!r.stdout.contains(keyBody))
                #expect(!r.stdout.contains(String(keyBody.prefix(24))))
                #expect(!r.stdout.contains(hostKey.base64EncodedString()))
                #expect(!r.stdout.contains("s3cr3t-unit-pw"))
                if format == "json" {
                    let fp = try #require(r.json?["fingerprints"] as? [String: Any])
                    let ph = try #require(fp["password_hashes"] as? [[String: Any]])
                    #expect(ph.count == (keyed ? 1 : 0), "password fingerprints only with a fleet key")
                    if keyed {
                        let h = ph[0]["hmac_sha256"] as! String
                        #expect(h.count == 64)
                        #expect(h == hmacHex(key: "fleet-key-of-at-least-16-bytes", message: hash))
                    }
                }
            }
        }
    }
}

/// HMAC-SHA256 computed independently with openssl, to check the report's keyed fingerprint.
func hmacHex(key: String, message: String) -> String {
    let t = try! TempTree(["m": message])
    let out = try! tool("openssl", ["dgst", "-sha256", "-hmac", key, t.sub("m")])
    return String(out.split(separator: " ").last!)
}
