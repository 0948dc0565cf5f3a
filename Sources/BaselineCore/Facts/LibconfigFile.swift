// A lenient reader for libconfig files (SWUpdate's swupdate.cfg): groups `name: { … };` / `name = { … };`,
// settings `key = value;` with strings, numbers, booleans, lists and arrays. Settings are flattened to
// "group.key" (lists are kept as their raw text). Never fails: unreadable parts are skipped.

public struct LibconfigFile {
    public let path: String
    public var settings: [(key: String, value: String, line: Int)] = []

    public func value(_ key: String) -> (value: String, line: Int)? {
        for s in settings where s.key == key { return (s.value, s.line) }
        return nil
    }

    public func hasGroup(_ name: String) -> Bool { settings.contains { $0.key.hasPrefix(name + ".") } }

    enum Token: Equatable { case word(String), string(String), punct(UInt8) }

    static func tokens(_ bytes: [UInt8]) -> [(Token, Int)] {
        var out: [(Token, Int)] = []
        var i = 0
        var line = 1
        let n = bytes.count
        while i < n && out.count < 100_000 {
            let c = bytes[i]
            if c == 10 { line += 1; i += 1; continue }
            if Text.isSpace(c) { i += 1; continue }
            if c == 35 || (c == 47 && i + 1 < n && bytes[i + 1] == 47) {
                while i < n && bytes[i] != 10 { i += 1 }
                continue
            }
            if c == 47 && i + 1 < n && bytes[i + 1] == 42 {
                i += 2
                while i + 1 < n && !(bytes[i] == 42 && bytes[i + 1] == 47) { if bytes[i] == 10 { line += 1 }; i += 1 }
                i += 2
                continue
            }
            if c == 34 {
                var s: [UInt8] = []
                let startLine = line
                i += 1
                while i < n && bytes[i] != 34 {
                    if bytes[i] == 92 && i + 1 < n { i += 1 }
                    if bytes[i] == 10 { line += 1 }
                    s.append(bytes[i]); i += 1
                }
                i += 1
                out.append((.string(String(decoding: s, as: UTF8.self)), startLine))
                continue
            }
            if c == 123 || c == 125 || c == 40 || c == 41 || c == 91 || c == 93 || c == 61 || c == 58 || c == 59 || c == 44 {
                out.append((.punct(c), line)); i += 1; continue
            }
            var w: [UInt8] = []
            while i < n {
                let d = bytes[i]
                if Text.isSpace(d) || d == 123 || d == 125 || d == 40 || d == 41 || d == 91 || d == 93 || d == 61 || d == 58 || d == 59 || d == 44 || d == 34 || d == 35 { break }
                w.append(d); i += 1
            }
            if w.isEmpty { i += 1; continue }
            out.append((.word(String(decoding: w, as: UTF8.self)), line))
        }
        return out
    }

    public static func parse(_ bytes: [UInt8], path: String) -> LibconfigFile {
        var file = LibconfigFile(path: path)
        let toks = tokens(bytes)
        var groups: [String] = []
        var i = 0
        while i < toks.count {
            let (tok, line) = toks[i]
            if tok == .punct(125) { if !groups.isEmpty { groups.removeLast() }; i += 1; continue }
            guard case .word(let name) = tok, i + 1 < toks.count, toks[i + 1].0 == .punct(61) || toks[i + 1].0 == .punct(58) else { i += 1; continue }
            i += 2
            guard i < toks.count else { break }
            let prefix = groups.isEmpty ? "" : Text.joinWith(groups, ".") + "."
            switch toks[i].0 {
            case .punct(123):
                groups.append(name); i += 1
            case .punct(40), .punct(91):
                // list or array: keep raw text of scalar members; groups inside lists are flattened by index
                var depth = 0
                var raw: [String] = []
                while i < toks.count {
                    let t = toks[i].0
                    if t == .punct(40) || t == .punct(91) || t == .punct(123) { depth += 1 }
                    else if t == .punct(41) || t == .punct(93) || t == .punct(125) { depth -= 1; if depth == 0 { i += 1; break } }
                    else if case .string(let s) = t { raw.append(s) }
                    else if case .word(let s) = t { raw.append(s) }
                    i += 1
                }
                file.settings.append((prefix + name, Text.joinWith(raw, " "), line))
            case .string(let s):
                var value = s
                i += 1
                while i < toks.count, case .string(let more) = toks[i].0 { value += more; i += 1 } // "a" "b" concatenation
                file.settings.append((prefix + name, value, line))
            case .word(let s):
                file.settings.append((prefix + name, s, line)); i += 1
            default:
                i += 1
            }
        }
        return file
    }
}
