// INI files ([section] key=value): RAUC system.conf, rauc-hawkbit-updater config.conf, systemd-style files.

public struct IniFile {
    public let path: String
    public var entries: [(section: String, key: String, value: String, line: Int)] = []
    public var sections: [(name: String, line: Int)] = []

    public func value(_ section: String, _ key: String) -> (value: String, line: Int)? {
        for e in entries where e.section == section && e.key == key { return (e.value, e.line) }
        return nil
    }

    public func has(section: String) -> Bool { sections.contains { $0.name == section } }

    public static func parse(_ bytes: [UInt8], path: String) -> IniFile {
        var ini = IniFile(path: path)
        var section = ""
        for l in Text.lines(bytes) {
            let t = Text.trim(l.text)
            if t.isEmpty || t.hasPrefix("#") || t.hasPrefix(";") { continue }
            if t.hasPrefix("[") && t.hasSuffix("]") {
                section = Text.trim(String(t.dropFirst().dropLast()))
                ini.sections.append((section, l.number))
                continue
            }
            let u = Array(t.utf8)
            guard let eq = u.firstIndex(of: 61) else { continue }
            let key = Text.trim(String(decoding: u[0..<eq], as: UTF8.self))
            let value = Text.unquote(Text.trim(String(decoding: u[(eq + 1)...], as: UTF8.self)))
            ini.entries.append((section, key, value, l.number))
        }
        return ini
    }
}

public enum Truth {
    /// Interprets the many spellings of a boolean in config files. nil when not a boolean.
    public static func of(_ s: String) -> Bool? {
        switch Text.lower(Text.trim(Text.unquote(Text.trim(s)))) {
        case "1", "yes", "true", "on", "enable", "enabled": return true
        case "0", "no", "false", "off", "disable", "disabled": return false
        default: return nil
        }
    }
}
