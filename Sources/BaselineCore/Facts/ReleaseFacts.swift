// What the image says about itself: os-release(5) (/etc first, then /usr/lib), OpenWrt's /etc/openwrt_release,
// Yocto's /etc/buildinfo, /etc/version and /etc/timestamp, Buildroot's os-release (ID=buildroot).

public struct ReleaseFacts {
    public var osRelease: KeyValueFile?
    public var openwrt: KeyValueFile?
    public var buildinfo: KeyValueFile?
    public var versionFile: (path: String, value: String)?
    public var timestampFile: (path: String, value: String)?

    public static func gather(_ fs: RootView) -> ReleaseFacts {
        var f = ReleaseFacts()
        for path in ["/etc/os-release", "/usr/lib/os-release"] {
            if let b = fs.read(path, limit: 64 * 1024) { f.osRelease = KeyValueFile.parse(b, path: path); break }
        }
        if let b = fs.read("/etc/openwrt_release", limit: 64 * 1024) { f.openwrt = KeyValueFile.parse(b, path: "/etc/openwrt_release") }
        if let b = fs.read("/etc/buildinfo", limit: 64 * 1024) { f.buildinfo = KeyValueFile.parse(b, path: "/etc/buildinfo") }
        for (path, isVersion) in [("/etc/version", true), ("/etc/timestamp", false)] {
            if let b = fs.read(path, limit: 4096), let first = Text.lines(b).first {
                let v = Text.trim(first.text)
                if !v.isEmpty { if isVersion { f.versionFile = (path, v) } else { f.timestampFile = (path, v) } }
            }
        }
        return f
    }

    func os(_ key: String) -> String? {
        guard let v = osRelease?[key], !v.isEmpty else { return nil }
        return v
    }

    /// Distribution id: os-release ID, or "openwrt" when only openwrt_release exists.
    public var distroID: String? {
        if let id = os("ID") { return Text.lower(id) }
        if openwrt != nil { return "openwrt" }
        if let d = buildinfo?["DISTRO"], !d.isEmpty { return Text.lower(d) }
        return nil
    }

    public var versionID: String? {
        if let v = os("VERSION_ID") { return v }
        if let v = openwrt?["DISTRIB_RELEASE"], !v.isEmpty { return v }
        if let v = buildinfo?["DISTRO_VERSION"], !v.isEmpty { return v }
        return nil
    }

    public var codename: String? {
        if let v = os("VERSION_CODENAME") { return Text.lower(v) }
        if let v = buildinfo?["DISTRO_CODENAME"], !v.isEmpty { return Text.lower(v) }
        return nil
    }

    public var prettyName: String? {
        os("PRETTY_NAME") ?? openwrt?["DISTRIB_DESCRIPTION"] ?? os("NAME")
    }

    /// The firmware's own version: IMAGE_VERSION, then VERSION_ID, then the distribution release.
    public var firmwareVersion: String? {
        if let v = os("IMAGE_VERSION") { return v }
        if let v = versionID { return v }
        return versionFile?.value
    }

    public var buildID: String? {
        if let v = os("BUILD_ID") { return v }
        if let v = openwrt?["DISTRIB_REVISION"], !v.isEmpty { return v }
        if let v = timestampFile?.value { return v }
        if let v = versionFile?.value { return v }
        return nil
    }

    /// Where the machine-readable version came from, for evidence.
    public var versionEvidence: (path: String, line: Int, detail: String)? {
        if let os = osRelease, let v = os["VERSION_ID"] ?? os["IMAGE_VERSION"] ?? os["BUILD_ID"], !v.isEmpty {
            let key = os["VERSION_ID"] != nil ? "VERSION_ID" : (os["IMAGE_VERSION"] != nil ? "IMAGE_VERSION" : "BUILD_ID")
            return (os.path, os.lines[key] ?? 0, "\(key)=\(v)")
        }
        if let o = openwrt, let v = o["DISTRIB_RELEASE"], !v.isEmpty {
            return (o.path, o.lines["DISTRIB_RELEASE"] ?? 0, "DISTRIB_RELEASE=\(v)")
        }
        if let b = buildinfo, let v = b["DISTRO_VERSION"], !v.isEmpty {
            return (b.path, b.lines["DISTRO_VERSION"] ?? 0, "DISTRO_VERSION=\(v)")
        }
        if let v = versionFile { return (v.path, 1, v.value) }
        if let v = timestampFile { return (v.path, 1, v.value) }
        return nil
    }

    public var supportEnd: (value: String, path: String, line: Int)? {
        guard let os = osRelease, let v = os["SUPPORT_END"], !v.isEmpty else { return nil }
        return (v, os.path, os.lines["SUPPORT_END"] ?? 0)
    }

    public var disclosureURLs: [(key: String, value: String, path: String, line: Int)] {
        var out: [(key: String, value: String, path: String, line: Int)] = []
        guard let os = osRelease else { return out }
        for key in ["BUG_REPORT_URL", "SUPPORT_URL"] {
            if let v = os[key], !v.isEmpty { out.append((key, v, os.path, os.lines[key] ?? 0)) }
        }
        return out
    }
}
