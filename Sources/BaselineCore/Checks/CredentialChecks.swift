// Unique credentials: CRED-01, 02, 03, 05, 06, 07, 08, 09, 11. CRED-01/02/03/05 read /etc/passwd and /etc/shadow (or
// the files boot scripts copy to them) and every other copy of them in the image (backups, boot-time sources).

public enum CredentialChecks {
    /// The checks this file holds, by catalogue id (CheckCatalog.swift has their titles, rules and severities).
    public static let all: [(String, (CheckContext) -> Outcome)] = [
        ("CRED-01", emptyPasswords),
        ("CRED-02", defaultPasswords),
        ("CRED-03", bakedHashes),
        ("CRED-05", weakSchemes),
        ("CRED-06", hostKeys),
        ("CRED-07", privateKeys),
        ("CRED-08", authorizedKeys),
        ("CRED-09", sshPolicy),
        ("CRED-11", webAdminPasswords),
    ]

    public static func describe(_ a: Account) -> String {
        "account '\(a.name)'" + (a.uid.map { " (uid \($0))" } ?? "") + (a.via.isEmpty ? "" : " [" + a.via + "]")
    }

    /// The runtime accounts, then the accounts of the other copies of passwd/shadow.
    public static func allAccounts(_ c: CheckContext) -> [Account] {
        c.facts.accounts.accounts + c.facts.accounts.copies
    }

    /// CRED-01: empty password on a login-capable or uid-0 account.
    public static func emptyPasswords(_ c: CheckContext) -> Outcome {
        let acc = c.facts.accounts
        guard acc.passwdFound else { return .skip("no /etc/passwd in the image") }
        var ev: [Evidence] = []
        // copies count when a boot script puts them in place (a backup's empty field is not a login)
        for a in acc.accounts + acc.copies.filter({ $0.via.hasPrefix("copied to") }) where a.password == .empty && (a.loginCapable || a.uid == 0) {
            ev.append(Evidence(a.source, a.line, describe(a) + " with shell \(a.shell.isEmpty ? "(default)" : a.shell) has an empty password field"))
        }
        if !ev.isEmpty { return .fail("\(ev.count) login-capable account(s) without a password", ev) }
        return .pass("\(acc.accounts.count) accounts; none login-capable without a password")
    }

    /// Accounts with a usable hash, grouped by hash string so each distinct hash is tried once.
    public static func hashedAccounts(_ c: CheckContext) -> [(hash: String, accounts: [Account])] {
        var order: [String] = []
        var groups: [String: [Account]] = [:]
        for a in allAccounts(c) {
            if case .hash(let h) = a.password {
                if groups[h] == nil { order.append(h); groups[h] = [] }
                groups[h]!.append(a)
            }
        }
        return order.map { ($0, groups[$0]!) }
    }

    /// CRED-02: the shipped hash matches a known default, an account name or a vendor/model word.
    public static func defaultPasswords(_ c: CheckContext) -> Outcome {
        let groups = hashedAccounts(c)
        guard !groups.isEmpty else { return .pass("no usable password hash in the image") }
        var names: [String] = []
        for g in groups { for a in g.accounts where !names.contains(a.name) { names.append(a.name) } }
        let candidates = PasswordCandidates.build(profile: c.profile, lists: c.credentialLists, accountNames: names, extraWords: [])
        var ev: [Evidence] = []
        var unsupported: [Evidence] = []
        let testable = groups
        // Every core: candidates in order (profile defaults and lists first), the earliest match per hash; a setting
        // crypt(3) refuses comes back as -2 (tested there, not with an extra crypt call per hash).
        let r = PasswordSearch.run(candidates: candidates.map { $0.password }, hashes: testable.map { $0.hash }, budgetMs: c.passwordBudgetMs)
        for (i, g) in testable.enumerated() where r.found[i] == -2 {
            for a in g.accounts { unsupported.append(Evidence(a.source, a.line, describe(a) + ": hash scheme not supported by libcrypt (\(HashScheme.of(g.hash).name))")) }
        }
        for (i, g) in testable.enumerated() where r.found[i] >= 0 {
            let cand = candidates[r.found[i]]
            for a in g.accounts {
                ev.append(Evidence(a.source, a.line, describe(a) + ": password is guessable — matches a candidate from \(cand.origin) (\(HashScheme.of(g.hash).name))"))
            }
        }
        let pairs = candidates.count * testable.count
        var cut: [Evidence] = []
        if r.cutShort {
            cut.append(Evidence(testable.first?.accounts.first?.source ?? "/etc/shadow", 0, "the test stopped at its budget of \(c.passwordBudgetMs / 1000) s: \(r.tested) of \(pairs) (candidate, hash) pairs were tried on \(r.threads) thread(s)"))
        }
        if !ev.isEmpty { return .fail("\(ev.count) account(s) use a default or guessable password" + (r.cutShort ? " (test cut short by its budget)" : ""), ev + unsupported + cut) }
        if r.cutShort { return .warn("the default-password test was cut short by its \(c.passwordBudgetMs / 1000) s budget; no match among the pairs tried", cut + unsupported) }
        if !unsupported.isEmpty { return .warn("some hashes could not be tested", unsupported) }
        return .pass("\(groups.count) distinct hash(es) tested against \(candidates.count) candidates; no match")
    }

    /// CRED-03: a usable password hash shipped in the image is the same on every unit.
    public static func bakedHashes(_ c: CheckContext) -> Outcome {
        let groups = hashedAccounts(c)
        guard !groups.isEmpty else { return .pass("no usable password hash in the image (accounts locked or empty)") }
        if c.isLiveDevice { return liveFactoryMatch(c, what: "password hash", items: groups.flatMap { g in g.accounts.map { a in
            (Evidence(a.source, a.line, describe(a) + " still has the factory image's password hash"), c.keyedFingerprint(Array(g.hash.utf8))) } }) }
        var ev: [Evidence] = []
        for g in groups { for a in g.accounts { ev.append(Evidence(a.source, a.line, describe(a) + " ships a usable \(HashScheme.of(g.hash).name) hash")) } }
        if c.profile.perUnitProvisioning {
            return .pass("\(ev.count) hash(es) in the image; the profile declares per-unit password provisioning", ev)
        }
        return .fail("\(ev.count) password hash(es) baked into the image would be identical on every unit", ev)
    }

    /// CRED-05: weak hash schemes.
    public static func weakSchemes(_ c: CheckContext) -> Outcome {
        let groups = hashedAccounts(c)
        guard !groups.isEmpty else { return .pass("no usable password hash in the image") }
        var ev: [Evidence] = []
        for g in groups where HashScheme.of(g.hash).isWeak {
            for a in g.accounts { ev.append(Evidence(a.source, a.line, describe(a) + " uses \(HashScheme.of(g.hash).name)")) }
        }
        if !ev.isEmpty { return .fail("\(ev.count) hash(es) use a weak scheme", ev) }
        var schemes: [String] = []
        for g in groups { let n = HashScheme.of(g.hash).name; if !schemes.contains(n) { schemes.append(n) } }
        return .pass("schemes in use: " + Text.joinWith(schemes, ", "))
    }

    /// CRED-11: web-admin passwords in configuration (nvram defaults, XML configuration, httpd.conf, htpasswd files).
    /// A plaintext password on the candidate lists CRED-02 uses, or equal to the user name, fails; a crypt hash is
    /// tested with crypt(3) like a shadow hash (Apache's $apr1$ with the core's MD5Crypt); any other stored password is the same on every unit (warn, unless the
    /// profile declares per-unit provisioning); an empty one warns; a hash crypt(3) cannot test is reported as such.
    /// The evidence names the account and the file and line, never the password.
    public static func webAdminPasswords(_ c: CheckContext) -> Outcome {
        let creds = c.facts.web.credentials
        if creds.isEmpty {
            return .pass("no web-admin password in configuration (" + String(c.facts.web.filesScanned) + " file(s) read: nvram defaults, XML configuration, httpd.conf, htpasswd)")
        }
        var names: [String] = []
        for w in creds { if let u = w.user, !names.contains(u) { names.append(u) } }
        let candidates = PasswordCandidates.build(profile: c.profile, lists: c.credentialLists, accountNames: names, extraWords: [])
        var fails: [Evidence] = [], warns: [Evidence] = [], passes: [Evidence] = []
        for w in creds {
            let who = (w.user == nil ? "web-admin password" : "web-admin account '" + w.user! + "'") + " (" + w.format + ", " + w.key + "): "
            let (level, text) = judgeWeb(w, candidates, c)
            let e = Evidence(w.path, w.line, who + text)
            if level == 2 { fails.append(e) } else if level == 1 { warns.append(e) } else { passes.append(e) }
        }
        if !fails.isEmpty { return .fail(String(fails.count) + " web-admin password(s) in configuration are defaults", fails + warns) }
        if !warns.isEmpty { return .warn(String(warns.count) + " web-admin password(s) stored in configuration", warns + passes) }
        return .pass(String(passes.count) + " web-admin password(s) in configuration, provisioned per unit", passes)
    }

    /// One web credential: 2 fail, 1 warn, 0 pass, and what to say (never the password).
    static func judgeWeb(_ w: WebCredential, _ candidates: [PasswordCandidate], _ c: CheckContext) -> (Int, String) {
        let perUnit = c.profile.perUnitProvisioning
        switch w.secret {
        case .empty:
            return (1, "empty password (anyone can log in unless the firmware forces a password at first login)")
        case .plaintext(let pw):
            if let u = w.user, Text.lower(pw) == Text.lower(u) { return (2, "stored in plaintext; the password is the user name") }
            for cand in candidates where cand.password == pw { return (2, "stored in plaintext; default password (" + cand.origin + ")") }
            if perUnit { return (0, "stored in plaintext; the profile declares per-unit provisioning") }
            return (1, "stored in plaintext in the image: the same on every unit unless replaced at manufacture")
        case .hash(let h):
            // libcrypt has no $apr1$ (Apache's MD5-crypt): the core's MD5Crypt tests those
            let apr = h.hasPrefix("$apr1$")
            let scheme = apr ? "Apache MD5 ($apr1$)" : h.hasPrefix("{") ? "unsalted SHA-1 ({SHA})" : HashScheme.of(h).name
            if !apr && c.crypt.hash("", setting: h) == nil { return (1, scheme + " hash not tested (not supported by libcrypt)") }
            for cand in candidates where apr ? MD5Crypt.matches(cand.password, hash: h) : c.crypt.matches(cand.password, hash: h) {
                return (2, scheme + " hash of a default or guessable password (" + cand.origin + ")")
            }
            if perUnit { return (0, scheme + " hash; the profile declares per-unit provisioning") }
            return (1, scheme + " hash baked into the image (no candidate matched): the same on every unit unless replaced at manufacture")
        }
    }

    /// CRED-06: SSH host private keys in the image.
    public static func hostKeys(_ c: CheckContext) -> Outcome {
        let keys = c.facts.ssh.hostKeys
        if keys.isEmpty { return .pass("no SSH host private key in the image (generated at first boot)") }
        if c.isLiveDevice { return liveFactoryMatch(c, what: "SSH host key", items: keys.map { k in
            (Evidence(k.path, 0, "host key is the factory image's (\(k.publicKey?.fingerprint ?? "?"))"), k.publicKey?.fingerprint) }) }
        var ev: [Evidence] = []
        for k in keys {
            let fp = k.publicKey.map { "\($0.type) \($0.fingerprint)" } ?? "format not recognised"
            ev.append(Evidence(k.path, 0, "private host key shipped in the image (\(fp))"))
        }
        return .fail("\(keys.count) SSH host private key(s) shipped: every unit shares them", ev)
    }

    /// CRED-07: other PEM private keys in the image.
    public static func privateKeys(_ c: CheckContext) -> Outcome {
        let hostPaths = c.facts.ssh.hostKeys.map { $0.path }
        let keys = c.facts.privateKeys.filter { !hostPaths.contains($0.path) }
        if keys.isEmpty { return .pass("no PEM private key found under " + Text.joinWith(FactSources.keyDirs, ", ")) }
        if c.isLiveDevice { return liveFactoryMatch(c, what: "private key", items: keys.map { k in
            (Evidence(k.path, k.line, "\(k.label) is the factory image's"), c.keyedFingerprint(k.digest)) }) }
        var ev: [Evidence] = []
        for k in keys {
            let fp = k.publicKey.map { " (\($0.type) \($0.fingerprint))" } ?? ""
            ev.append(Evidence(k.path, k.line, "\(k.label) block" + fp))
        }
        return .fail("\(keys.count) private key(s) shipped in the image", ev)
    }

    /// CRED-08: pre-installed authorized_keys.
    public static func authorizedKeys(_ c: CheckContext) -> Outcome {
        let keys = c.facts.ssh.authorizedKeys
        if keys.isEmpty { return .pass("no authorized_keys entry in the image") }
        var ev: [Evidence] = []
        for k in keys {
            let fp = k.key.map { "\($0.type) \($0.fingerprint)" } ?? "unparsed entry"
            ev.append(Evidence(k.path, k.line, "pre-installed key " + fp))
        }
        if c.profile.allowAuthorizedKeys { return .pass("\(keys.count) authorized key(s); the profile allows them", ev) }
        if c.isLiveDevice {
            // Keys an operator installed are legitimate; keys that came with the factory image are not.
            let factory = keys.filter { c.isFactory($0.key?.fingerprint) }
            if !factory.isEmpty {
                return .fail("\(factory.count) authorized key(s) installed at the factory are still accepted",
                             factory.map { Evidence($0.path, $0.line, "factory key " + ($0.key.map { "\($0.type) \($0.fingerprint)" } ?? "")) })
            }
            return .info("\(keys.count) authorized key(s), none from the factory image", ev)
        }
        return .fail("\(keys.count) pre-installed authorized key(s) grant remote access to whoever holds the private key", ev)
    }

    /// On a live device: fail for secrets whose fingerprint is among the profile's factory fingerprints.
    static func liveFactoryMatch(_ c: CheckContext, what: String, items: [(Evidence, String?)]) -> Outcome {
        let matched = items.filter { c.isFactory($0.1) }.map { $0.0 }
        if !matched.isEmpty { return .fail("\(matched.count) \(what)(s) still the factory image's: every unit from that image shares them", matched) }
        if c.profile.factoryFingerprints.isEmpty {
            return .info("\(items.count) \(what)(s) on this device; the profile has no factory fingerprints to compare with (uniqueness across units: the collector)")
        }
        if items.contains(where: { $0.1 == nil }) && c.fleetKey == nil && what != "SSH host key" {
            return .info("\(items.count) \(what)(s); without --fleet-key-file they cannot be compared with the factory fingerprints")
        }
        return .pass("\(items.count) \(what)(s), none from the factory image")
    }

    /// CRED-09: sshd_config and Dropbear arguments.
    public static func sshPolicy(_ c: CheckContext) -> Outcome {
        let s = c.facts.ssh
        if s.sshdConfigPath == nil && !s.dropbearPresent { return .skip("no SSH server in the image") }
        var fails: [Evidence] = []
        var warns: [Evidence] = []
        var passes: [Evidence] = []
        if let path = s.sshdConfigPath {
            if let e = s.sshd("PermitEmptyPasswords"), Truth.of(e.value) == true {
                fails.append(Evidence(e.path, e.line, "PermitEmptyPasswords \(e.value)"))
            }
            if let r = s.sshd("PermitRootLogin") {
                if Truth.of(r.value) == true { warns.append(Evidence(r.path, r.line, "PermitRootLogin \(r.value) allows root password login")) }
                else { passes.append(Evidence(r.path, r.line, "PermitRootLogin \(r.value)")) }
            } else {
                passes.append(Evidence(path, 0, "PermitRootLogin not set (OpenSSH default: prohibit-password)"))
            }
        }
        if s.dropbearPresent {
            // OpenWrt builds the arguments from UCI; elsewhere the command lines carry them.
            var lines = s.dropbearUCI.isEmpty ? s.dropbearArgs.filter { $0.kind != .defaults } : []
            for l in c.facts.services.lines where l.path == "/etc/default/dropbear" { lines.append(l) }
            var rootRestricted = false
            for l in lines {
                for w in Text.words(l.text.replacingQuotes()) where w.hasPrefix("-") && !w.hasPrefix("--") && w.utf8.count <= 8 {
                    let flags = Array(w.utf8.dropFirst())
                    if flags.contains(66) { fails.append(Evidence(l.path, l.line, "dropbear -B allows blank-password logins: " + l.text)) }
                    if flags.contains(103) || flags.contains(119) { rootRestricted = true }
                }
            }
            var uciRoot: ConfigSetting? = nil
            var uciPassword: ConfigSetting? = nil
            for o in s.dropbearUCI {
                if o.key == "RootPasswordAuth" { uciRoot = o }
                if o.key == "PasswordAuth" { uciPassword = o }
                if o.key == "RootLogin" && Truth.of(o.value) == false { rootRestricted = true }
            }
            if let p = uciPassword, Truth.of(p.value) == false { rootRestricted = true }
            if let r = uciRoot {
                if Truth.of(r.value) == false { rootRestricted = true } else if !rootRestricted {
                    warns.append(Evidence(r.path, r.line, "option RootPasswordAuth '\(r.value)' allows root password login"))
                }
            } else if !rootRestricted {
                let where_ = lines.first.map { ($0.path, $0.line) } ?? ("/etc/config/dropbear", 0)
                warns.append(Evidence(where_.0, where_.1, "dropbear runs without -g or -w: root may log in with a password"))
            }
        }
        if !fails.isEmpty { return .fail("SSH allows logins with an empty password", fails + warns) }
        if !warns.isEmpty { return .warn("SSH allows root to log in with a password", warns) }
        return .pass("SSH refuses empty passwords and root password logins", passes)
    }
}
