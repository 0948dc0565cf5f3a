// Default-password testing with the real crypt(3) of libxcrypt: every scheme it supports (DES, MD5-crypt,
// SHA-256/512-crypt, yescrypt, gost-yescrypt, scrypt, bcrypt, …) is handled by calling crypt with the shipped hash
// as the setting and comparing the result.
import CBaselineSys

public final class Crypt {
    private let data: UnsafeMutableRawPointer

    public init() { data = bl_crypt_data_new()! }
    deinit { bl_crypt_data_free(data) }

    /// crypt(3) of `password` with `setting` (a full hash works as its own setting). nil if the setting is invalid.
    public func hash(_ password: String, setting: String) -> String? {
        let r: UnsafePointer<CChar>? = password.withCString { pw in setting.withCString { s in bl_crypt(pw, s, data) } }
        guard let p = r else { return nil }
        let out = String(cString: p)
        if out.hasPrefix("*") { return nil }
        return out
    }

    /// True when `password` hashes to `hash`. Constant-time comparison of the results.
    public func matches(_ password: String, hash: String) -> Bool {
        guard let h = self.hash(password, setting: hash) else { return false }
        return Text.constantTimeEqual(h, hash)
    }
}

public struct PasswordCandidate {
    public let password: String
    public let origin: String       // "mirai.txt:12", "profile default", "account name", "vendor word"
}

public enum PasswordCandidates {
    /// Builds the candidate list: profile defaults and lists first, then the account names, vendor and model words
    /// (as written, lower case, capitalised, and with common suffixes), and the empty password.
    public static func build(profile: Profile, lists: [DefaultCredential], accountNames: [String], extraWords: [String]) -> [PasswordCandidate] {
        var out: [PasswordCandidate] = []
        var seen: Set<String> = []
        func add(_ pw: String, _ origin: String) {
            if seen.contains(pw) || pw.utf8.count > 256 { return }
            seen.insert(pw)
            out.append(PasswordCandidate(password: pw, origin: origin))
        }
        for c in profile.defaultCredentials { add(c.password, "vendor default (" + c.source + ")") }
        for c in lists { add(c.password, c.source) }
        add("", "empty password")
        var words: [String] = []
        if let v = profile.vendor { words.append(v) }
        words += profile.models + profile.keywords + extraWords
        for name in accountNames { words.append(name) }
        for w in words where !w.isEmpty {
            let compact = String(decoding: Array(w.utf8).filter { $0 != 32 && $0 != 45 && $0 != 95 }, as: UTF8.self)
            for form in [w, Text.lower(w), capitalized(Text.lower(w)), Text.lower(compact)] {
                add(form, "name word '" + w + "'")
                for suffix in ["1", "123", "1234", "!"] { add(form + suffix, "name word '" + w + "' + '" + suffix + "'") }
            }
        }
        return out
    }

    static func capitalized(_ s: String) -> String {
        var u = Array(s.utf8)
        if let f = u.first, f >= 97 && f <= 122 { u[0] = f - 32 }
        return String(decoding: u, as: UTF8.self)
    }
}
