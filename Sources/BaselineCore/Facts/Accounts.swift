// /etc/passwd and /etc/shadow: accounts, their shells and the state of their password field. Old vendor firmware
// keeps them elsewhere too: backups (/etc/shadow-, /etc/passwd.bak, /etc/default/passwd, /etc/config/passwd, …) and
// files a boot script copies into place (/etc/passwd a link to /var/passwd, which rcS fills from /etc/passwd.bak).
// The runtime file wins: when /etc/passwd or /etc/shadow is not in the image but a boot script copies a file to it
// (or to where its link points), that file is read as /etc/passwd or /etc/shadow. Every other copy is kept in
// `copies`, so its hashes are tested like the shadow's.

public enum PasswordState: Equatable {
    case empty                 // no password at all: anyone can log in
    case locked                // "*", "!", "!!", "!<hash>", "x" without a shadow entry…
    case hash(String)          // a usable crypt(3) hash
    case inShadowMissing       // passwd says "x" but shadow has no entry
}

public struct Account {
    public let name: String
    public let uid: Int?
    public let home: String
    public let shell: String
    public var password: PasswordState
    public var source: String          // file the password state came from
    public var line: Int               // line in that file
    /// How the password in `source` reaches the device when `source` is not /etc/passwd or /etc/shadow:
    /// "copied to /var/passwd by /etc/init.d/rcS:12", "backup copy of /etc/shadow"; empty otherwise.
    public var via: String = ""

    /// True when the shell allows an interactive login.
    public var loginCapable: Bool {
        let s = Text.basename(shell)
        return !(s == "nologin" || s == "false" || s == "sync" || s == "halt" || s == "shutdown")
    }
}

public struct AccountsFacts {
    public var accounts: [Account] = []
    public var passwdFound = false
    public var shadowFound = false
    public var malformed: [(path: String, line: Int, text: String)] = []
    /// Accounts with a password (hash or empty) in a copy of passwd/shadow other than the one read as the runtime
    /// file: backups and boot-time sources. `via` says which.
    public var copies: [Account] = []
    /// Where /etc/passwd and /etc/shadow were read from when a boot script fills them (else the paths themselves).
    public var passwdPath = "/etc/passwd"
    public var shadowPath = "/etc/shadow"

    /// Directories searched for copies of passwd and shadow, and the names that are the runtime files themselves.
    static let copyDirs = ["/etc", "/etc/default", "/etc/defaults", "/etc/config", "/etc_ro", "/etc_ro/default", "/usr/etc"]

    public static func classify(_ field: String) -> PasswordState {
        if field.isEmpty { return .empty }
        let u = Array(field.utf8)
        if u[0] == 33 || u[0] == 42 { return .locked }          // "!" or "*" prefix: locked / disabled
        if field == "x" { return .inShadowMissing }
        // Anything crypt(3) cannot produce from a password is unusable for login.
        for c in u where c == 58 || c == 32 || c < 33 { return .locked }
        return .hash(field)
    }

    public static func gather(_ fs: RootView) -> AccountsFacts {
        gather(fs, bootCopies: BootScripts.copies(fs, scripts: BootScripts.find(fs)))
    }

    /// Whether a boot copy's target is `runtime` or where `runtime` links to.
    static func targets(_ fs: RootView, _ runtime: String, _ copy: BootCopy) -> Bool {
        if copy.target == runtime { return true }
        guard let link = fs.readLink(runtime) else { return false }
        let abs = normalize(link.hasPrefix("/") ? link : Text.join(Text.dirname(runtime), link))
        return normalize(copy.target) == abs
    }

    /// An absolute path without "." and ".." components and repeated slashes ("/etc/../tmp//x" → "/tmp/x").
    static func normalize(_ path: String) -> String {
        var out: [String] = []
        for p in Text.split(path, 47) {
            if p.isEmpty || p == "." { continue }
            if p == ".." { if !out.isEmpty { out.removeLast() }; continue }
            out.append(p)
        }
        return "/" + Text.joinWith(out, "/")
    }

    public static func gather(_ fs: RootView, bootCopies: [BootCopy]) -> AccountsFacts {
        var facts = AccountsFacts()
        // The runtime passwd/shadow: the file itself, else the file a boot script copies to it (or to its link target).
        var used: Set<String> = []
        func runtime(_ path: String) -> (path: String, via: String, bytes: [UInt8])? {
            if let b = fs.read(path) { return (path, "", b) }
            for c in bootCopies where targets(fs, path, c) {
                if let b = fs.read(c.source) {
                    used.insert(c.source)
                    let link = fs.readLink(path).map { " (\(path) links to \($0))" } ?? ""
                    return (c.source, "copied to \(c.target) by \(c.location)" + link, b)
                }
            }
            return nil
        }
        guard let passwd = runtime("/etc/passwd") else {
            facts.collectCopies(fs, bootCopies: bootCopies, used: used)
            return facts
        }
        facts.passwdFound = true
        facts.passwdPath = passwd.path
        var index: [String: Int] = [:]
        for line in Text.lines(passwd.bytes) {
            let t = line.text
            if t.isEmpty || t.hasPrefix("#") { continue }
            let f = Text.split(t, 58)
            if f.count < 7 || f[0].isEmpty {
                facts.malformed.append((path: passwd.path, line: line.number, text: "expected 7 ':'-separated fields"))
                continue
            }
            let state = classify(f[1])
            var acct = Account(name: f[0], uid: Text.int(f[2]), home: f[5], shell: f[6], password: state,
                               source: passwd.path, line: line.number)
            acct.via = passwd.via
            if index[f[0]] == nil {
                index[f[0]] = facts.accounts.count
                facts.accounts.append(acct)
            }
        }
        if let shadow = runtime("/etc/shadow") {
            facts.shadowFound = true
            facts.shadowPath = shadow.path
            for line in Text.lines(shadow.bytes) {
                let t = line.text
                if t.isEmpty || t.hasPrefix("#") { continue }
                let f = Text.split(t, 58)
                if f.count < 2 || f[0].isEmpty {
                    facts.malformed.append((path: shadow.path, line: line.number, text: "expected at least 2 ':'-separated fields"))
                    continue
                }
                guard let i = index[f[0]] else { continue }
                guard facts.accounts[i].password == .inShadowMissing else { continue }
                var state = classify(f[1])
                if state == .inShadowMissing { state = .locked }
                facts.accounts[i].password = state
                facts.accounts[i].source = shadow.path
                facts.accounts[i].line = line.number
                facts.accounts[i].via = shadow.via
            }
        }
        facts.collectCopies(fs, bootCopies: bootCopies, used: used)
        return facts
    }

    /// Whether a file name is a copy of passwd or shadow ("passwd-", "shadow.bak", "default_passwd", "passwd.orig"),
    /// not gshadow, opasswd (PAM's old-password list) or a lock file.
    public static func isCopyName(_ name: String) -> Bool {
        let n = Text.lower(name)
        guard Text.contains(n, "passwd") || Text.contains(n, "shadow") else { return false }
        if n.hasPrefix("g") || n.hasPrefix("opasswd") || n.hasSuffix(".lock") || n.hasSuffix(".sh") || n.hasSuffix(".so") { return false }
        return n.utf8.count <= 40
    }

    /// Accounts with a usable hash or an empty password in copies of passwd/shadow: files the boot scripts copy
    /// anywhere (named in `via` with their target), then backups found by name in `copyDirs`.
    mutating func collectCopies(_ fs: RootView, bootCopies: [BootCopy], used: Set<String>) {
        var done = used
        done.insert("/etc/passwd"); done.insert("/etc/shadow")
        var files: [(path: String, via: String)] = []
        for p in ["/etc/passwd", "/etc/shadow"] { if let i = fs.info(p) { done.insert(i.path) } }   // a link to /etc/config/passwd is the file itself
        for c in bootCopies where AccountsFacts.isCopyName(Text.basename(c.source)) || AccountsFacts.isCopyName(Text.basename(c.target)) {
            guard !done.contains(c.source), fs.isFile(c.source) else { continue }
            done.insert(c.source)
            files.append((c.source, "copied to \(c.target) by \(c.location)"))
        }
        for dir in AccountsFacts.copyDirs {
            for name in fs.list(dir) where AccountsFacts.isCopyName(name) {
                let path = Text.join(dir, name)
                guard !done.contains(path), let info = fs.info(path), info.kind == .regular, info.size <= 1 << 20 else { continue }
                done.insert(path)
                let n = Text.lower(name)
                files.append((path, "copy of /etc/\(Text.contains(n, "shadow") ? "shadow" : "passwd") kept in the image"))
            }
        }
        for (path, via) in files {
            guard let b = fs.read(path, limit: 1 << 20) else { continue }
            for line in Text.lines(b) {
                let t = line.text
                if t.isEmpty || t.hasPrefix("#") { continue }
                let f = Text.split(t, 58)
                guard f.count >= 2, !f[0].isEmpty, f[0].utf8.count <= 64 else { continue }
                let state = AccountsFacts.classify(f[1])
                switch state {
                case .hash, .empty: break
                default: continue
                }
                // The account's uid and shell come from the copy when it is in passwd format, else from /etc/passwd.
                let known = accounts.first { $0.name == f[0] }
                let isPasswd = f.count == 7 && Text.int(f[2]) != nil
                var a = Account(name: f[0], uid: isPasswd ? Text.int(f[2]) : known?.uid, home: isPasswd ? f[5] : known?.home ?? "",
                                shell: isPasswd ? f[6] : known?.shell ?? "", password: state, source: path, line: line.number)
                a.via = via
                copies.append(a)
            }
        }
    }
}

/// Hash schemes as crypt(3) names them.
public enum HashScheme: Equatable {
    case des, md5, sha256, sha512, yescrypt, gostYescrypt, scrypt, bcrypt, sunMD5, bsdiCrypt, nthash, unknown

    public static func of(_ hash: String) -> HashScheme {
        if hash.hasPrefix("$1$") { return .md5 }
        if hash.hasPrefix("$5$") { return .sha256 }
        if hash.hasPrefix("$6$") { return .sha512 }
        if hash.hasPrefix("$y$") { return .yescrypt }
        if hash.hasPrefix("$gy$") { return .gostYescrypt }
        if hash.hasPrefix("$7$") { return .scrypt }
        if hash.hasPrefix("$2b$") || hash.hasPrefix("$2a$") || hash.hasPrefix("$2y$") || hash.hasPrefix("$2x$") { return .bcrypt }
        if hash.hasPrefix("$md5") { return .sunMD5 }
        if hash.hasPrefix("$3$") { return .nthash }
        if hash.hasPrefix("_") && hash.utf8.count == 20 { return .bsdiCrypt }
        if hash.utf8.count == 13 && !hash.hasPrefix("$") { return .des }
        return .unknown
    }

    public var name: String {
        switch self {
        case .des: return "DES crypt"
        case .md5: return "MD5-crypt ($1$)"
        case .sha256: return "SHA-256-crypt ($5$)"
        case .sha512: return "SHA-512-crypt ($6$)"
        case .yescrypt: return "yescrypt ($y$)"
        case .gostYescrypt: return "gost-yescrypt ($gy$)"
        case .scrypt: return "scrypt ($7$)"
        case .bcrypt: return "bcrypt ($2b$)"
        case .sunMD5: return "SunMD5"
        case .bsdiCrypt: return "BSDi extended DES"
        case .nthash: return "NT hash ($3$)"
        case .unknown: return "unknown scheme"
        }
    }

    /// Schemes ETSI 5.1-3 would not call best practice.
    public var isWeak: Bool {
        switch self {
        case .des, .md5, .sunMD5, .bsdiCrypt, .nthash: return true
        default: return false
        }
    }
}
