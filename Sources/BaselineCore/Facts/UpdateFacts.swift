// The update channel as configured in the image: which mechanisms exist (SWUpdate, RAUC, Mender, opkg, apk, apt,
// OpenWrt sysupgrade), how each verifies what it installs, where it fetches from, and whether it checks by itself.

public struct Evidence: Equatable {
    public var path: String
    public var line: Int
    public var detail: String
    public init(_ path: String, _ line: Int, _ detail: String) { self.path = path; self.line = line; self.detail = detail }
}

public struct FeedURL {
    public let url: String
    public let mechanism: String
    public let evidence: Evidence
    public var bypassed = false      // this source is exempt from signature checks (apt [trusted=yes] …)
    public var isHTTP: Bool { Text.lower(url).hasPrefix("http://") || Text.lower(url).hasPrefix("ftp://") }
    public var isHTTPS: Bool { Text.lower(url).hasPrefix("https://") }
}

public struct KeyFileRef {
    public let path: String          // as configured
    public let evidence: Evidence    // where it is configured
    public let exists: Bool
    public let certificates: [CertificateInfo]
    public let hasPublicKey: Bool
}

public struct SWUpdateFacts {
    public var config: LibconfigFile?
    public var argLines: [StartLine] = []
    public var key: KeyFileRef?
    public var suricattaURL: (String, Evidence)?
    public var pollDelay: (Int, Evidence)?
    public var noCheckCert: Evidence?
    public var suricattaEnabled: Evidence?
}

public struct RaucFacts {
    public var systemConf: IniFile?
    public var keyring: KeyFileRef?
    public var keyringDirectory: Bool = false
    public var slots: Int = 0
    public var hawkbit: IniFile?
    public var hawkbitEnabled: Evidence?
}

public struct MenderFacts {
    public var confPath: String?
    public var serverURL: (String, Evidence)?
    public var verifyKeys: [KeyFileRef] = []
    public var skipVerify: Evidence?
    public var pollSeconds: (Int, Evidence)?
    public var daemonEnabled: Evidence?
    public var parseError: Evidence?
}

public struct PackageFeedFacts {
    public var confFiles: [String] = []
    public var feeds: [FeedURL] = []
    public var signatureCheck: Evidence?          // opkg: option check_signature
    public var signatureBypass: [Evidence] = []   // trusted=yes, allow-untrusted, AllowInsecureRepositories, …
    public var tlsVerifyOff: [Evidence] = []
    public var missingSignedBy: [Evidence] = []   // apt sources without Signed-By
    public var keys: [String] = []
    public var automatic: [Evidence] = []
}

public struct UpdateFacts {
    public var mechanisms: [(name: String, evidence: Evidence)] = []
    public var swupdate: SWUpdateFacts?
    public var rauc: RaucFacts?
    public var mender: MenderFacts?
    public var opkg: PackageFeedFacts?
    public var apk: PackageFeedFacts?
    public var apt: PackageFeedFacts?
    public var sysupgrade: Evidence?
    public var timers: [Evidence] = []             // cron/systemd timers that run an update tool

    public func has(_ name: String) -> Bool { mechanisms.contains { $0.name == name } }

    static func firstExisting(_ fs: RootView, _ paths: [String]) -> String? {
        for p in paths where fs.exists(p) { return p }
        return nil
    }

    static func keyRef(_ fs: RootView, _ path: String, _ ev: Evidence, base: String = "/") -> KeyFileRef {
        let full = path.hasPrefix("/") ? path : Text.join(base, path)
        var certs: [CertificateInfo] = []
        var hasPub = false
        var exists = false
        if let info = fs.info(full) {
            if info.kind == .regular, let b = fs.read(full, limit: 1 << 20) {
                exists = !b.isEmpty
                for blk in PEM.blocks(b) {
                    if blk.isCertificate, let der = blk.der, let c = CertificateInfo.parse(der: der) { certs.append(c) }
                    if blk.isPublicKey { hasPub = true }
                }
            } else if info.kind == .directory {
                let names = fs.list(full)
                exists = !names.isEmpty
                for n in names.prefix(64) {
                    if let b = fs.read(Text.join(full, n), limit: 1 << 20) {
                        for blk in PEM.blocks(b) where blk.isCertificate {
                            if let der = blk.der, let c = CertificateInfo.parse(der: der) { certs.append(c) }
                        }
                    }
                }
            }
        }
        return KeyFileRef(path: full, evidence: ev, exists: exists, certificates: certs, hasPublicKey: hasPub)
    }

    public static func gather(_ fs: RootView, services: ServiceFacts) -> UpdateFacts {
        var u = UpdateFacts()
        gatherSWUpdate(fs, services, &u)
        gatherRauc(fs, services, &u)
        gatherMender(fs, services, &u)
        gatherOpkg(fs, services, &u)
        gatherApk(fs, services, &u)
        gatherApt(fs, services, &u)
        if let p = firstExisting(fs, ["/sbin/sysupgrade", "/usr/sbin/sysupgrade"]) {
            u.sysupgrade = Evidence(p, 0, "OpenWrt sysupgrade present")
            u.mechanisms.append(("sysupgrade", Evidence(p, 0, "OpenWrt sysupgrade (manual firmware upgrade)")))
        }
        for tool in ["opkg", "apk", "apt-get", "apt", "unattended-upgrade", "sysupgrade", "owut", "auc", "swupdate", "rauc", "mender", "mender-update"] {
            for l in services.starts(tool, kinds: [.cron]) { u.timers.append(Evidence(l.path, l.line, l.text)) }
        }
        for l in services.lines where l.kind == .systemd && l.enabled && l.path.hasSuffix(".timer") {
            let n = Text.lower(Text.basename(l.path))
            if Text.contains(n, "update") || Text.contains(n, "upgrade") || Text.contains(n, "apt-daily") {
                u.timers.append(Evidence(l.path, l.line, "enabled timer " + Text.basename(l.path) + " (" + l.via + ")"))
            }
        }
        return u
    }

    static func gatherSWUpdate(_ fs: RootView, _ services: ServiceFacts, _ u: inout UpdateFacts) {
        let bin = firstExisting(fs, ["/usr/bin/swupdate", "/usr/sbin/swupdate", "/bin/swupdate"])
        let cfgPath = firstExisting(fs, ["/etc/swupdate.cfg", "/etc/swupdate/swupdate.cfg"])
        guard bin != nil || cfgPath != nil else { return }
        u.mechanisms.append(("swupdate", Evidence(bin ?? cfgPath!, 0, "SWUpdate installed")))
        var s = SWUpdateFacts()
        if let p = cfgPath, let b = fs.read(p, limit: 1 << 20) { s.config = LibconfigFile.parse(b, path: p) }
        s.argLines = services.argumentLines("swupdate")
        for dir in ["/etc/swupdate/conf.d", "/usr/lib/swupdate/conf.d"] {
            for n in fs.list(dir) {
                let p = Text.join(dir, n)
                guard let b = fs.read(p, limit: 65536) else { continue }
                for l in Text.lines(b) where !Text.trim(l.text).hasPrefix("#") && !Text.trim(l.text).isEmpty {
                    s.argLines.append(StartLine(kind: .defaults, path: p, line: l.number, text: Text.trim(l.text), enabled: true, via: p))
                }
            }
        }
        // key: -k FILE / --key FILE on a command line, or globals.public-key-file
        for l in s.argLines {
            let w = Text.words(l.text.replacingQuotes())
            for (i, word) in w.enumerated() where (word == "-k" || word == "--key") && i + 1 < w.count {
                s.key = keyRef(fs, w[i + 1], Evidence(l.path, l.line, l.text))
            }
            for word in w where word.hasPrefix("--key=") {
                s.key = keyRef(fs, String(word.dropFirst(6)), Evidence(l.path, l.line, l.text))
            }
            for word in w where word == "-u" || word == "--suricatta" {
                s.suricattaEnabled = Evidence(l.path, l.line, l.text)
            }
        }
        if s.key == nil, let c = s.config, let k = c.value("globals.public-key-file") {
            s.key = keyRef(fs, k.value, Evidence(c.path, k.line, "public-key-file = \"\(k.value)\""))
        }
        if let c = s.config {
            if let url = c.value("suricatta.url") { s.suricattaURL = (url.value, Evidence(c.path, url.line, "url = \"\(url.value)\"")) }
            if let pd = c.value("suricatta.polldelay"), let v = Text.int(pd.value) { s.pollDelay = (v, Evidence(c.path, pd.line, "polldelay = \(pd.value)")) }
            if let nc = c.value("suricatta.nocheckcert"), Truth.of(nc.value) == true { s.noCheckCert = Evidence(c.path, nc.line, "nocheckcert = \(nc.value)") }
            if s.suricattaEnabled == nil, c.hasGroup("suricatta"), !services.starts("swupdate").isEmpty {
                // SWUpdate started as a daemon with a suricatta section polls the server
                for l in services.starts("swupdate") where Text.contains(l.text, "-u") || Text.contains(l.text, "suricatta") {
                    s.suricattaEnabled = Evidence(l.path, l.line, l.text)
                }
            }
        }
        u.swupdate = s
    }

    static func gatherRauc(_ fs: RootView, _ services: ServiceFacts, _ u: inout UpdateFacts) {
        let bin = firstExisting(fs, ["/usr/bin/rauc", "/usr/sbin/rauc", "/bin/rauc"])
        let conf = fs.read("/etc/rauc/system.conf", limit: 1 << 20)
        guard bin != nil || conf != nil else { return }
        u.mechanisms.append(("rauc", Evidence(conf != nil ? "/etc/rauc/system.conf" : bin!, 0, "RAUC installed")))
        var r = RaucFacts()
        if let b = conf {
            let ini = IniFile.parse(b, path: "/etc/rauc/system.conf")
            r.systemConf = ini
            if let p = ini.value("keyring", "path") {
                r.keyring = keyRef(fs, p.value, Evidence(ini.path, p.line, "[keyring] path=\(p.value)"), base: "/etc/rauc")
            } else if let d = ini.value("keyring", "directory") {
                r.keyringDirectory = true
                r.keyring = keyRef(fs, d.value, Evidence(ini.path, d.line, "[keyring] directory=\(d.value)"), base: "/etc/rauc")
            }
            r.slots = ini.sections.filter { $0.name.hasPrefix("slot.") }.count
        }
        if let b = fs.read("/etc/rauc-hawkbit-updater/config.conf", limit: 1 << 20) {
            r.hawkbit = IniFile.parse(b, path: "/etc/rauc-hawkbit-updater/config.conf")
            for l in services.starts("rauc-hawkbit-updater") { r.hawkbitEnabled = Evidence(l.path, l.line, l.text + " (" + l.via + ")") }
        }
        u.rauc = r
    }

    static func gatherMender(_ fs: RootView, _ services: ServiceFacts, _ u: inout UpdateFacts) {
        let bin = firstExisting(fs, ["/usr/bin/mender", "/usr/bin/mender-update", "/usr/bin/mender-auth"])
        let confPath = firstExisting(fs, ["/etc/mender/mender.conf", "/var/lib/mender/mender.conf"])
        guard bin != nil || confPath != nil else { return }
        u.mechanisms.append(("mender", Evidence(confPath ?? bin!, 0, "Mender client installed")))
        var m = MenderFacts()
        m.confPath = confPath
        if let p = confPath, let b = fs.read(p, limit: 1 << 20) {
            do {
                let doc = try JSONParser.parse(b)
                if let url = doc["ServerURL"], let s = url.string {
                    m.serverURL = (s, Evidence(p, url.line, "\"ServerURL\": \"\(s)\""))
                }
                if let servers = doc["Servers"]?.array {
                    for srv in servers { if let s = srv["ServerURL"]?.string, m.serverURL == nil { m.serverURL = (s, Evidence(p, srv.line, "\"ServerURL\": \"\(s)\"")) } }
                }
                if let k = doc["ArtifactVerifyKey"], let s = k.string, !s.isEmpty {
                    m.verifyKeys.append(keyRef(fs, s, Evidence(p, k.line, "\"ArtifactVerifyKey\": \"\(s)\"")))
                }
                if let ks = doc["ArtifactVerifyKeys"]?.array {
                    for k in ks { if let s = k.string { m.verifyKeys.append(keyRef(fs, s, Evidence(p, k.line, "\"ArtifactVerifyKeys\": \"\(s)\""))) } }
                }
                if let sv = doc["SkipVerify"], sv.bool == true { m.skipVerify = Evidence(p, sv.line, "\"SkipVerify\": true") }
                if let pi = doc["UpdatePollIntervalSeconds"], let v = pi.int { m.pollSeconds = (v, Evidence(p, pi.line, "\"UpdatePollIntervalSeconds\": \(v)")) }
            } catch {
                m.parseError = Evidence(p, error.line, "not valid JSON: " + error.message)
            }
        }
        for unit in ["mender-updated", "mender-client", "mender"] {
            for l in services.starts(unit) where m.daemonEnabled == nil { m.daemonEnabled = Evidence(l.path, l.line, l.text + " (" + l.via + ")") }
            if m.daemonEnabled == nil, let via = services.enabledUnits[unit + ".service"] {
                m.daemonEnabled = Evidence(via, 0, unit + ".service enabled")
            }
        }
        u.mender = m
    }

    static func gatherOpkg(_ fs: RootView, _ services: ServiceFacts, _ u: inout UpdateFacts) {
        let bin = firstExisting(fs, ["/bin/opkg", "/usr/bin/opkg", "/usr/sbin/opkg"])
        var files: [String] = []
        if fs.isFile("/etc/opkg.conf") { files.append("/etc/opkg.conf") }
        for n in fs.list("/etc/opkg") where n.hasSuffix(".conf") { files.append("/etc/opkg/" + n) }
        guard bin != nil || !files.isEmpty else { return }
        u.mechanisms.append(("opkg", Evidence(bin ?? files[0], 0, "opkg package manager")))
        var p = PackageFeedFacts()
        p.confFiles = files
        for f in files {
            guard let b = fs.read(f, limit: 1 << 20) else { continue }
            for l in Text.lines(b) {
                let t = Text.trim(l.text)
                if t.hasPrefix("#") { continue }
                let w = Text.words(t)
                if w.count >= 3 && (w[0] == "src" || w[0].hasPrefix("src/")) {
                    p.feeds.append(FeedURL(url: w[2], mechanism: "opkg", evidence: Evidence(f, l.number, t)))
                }
                if w.count >= 2 && w[0] == "option" && w[1] == "check_signature" {
                    if w.count == 2 || Truth.of(w[2]) != false { p.signatureCheck = Evidence(f, l.number, t) }
                }
            }
        }
        p.keys = fs.list("/etc/opkg/keys")
        for l in services.starts("opkg") where Text.contains(l.text, "upgrade") { p.automatic.append(Evidence(l.path, l.line, l.text)) }
        u.opkg = p
    }

    static func gatherApk(_ fs: RootView, _ services: ServiceFacts, _ u: inout UpdateFacts) {
        let bin = firstExisting(fs, ["/sbin/apk", "/usr/bin/apk", "/bin/apk"])
        var files: [String] = []
        if fs.isFile("/etc/apk/repositories") { files.append("/etc/apk/repositories") }
        for n in fs.list("/etc/apk/repositories.d") where n.hasSuffix(".list") { files.append("/etc/apk/repositories.d/" + n) }
        guard bin != nil || !files.isEmpty else { return }
        u.mechanisms.append(("apk", Evidence(bin ?? files[0], 0, "apk package manager")))
        var p = PackageFeedFacts()
        p.confFiles = files
        for f in files {
            guard let b = fs.read(f, limit: 1 << 20) else { continue }
            for l in Text.lines(b) {
                let t = Text.trim(l.text)
                if t.isEmpty || t.hasPrefix("#") { continue }
                for w in Text.words(t) where Text.contains(w, "://") {
                    p.feeds.append(FeedURL(url: w, mechanism: "apk", evidence: Evidence(f, l.number, t)))
                }
            }
        }
        if let b = fs.read("/etc/apk/config", limit: 65536) {
            for l in Text.lines(b) where Text.contains(l.text, "allow-untrusted") && !Text.trim(l.text).hasPrefix("#") {
                p.signatureBypass.append(Evidence("/etc/apk/config", l.number, Text.trim(l.text)))
            }
        }
        for l in services.lines where ServiceFacts.mentions(l.text, "apk") && Text.contains(l.text, "--allow-untrusted") {
            p.signatureBypass.append(Evidence(l.path, l.line, l.text))
        }
        p.keys = fs.list("/etc/apk/keys")
        for l in services.starts("apk") where Text.contains(l.text, "upgrade") { p.automatic.append(Evidence(l.path, l.line, l.text)) }
        u.apk = p
    }

    static func gatherApt(_ fs: RootView, _ services: ServiceFacts, _ u: inout UpdateFacts) {
        let bin = firstExisting(fs, ["/usr/bin/apt-get", "/usr/bin/apt"])
        var lists: [String] = []
        if fs.isFile("/etc/apt/sources.list") { lists.append("/etc/apt/sources.list") }
        for n in fs.list("/etc/apt/sources.list.d") where n.hasSuffix(".list") || n.hasSuffix(".sources") { lists.append("/etc/apt/sources.list.d/" + n) }
        guard bin != nil || !lists.isEmpty else { return }
        u.mechanisms.append(("apt", Evidence(bin ?? lists[0], 0, "APT package manager")))
        var p = PackageFeedFacts()
        p.confFiles = lists
        for f in lists {
            guard let b = fs.read(f, limit: 1 << 20) else { continue }
            if f.hasSuffix(".sources") { parseDeb822(b, f, &p); continue }
            for l in Text.lines(b) {
                let t = Text.trim(Text.stripComment(l.text))
                guard t.hasPrefix("deb ") || t.hasPrefix("deb\t") || t.hasPrefix("deb-src") else { continue }
                var options = ""
                var rest = t
                if let open = Array(t.utf8).firstIndex(of: 91), let close = Array(t.utf8).firstIndex(of: 93), close > open {
                    let ut = Array(t.utf8)
                    options = Text.lower(String(decoding: ut[(open + 1)..<close], as: UTF8.self))
                    rest = String(decoding: ut[0..<open] + ut[(close + 1)...], as: UTF8.self)
                }
                let w = Text.words(rest)
                guard w.count >= 2 else { continue }
                let ev = Evidence(f, l.number, t)
                var feed = FeedURL(url: w[1], mechanism: "apt", evidence: ev)
                if Text.contains(options, "trusted=yes") || Text.contains(options, "allow-insecure=yes") || Text.contains(options, "allow-weak=yes") {
                    p.signatureBypass.append(ev)
                    feed.bypassed = true
                }
                p.feeds.append(feed)
                if !Text.contains(options, "signed-by") { p.missingSignedBy.append(ev) }
            }
        }
        for n in fs.list("/etc/apt/apt.conf.d") {
            let f = "/etc/apt/apt.conf.d/" + n
            guard let b = fs.read(f, limit: 1 << 20) else { continue }
            for l in Text.lines(b) {
                let t = Text.trim(l.text)
                if t.hasPrefix("//") || t.hasPrefix("#") { continue }
                let low = Text.lower(t)
                let truthy = Text.contains(low, "\"true\"") || Text.contains(low, "\"1\"") || Text.contains(low, "\"yes\"")
                if truthy && (Text.contains(low, "allowinsecurerepositories") || Text.contains(low, "allowunauthenticated") || Text.contains(low, "allowdowngradetoinsecurerepositories")) {
                    p.signatureBypass.append(Evidence(f, l.number, t))
                }
                if (Text.contains(low, "verify-peer") || Text.contains(low, "verify-host")) && Text.contains(low, "\"false\"") {
                    p.tlsVerifyOff.append(Evidence(f, l.number, t))
                }
                if Text.contains(low, "apt::periodic::unattended-upgrade") && !Text.contains(low, "\"0\"") {
                    p.automatic.append(Evidence(f, l.number, t))
                }
            }
        }
        u.apt = p
    }

    static func parseDeb822(_ b: [UInt8], _ f: String, _ p: inout PackageFeedFacts) {
        var stanza: [(String, String, Int)] = []
        func flush(_ p: inout PackageFeedFacts) {
            guard !stanza.isEmpty else { return }
            var uris: [(String, Int)] = []
            var signed = false
            var trusted: (String, Int)? = nil
            var enabled = true
            for (k, v, n) in stanza {
                let lk = Text.lower(k)
                if lk == "uris" { for w in Text.words(v) { uris.append((w, n)) } }
                if lk == "signed-by" { signed = true }
                if (lk == "trusted" || lk == "allow-insecure" || lk == "allow-weak") && Truth.of(v) == true { trusted = (k + ": " + v, n) }
                if lk == "enabled" && Truth.of(v) == false { enabled = false }
            }
            if enabled {
                for (uri, n) in uris {
                    let ev = Evidence(f, n, "URIs: " + uri)
                    var feed = FeedURL(url: uri, mechanism: "apt", evidence: ev)
                    feed.bypassed = trusted != nil
                    p.feeds.append(feed)
                    if !signed { p.missingSignedBy.append(ev) }
                }
                if let t = trusted { p.signatureBypass.append(Evidence(f, t.1, t.0)) }
            }
            stanza.removeAll()
        }
        for l in Text.lines(b) {
            let t = l.text
            if Text.trim(t).isEmpty { flush(&p); continue }
            if t.hasPrefix("#") || t.hasPrefix(" ") || t.hasPrefix("\t") { continue }
            let u8 = Array(t.utf8)
            guard let colon = u8.firstIndex(of: 58) else { continue }
            stanza.append((String(decoding: u8[0..<colon], as: UTF8.self), Text.trim(String(decoding: u8[(colon + 1)...], as: UTF8.self)), l.number))
        }
        flush(&p)
    }
}

extension String {
    /// Replaces quote characters by spaces so shell-ish argument lines split into words.
    func replacingQuotes() -> String {
        var u = Array(self.utf8)
        for i in 0..<u.count where u[i] == 34 || u[i] == 39 { u[i] = 32 }
        return String(decoding: u, as: UTF8.self)
    }
}
