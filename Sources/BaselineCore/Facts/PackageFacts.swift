// Package databases (opkg, dpkg, apk) and SBOM files shipped in the image: the components and their versions.

public struct Component: Equatable {
    public let name: String
    public let version: String
    public let source: String     // database path
    public var line: Int = 0       // line where the package's entry starts
    public var manager = ""        // opkg, dpkg or apk
}

public struct PackageFacts {
    public var databases: [(path: String, manager: String, count: Int)] = []
    public var components: [Component] = []
    public var sbomFiles: [String] = []

    public static let statusFiles: [(String, String)] = [
        ("/usr/lib/opkg/status", "opkg"), ("/var/lib/opkg/status", "opkg"), ("/var/lib/dpkg/status", "dpkg"),
        ("/lib/apk/db/installed", "apk"), ("/usr/lib/apk/db/installed", "apk"),
    ]
    public static let sbomDirs = ["/usr/share/sbom", "/usr/lib/sbom", "/etc/sbom", "/var/lib/sbom"]

    public static func gather(_ fs: RootView) -> PackageFacts {
        var f = PackageFacts()
        var seen: Set<String> = []
        for (path, manager) in statusFiles {
            guard let info = fs.info(path), info.kind == .regular, !seen.contains(info.path), let b = fs.read(path, limit: 64 << 20) else { continue }
            seen.insert(info.path)
            var parsed = manager == "apk" ? parseApk(b, path) : parseStanzas(b, path)
            for i in parsed.indices { parsed[i].manager = manager }
            f.databases.append((info.path, manager, parsed.count))
            f.components += parsed
        }
        for dir in sbomDirs {
            for n in fs.list(dir) where n.hasSuffix(".json") || n.hasSuffix(".spdx") || n.hasSuffix(".xml") {
                f.sbomFiles.append(Text.join(dir, n))
            }
        }
        return f
    }

    /// Debian-control stanzas (dpkg and opkg status): Package, Version, Status (only installed packages count).
    static func parseStanzas(_ b: [UInt8], _ path: String) -> [Component] {
        var out: [Component] = []
        var name = "", version = "", installed = true, line = 0
        func flush() {
            if !name.isEmpty && installed { out.append(Component(name: name, version: version, source: path, line: line)) }
            name = ""; version = ""; installed = true
        }
        for l in Text.lines(b) {
            let t = l.text
            if Text.trim(t).isEmpty { flush(); continue }
            if t.hasPrefix("Package:") { name = Text.trim(String(t.dropFirst(8))); line = l.number }
            else if t.hasPrefix("Version:") { version = Text.trim(String(t.dropFirst(8))) }
            else if t.hasPrefix("Status:") { installed = Text.contains(t, "installed") && !Text.contains(t, "not-installed") && !Text.contains(t, "config-files") }
        }
        flush()
        return out
    }

    /// apk's installed database: "P:name" and "V:version" lines, blank line between packages.
    static func parseApk(_ b: [UInt8], _ path: String) -> [Component] {
        var out: [Component] = []
        var name = "", version = "", line = 0
        for l in Text.lines(b) {
            let t = l.text
            if t.isEmpty {
                if !name.isEmpty { out.append(Component(name: name, version: version, source: path, line: line)) }
                name = ""; version = ""
            } else if t.hasPrefix("P:") { name = String(t.dropFirst(2)); line = l.number }
            else if t.hasPrefix("V:") { version = String(t.dropFirst(2)) }
        }
        if !name.isEmpty { out.append(Component(name: name, version: version, source: path, line: line)) }
        return out
    }
}
