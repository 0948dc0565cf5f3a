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

/// The default-password search on all cores (CBaselineSys's pthread pool around crypt_rn): candidates in order,
/// every hash, the earliest matching candidate per hash, within a wall-time budget.
public enum PasswordSearch {
    public struct Result {
        public var found: [Int]         // per hash: index of the matching candidate, or -1
        public var tested: Int          // (candidate, hash) pairs crypt(3) ran on
        public var cutShort: Bool       // the budget ran out first
        public var threads: Int
    }

    /// Threads: the CPUs, bounded by available memory when a memory-hard scheme (yescrypt, scrypt: 16 MiB and more
    /// per crypt) is among the hashes.
    public static func threads(for hashes: [String]) -> Int {
        let memoryHard = hashes.contains { $0.hasPrefix("$y$") || $0.hasPrefix("$gy$") || $0.hasPrefix("$7$") }
        return Int(bl_crypt_threads(memoryHard ? 32 << 20 : 0))
    }

    public static func run(candidates: [String], hashes: [String], budgetMs: Int64, threads: Int? = nil) -> Result {
        let n = threads ?? Self.threads(for: hashes)
        var found = [Int32](repeating: -1, count: hashes.count)
        var tested: Int64 = 0
        // Every string NUL-terminated in one buffer, and a pointer to each.
        var buffer: [CChar] = []
        var offsets: [Int] = []
        for str in candidates + hashes {
            offsets.append(buffer.count)
            for b in str.utf8 { buffer.append(CChar(bitPattern: b)) }
            buffer.append(0)
        }
        let rc = buffer.withUnsafeBufferPointer { bb -> Int32 in
            let ptrs: [UnsafePointer<CChar>?] = offsets.map { bb.baseAddress! + $0 }
            return ptrs.withUnsafeBufferPointer { pb in found.withUnsafeMutableBufferPointer { fb in
                bl_crypt_search(pb.baseAddress, Int32(candidates.count), pb.baseAddress! + candidates.count, Int32(hashes.count),
                                Int32(n), budgetMs, fb.baseAddress, &tested)
            } }
        }
        return Result(found: found.map { Int($0) }, tested: Int(tested), cutShort: rc == 1, threads: n)
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
