// Whether a directory or an image's root looks like a root filesystem at all, before any check runs on it: an empty
// or unrelated directory would otherwise "pass" every check that looks for something bad and finds nothing.
//
// The rule: /etc is a directory, and the root has programs or an init (/bin, /sbin, /usr/bin, /usr/sbin, /init,
// /linuxrc) or
// /etc holds what every system root has (/etc/passwd, /etc/os-release or /usr/lib/os-release, /etc/openwrt_release,
// /etc/inittab). A minimal BusyBox root (/etc, /bin) passes; so does an extracted /etc-only overlay with passwd.

public enum RootShape {
    public static let programs = ["/bin", "/sbin", "/usr/bin", "/usr/sbin", "/init", "/linuxrc"]
    public static let systemFiles = ["/etc/passwd", "/etc/os-release", "/usr/lib/os-release", "/etc/openwrt_release", "/etc/inittab"]

    /// What the root lacks to look like a root filesystem ("no /etc", …); nil when it looks like one.
    public static func missing(_ fs: RootView) -> String? {
        guard fs.isDirectory("/etc") else { return "no /etc" }
        if programs.contains(where: { fs.exists($0) }) || systemFiles.contains(where: { fs.isFile($0) }) { return nil }
        return "no " + Text.joinWith(Array(programs.dropLast()), ", ") + " or " + programs[programs.count - 1]
            + ", and no /etc/passwd or os-release"
    }
}
