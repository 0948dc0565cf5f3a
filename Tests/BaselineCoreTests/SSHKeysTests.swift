// SSH key handling: public keys derived from private key files (OpenSSH, PKCS#1, Dropbear) must carry the same
// SHA256 fingerprint that `ssh-keygen -lf` prints.
import Foundation
import Testing
@testable import BaselineCore

private let haveSSHKeygen = Tool.available("ssh-keygen")
private let haveDropbear = Tool.available("dropbearkey") && Tool.available("ssh-keygen")

/// The "SHA256:…" fingerprint ssh-keygen prints for a public key file.
private func sshKeygenFingerprint(_ pubPath: String) throws -> String {
    let out = try Tool.run("ssh-keygen", ["-lf", pubPath]).stdout
    let words = out.split(separator: " ")
    guard words.count >= 2, words[1].hasPrefix("SHA256:") else { throw ToolError.failed("ssh-keygen -lf", ToolResult(status: 0, stdout: out, stderr: "")) }
    return String(words[1])
}

/// The public key line ("type base64 comment") dropbearkey prints for a private key file.
private func dropbearPublicLine(_ keyPath: String) throws -> String {
    let out = try Tool.run("dropbearkey", ["-y", "-f", keyPath]).stdout
    guard let line = out.split(separator: "\n").first(where: { $0.hasPrefix("ssh-") || $0.hasPrefix("ecdsa-") }) else {
        throw ToolError.failed("dropbearkey -y", ToolResult(status: 0, stdout: out, stderr: ""))
    }
    return String(line)
}

private func publicBlob(ofLine line: String) -> [UInt8]? {
    let w = line.split(separator: " ")
    guard w.count >= 2 else { return nil }
    return Base64.decode(Array(w[1].utf8))
}

@Suite("SSHKeys: OpenSSH keys", .enabled(if: haveSSHKeygen))
struct OpenSSHKeyTests {
    @Test("fingerprint from an openssh-key-v1 private key equals ssh-keygen -lf", arguments: [
        ("ed25519", [String](), "ssh-ed25519"),
        ("ecdsa", ["-b", "256"], "ecdsa-sha2-nistp256"),
        ("ecdsa", ["-b", "384"], "ecdsa-sha2-nistp384"),
        ("ecdsa", ["-b", "521"], "ecdsa-sha2-nistp521"),
        ("rsa", ["-b", "2048"], "ssh-rsa"),
    ])
    func openSSHFormat(type: String, extra: [String], expectedType: String) throws {
        let dir = try TempDir("sshkeys")
        let key = dir.sub("k")
        try Tool.run("ssh-keygen", ["-q", "-t", type] + extra + ["-N", "", "-C", "unit@test", "-f", key])
        let priv = try dir.read("k")
        #expect(String(decoding: priv.prefix(35), as: UTF8.self) == "-----BEGIN OPENSSH PRIVATE KEY-----")
        let pub = try #require(SSHKeys.publicKey(fromPrivate: priv))
        #expect(pub.type == expectedType)
        #expect(pub.fingerprint == (try sshKeygenFingerprint(key + ".pub")))
        let line = try dir.readText("k.pub")
        #expect(pub.blob == publicBlob(ofLine: line))
        // The .pub line parses to the same key.
        #expect(SSHKeys.parsePublicLine(line) == pub)
    }

    @Test("a passphrase-protected OpenSSH key still yields its public key")
    func encryptedOpenSSH() throws {
        let dir = try TempDir("sshkeys")
        try Tool.run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "correct horse", "-f", dir.sub("k")])
        let pub = try #require(SSHKeys.publicKey(fromPrivate: try dir.read("k")))
        #expect(pub.fingerprint == (try sshKeygenFingerprint(dir.sub("k.pub"))))
    }

    @Test("PKCS#1 RSA PRIVATE KEY (ssh-keygen -m PEM)")
    func pkcs1() throws {
        let dir = try TempDir("sshkeys")
        try Tool.run("ssh-keygen", ["-q", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "", "-f", dir.sub("k")])
        let priv = try dir.read("k")
        #expect(PEM.blocks(priv).first?.label == "RSA PRIVATE KEY")
        let pub = try #require(SSHKeys.publicKey(fromPrivate: priv))
        #expect(pub.type == "ssh-rsa")
        #expect(pub.fingerprint == (try sshKeygenFingerprint(dir.sub("k.pub"))))
        #expect(pub.blob == publicBlob(ofLine: try dir.readText("k.pub")))
    }

    @Test("an encrypted PKCS#1 key gives nil rather than garbage")
    func encryptedPKCS1() throws {
        let dir = try TempDir("sshkeys")
        try Tool.run("ssh-keygen", ["-q", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "secret pass", "-f", dir.sub("k")])
        let priv = try dir.read("k")
        #expect(Text.contains(String(decoding: priv, as: UTF8.self), "ENCRYPTED"))
        #expect(SSHKeys.publicKey(fromPrivate: priv) == nil)
    }
}

@Suite("SSHKeys: Dropbear keys", .enabled(if: haveDropbear))
struct DropbearKeyTests {
    @Test("fingerprint from a Dropbear private key equals ssh-keygen -lf of dropbearkey -y", arguments: [
        ("ed25519", [String](), "ssh-ed25519"),
        ("rsa", ["-s", "2048"], "ssh-rsa"),
        ("ecdsa", [String](), "ecdsa-sha2-nistp256"),
        ("ecdsa", ["-s", "384"], "ecdsa-sha2-nistp384"),
        ("ecdsa", ["-s", "521"], "ecdsa-sha2-nistp521"),
    ])
    func dropbear(type: String, extra: [String], expectedType: String) throws {
        let dir = try TempDir("dropbear")
        try Tool.run("dropbearkey", ["-t", type] + extra + ["-f", dir.sub("d")])
        let line = try dropbearPublicLine(dir.sub("d"))
        try dir.write("d.pub", line + "\n")
        let priv = try dir.read("d")
        #expect(priv.first == 0)
        let pub = try #require(SSHKeys.publicKey(fromPrivate: priv))
        #expect(pub.type == expectedType)
        #expect(pub.fingerprint == (try sshKeygenFingerprint(dir.sub("d.pub"))))
        #expect(pub.blob == publicBlob(ofLine: line))
    }

    @Test("DSS keys, where dropbearkey still makes them")
    func dss() throws {
        let dir = try TempDir("dropbear")
        let made = try Tool.run("dropbearkey", ["-t", "dss", "-f", dir.sub("d")], allowFailure: true)
        try #require(made.status == 0, "dropbearkey cannot make DSS keys here")
        let line = try dropbearPublicLine(dir.sub("d"))
        let pub = try #require(SSHKeys.publicKey(fromPrivate: try dir.read("d")))
        #expect(pub.type == "ssh-dss")
        #expect(pub.blob == publicBlob(ofLine: line))
    }

    @Test("truncated Dropbear keys give nil")
    func truncated() throws {
        let dir = try TempDir("dropbear")
        try Tool.run("dropbearkey", ["-t", "ed25519", "-f", dir.sub("d")])
        let priv = try dir.read("d")
        for cut in [1, 4, 10, 15, 19, 40, priv.count - 1] where cut < priv.count {
            #expect(SSHKeys.publicKey(fromPrivate: Array(priv[0..<cut])) == nil, "cut at \(cut)")
        }
    }
}

@Suite("SSHKeys: parsing")
struct SSHKeyParsingTests {
    static let edLine = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPwerOCQLI/e2H5hGZwXZLujrHyABH4bsP1+HqtUqI1x root@vm"

    @Test("public key lines with options and comments")
    func publicLines() throws {
        let plain = try #require(SSHKeys.parsePublicLine(Self.edLine))
        #expect(plain.type == "ssh-ed25519")
        #expect(plain.blob.count == 51)  // 4+11 type, 4+32 key
        #expect(plain.fingerprint == "SHA256:KTWUbzWEGagBBP4fd/B38qhWuOyoYGUSg3MEYJbTmiY")
        let withOptions = SSHKeys.parsePublicLine("no-pty,command=\"/bin/true\" " + Self.edLine)
        #expect(withOptions == plain)
        #expect(SSHKeys.parsePublicLine("\t" + Self.edLine + "   ") == plain)
    }

    @Test("lines that are not public keys give nil", arguments: [
        "", "# comment", "ssh-ed25519", "ssh-ed25519 !!!", "ssh-ed25519 AAAA",
        // Blob says ssh-ed25519 but the line claims ssh-rsa.
        "ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIPwerOCQLI/e2H5hGZwXZLujrHyABH4bsP1+HqtUqI1x",
        "ecdsa-sha2-nistp256 Zm9vYmFy",
    ])
    func notKeys(line: String) {
        #expect(SSHKeys.parsePublicLine(line) == nil)
    }

    @Test("fingerprint is unpadded base64 of SHA-256 of the blob")
    func fingerprintFormat() {
        let k = SSHPublicKey(type: "x", blob: bytes("abc"))
        #expect(k.fingerprint == "SHA256:ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0")
        #expect(!k.fingerprint.hasSuffix("="))
    }

    @Test("unknown files give nil and never crash")
    func unknown() {
        #expect(SSHKeys.publicKey(fromPrivate: []) == nil)
        #expect(SSHKeys.publicKey(fromPrivate: bytes("not a key")) == nil)
        #expect(SSHKeys.publicKey(fromPrivate: [0, 0, 0, 7] + bytes("ssh-foo") + [0, 0, 0, 0]) == nil)
        #expect(SSHKeys.publicKey(fromPrivate: [0, 0xFF, 0xFF, 0xFF, 0xFF]) == nil)
        #expect(SSHKeys.publicKey(fromPrivate: bytes("-----BEGIN OPENSSH PRIVATE KEY-----\nZm9v\n-----END OPENSSH PRIVATE KEY-----\n")) == nil)
        #expect(SSHKeys.publicKey(fromPrivate: bytes("-----BEGIN RSA PRIVATE KEY-----\nMAA=\n-----END RSA PRIVATE KEY-----\n")) == nil)
        for seed in 1...300 {
            var junk = pseudoRandomBytes(Int(seed) * 3, seed: UInt64(seed))
            if !junk.isEmpty { junk[0] = 0 }
            _ = SSHKeys.publicKey(fromPrivate: junk)
        }
    }

    @Test("mpint encoding")
    func mpint() {
        #expect(SSHWire.mpint([0x00, 0x00, 0x01, 0x00, 0x01][...]) == [0x01, 0x00, 0x01])
        #expect(SSHWire.mpint([0x80][...]) == [0x00, 0x80])
        #expect(SSHWire.mpint([0x00, 0xFF][...]) == [0x00, 0xFF])
        #expect(SSHWire.mpint([0x00][...]) == [])
        #expect(SSHWire.mpint([][...]) == [])
        #expect(SSHWire.mpint([0x7F, 0x01][...]) == [0x7F, 0x01])
    }
}
