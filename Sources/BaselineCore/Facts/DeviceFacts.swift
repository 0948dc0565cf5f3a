// All facts about one root filesystem, gathered once, before any check runs.

public struct PrivateKeyFile {
    public let path: String
    public let line: Int
    public let label: String
    public let publicKey: SSHPublicKey?
    public let digest: [UInt8]       // SHA-256 of the DER; kept in memory only, reported keyed (HMAC) if at all
}

public struct DeviceFacts {
    public var accounts: AccountsFacts
    public var release: ReleaseFacts
    public var services: ServiceFacts
    public var ssh: SSHFacts
    public var update: UpdateFacts
    public var privateKeys: [PrivateKeyFile]
    public var securityTxt: [Evidence]
    public var live: LiveFacts
    public var packages: PackageFacts
    public var components: ComponentFacts
    public var web: WebCredentialFacts

    /// The per-file size limit of the PEM private-key scan (its directories: FactSources.keyDirs).
    public static let keyScanMaxBytes = 256 * 1024

    public static func gather(_ fs: RootView) -> DeviceFacts {
        let accounts = AccountsFacts.gather(fs)
        let services = ServiceFacts.gather(fs)
        let ssh = SSHFacts.gather(fs, services: services, accounts: accounts)
        let update = UpdateFacts.gather(fs, services: services)
        let release = ReleaseFacts.gather(fs)
        let privateKeys = scanPrivateKeys(fs)
        let securityTxt = findSecurityTxt(fs)
        let live = LiveFacts.gather(fs, raucConfig: update.rauc?.systemConf)
        let packages = PackageFacts.gather(fs)
        return DeviceFacts(accounts: accounts, release: release, services: services, ssh: ssh, update: update,
                           privateKeys: privateKeys, securityTxt: securityTxt, live: live, packages: packages,
                           components: ComponentFacts.gather(fs, packages: packages, runningKernel: live.kernel),
                           web: WebCredentialFacts.gather(fs))
    }

    static func scanPrivateKeys(_ fs: RootView) -> [PrivateKeyFile] {
        var out: [PrivateKeyFile] = []
        let marker = Array("PRIVATE KEY-----".utf8)
        for dir in FactSources.keyDirs {
            fs.walkTree(dir, maxDepth: 8, maxEntries: 20_000) { path, kind, size in
                guard kind == .regular, size > 0, size <= keyScanMaxBytes, out.count < 1000 else { return }
                guard let b = fs.read(path, limit: keyScanMaxBytes), Text.indexOf(b, marker) != nil else { return }
                for blk in PEM.blocks(b, maxBlocks: 16) where blk.isPrivateKey {
                    var pub: SSHPublicKey? = nil
                    if let der = blk.der {
                        if blk.label == "OPENSSH PRIVATE KEY" { pub = SSHKeys.fromOpenSSHv1(der) }
                        else if blk.label == "RSA PRIVATE KEY" { pub = SSHKeys.fromPKCS1(der) }
                    }
                    out.append(PrivateKeyFile(path: path, line: blk.line, label: blk.label, publicKey: pub,
                                              digest: SHA256.hash(blk.der ?? [])))
                }
            }
        }
        // Dropbear host keys are binary, not PEM: the SSH facts already hold them.
        return out
    }

    static func findSecurityTxt(_ fs: RootView) -> [Evidence] {
        var out: [Evidence] = []
        for base in ["/www", "/var/www", "/var/www/html", "/usr/share/www", "/srv/www", "/usr/lib/lua/luci/view", "/etc"] {
            for rel in ["/.well-known/security.txt", "/security.txt"] {
                let p = base + rel
                guard let b = fs.read(p, limit: 65536) else { continue }
                for l in Text.lines(b) where Text.lower(l.text).hasPrefix("contact:") {
                    out.append(Evidence(p, l.number, Text.trim(l.text)))
                }
            }
        }
        return out
    }
}
