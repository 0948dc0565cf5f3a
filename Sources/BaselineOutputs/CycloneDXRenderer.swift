// CycloneDX 1.6 JSON SBOM of what an image contains: the base OS, every package in its package databases (opkg,
// dpkg, apk) with a package URL, and the security-relevant components found in binaries and module directories
// (Linux, OpenSSL, BusyBox, Dropbear, OpenSSH, dnsmasq, lighttpd, uClibc) with a CPE and the places they were seen.
import BaselineCore
import Foundation

public enum CycloneDXRenderer {
    public struct Subject {
        public var name: String
        public var version: String?
        public var vendor: String?
        public init(name: String, version: String?, vendor: String?) { self.name = name; self.version = version; self.vendor = vendor }
    }

    /// CPE 2.3 vendor:product for the detected products (NVD naming), so the SBOM can be matched against CVE feeds.
    static let cpe: [String: String] = [
        "linux": "linux:linux_kernel", "openssl": "openssl:openssl", "busybox": "busybox:busybox",
        "dropbear": "dropbear_ssh_project:dropbear_ssh", "openssh": "openbsd:openssh", "dnsmasq": "thekelleys:dnsmasq",
        "lighttpd": "lighttpd:lighttpd", "uclibc": "uclibc:uclibc", "uclibc-ng": "uclibc-ng_project:uclibc-ng",
    ]

    /// Percent-encoding of a purl segment.
    static func enc(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: CharacterSet.alphanumerics.union(CharacterSet(charactersIn: ".-_~+"))) ?? s
    }

    /// Package URL for a package-database entry (purl spec: deb and apk types; opkg has no registered type: generic).
    static func purl(_ c: Component, distro: String?) -> String {
        let v = c.version.isEmpty ? "" : "@" + enc(c.version)
        switch c.manager {
        case "dpkg": return "pkg:deb/\(enc(distro ?? "debian"))/\(enc(c.name))\(v)"
        case "apk": return "pkg:apk/\(enc(distro ?? "alpine"))/\(enc(c.name))\(v)"
        default: return "pkg:generic/\(enc(c.name))\(v)" + (distro.map { "?distro=" + enc($0) } ?? "")
        }
    }

    public static func render(_ facts: DeviceFacts, subject: Subject, source: String, timestamp: Date = Date()) -> String {
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime]
        var components: [JSONNode] = []
        var refs: [String] = [], taken: Set<String> = []     // every component's bom-ref, in order: the firmware depends on them
        func ref(_ base: String) -> String {
            var r = base, n = 2
            while taken.contains(r) { r = "\(base)#\(n)"; n += 1 }
            taken.insert(r)
            refs.append(r)
            return r
        }
        let r = facts.release
        if let id = r.distroID {
            var os: [(String, JSONNode)] = [("type", .str("operating-system")), ("bom-ref", .str(ref("os:" + id))), ("name", .str(id))]
            if let v = r.versionID { os.append(("version", .str(v))) }
            if let p = r.prettyName { os.append(("description", .str(p))) }
            components.append(.obj(os))
        }
        for c in facts.packages.components {
            let p = purl(c, distro: r.distroID)
            var e: [(String, JSONNode)] = [("type", .str(c.name.hasPrefix("lib") ? "library" : "application")), ("bom-ref", .str(ref(p))),
                                           ("name", .str(c.name)), ("purl", .str(p)),
                                           ("properties", .arr([.obj([("name", .str("baseline:package-database")), ("value", .str(c.source))])]))]
            if !c.version.isEmpty { e.append(("version", .str(c.version))) }
            components.append(.obj(e))
        }
        for d in facts.components.detected {
            let type = d.product == "linux" ? "operating-system" : d.product == "openssl" ? "library" : "application"
            var e: [(String, JSONNode)] = [("type", .str(type)), ("bom-ref", .str(ref("component:\(d.product)@\(d.version)"))), ("name", .str(d.name)),
                                           ("version", .str(d.version)), ("purl", .str("pkg:generic/\(d.product)@\(enc(d.version))"))]
            if let vp = cpe[d.product] {
                let v = d.version.replacingOccurrences(of: ":", with: "\\:")
                e.append(("cpe", .str("cpe:2.3:\(d.product == "linux" ? "o" : "a"):\(vp):\(v):*:*:*:*:*:*:*")))
            }
            e.append(("evidence", .obj([("occurrences", .arr(d.evidence.map { ev -> JSONNode in
                var o: [(String, JSONNode)] = [("location", .str(ev.path))]
                if ev.line > 0 { o.append(("line", .num(ev.line))) }
                o.append(("additionalContext", .str("\(ev.method): \(ev.detail)")))
                return .obj(o)
            }))])))
            components.append(.obj(e))
        }
        var fw: [(String, JSONNode)] = [("type", .str("firmware")), ("bom-ref", .str("firmware")), ("name", .str(subject.name))]
        if let v = subject.version { fw.append(("version", .str(v))) }
        if let s = subject.vendor { fw.append(("supplier", .obj([("name", .str(s))]))) }
        let meta: JSONNode = .obj([
            ("timestamp", .str(iso.string(from: timestamp))),
            ("tools", .obj([("components", .arr([.obj([("type", .str("application")), ("name", .str("baseline")), ("version", .str(baselineVersion))])]))])),
            ("properties", .arr([.obj([("name", .str("baseline:source")), ("value", .str(source))])])),
            ("component", .obj(fw)),
        ])
        let doc: JSONNode = .obj([
            ("$schema", .str("http://cyclonedx.org/schema/bom-1.6.schema.json")),
            ("bomFormat", .str("CycloneDX")), ("specVersion", .str("1.6")), ("version", .num(1)),
            ("serialNumber", .str("urn:uuid:" + UUID().uuidString.lowercased())),
            ("metadata", meta),
            ("components", .arr(components)),
            ("dependencies", .arr([.obj([("ref", .str("firmware")), ("dependsOn", .arr(refs.map { .str($0) }))])])),
        ])
        return JSONWriter.write(doc, sortKeys: true)
    }
}
