// Facts that old vendor firmware keeps where the samples do not: boot scripts and the passwd/shadow files they copy
// into place, backup copies of passwd/shadow, web-admin credentials in configuration (nvram defaults, XML, BusyBox
// httpd.conf, htpasswd), telnetd in shell boot scripts, lighttpd and uClibc versions, and version strings in real
// MIPS (big- and little-endian) and ARM binaries.
import Foundation
import Testing
@testable import BaselineCore

private func mkpasswd(_ method: String, _ password: String) throws -> String {
    try Tool.run("mkpasswd", ["-m", method, "--stdin"], stdin: password + "\n").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
}

@Suite("Boot scripts and the files they copy")
struct BootScriptTests {
    @Test("shell lines split into commands")
    func commands() {
        #expect(BootScripts.commands("cp -p /etc/passwd.bak /var/passwd # restore") == [["cp", "-p", "/etc/passwd.bak", "/var/passwd"]])
        #expect(BootScripts.commands("[ -x /usr/sbin/telnetd ] && /usr/sbin/telnetd -l /bin/sh &") ==
                [["[", "-x", "/usr/sbin/telnetd", "]"], ["/usr/sbin/telnetd", "-l", "/bin/sh"]])
        #expect(BootScripts.commands("if true; then exec telnetd; fi") == [["true"], ["telnetd"], ["fi"]])
        #expect(BootScripts.commands("echo 'a;b' > /tmp/x").first == ["echo", "a;b", ">", "/tmp/x"])
        #expect(BootScripts.commands("# telnetd &").isEmpty)
    }

    @Test("inittab, BusyBox's default rcS, rc.local and scripts they run")
    func find() throws {
        let dir = try TempDir("boot")
        try dir.write("etc/inittab", "::sysinit:/etc/rc.d/rcS\n::shutdown:/etc/rc.d/rcK\n#::once:/etc/off.sh\n")
        try dir.write("etc/rc.d/rcS", "#!/bin/sh\nsh /etc/rc.d/rc.network start\n/etc/init.d/S50telnet start\n")
        try dir.write("etc/rc.d/rcK", "#!/bin/sh\n")
        try dir.write("etc/rc.d/rc.network", "#!/bin/sh\n")
        try dir.write("etc/init.d/S50telnet", "#!/bin/sh\n")
        try dir.write("etc/rc.local", "#!/bin/sh\n")
        let found = BootScripts.find(try RootView(root: dir.path))
        #expect(found.map(\.path) == ["/etc/rc.d/rcS", "/etc/rc.local", "/etc/rc.d/rc.network", "/etc/init.d/S50telnet"])
        #expect(found[0].via == "inittab sysinit (/etc/inittab:1)")
        #expect(found[2].via == "run by /etc/rc.d/rcS:2")

        let bare = try TempDir("boot")
        try bare.write("etc/init.d/rcS", "#!/bin/sh\n")
        #expect(BootScripts.find(try RootView(root: bare.path)).first?.via == "BusyBox init runs /etc/init.d/rcS when there is no /etc/inittab")
    }

    @Test("cp, cat > and install copies, with directory destinations")
    func copies() throws {
        let dir = try TempDir("boot")
        try dir.write("etc/init.d/rcS", """
        #!/bin/sh
        mkdir -p /var/run
        cp -p /etc/passwd.bak /var/passwd
        cat /etc/default_shadow > /tmp/shadow
        install -m 600 /etc/group.def /var/
        cp /etc/$CFG /var/cfg
        cat /etc/a >>/tmp/b
        """)
        let fs = try RootView(root: dir.path)
        let c = BootScripts.copies(fs, scripts: BootScripts.find(fs))
        #expect(c.map { "\($0.source)>\($0.target)@\($0.line)" } ==
                ["/etc/passwd.bak>/var/passwd@3", "/etc/default_shadow>/tmp/shadow@4", "/etc/group.def>/var/group.def@5", "/etc/a>/tmp/b@7"])
        #expect(c[0].location == "/etc/init.d/rcS:3")
    }
}

@Suite("passwd and shadow copies")
struct AccountCopyTests {
    @Test("/etc/passwd links to /var/passwd, which rcS fills from /etc/passwd.bak", .enabled(if: Tool.available("mkpasswd")))
    func bootCopy() throws {
        let dir = try TempDir("copies")
        let des = try mkpasswd("des", "admin")
        try dir.symlink("etc/passwd", to: "/var/passwd")
        try dir.write("etc/passwd.bak", "root:\(des):0:0:root:/root:/bin/sh\nnobody:*:99:99::/:/bin/false\n")
        try dir.write("etc/init.d/rcS", "#!/bin/sh\nmount -a\ncp -p /etc/passwd.bak /var/passwd\n")
        let f = AccountsFacts.gather(try RootView(root: dir.path))
        #expect(f.passwdFound)
        #expect(f.passwdPath == "/etc/passwd.bak")
        let root = try #require(f.accounts.first)
        #expect(root.password == .hash(des))
        #expect(root.source == "/etc/passwd.bak" && root.line == 1)
        #expect(root.via == "copied to /var/passwd by /etc/init.d/rcS:3 (/etc/passwd links to /var/passwd)")
        #expect(f.copies.isEmpty, "the runtime file is not counted twice")
    }

    @Test("shadow filled by `cat … > /tmp/shadow`; backups found by name", .enabled(if: Tool.available("mkpasswd")))
    func shadowAndBackups() throws {
        let dir = try TempDir("copies")
        let md5 = try mkpasswd("md5crypt", "1234")
        let md5b = try mkpasswd("md5crypt", "admin")
        try dir.write("etc/passwd", "root:x:0:0:root:/root:/bin/sh\nadmin:x:1000:1000::/home/admin:/bin/sh\n")
        try dir.symlink("etc/shadow", to: "../tmp/shadow")
        try dir.write("etc/default_shadow", "root:\(md5):1::::::\n")
        try dir.write("etc/inittab", "::sysinit:/etc/rc.d/rcS\n")
        try dir.write("etc/rc.d/rcS", "#!/bin/sh\ncat /etc/default_shadow > /tmp/shadow\n")
        try dir.write("etc/shadow-", "root:!:1::::::\nadmin:\(md5b):1::::::\n")
        try dir.write("etc/config/passwd", "admin:\(md5b):1000:1000::/home/admin:/bin/sh\n")
        try dir.write("etc/gshadow", "root:$1$abc$def:::\n")
        try dir.write("etc/passwd.orig", "guest::1001:1001::/:/bin/sh\n")
        let f = AccountsFacts.gather(try RootView(root: dir.path))
        #expect(f.shadowPath == "/etc/default_shadow")
        #expect(f.accounts[0].password == .hash(md5))
        #expect(f.accounts[0].via == "copied to /tmp/shadow by /etc/rc.d/rcS:2 (/etc/shadow links to ../tmp/shadow)")
        let copies = f.copies.map { "\($0.source):\($0.line) \($0.name) \($0.via)" }.sorted()
        #expect(copies == [
            "/etc/config/passwd:1 admin copy of /etc/passwd kept in the image",
            "/etc/passwd.orig:1 guest copy of /etc/passwd kept in the image",
            "/etc/shadow-:2 admin copy of /etc/shadow kept in the image",
        ])
        let admin = try #require(f.copies.first { $0.source == "/etc/shadow-" })
        #expect(admin.uid == 1000 && admin.shell == "/bin/sh", "uid and shell from /etc/passwd")
    }

    @Test("copy names")
    func names() {
        for n in ["passwd-", "shadow-", "passwd.bak", "shadow.bak", "passwd.orig", "default_passwd", "passwd"] { #expect(AccountsFacts.isCopyName(n), "\(n)") }
        for n in ["gshadow", "gshadow-", "opasswd", "passwd.lock", "chpasswd.sh", "group"] { #expect(!AccountsFacts.isCopyName(n), "\(n)") }
    }
}

@Suite("Web-admin credentials in configuration")
struct WebCredentialTests {
    func one(_ text: String, _ path: String) -> [WebCredential] { WebCredentialFacts.parse(Array(text.utf8), path: path) }

    @Test("nvram defaults: http_passwd with http_username, HTTP_PASSWORD, admin_password; Wi-Fi keys and flags ignored")
    func nvram() {
        let c = one("""
        lan_ipaddr=192.168.0.1
        http_username=admin
        http_passwd=admin
        wl0_wpa_psk=12345678
        HTTP_PASSWORD="s3cret"
        admin_password='root'
        login_password=
        ppp_passwd=guest
        http_passwd_enable=1
        sys_password=$PASS
        nvram set sys_password=1234
        """, "/etc/nvram.default")
        #expect(c.map { "\($0.line) \($0.user ?? "-") \($0.key)" } ==
                ["3 admin http_passwd", "5 admin HTTP_PASSWORD", "6 admin admin_password", "7 - login_password", "11 - sys_password"])
        #expect(c[0].secret == .plaintext("admin"))
        #expect(c[1].secret == .plaintext("s3cret"))
        #expect(c[3].secret == .empty)
        #expect(c[0].format == "nvram defaults")
        #expect(one("option password 'x'\nPasswordAuthentication yes\nDROPBEAR_PASSWORD_AUTH=on\n", "/etc/default/dropbear").isEmpty)
    }

    @Test("XML: element text under a user element, self-closing val= elements, attributes; PPP and Wi-Fi ignored")
    func xml() {
        let c = one("""
        <?xml version="1.0"?>
        <!-- <User><Password>commented</Password></User> -->
        <Config>
          <WANPPPConnection><Username>isp</Username><Password>isp</Password></WANPPPConnection>
          <UserAccount>
            <Username>admin</Username>
            <Password>admin&amp;1</Password>
          </UserAccount>
          <Account><X_Name val=root /><LoginPassword val="$1$abcdefgh$ZPFMVuj/4Kv93Nl0Zjn0w." /></Account>
          <WLAN><KeyPassphrase>wifi-key</KeyPassphrase></WLAN>
          <user name="support" password="support"/>
        </Config>
        """, "/etc/default_config.xml")
        #expect(c.map { "\($0.line) \($0.user ?? "-") \($0.key)" } == ["7 admin <Password>", "9 - <LoginPassword>", "11 support <password>"])
        #expect(c[0].secret == .plaintext("admin&1"))
        #expect(c[1].secret == .hash("$1$abcdefgh$ZPFMVuj/4Kv93Nl0Zjn0w."))
        #expect(c[0].format == "XML configuration")
    }

    @Test("BusyBox httpd.conf, htpasswd (DES, $apr1$) and lighttpd plain user files")
    func userFiles() {
        let h = one("H:/www\nA:*\n/:admin:admin\n/cgi-bin:user:$1$abcdefgh$ZPFMVuj/4Kv93Nl0Zjn0w.\n.au:audio/basic\n/adm:toor:*\n", "/etc/httpd.conf")
        #expect(h.map { "\($0.line) \($0.user ?? "-") \($0.key)" } == ["3 admin realm /", "4 user realm /cgi-bin"])
        #expect(h[0].secret == .plaintext("admin") && h[1].secret == .hash("$1$abcdefgh$ZPFMVuj/4Kv93Nl0Zjn0w."))
        let p = one("admin:l9fNx5FV9DUb2\nweb:$apr1$abcdefgh$mMZnMi5KMcUTRCidnJ3Px0\nweird:a:b:c\n", "/www/.htpasswd")
        #expect(p.map(\.secret) == [.hash("l9fNx5FV9DUb2"), .hash("$apr1$abcdefgh$mMZnMi5KMcUTRCidnJ3Px0")])
        let l = one("admin:admin\n# comment\n", "/etc/lighttpd/lighttpd.user")
        #expect(l.first?.secret == .plaintext("admin") && l.first?.format == "lighttpd user file")
    }

    @Test("gathered from the tree: /etc/wlan/*.conf, /etc_ro, web roots; passwd copies left to the accounts")
    func gather() throws {
        let dir = try TempDir("web")
        try dir.write("etc/wlan/wlan0.conf", "SSID=x\nHTTP_PASSWORD=admin\n")
        try dir.write("etc_ro/default/nvram.ini", "http_passwd=1234\n")
        try dir.write("www/cgi-bin/.htpasswd", "admin:l9fNx5FV9DUb2\n")
        try dir.write("etc/passwd.bak", "root:l9fNx5FV9DUb2:0:0::/:/bin/sh\n")
        try dir.write("etc/blob.bin", [0, 1, 2] + Array("http_passwd=admin\n".utf8))
        let f = WebCredentialFacts.gather(try RootView(root: dir.path))
        #expect(f.credentials.map { "\($0.path):\($0.line)" }.sorted() == ["/etc/wlan/wlan0.conf:2", "/etc_ro/default/nvram.ini:1", "/www/cgi-bin/.htpasswd:1"])
    }
}

@Suite("telnetd in boot scripts")
struct BootTelnetTests {
    @Test("a command, not a mention")
    func runsCommand() {
        #expect(ServiceFacts.runsCommand("telnetd &", "telnetd"))
        #expect(ServiceFacts.runsCommand("/usr/sbin/utelnetd -d", "utelnetd"))
        #expect(ServiceFacts.runsCommand("busybox telnetd -l /bin/sh", "telnetd"))
        #expect(ServiceFacts.runsCommand("[ -x /usr/sbin/telnetd ] && /usr/sbin/telnetd -p 23", "telnetd"))
        #expect(ServiceFacts.runsCommand("start-stop-daemon -S -b -x /usr/sbin/telnetd -- -F", "telnetd"))
        #expect(!ServiceFacts.runsCommand("killall telnetd", "telnetd"))
        #expect(!ServiceFacts.runsCommand("echo starting telnetd", "telnetd"))
        #expect(!ServiceFacts.runsCommand("[ -x /usr/sbin/telnetd ] || exit 0", "telnetd"))
        #expect(!ServiceFacts.runsCommand("/usr/sbin/utelnetd -d", "telnetd"))
    }

    @Test("rcS without inittab: its lines are enabled boot-script lines")
    func rcS() throws {
        let dir = try TempDir("telnet")
        try dir.write("etc/init.d/rcS", "#!/bin/sh\n# telnetd &\nkillall telnetd\ntelnetd &\n")
        let s = ServiceFacts.gather(try RootView(root: dir.path))
        let hits = s.starts("telnetd")
        #expect(hits.map { "\($0.path):\($0.line)" } == ["/etc/init.d/rcS:4"])
        #expect(hits.first?.kind == .bootScript)
        #expect(hits.first?.via == "boot script: BusyBox init runs /etc/init.d/rcS when there is no /etc/inittab")
    }
}

@Suite("lighttpd, uClibc and cross-compiled binaries")
struct VendorComponentTests {
    @Test("uClibc file names and the lighttpd marker")
    func markers() {
        #expect(ComponentFacts.uclibcVersion("libuClibc-0.9.33.2.so") == "0.9.33.2")
        #expect(ComponentFacts.uclibcVersion("ld-uClibc-1.0.45.so") == "1.0.45")
        #expect(ComponentFacts.uclibcVersion("libuClibc-.so") == nil)
        #expect(ComponentFacts.uclibcVersion("libc.so.0") == nil)
        let b = Array("\0/var/run/lighttpd/\0lighttpd/1.4.35\0".utf8)
        #expect(ComponentFacts.versionString(b, product: "lighttpd")?.version == "1.4.35")
    }

    static let compilers: [(String, [String])] = [
        ("mips-linux-gnu-gcc", ["-static"]), ("mipsel-linux-gnu-gcc", []), ("arm-linux-gnueabihf-gcc", []),
    ]

    @Test("version strings in MIPS (big- and little-endian) and ARM executables", arguments: [0, 1, 2])
    func crossCompiled(_ i: Int) throws {
        let (cc, flags) = Self.compilers[i]
        guard Tool.available(cc) else { return }
        let dir = try TempDir("cross")
        try dir.write("v.c", """
        #include <stdio.h>
        static const char banner[] = "BusyBox v1.19.4 (2013-08-05 11:21:34 CST) multi-call binary.";
        static const char server[] = "lighttpd/1.4.35";
        int main(int argc, char **argv) { puts(argc > 5 ? server : banner); return 0; }
        """)
        try dir.mkdir("root/bin"); try dir.mkdir("root/usr/sbin"); try dir.mkdir("root/lib")
        try Tool.run(cc, flags + ["-O2", "-o", dir.sub("root/bin/busybox"), dir.sub("v.c")])
        try Tool.run("cp", [dir.sub("root/bin/busybox"), dir.sub("root/usr/sbin/lighttpd")])
        try dir.write("root/lib/libuClibc-0.9.33.2.so", "\u{7f}ELF")
        try dir.symlink("root/lib/libc.so.0", to: "libuClibc-0.9.33.2.so")
        let file = try Tool.run("file", [dir.sub("root/bin/busybox")]).stdout
        #expect(file.contains(i == 0 ? "MSB" : "LSB") && file.contains(i == 2 ? "ARM" : "MIPS"), "\(file)")
        let found = ComponentFacts.gather(try RootView(root: dir.sub("root")), packages: PackageFacts()).detected
        #expect(found.map { "\($0.product) \($0.version)" } == ["busybox 1.19.4", "lighttpd 1.4.35", "uclibc 0.9.33.2"])
        #expect(found[0].evidence.first?.detail == "BusyBox v1.19.4 (2013-08-05 11:21:34 CST) multi-call binary.")
        #expect(found[2].evidence.map(\.path) == ["/lib/libuClibc-0.9.33.2.so"])
    }
}

@Suite("MD5 and MD5-crypt ($apr1$, $1$)")
struct MD5CryptTests {
    @Test("MD5 test vectors (RFC 1321)")
    func vectors() {
        func hex(_ s: String) -> String { MD5.hash(Array(s.utf8)).map { String(format: "%02x", $0) }.joined() }
        #expect(hex("") == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(hex("abc") == "900150983cd24fb0d6963f7d28e17f72")
        #expect(hex("message digest") == "f96b697d7cb7938d525a2f31aaf161d0")
        #expect(hex("12345678901234567890123456789012345678901234567890123456789012345678901234567890") == "57edf4a22be3c955ac49da2e2107b67a")
    }

    @Test("$apr1$ equal to openssl passwd -apr1; $1$ equal to libcrypt", .enabled(if: Tool.available("openssl")),
          arguments: ["admin", "", "x", "a much longer password of more than sixteen bytes", "päss"])
    func apr1(_ pw: String) throws {
        let h = try Tool.run("openssl", ["passwd", "-apr1", "-stdin"], stdin: pw + "\n").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(h.hasPrefix("$apr1$"))
        #expect(MD5Crypt.hash(pw, setting: h) == h)
        #expect(MD5Crypt.matches(pw, hash: h))
        #expect(!MD5Crypt.matches(pw + "1", hash: h))
        let one = try Tool.run("openssl", ["passwd", "-1", "-stdin"], stdin: pw + "\n").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(MD5Crypt.hash(pw, setting: one) == one)
        #expect(Crypt().hash(pw, setting: one) == one)
        #expect(MD5Crypt.hash(pw, setting: "$5$abc$") == nil)
    }
}
