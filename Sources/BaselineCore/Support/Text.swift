// Line splitting and small string helpers shared by the fact parsers. Bytes in, Strings out; invalid UTF-8 is
// replaced rather than rejected, so binary garbage never stops a parse.

public struct TextLine {
    public let number: Int      // 1-based
    public let text: String     // without the line terminator (and without a trailing CR)
}

public enum Text {
    /// Equal strings, compared in time that depends on their length only (password hashes).
    public static func constantTimeEqual(_ x: String, _ y: String) -> Bool {
        let a = Array(x.utf8), b = Array(y.utf8)
        if a.count != b.count { return false }
        var diff: UInt8 = 0
        for i in 0..<a.count { diff |= a[i] ^ b[i] }
        return diff == 0
    }

    /// Splits bytes into lines (LF, with CRLF tolerated). Lines longer than `maxLineBytes` are cut.
    public static func lines(_ bytes: [UInt8], maxLineBytes: Int = 64 * 1024) -> [TextLine] {
        var result: [TextLine] = []
        var start = 0
        var number = 1
        var i = 0
        let count = bytes.count
        while i <= count {
            if i == count || bytes[i] == 10 {
                if i == count && start == count { break }
                var end = i
                if end > start && bytes[end - 1] == 13 { end -= 1 }
                if end - start > maxLineBytes { end = start + maxLineBytes }
                result.append(TextLine(number: number, text: String(decoding: bytes[start..<end], as: UTF8.self)))
                number += 1
                start = i + 1
            }
            i += 1
        }
        return result
    }

    public static func isSpace(_ c: UInt8) -> Bool { c == 32 || c == 9 || c == 13 || c == 10 || c == 11 || c == 12 }

    public static func trim(_ s: String) -> String {
        let u = Array(s.utf8)
        var a = 0
        var b = u.count
        while a < b && isSpace(u[a]) { a += 1 }
        while b > a && isSpace(u[b - 1]) { b -= 1 }
        if a == 0 && b == u.count { return s }
        return String(decoding: u[a..<b], as: UTF8.self)
    }

    /// Splits on runs of blanks (space, tab).
    public static func words(_ s: String) -> [String] {
        var out: [String] = []
        var current: [UInt8] = []
        for c in s.utf8 {
            if c == 32 || c == 9 || c == 13 {
                if !current.isEmpty { out.append(String(decoding: current, as: UTF8.self)); current.removeAll() }
            } else {
                current.append(c)
            }
        }
        if !current.isEmpty { out.append(String(decoding: current, as: UTF8.self)) }
        return out
    }

    /// Splits on a single byte separator, keeping empty fields.
    public static func split(_ s: String, _ sep: UInt8) -> [String] {
        var out: [String] = []
        var current: [UInt8] = []
        for c in s.utf8 {
            if c == sep { out.append(String(decoding: current, as: UTF8.self)); current.removeAll() } else { current.append(c) }
        }
        out.append(String(decoding: current, as: UTF8.self))
        return out
    }

    public static func lower(_ s: String) -> String {
        var u = Array(s.utf8)
        var changed = false
        for i in 0..<u.count where u[i] >= 65 && u[i] <= 90 { u[i] += 32; changed = true }
        return changed ? String(decoding: u, as: UTF8.self) : s
    }

    public static func upper(_ s: String) -> String {
        var u = Array(s.utf8)
        for i in 0..<u.count where u[i] >= 97 && u[i] <= 122 { u[i] -= 32 }
        return String(decoding: u, as: UTF8.self)
    }

    public static func contains(_ haystack: String, _ needle: String) -> Bool {
        let h = Array(haystack.utf8)
        let n = Array(needle.utf8)
        return indexOf(h, n) != nil
    }

    /// First index of `n` in `h` at or after `from`. Unchecked pointers: it also scans multi-megabyte binaries for
    /// version strings (ComponentFacts), where bounds-checked indexing is slow in debug builds.
    public static func indexOf(_ h: [UInt8], _ n: [UInt8], from: Int = 0) -> Int? {
        if n.isEmpty { return from }
        if h.count < n.count || from < 0 { return nil }
        let last = h.count - n.count
        return h.withUnsafeBufferPointer { hb -> Int? in
            n.withUnsafeBufferPointer { nb -> Int? in
                let hp = hb.baseAddress!, np = nb.baseAddress!
                let first = np[0], count = nb.count
                var i = from
                while i <= last {
                    if hp[i] == first {
                        var j = 1
                        while j < count && hp[i + j] == np[j] { j += 1 }
                        if j == count { return i }
                    }
                    i += 1
                }
                return nil
            }
        }
    }

    /// Strips one level of matching single or double quotes.
    public static func unquote(_ s: String) -> String {
        let u = Array(s.utf8)
        if u.count >= 2, (u[0] == 34 || u[0] == 39), u[u.count - 1] == u[0] {
            return String(decoding: u[1..<(u.count - 1)], as: UTF8.self)
        }
        return s
    }

    /// Removes a `#` comment that is not inside quotes.
    public static func stripComment(_ s: String) -> String {
        var quote: UInt8 = 0
        var out: [UInt8] = []
        for c in s.utf8 {
            if quote != 0 {
                if c == quote { quote = 0 }
            } else if c == 34 || c == 39 {
                quote = c
            } else if c == 35 {
                break
            }
            out.append(c)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decimal integer parse without Foundation. Accepts an optional leading '-'.
    public static func int(_ s: String) -> Int? {
        let u = Array(s.utf8)
        if u.isEmpty || u.count > 18 { return nil }
        var i = 0
        var negative = false
        if u[0] == 45 { negative = true; i = 1; if u.count == 1 { return nil } }
        var v = 0
        while i < u.count {
            let c = u[i]
            if c < 48 || c > 57 { return nil }
            v = v * 10 + Int(c - 48)
            i += 1
        }
        return negative ? -v : v
    }

    /// Path join for root-relative paths ("/etc" + "x" → "/etc/x").
    public static func join(_ dir: String, _ name: String) -> String {
        if dir.hasSuffix("/") { return dir + name }
        return dir + "/" + name
    }

    public static func basename(_ path: String) -> String {
        let parts = split(path, 47)
        return parts.last ?? path
    }

    public static func dirname(_ path: String) -> String {
        var parts = split(path, 47)
        if parts.count <= 1 { return "." }
        parts.removeLast()
        let joined = joinWith(parts, "/")
        return joined.isEmpty ? "/" : joined
    }

    public static func joinWith(_ parts: [String], _ sep: String) -> String {
        var out = ""
        for (i, p) in parts.enumerated() {
            if i > 0 { out += sep }
            out += p
        }
        return out
    }

    /// Whether `s` is one of the space-separated words of `list` ("sh ash bash").
    public static func isOneOf(_ s: String, _ list: String) -> Bool {
        !s.isEmpty && contains(" " + list + " ", " " + s + " ")
    }

    /// Whether `s` contains one of the space-separated words of `list` as a substring.
    public static func containsAnyOf(_ s: String, _ list: String) -> Bool {
        let h = Array(s.utf8)
        var word: [UInt8] = []
        for c in list.utf8 + [32] {
            if c != 32 { word.append(c); continue }
            if !word.isEmpty && indexOf(h, word) != nil { return true }
            word.removeAll()
        }
        return false
    }

    /// Glob-free prefix/suffix match helpers for file names.
    public static func matches(_ name: String, prefix: String, suffix: String) -> Bool {
        name.utf8.count >= prefix.utf8.count + suffix.utf8.count && name.hasPrefix(prefix) && name.hasSuffix(suffix)
    }
}
