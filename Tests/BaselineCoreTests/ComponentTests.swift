// LIFE-05's parts: version strings found in binaries, package versions reduced to upstream versions, versions mapped
// to release cycles, component detection on a root tree, component products in the EOL data (and their malformed
// forms), and the judgement of one component against the data.
import Foundation
import Testing
@testable import BaselineCore

/// A stand-in binary: an ELF header, filler, and NUL-terminated strings.
private func elf(_ strings: [String], filler: Int = 64) -> [UInt8] {
    var b: [UInt8] = [0x7F, 0x45, 0x4C, 0x46, 2, 1, 1] + [UInt8](repeating: 0, count: filler)
    for s in strings { b += Array(s.utf8) + [0] }
    return b
}

@Suite("Component versions")
struct ComponentVersionTests {
    @Test("version strings in binaries, past the decoys real binaries carry", arguments: [
        ("busybox", ["BusyBox is copyrighted", "BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) multi-call binary."], "1.35.0",
         "BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) multi-call binary."),
        ("busybox", ["BusyBox v1.36.1 () multi-call binary."], "1.36.1", "BusyBox v1.36.1 () multi-call binary."),
        ("dropbear", ["/etc/dropbear/dropbear_rsa_host_key", "dropbear_2022", "SSH-2.0-dropbear_2022.83"], "2022.83", "SSH-2.0-dropbear_2022.83"),
        ("openssh", ["OpenSSH_2.*,OpenSSH_3.0*,OpenSSH_3.1*", "OpenSSH_7.4*", "OpenSSH_6.6.1*", "OpenSSH_9.2p1 Debian-2+deb12u3"], "9.2p1",
         "OpenSSH_9.2p1 Debian-2+deb12u3"),
        ("openssh", ["OpenSSH_10.0p2"], "10.0p2", "OpenSSH_10.0p2"),
        ("openssl", ["OpenSSL default", "OpenSSL 3.0 provider", "OpenSSL 1.1.1w  11 Sep 2023"], "1.1.1w", "OpenSSL 1.1.1w  11 Sep 2023"),
        ("openssl", ["compiler: gcc", "OpenSSL 3.0.17 1 Jul 2025"], "3.0.17", "OpenSSL 3.0.17 1 Jul 2025"),
        ("dnsmasq", ["dnsmasq-dhcp", "dnsmasq-2.90"], "2.90", "dnsmasq-2.90"),
    ])
    func versionStrings(_ product: String, _ strings: [String], _ version: String, _ text: String) {
        let hit = ComponentFacts.versionString(elf(strings), product: product)
        #expect(hit?.version == version)
        #expect(hit?.text == text)
    }

    @Test("no version string, or only decoys, or a marker cut at the end of the file")
    func noVersion() {
        #expect(ComponentFacts.versionString(elf(["hello"]), product: "busybox") == nil)
        #expect(ComponentFacts.versionString(elf(["OpenSSH_7.4*", "OpenSSH_2.*,OpenSSH_3.0*"]), product: "openssh") == nil)
        #expect(ComponentFacts.versionString(elf(["OpenSSL default", "OpenSSL 3.0"]), product: "openssl") == nil)
        #expect(ComponentFacts.versionString(Array("xx SSH-2.0-dropbear_".utf8), product: "dropbear") == nil)
        #expect(ComponentFacts.versionString(Array("BusyBox v1.36.".utf8), product: "busybox") == nil)
        #expect(ComponentFacts.versionString([], product: "dnsmasq") == nil)
    }

    @Test("a version string at the end of several megabytes is found quickly")
    func largeBinary() {
        var b = pseudoRandomBytes(6 << 20, seed: 42)
        b += Array("\u{0}OpenSSL 3.5.4 30 Sep 2025\u{0}".utf8)
        let start = Date()
        #expect(ComponentFacts.versionString(b, product: "openssl")?.version == "3.5.4")
        #expect(Date().timeIntervalSince(start) < 5)
    }

    @Test("package versions without epoch and packaging revision", arguments: [
        ("1:8.4p1-5+deb11u3", "8.4p1"), ("3.0.17-1~deb12u2", "3.0.17"), ("2022.83-1", "2022.83"), ("2024.86-r1", "2024.86"),
        ("1.36.1-r2", "1.36.1"), ("1:1.35.0-4+deb12u1+b1", "1.35.0"), ("1.1.1w-0+deb11u1", "1.1.1w"), ("13.8", "13.8"),
        ("2.90", "2.90"), ("x1:2", "x1:2"),
    ])
    func upstream(_ raw: String, _ expected: String) {
        #expect(ComponentFacts.upstreamVersion(raw) == expected)
    }

    @Test("the numeric part cycles and releases are matched on", arguments: [
        ("1.1.1w", "1.1.1"), ("9.2p1", "9.2"), ("5.10.0-30-armmp", "5.10.0"), ("6.1.0-rpi7-rpi-v8", "6.1.0"), ("6.6.52", "6.6.52"),
        ("2024.86", "2024.86"), ("1.36.", "1.36"), ("v1.2", ""), ("", ""),
    ])
    func numeric(_ raw: String, _ expected: String) {
        #expect(ComponentFacts.numericVersion(raw) == expected)
    }

    @Test("dotted numbers compare field by field")
    func compare() {
        #expect(ComponentFacts.compareVersions("4.19", "5.4") < 0)
        #expect(ComponentFacts.compareVersions("5.4", "5.10") < 0)
        #expect(ComponentFacts.compareVersions("5.10", "5.4") > 0)
        #expect(ComponentFacts.compareVersions("1.0.2u", "1.1.1") < 0)
        #expect(ComponentFacts.compareVersions("3.0", "3.0.0") == 0)
    }

    @Test("package names map to products", arguments: [
        ("busybox", "busybox"), ("libssl3", "openssl"), ("libssl3t64", "openssl"), ("libopenssl3", "openssl"), ("libssl1.1", "openssl"),
        ("libcrypto3", "openssl"), ("libopenssl1.1", "openssl"), ("openssl", "openssl"), ("dropbear", "dropbear"),
        ("openssh-server", "openssh"), ("openssh-sshd", "openssh"), ("dnsmasq-full", "dnsmasq"), ("dnsmasq-base", "dnsmasq"),
        ("kernel", "linux"), ("linux-image-6.1.0-18-arm64", "linux"),
    ])
    func packageNames(_ name: String, _ product: String) {
        #expect(ComponentFacts.product(ofPackage: name) == product)
    }

    @Test("other packages map to nothing", arguments: ["linux-libc-dev", "openssl-util-extra", "busybox-syslogd", "libssl-dev", "base-files"])
    func otherPackages(_ name: String) {
        #expect(ComponentFacts.product(ofPackage: name) == nil)
    }

    @Test("kernel releases map to LTS cycles of the bundled data", arguments: [
        ("6.6.52", "6.6"), ("5.10.0-30-arm64", "5.10"), ("6.1.0-rpi7-rpi-v8", "6.1"), ("4.19.232", "4.19"), ("6.12.48+deb13-arm64", "6.12"),
    ])
    func kernelCycles(_ release: String, _ cycle: String) throws {
        let eol = try EOLData.load(bundledEOL)
        let linux = try #require(eol.product(component: "linux"))
        #expect(linux.cycle(version: ComponentFacts.numericVersion(release), codename: nil)?.cycle == cycle)
    }
}

let bundledEOL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Profiles/data/eol.json").path

@Suite("ComponentFacts.gather")
struct ComponentGatherTests {
    /// Binaries are searched in 256 KiB windows with a 512-byte overlap: a version string across a window boundary,
    /// or starting in the overlap, is found whole (not cut to "3.0.1"), from a directory and from an image alike.
    @Test("a version string across a window boundary is found whole", arguments: [262_144 - 12, 262_144 + 512 - 6, 262_144 - 512, 2 * 262_144 + 500])
    func windowBoundary(_ at: Int) throws {
        let marker = Array("OpenSSL 3.0.15 3 Sep 2024".utf8)
        var bin = [UInt8](repeating: 0, count: at) + marker + [0] + [UInt8](repeating: 0, count: 300_000)
        bin[0] = 0x7F
        let d = try TempDir("window")
        try d.write("usr/bin/openssl", bin)
        let fs = try RootView(root: d.path)
        let found = ComponentFacts.gather(fs, packages: PackageFacts()).detected
        #expect(found.map { $0.version } == ["3.0.15"], "at \(at)")
        let tree = ImageTree()
        tree.add("/usr/bin/openssl", .file(content: bin, size: bin.count, mode: 0o755, complete: true))
        let fromImage = ComponentFacts.gather(RootView(image: tree, label: "image"), packages: PackageFacts()).detected
        #expect(fromImage.map { $0.version } == ["3.0.15"], "image, at \(at)")
    }

    @Test("binaries, multiarch libcrypto, module directories, packages: one component per version, every place it was seen")
    func gather() throws {
        let d = try TempDir("components")
        try d.mkdir("usr/lib")
        try d.symlink("lib", to: "usr/lib")
        try d.write("bin/busybox", elf(["BusyBox v1.36.1 (2024-06-10 12:00:00 UTC) multi-call binary."]))
        try d.symlink("usr/bin/busybox", to: "/bin/busybox")                       // the same file twice: one evidence
        try d.write("usr/sbin/dropbear", elf(["SSH-2.0-dropbear_2024.86"]))
        try d.write("usr/sbin/sshd", elf(["OpenSSH_7.4*", "OpenSSH_9.2p1 Debian-2+deb12u3"]))
        try d.write("usr/sbin/dnsmasq", elf(["dnsmasq-2.90"]))
        try d.write("usr/lib/x86_64-linux-gnu/libcrypto.so.3", elf(["OpenSSL 3.0.17 1 Jul 2025"]))
        try d.symlink("usr/lib/x86_64-linux-gnu/libcrypto.so", to: "libcrypto.so.3")
        try d.write("usr/lib/libcrypto.so.1.1", elf(["OpenSSL 1.1.1w  11 Sep 2023"]))
        try d.write("usr/lib/modules/6.1.0-18-arm64/modules.dep", "")
        try d.write("usr/lib/modules/5.4.0-old", "")                                 // a file, not a kernel's directory
        try d.write("var/lib/dpkg/status", """
        Package: libssl3
        Status: install ok installed
        Version: 3.0.17-1~deb12u2

        Package: openssh-server
        Status: install ok installed
        Version: 1:9.2p1-2+deb12u3

        Package: busybox
        Status: deinstall ok config-files
        Version: 1:1.30.1-6

        Package: linux-libc-dev
        Status: install ok installed
        Version: 6.1.76-1

        """)
        let fs = try RootView(root: d.path)
        let f = ComponentFacts.gather(fs, packages: PackageFacts.gather(fs), runningKernel: "6.1.0-18-arm64")
        let got = f.detected.map { "\($0.product) \($0.version): " + $0.evidence.map { "\($0.method) \($0.path):\($0.line)" }.joined(separator: ", ") }
        #expect(got == [
            "linux 6.1.0-18-arm64: running /proc/sys/kernel/osrelease:1, modules-dir /usr/lib/modules/6.1.0-18-arm64:0",
            "openssl 1.1.1w: binary /usr/lib/libcrypto.so.1.1:0",
            "openssl 3.0.17: binary /usr/lib/x86_64-linux-gnu/libcrypto.so.3:0, package /var/lib/dpkg/status:1",
            "busybox 1.36.1: binary /bin/busybox:0",
            "dropbear 2024.86: binary /usr/sbin/dropbear:0",
            "openssh 9.2p1: binary /usr/sbin/sshd:0, package /var/lib/dpkg/status:5",
            "dnsmasq 2.90: binary /usr/sbin/dnsmasq:0",
        ])
        #expect(f.detected.map(\.name) == ["Linux", "OpenSSL", "OpenSSL", "BusyBox", "Dropbear", "OpenSSH", "dnsmasq"])
        let ssl = try #require(f.detected.first { $0.version == "3.0.17" })
        #expect(ssl.evidence.map(\.detail) == ["OpenSSL 3.0.17 1 Jul 2025", "package libssl3 3.0.17-1~deb12u2 (dpkg)"])
        #expect(fs.problems.isEmpty)
    }

    @Test("OpenWrt kernel and package versions; nothing found on an empty tree")
    func openwrt() throws {
        let d = try TempDir("components")
        try d.write("usr/lib/opkg/status", "Package: kernel\nVersion: 6.6.73~e0c1f9b1b2c3d4e5f60718293a4b5c6d-r1\nStatus: install user installed\n\n" +
                                           "Package: dropbear\nVersion: 2024.86-r1\nStatus: install user installed\n")
        try d.write("lib/modules/6.6.73/modules.dep", "")
        let fs = try RootView(root: d.path)
        let f = ComponentFacts.gather(fs, packages: PackageFacts.gather(fs))
        #expect(f.detected.map { "\($0.product) \($0.version) \($0.evidence.count)" } == ["linux 6.6.73 2", "dropbear 2024.86 1"])
        let empty = try TempDir("components")
        let e = try RootView(root: empty.path)
        #expect(ComponentFacts.gather(e, packages: PackageFacts.gather(e)).detected.isEmpty)
    }
}

/// Writes an EOL data file and loads it.
private func loadEOL(_ d: TempDir, _ products: String) throws -> EOLData {
    try d.write("eol.json", "{\"source\": \"test\", \"snapshot\": \"2026-08-22\", \"products\": {\n" + products + "\n}}\n")
    return try EOLData.load(d.sub("eol.json"))
}

@Suite("EOL data: component products")
struct EOLComponentDataTests {
    @Test("the bundled data: components and base OSes are kept apart")
    func bundled() throws {
        let eol = try EOLData.load(bundledEOL)
        #expect(eol.product(component: "openssl")?.cycles.isEmpty == false)
        #expect(eol.product(osID: "openssl") == nil, "a component is never a base OS")
        #expect(eol.product(component: "debian") == nil)
        #expect(eol.product(osID: "debian") != nil)
        let dropbear = try #require(eol.product(component: "dropbear"))
        #expect(dropbear.yearVersions)
        #expect(dropbear.release(version: "2022.83")?.date.iso == "2022-11-14")
        #expect(eol.product(component: "openssh")?.release(version: "9.2")?.date.iso == "2023-02-02")
        for p in ComponentFacts.products { #expect(eol.product(component: p.id) != nil, "\(p.id) has data") }
    }

    @Test("malformed component data: one error naming file and line", arguments: [
        ("\"busybox\": {\"kind\": \"component\",\n \"os_ids\": [\"busybox\"]}", 3, "'os_ids' is for base OS products"),
        ("\"busybx\": {\"kind\": \"component\", \"releases\": []}", 2, "unknown component product 'busybx'"),
        ("\"busybox\": {\"kind\": \"library\"}", 2, "expected \"os\" or \"component\" for 'kind'"),
        ("\"busybox\": {\"kind\": \"component\", \"releases\": [\n {\"version\": \"1.36.1\", \"date\": \"2023-13-01\"}]}", 3, "expected a date YYYY-MM-DD for 'date' of release '1.36.1'"),
        ("\"busybox\": {\"kind\": \"component\", \"releases\": [\n {\"version\": \"1.36.1\"}]}", 3, "missing required key 'date'"),
        ("\"openssh\": {\"kind\": \"component\", \"releases\": [\n {\"version\": \"9.6p1\", \"date\": \"2023-12-18\"}]}", 3, "expected a dotted number"),
        ("\"openssh\": {\"kind\": \"component\", \"releases\": [\n {\"version\": \"9.6\", \"date\": \"2023-12-18\", \"codename\": \"x\"}]}", 3, "unknown key 'codename'"),
        ("\"debian\": {\"cycles\": [],\n \"releases\": []}", 3, "'releases' is for component products"),
        ("\"dropbear\": {\"kind\": \"component\",\n \"year_versions\": \"yes\"}", 3, "expected true or false for 'year_versions'"),
        ("\"debian\": {\"os_ids\": [\"debian\"]}", 2, "expected an array 'cycles' in product 'debian'"),
    ])
    func malformed(_ products: String, _ line: Int, _ message: String) throws {
        let d = try TempDir("eol")
        try d.write("eol.json", "{\"source\": \"test\", \"snapshot\": \"2026-08-22\", \"products\": {\n" + products + "\n}}\n")
        do throws(ProfileError) {
            _ = try EOLData.load(d.sub("eol.json"))
            Issue.record("accepted: \(products)")
        } catch {
            #expect(error.line == line, "\(error.text)")
            #expect(error.text.hasPrefix(d.sub("eol.json") + ":\(line): "), "\(error.text)")
            #expect(error.message.contains(message), "\(error.text)")
            #expect(!error.text.contains("\n"))
        }
    }

    @Test("a component product may have releases only, and no cycles")
    func releasesOnly() throws {
        let d = try TempDir("eol")
        let eol = try loadEOL(d, "\"dnsmasq\": {\"kind\": \"component\", \"source\": \"upstream\", \"releases\": [{\"version\": \"2.90\", \"date\": \"2024-02-13\"}]}")
        let p = try #require(eol.product(component: "dnsmasq"))
        #expect(p.cycles.isEmpty)
        #expect(p.source == "upstream")
        #expect(p.release(version: "2.90")?.line == 2)
        #expect(p.release(version: "2.9") == nil)
    }
}

@Suite("LIFE-05 judgement")
struct ComponentJudgementTests {
    static let data = """
    "openssl": {"kind": "component", "cycles": [
     {"cycle": "3.5", "eol": "2030-04-08"},
     {"cycle": "3.0", "eol": "2026-09-07"},
     {"cycle": "1.1.1", "eol": "2023-09-11", "extended": "2027-12-31"}]},
    "linux": {"kind": "component", "cycles": [
     {"cycle": "6.6", "eol": "2027-12-31"},
     {"cycle": "4.14", "eol": "2024-01-10"}]},
    "busybox": {"kind": "component", "releases": [
     {"version": "1.36.1", "date": "2023-05-19"},
     {"version": "1.35.0", "date": "2021-12-26"}]},
    "dropbear": {"kind": "component", "year_versions": true, "releases": [
     {"version": "2022.83", "date": "2022-11-14"}]}
    """

    static func comp(_ product: String, _ version: String) -> DetectedComponent {
        DetectedComponent(product: product, name: product, version: version,
                          evidence: [ComponentEvidence(path: "/x", line: 0, method: "binary", detail: version)])
    }

    @Test("cycle ended, extended support, older than every cycle, release age, year versions, unknown", arguments: [
        ("openssl", "3.0.15", 0, "cycle 3.0 ended 2026-09-07"),
        ("openssl", "1.1.1w", 1, "regular support ended 2023-09-11, extended support until 2027-12-31"),
        ("openssl", "3.5.4", 3, "cycle 3.5 until 2030-04-08"),
        ("openssl", "1.0.2u", 4, ""),          // older than every cycle, but the oldest is still in extended support
        ("openssl", "3.7.0", 4, ""),
        ("linux", "3.18.140", 0, "older than cycle 4.14, which ended 2024-01-10"),
        ("linux", "6.6.52-yocto-standard", 3, "cycle 6.6 until 2027-12-31"),
        ("busybox", "1.35.0", 2, "released 2021-12-26"),
        ("busybox", "1.36.1", 3, "released 2023-05-19"),
        ("busybox", "1.37.0", 4, ""),
        ("dropbear", "2022.83", 2, "released 2022-11-14"),
        ("dropbear", "2024.86", 3, "released in 2024"),
        ("dropbear", "2021.99", 2, "released in 2021"),
        ("openssh", "9.6p1", 4, ""),
    ])
    func judge(_ product: String, _ version: String, _ group: Int, _ note: String) throws {
        let d = try TempDir("eol")
        let eol = try loadEOL(d, Self.data)
        let j = LifecycleChecks.judge(Self.comp(product, version), eol, today: CivilDate.parse("2026-11-23")!, years: 4)
        #expect(j.group == group)
        #expect(j.note == note)
        if group != 4 { #expect(j.evidence.allSatisfy { $0.path == d.sub("eol.json") && $0.line > 1 }) }
    }

    @Test("the profile's age limit moves the warning")
    func ageLimit() throws {
        let d = try TempDir("eol")
        let eol = try loadEOL(d, Self.data)
        let today = CivilDate.parse("2026-11-23")!
        #expect(LifecycleChecks.judge(Self.comp("busybox", "1.36.1"), eol, today: today, years: 3).group == 2)
        #expect(LifecycleChecks.judge(Self.comp("busybox", "1.35.0"), eol, today: today, years: 5).group == 3)
        #expect(CivilDate.parse("2024-02-29")!.adding(years: 1).iso == "2025-02-28")
    }

    @Test("the outcome: worst status, every component in the message, device evidence first")
    func outcome() throws {
        let d = try TempDir("life05")
        try d.write("root/usr/lib/libcrypto.so.3", elf(["OpenSSL 3.0.15 3 Sep 2024"]))
        try d.write("root/bin/busybox", elf(["BusyBox v1.35.0 () multi-call binary."]))
        try d.write("root/usr/sbin/sshd", elf(["OpenSSH_9.6p1"]))
        let eol = try loadEOL(d, Self.data)
        func outcome(_ root: String, _ profile: Profile = Profile()) throws -> Outcome {
            let fs = try RootView(root: root)
            let ctx = CheckContext(fs: fs, facts: DeviceFacts.gather(fs), profile: profile, today: CivilDate.parse("2026-11-23")!,
                                   credentialLists: [], eol: eol)
            return LifecycleChecks.components(ctx)
        }
        let o = try outcome(d.sub("root"))
        #expect(o.status == .fail)
        #expect(o.message == "end of life: OpenSSL 3.0.15 (cycle 3.0 ended 2026-09-07); released more than 4 years ago: BusyBox 1.35.0 (released 2021-12-26); not in the end-of-life data: OpenSSH 9.6p1")
        #expect(o.evidence.first?.path == "/usr/lib/libcrypto.so.3")
        var p = Profile()
        p.componentMaxAgeYears = 6
        try FileManager.default.removeItem(atPath: d.sub("root/usr/lib/libcrypto.so.3"))
        let younger = try outcome(d.sub("root"), p)
        #expect(younger.status == .pass)
        #expect(younger.message == "supported: BusyBox 1.35.0 (released 2021-12-26); not in the end-of-life data: OpenSSH 9.6p1")
        try FileManager.default.removeItem(atPath: d.sub("root/bin/busybox"))
        #expect(try outcome(d.sub("root")).status == .info)
        try FileManager.default.removeItem(atPath: d.sub("root/usr/sbin/sshd"))
        #expect(try outcome(d.sub("root")).status == .skip)
    }
}
