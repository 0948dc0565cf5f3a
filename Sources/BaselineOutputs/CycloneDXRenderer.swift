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
        var components: [[String: Any]] = []
        var refs: Set<String> = []
        func ref(_ base: String) -> String {
            var r = base, n = 2
            while refs.contains(r) { r = "\(base)#\(n)"; n += 1 }
            refs.insert(r)
            return r
        }
        let r = facts.release
        if let id = r.distroID {
            var os: [String: Any] = ["type": "operating-system", "bom-ref": ref("os:" + id), "name": id]
            if let v = r.versionID { os["version"] = v }
            if let p = r.prettyName { os["description"] = p }
            components.append(os)
        }
        for c in facts.packages.components {
            let p = purl(c, distro: r.distroID)
            var e: [String: Any] = ["type": c.name.hasPrefix("lib") ? "library" : "application", "bom-ref": ref(p), "name": c.name, "purl": p,
                                    "properties": [["name": "baseline:package-database", "value": c.source]]]
            if !c.version.isEmpty { e["version"] = c.version }
            components.append(e)
        }
        for d in facts.components.detected {
            let type = d.product == "linux" ? "operating-system" : d.product == "openssl" ? "library" : "application"
            var e: [String: Any] = ["type": type, "bom-ref": ref("component:\(d.product)@\(d.version)"), "name": d.name, "version": d.version,
                                    "purl": "pkg:generic/\(d.product)@\(enc(d.version))"]
            if let vp = cpe[d.product] {
                let v = d.version.replacingOccurrences(of: ":", with: "\\:")
                e["cpe"] = "cpe:2.3:\(d.product == "linux" ? "o" : "a"):\(vp):\(v):*:*:*:*:*:*:*"
            }
            e["evidence"] = ["occurrences": d.evidence.map { ev -> [String: Any] in
                var o: [String: Any] = ["location": ev.path]
                if ev.line > 0 { o["line"] = ev.line }
                o["additionalContext"] = "\(ev.method): \(ev.detail)"
                return o
            }]
            components.append(e)
        }
        var meta: [String: Any] = [
            "timestamp": iso.string(from: timestamp),
            "tools": ["components": [["type": "application", "name": "baseline", "version": baselineVersion]]],
            "properties": [["name": "baseline:source", "value": source]],
        ]
        var fw: [String: Any] = ["type": "firmware", "bom-ref": "firmware", "name": subject.name]
        if let v = subject.version { fw["version"] = v }
        if let s = subject.vendor { fw["supplier"] = ["name": s] }
        meta["component"] = fw
        let doc: [String: Any] = [
            "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
            "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
            "serialNumber": "urn:uuid:" + UUID().uuidString.lowercased(),
            "metadata": meta,
            "components": components,
            "dependencies": [["ref": "firmware", "dependsOn": components.compactMap { $0["bom-ref"] as? String }]],
        ]
        let data = (try? JSONSerialization.data(withJSONObject: doc, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
