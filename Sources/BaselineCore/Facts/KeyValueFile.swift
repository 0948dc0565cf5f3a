// Shell-style KEY=value files: os-release(5), /etc/openwrt_release, /etc/default/*, Yocto /etc/buildinfo
// ("KEY = value"). Values are unquoted; comments and blank lines are skipped.

public struct KeyValueFile {
    public let path: String
    public var values: [String: String] = [:]
    public var lines: [String: Int] = [:]

    public subscript(key: String) -> String? { values[key] }

    public static func parse(_ bytes: [UInt8], path: String) -> KeyValueFile {
        var kv = KeyValueFile(path: path)
        for line in Text.lines(bytes) {
            var t = Text.trim(line.text)
            if t.isEmpty || t.hasPrefix("#") { continue }
            if t.hasPrefix("export ") { t = Text.trim(String(t.dropFirst(7))) }
            let u = Array(t.utf8)
            guard let eq = u.firstIndex(of: 61), eq > 0 else { continue }
            let key = Text.trim(String(decoding: u[0..<eq], as: UTF8.self))
            var value = Text.trim(String(decoding: u[(eq + 1)...], as: UTF8.self))
            if !(value.hasPrefix("\"") || value.hasPrefix("'")) { value = Text.trim(Text.stripComment(value)) }
            value = unescape(Text.unquote(value))
            if Text.words(key).count != 1 { continue }
            kv.values[key] = value
            kv.lines[key] = line.number
        }
        return kv
    }

    static func unescape(_ s: String) -> String {
        if !Text.contains(s, "\\") { return s }
        var out: [UInt8] = []
        var escaped = false
        for c in s.utf8 {
            if escaped { out.append(c); escaped = false } else if c == 92 { escaped = true } else { out.append(c) }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
