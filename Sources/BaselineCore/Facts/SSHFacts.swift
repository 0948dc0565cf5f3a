// SSH daemons and keys in the image: sshd_config (with Include), Dropbear arguments (init scripts, /etc/default,
// OpenWrt UCI), private host keys, and authorized_keys files.

public struct ConfigSetting {
    public let key: String
    public let value: String
    public let path: String
    public let line: Int
}

public struct HostKeyFile {
    public let path: String
    public let publicKey: SSHPublicKey?   // derived; nil when the format is unknown
    public let sizeBytes: Int
}

public struct AuthorizedKey {
    public let path: String
    public let line: Int
    public let key: SSHPublicKey?
}

public struct SSHFacts {
    public var sshdConfigPath: String?
    public var sshdSettings: [ConfigSetting] = []       // first occurrence of each key wins, as in sshd
    public var dropbearPresent = false
    public var dropbearArgs: [StartLine] = []            // lines that carry dropbear's arguments
    public var dropbearUCI: [ConfigSetting] = []         // OpenWrt /etc/config/dropbear options
    public var hostKeys: [HostKeyFile] = []
    public var authorizedKeys: [AuthorizedKey] = []
    public var authorizedKeyFiles: [String] = []

    public func sshd(_ key: String) -> ConfigSetting? {
        let k = Text.lower(key)
        for s in sshdSettings where Text.lower(s.key) == k { return s }
        return nil
    }

    public static func gather(_ fs: RootView, services: ServiceFacts, accounts: AccountsFacts) -> SSHFacts {
        var f = SSHFacts()
        if let b = fs.read("/etc/ssh/sshd_config", limit: 1 << 20) {
            f.sshdConfigPath = "/etc/ssh/sshd_config"
            var seen: Set<String> = []
            parseSSHD(fs, b, path: "/etc/ssh/sshd_config", depth: 0, seen: &seen, into: &f.sshdSettings)
        }
        for p in ["/usr/sbin/dropbear", "/usr/bin/dropbear", "/usr/sbin/dropbearmulti", "/usr/bin/dropbearmulti"] where fs.exists(p) {
            f.dropbearPresent = true
        }
        f.dropbearArgs = services.argumentLines("dropbear")
        if !f.dropbearArgs.isEmpty { f.dropbearPresent = true }
        if let b = fs.read("/etc/config/dropbear", limit: 65536) {
            f.dropbearPresent = true
            for l in Text.lines(b) {
                let w = Text.words(Text.trim(l.text))
                if w.count >= 3 && w[0] == "option" {
                    f.dropbearUCI.append(ConfigSetting(key: w[1], value: Text.unquote(w[2]), path: "/etc/config/dropbear", line: l.number))
                }
            }
        }
        // Private host keys
        var keyPaths: [String] = []
        for n in fs.list("/etc/dropbear") where n.hasPrefix("dropbear_") && n.hasSuffix("_host_key") { keyPaths.append("/etc/dropbear/" + n) }
        for n in fs.list("/etc/ssh") where n.hasPrefix("ssh_host_") && n.hasSuffix("_key") { keyPaths.append("/etc/ssh/" + n) }
        for p in keyPaths {
            guard let info = fs.info(p), info.kind == .regular, info.size > 0, let b = fs.read(p, limit: 1 << 20) else { continue }
            var pub = SSHKeys.publicKey(fromPrivate: b)
            if pub == nil, let pb = fs.read(p + ".pub", limit: 65536), let first = Text.lines(pb).first {
                pub = SSHKeys.parsePublicLine(first.text)
            }
            f.hostKeys.append(HostKeyFile(path: info.path, publicKey: pub, sizeBytes: info.size))
        }
        // authorized_keys
        var akPaths = ["/root/.ssh/authorized_keys", "/root/.ssh/authorized_keys2", "/etc/dropbear/authorized_keys"]
        for a in accounts.accounts where !a.home.isEmpty && a.home != "/" && a.home != "/root" {
            akPaths.append(Text.join(a.home, ".ssh/authorized_keys"))
        }
        for n in fs.list("/home") { akPaths.append("/home/" + n + "/.ssh/authorized_keys") }
        var seenPaths: Set<String> = []
        for p in akPaths {
            guard let info = fs.info(p), info.kind == .regular, !seenPaths.contains(info.path) else { continue }
            seenPaths.insert(info.path)
            guard let b = fs.read(p, limit: 1 << 20) else { continue }
            f.authorizedKeyFiles.append(info.path)
            for l in Text.lines(b) {
                let t = Text.trim(l.text)
                if t.isEmpty || t.hasPrefix("#") { continue }
                f.authorizedKeys.append(AuthorizedKey(path: info.path, line: l.number, key: SSHKeys.parsePublicLine(t)))
            }
        }
        return f
    }

    static func parseSSHD(_ fs: RootView, _ bytes: [UInt8], path: String, depth: Int, seen: inout Set<String>,
                          into out: inout [ConfigSetting]) {
        if depth > 4 || seen.contains(path) { return }
        seen.insert(path)
        var inMatch = false
        for l in Text.lines(bytes) {
            let t = Text.trim(Text.stripComment(l.text))
            if t.isEmpty { continue }
            var w = Text.words(t)
            if w.count == 1, let eq = Array(t.utf8).firstIndex(of: 61) {
                let u = Array(t.utf8)
                w = [String(decoding: u[0..<eq], as: UTF8.self), String(decoding: u[(eq + 1)...], as: UTF8.self)]
            }
            guard w.count >= 2 else { continue }
            let key = Text.lower(w[0])
            if key == "match" { inMatch = true; continue }
            if key == "include" {
                for pattern in w[1...] {
                    let full = pattern.hasPrefix("/") ? pattern : "/etc/ssh/" + pattern
                    let dir = Text.dirname(full)
                    let base = Text.basename(full)
                    let parts = Text.split(base, 42) // '*'
                    for n in fs.list(dir) {
                        let ok = parts.count == 1 ? n == base : Text.matches(n, prefix: parts[0], suffix: parts[parts.count - 1])
                        if ok, let ib = fs.read(Text.join(dir, n), limit: 1 << 20) {
                            parseSSHD(fs, ib, path: Text.join(dir, n), depth: depth + 1, seen: &seen, into: &out)
                        }
                    }
                }
                continue
            }
            if inMatch { continue }
            out.append(ConfigSetting(key: w[0], value: Text.unquote(w[1]), path: path, line: l.number))
        }
    }
}
