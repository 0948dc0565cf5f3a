// /etc/passwd and /etc/shadow: accounts, their shells and the state of their password field.

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
        var facts = AccountsFacts()
        guard let passwd = fs.read("/etc/passwd") else { return facts }
        facts.passwdFound = true
        var index: [String: Int] = [:]
        for line in Text.lines(passwd) {
            let t = line.text
            if t.isEmpty || t.hasPrefix("#") { continue }
            let f = Text.split(t, 58)
            if f.count < 7 || f[0].isEmpty {
                facts.malformed.append((path: "/etc/passwd", line: line.number, text: "expected 7 ':'-separated fields"))
                continue
            }
            let state = classify(f[1])
            let acct = Account(name: f[0], uid: Text.int(f[2]), home: f[5], shell: f[6], password: state,
                               source: "/etc/passwd", line: line.number)
            if index[f[0]] == nil {
                index[f[0]] = facts.accounts.count
                facts.accounts.append(acct)
            }
        }
        if let shadow = fs.read("/etc/shadow") {
            facts.shadowFound = true
            for line in Text.lines(shadow) {
                let t = line.text
                if t.isEmpty || t.hasPrefix("#") { continue }
                let f = Text.split(t, 58)
                if f.count < 2 || f[0].isEmpty {
                    facts.malformed.append((path: "/etc/shadow", line: line.number, text: "expected at least 2 ':'-separated fields"))
                    continue
                }
                guard let i = index[f[0]] else { continue }
                guard facts.accounts[i].password == .inShadowMissing else { continue }
                var state = classify(f[1])
                if state == .inShadowMissing { state = .locked }
                facts.accounts[i].password = state
                facts.accounts[i].source = "/etc/shadow"
                facts.accounts[i].line = line.number
            }
        }
        return facts
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
