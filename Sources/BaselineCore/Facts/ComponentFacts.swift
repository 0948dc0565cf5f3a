// Versions of the components that most often make embedded firmware vulnerable — the Linux kernel, OpenSSL,
// BusyBox, Dropbear, OpenSSH, dnsmasq, lighttpd, uClibc — from the version strings compiled into their binaries (bytes
// only: the same on MIPS, ARM and x86, big- or little-endian; no ELF header is read), the C library's file name
// (libuClibc-0.9.33.2.so), the kernel module directories, the running kernel and the package databases. One component per product and version, with every
// place it was seen: enough to judge support status (LIFE-05) and to write an SBOM entry (name, version, evidence).

/// One place a component was seen.
public struct ComponentEvidence: Equatable {
    public let path: String      // binary, package database, modules directory or /proc file, inside the root
    public let line: Int         // line of the package's stanza in a package database; 0 otherwise
    public let method: String    // "binary", "package", "modules-dir" or "running"
    public let detail: String    // what was read: the version string in the binary, "package libssl3 3.0.17-1~deb12u2 (dpkg)"…

    public init(path: String, line: Int, method: String, detail: String) {
        self.path = path; self.line = line; self.method = method; self.detail = detail
    }
}

public struct DetectedComponent: Equatable {
    public let product: String   // "linux", "openssl", "busybox", "dropbear", "openssh", "dnsmasq"
    public let name: String      // display name: "Linux", "OpenSSL", "BusyBox", "Dropbear", "OpenSSH", "dnsmasq"
    public let version: String   // upstream version: "1.1.1w", "9.2p1", "2022.83", "5.10.0-30-armmp" (no epoch, no packaging revision)
    public var evidence: [ComponentEvidence]

    public init(product: String, name: String, version: String, evidence: [ComponentEvidence]) {
        self.product = product; self.name = name; self.version = version; self.evidence = evidence
    }
}

public struct ComponentFacts {
    public var detected: [DetectedComponent] = []

    /// Products this detector knows, in report order: (id, display name).
    public static let products: [(id: String, name: String)] = [
        ("linux", "Linux"), ("openssl", "OpenSSL"), ("busybox", "BusyBox"), ("dropbear", "Dropbear"), ("openssh", "OpenSSH"), ("dnsmasq", "dnsmasq"),
        ("lighttpd", "lighttpd"), ("uclibc", "uClibc"), ("uclibc-ng", "uClibc-ng"),
    ]

    /// The binaries with their own version string, the library and kernel-module directories: FactSources (the one
    /// list of places the facts read).
    /// Largest part of a binary searched (libcrypto is about 5 MB; the version string is in its read-only data).
    public static let maxBinaryBytes = 16 * 1024 * 1024
    static let scanOverlap = 512

    public static func gather(_ fs: RootView, packages: PackageFacts, runningKernel: String? = nil) -> ComponentFacts {
        var f = ComponentFacts()
        var seen: Set<String> = []
        func scan(_ path: String, _ product: String) {
            guard let info = fs.info(path), info.kind == .regular, info.size > 0, !seen.contains(info.path) else { return }
            seen.insert(info.path)
            // Searched in 256 KiB windows (the agent's memory budget): a match starting in a window's last 512 bytes
            // is left to the next window, which starts with those bytes, so no version string is cut.
            var hit: (version: String, text: String)? = nil
            _ = fs.scan(info.path, limit: maxBinaryBytes, overlap: scanOverlap) { window, last in
                hit = versionString(window, product: product, maxStart: last ? window.count : window.count - scanOverlap)
                return hit != nil
            }
            guard let hit else { return }
            f.add(product, hit.version, ComponentEvidence(path: info.path, line: 0, method: "binary", detail: hit.text))
        }
        if let k = runningKernel, startsWithDigit(k) {
            f.add("linux", k, ComponentEvidence(path: "/proc/sys/kernel/osrelease", line: 1, method: "running", detail: "running kernel " + k))
        }
        for dir in FactSources.modulesDirs {
            guard let info = fs.info(dir), info.kind == .directory, !seen.contains(info.path) else { continue }
            seen.insert(info.path)
            for name in fs.list(info.path) where startsWithDigit(name) && Text.contains(name, ".") && fs.isDirectory(Text.join(info.path, name)) {
                f.add("linux", name, ComponentEvidence(path: Text.join(info.path, name), line: 0, method: "modules-dir", detail: "kernel modules directory " + name))
            }
        }
        // No kernel in the tree (no modules directory): the release named by the firmware file's kernel header.
        if let k = fs.headerKernel, startsWithDigit(k.release), !f.detected.contains(where: { $0.product == "linux" }) {
            f.add("linux", k.release, ComponentEvidence(path: k.source, line: 0, method: "image-header", detail: "kernel named in the image header"))
        }
        for (path, product) in FactSources.componentBinaries where product != "openssl" { scan(path, product) }
        // libcrypto.so* in /lib, /usr/lib and their multiarch directories (/usr/lib/x86_64-linux-gnu, …)
        var libDirs: [String] = []
        for d in FactSources.libraryDirs {
            libDirs.append(d)
            for n in fs.list(d) where Text.contains(n, "-linux-") { libDirs.append(Text.join(d, n)) }
        }
        for d in libDirs {
            for n in fs.list(d) where n.hasPrefix("libcrypto.so") { scan(Text.join(d, n), "openssl") }
        }
        scan("/usr/bin/openssl", "openssl")
        // uClibc names its library files after its version: libuClibc-0.9.33.2.so, ld-uClibc-0.9.33.2.so (uClibc-ng
        // keeps the names from 1.0.0 on). The file name is the evidence; libc.so.0 links to it.
        for d in libDirs {
            for n in fs.list(d) {
                guard let v = uclibcVersion(n) else { continue }
                let product = (Text.int(Text.split(v, 46)[0]) ?? 0) >= 1 ? "uclibc-ng" : "uclibc"
                f.add(product, v, ComponentEvidence(path: Text.join(d, n), line: 0, method: "file-name", detail: "C library file " + n))
            }
        }
        for c in packages.components {
            guard let product = product(ofPackage: c.name), !c.version.isEmpty else { continue }
            var v = upstreamVersion(c.version)
            if product == "linux", let tilde = v.utf8.firstIndex(of: 126) { v = String(v[..<tilde]) }   // OpenWrt: 6.6.73~<vermagic>
            guard startsWithDigit(v) else { continue }
            let manager = packages.databases.first { $0.path == c.source }?.manager ?? "package database"
            f.add(product, v, ComponentEvidence(path: c.source, line: c.line, method: "package", detail: "package \(c.name) \(c.version) (\(manager))"))
        }
        f.detected = products.flatMap { p in f.detected.filter { $0.product == p.id } }
        return f
    }

    /// Adds evidence to the component with this product and version, or a new component.
    mutating func add(_ product: String, _ version: String, _ e: ComponentEvidence) {
        if let i = detected.firstIndex(where: { $0.product == product && $0.version == version }) {
            if !detected[i].evidence.contains(where: { $0.path == e.path && $0.method == e.method }) { detected[i].evidence.append(e) }
            return
        }
        let name = ComponentFacts.products.first { $0.id == product }?.name ?? product
        detected.append(DetectedComponent(product: product, name: name, version: version, evidence: [e]))
    }

    /// The product a package of this name belongs to (opkg, dpkg and apk names), or nil.
    public static func product(ofPackage name: String) -> String? {
        switch name {
        case "busybox", "busybox-static": return "busybox"
        case "openssl", "libssl3", "libssl3t64", "libssl1.1", "libssl1.0.0", "libssl1.0.2", "libopenssl", "libopenssl3", "libopenssl1.1",
             "libcrypto3", "libcrypto1.1": return "openssl"
        case "dropbear": return "dropbear"
        case "openssh", "openssh-server", "openssh-sshd", "openssh-client": return "openssh"
        case "dnsmasq", "dnsmasq-full", "dnsmasq-base", "dnsmasq-dhcpv6": return "dnsmasq"
        case "lighttpd": return "lighttpd"
        case "uclibc": return "uclibc"
        case "uclibc-ng": return "uclibc-ng"
        case "kernel", "linux-lts", "linux-virt", "linux-rpi": return "linux"
        default: return name.hasPrefix("linux-image-") ? "linux" : nil
        }
    }

    /// A package version without epoch and packaging revision: "1:8.4p1-5+deb11u3" → "8.4p1", "2022.83-r1" → "2022.83".
    public static func upstreamVersion(_ v: String) -> String {
        var u = Array(v.utf8)
        if let colon = u.firstIndex(of: 58), colon > 0, u[0..<colon].allSatisfy({ $0 >= 48 && $0 <= 57 }) { u = Array(u[(colon + 1)...]) }
        if let dash = u.lastIndex(of: 45), dash > 0 { u = Array(u[0..<dash]) }
        return String(decoding: u, as: UTF8.self)
    }

    /// The leading dotted number of a version, which release cycles and release dates are matched on:
    /// "1.1.1w" → "1.1.1", "9.2p1" → "9.2", "5.10.0-30-armmp" → "5.10.0". Empty when it does not start with a digit.
    public static func numericVersion(_ v: String) -> String {
        var out: [UInt8] = []
        for c in v.utf8 {
            guard (c >= 48 && c <= 57) || c == 46 else { break }
            out.append(c)
        }
        while out.last == 46 { out.removeLast() }
        return String(decoding: out, as: UTF8.self)
    }

    /// Compares dotted numbers field by field ("4.19" < "5.4" < "5.10"); a missing field counts as 0.
    public static func compareVersions(_ a: String, _ b: String) -> Int {
        let x = Text.split(numericVersion(a), 46), y = Text.split(numericVersion(b), 46)
        for i in 0..<max(x.count, y.count) {
            let p = i < x.count ? (Text.int(x[i]) ?? 0) : 0, q = i < y.count ? (Text.int(y[i]) ?? 0) : 0
            if p != q { return p < q ? -1 : 1 }
        }
        return 0
    }

    static func startsWithDigit(_ s: String) -> Bool { s.utf8.first.map { $0 >= 48 && $0 <= 57 } ?? false }

    /// The version marker each product's binaries carry.
    static func marker(_ product: String) -> String {
        switch product {
        case "busybox": return "BusyBox v"         // "BusyBox v1.36.1 (2024-06-10 12:00:00 UTC) multi-call binary."
        case "dropbear": return "dropbear_"        // "SSH-2.0-dropbear_2022.83"
        case "openssh": return "OpenSSH_"          // "OpenSSH_9.2p1 Debian-2+deb12u3"
        case "dnsmasq": return "dnsmasq-"          // "dnsmasq-2.90" (the version.bind answer)
        case "lighttpd": return "lighttpd/"        // "lighttpd/1.4.35" (the Server header)
        default: return "OpenSSL "                 // "OpenSSL 3.0.17 1 Jul 2025"
        }
    }

    /// The first valid version string of `product` in `b` whose marker starts before `maxStart`: the version and the
    /// printable text around it.
    public static func versionString(_ b: [UInt8], product: String, maxStart: Int = Int.max) -> (version: String, text: String)? {
        let m = Array(marker(product).utf8)
        var from = 0
        while let at = Text.indexOf(b, m, from: from), at < maxStart {
            from = at + 1
            var end = at + m.count
            while end < b.count && isVersionByte(b[end]) { end += 1 }
            let token = Array(b[(at + m.count)..<end])
            let next: UInt8 = end < b.count ? b[end] : 0
            guard let first = token.first, first >= 48 && first <= 57, token.contains(46), token.last != 46 else { continue }
            switch product {
            case "openssh":      // not the compatibility patterns ("OpenSSH_7.4*", "OpenSSH_2.*,OpenSSH_3.0*")
                guard next == 0 || next == 32 || next == 10 else { continue }
            case "openssl":      // "OpenSSL x.y.z<letter> <date>", not "OpenSSL 3.0 provider"
                guard next == 32, token.filter({ $0 == 46 }).count == 2 else { continue }
            case "dropbear":     // YYYY.NN
                guard token.count > 5, token[4] == 46, token.allSatisfy({ ($0 >= 48 && $0 <= 57) || $0 == 46 }) else { continue }
            default: break
            }
            var start = at
            while start > 0 && at - start < 40 && b[start - 1] >= 32 && b[start - 1] < 127 { start -= 1 }
            var stop = end
            while stop < b.count && stop - at < 100 && b[stop] >= 32 && b[stop] < 127 { stop += 1 }
            return (String(decoding: token, as: UTF8.self), Text.trim(String(decoding: b[start..<stop], as: UTF8.self)))
        }
        return nil
    }

    /// The version in a uClibc library file name: "libuClibc-0.9.33.2.so" / "ld-uClibc-0.9.33.2.so" → "0.9.33.2".
    public static func uclibcVersion(_ name: String) -> String? {
        for p in ["libuClibc-", "ld-uClibc-", "ld64-uClibc-"] where name.hasPrefix(p) && name.hasSuffix(".so") {
            let v = String(decoding: Array(name.utf8)[p.utf8.count..<(name.utf8.count - 3)], as: UTF8.self)
            guard startsWithDigit(v), Text.contains(v, "."), v.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || $0 == 46 }) else { return nil }
            return v
        }
        return nil
    }

    static func isVersionByte(_ c: UInt8) -> Bool { (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 46 }
}
