// Every place in a root filesystem that the facts read, in one file. The facts take their directories and binaries
// from here; `baseline scan`'s host-side audit (BaselineScan/RemoteRoot.swift) fetches exactly these over SSH; the
// fuzzer's `audit` target fills the `fuzzed` files from its input (Fuzz/Harness.swift, Fuzz/seeds.py reads this
// file). FactSourcesTests reads the facts' and checks' sources and fails when one of them names an absolute path that
// is not covered here — a new fact that reads a new place must add it, or the SSH audit would never see it.
public enum FactSources {
    /// Directory trees read whole or searched: configuration, accounts, web roots (htpasswd, security.txt), cron,
    /// systemd units, SBOM documents, update-client configuration outside /etc.
    public static let trees: [String] = [
        "/etc", "/etc_ro", "/usr/etc", "/usr/local/etc", "/root/.ssh", "/home",
        "/www", "/var/www", "/srv/www", "/usr/share/www", "/home/httpd", "/webroot", "/web", "/usr/lib/lua/luci/view",
        "/var/spool/cron", "/usr/lib/systemd/system", "/lib/systemd/system", "/usr/lib/swupdate/conf.d",
        "/usr/share/sbom", "/usr/lib/sbom", "/var/lib/sbom", "/var/lib/mender",
    ]
    /// Directories searched only for PEM private keys (files up to `DeviceFacts.keyScanMaxBytes`). Over SSH only the
    /// files holding "PRIVATE KEY" are fetched from those not already in `trees` (they can be large: /var/lib, /opt).
    public static let keyDirs: [String] = ["/etc", "/root", "/home", "/opt", "/usr/local/etc", "/var/lib", "/data", "/persist"]
    /// Single files outside the trees: os-release, package databases, apt's history, RAUC's central status file.
    public static let files: [String] = [
        "/usr/lib/os-release", "/usr/lib/opkg/status", "/var/lib/opkg/status", "/var/lib/dpkg/status",
        "/lib/apk/db/installed", "/usr/lib/apk/db/installed", "/var/log/apt/history.log", "/data/rauc/central.raucs",
    ]
    /// Binaries whose version strings are read (ComponentFacts), and the product each belongs to.
    public static let componentBinaries: [(path: String, product: String)] = [
        ("/bin/busybox", "busybox"), ("/usr/bin/busybox", "busybox"), ("/sbin/busybox", "busybox"),
        ("/usr/sbin/dropbear", "dropbear"), ("/usr/sbin/dropbearmulti", "dropbear"), ("/usr/bin/dropbearmulti", "dropbear"), ("/usr/bin/dbclient", "dropbear"),
        ("/usr/sbin/sshd", "openssh"), ("/usr/bin/ssh", "openssh"),
        ("/usr/sbin/dnsmasq", "dnsmasq"), ("/usr/bin/dnsmasq", "dnsmasq"), ("/bin/dnsmasq", "dnsmasq"),
        ("/usr/sbin/lighttpd", "lighttpd"), ("/usr/bin/lighttpd", "lighttpd"), ("/sbin/lighttpd", "lighttpd"), ("/bin/lighttpd", "lighttpd"),
        ("/usr/bin/openssl", "openssl"),
    ]
    /// Library directories (and their multiarch subdirectories) searched for libcrypto.so* and uClibc's versioned
    /// file names; kernel module directories named after kernel releases.
    public static let libraryDirs: [String] = ["/lib", "/usr/lib"]
    public static let modulesDirs: [String] = ["/lib/modules", "/usr/lib/modules"]
    /// Programs whose presence is the fact (an update client, a package manager, an SSH server): only that they
    /// exist is read. Over SSH they are listed, not copied.
    public static let programs: [String] = [
        "/sbin/sysupgrade", "/usr/sbin/sysupgrade", "/usr/bin/swupdate", "/usr/sbin/swupdate", "/bin/swupdate",
        "/usr/bin/rauc", "/usr/sbin/rauc", "/bin/rauc", "/usr/bin/mender", "/usr/bin/mender-update", "/usr/bin/mender-auth",
        "/bin/opkg", "/usr/bin/opkg", "/usr/sbin/opkg", "/sbin/apk", "/usr/bin/apk", "/bin/apk", "/usr/bin/apt-get", "/usr/bin/apt",
        "/usr/bin/dropbear", "/init", "/linuxrc",
    ]
    /// Live files of a running device (/proc, /sys): tar stores them empty, so the SSH audit prints them one by one.
    public static let live: [String] = [
        "/proc/net/tcp", "/proc/net/tcp6", "/proc/net/udp", "/proc/net/udp6", "/proc/sys/kernel/osrelease",
        "/proc/sys/kernel/hostname", "/proc/uptime", "/proc/cpuinfo", "/proc/device-tree/serial-number",
    ]
    /// Network interfaces: `<netInterfaces>/<name>/address` is each one's MAC address.
    public static let netInterfaces = "/sys/class/net"
    /// The files the fuzz target `audit` fills from its input, in this order (Fuzz/seeds.py joins the samples' own
    /// copies of them with "\n%%\n"): the configuration the facts parse most.
    public static let fuzzed: [String] = [
        "/etc/passwd", "/etc/shadow", "/etc/group", "/etc/os-release", "/etc/ssh/sshd_config", "/etc/default/dropbear",
        "/etc/swupdate.cfg", "/etc/rauc/system.conf", "/var/lib/dpkg/status", "/usr/lib/opkg/status", "/lib/apk/db/installed",
        "/etc/inittab", "/etc/init.d/S50dropbear", "/etc/ssl/private/device.key", "/etc/ssh/ssh_host_ed25519_key",
        "/bin/busybox", "/etc/mender/mender.conf", "/etc/apt/sources.list", "/etc/security.txt", "/etc/shadow-",
        "/etc/init.d/rcS", "/etc/nvram.default", "/etc/default_config.xml", "/etc/httpd.conf", "/www/.htpasswd",
    ]

    /// True when the facts may read `path`: it is listed, or inside a listed tree or directory.
    public static func covers(_ path: String) -> Bool {
        func under(_ dir: String) -> Bool { path == dir || path.hasPrefix(dir == "/" ? "/" : dir + "/") }
        if trees.contains(where: under) || keyDirs.contains(where: under) || libraryDirs.contains(where: under)
            || modulesDirs.contains(where: under) || under(netInterfaces) { return true }
        return files.contains(path) || programs.contains(path) || live.contains(path)
            || componentBinaries.contains(where: { $0.path == path })
    }
}
