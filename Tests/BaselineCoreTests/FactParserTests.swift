// Configuration-file readers (KeyValueFile, IniFile, LibconfigFile) and the account facts (passwd/shadow,
// password-field classification, hash scheme detection).
import Foundation
import Testing
@preconcurrency @testable import BaselineCore

@Suite("KeyValueFile")
struct KeyValueFileTests {
    static let osRelease = """
    # /etc/os-release of a Yocto image
    NAME="Poky (Yocto Project Reference Distro)"
    VERSION_ID=4.0.12
    ID=poky
    PRETTY_NAME='Poky 4.0 (kirkstone)'

    HOME_URL="https://www.yoctoproject.org/#home"
    UNQUOTED=plain value # trailing comment
      INDENTED = spaced
    export EXPORTED="yes"
    ESCAPED="a \\"quoted\\" word and a \\\\ backslash"
    EMPTY=
    EMPTY_QUOTED=""
    not a setting
    =novalue
    two words=ignored
    ID=override
    """

    @Test("os-release quoting, comments and escapes")
    func osRelease() {
        let kv = KeyValueFile.parse(bytes(Self.osRelease), path: "/etc/os-release")
        #expect(kv.path == "/etc/os-release")
        #expect(kv["NAME"] == "Poky (Yocto Project Reference Distro)")
        #expect(kv["VERSION_ID"] == "4.0.12")
        #expect(kv["PRETTY_NAME"] == "Poky 4.0 (kirkstone)")
        #expect(kv["HOME_URL"] == "https://www.yoctoproject.org/#home")
        #expect(kv["UNQUOTED"] == "plain value")
        #expect(kv["INDENTED"] == "spaced")
        #expect(kv["EXPORTED"] == "yes")
        #expect(kv["ESCAPED"] == "a \"quoted\" word and a \\ backslash")
        #expect(kv["EMPTY"] == "")
        #expect(kv["EMPTY_QUOTED"] == "")
        #expect(kv["two words"] == nil)
        #expect(kv["not a setting"] == nil)
        #expect(kv[""] == nil)
        #expect(kv["MISSING"] == nil)
        // The last assignment wins, and its line is remembered.
        #expect(kv["ID"] == "override")
        #expect(kv.lines["ID"] == 17)
        #expect(kv.lines["NAME"] == 2)
        #expect(kv.lines["EXPORTED"] == 10)
        #expect(kv.values.count == 11)
    }

    @Test("Yocto buildinfo style 'KEY = value' and CRLF")
    func buildinfo() {
        let kv = KeyValueFile.parse(bytes("DISTRO = poky\r\nDISTRO_VERSION = 4.0.12\r\nMETA_BRANCH = kirkstone\r\n"), path: "/etc/buildinfo")
        #expect(kv["DISTRO"] == "poky")
        #expect(kv["DISTRO_VERSION"] == "4.0.12")
        #expect(kv["META_BRANCH"] == "kirkstone")
        #expect(kv.lines["META_BRANCH"] == 3)
    }

    @Test("OpenWrt release with single quotes")
    func openwrt() {
        let kv = KeyValueFile.parse(bytes("DISTRIB_ID='OpenWrt'\nDISTRIB_RELEASE='23.05.3'\nDISTRIB_DESCRIPTION='OpenWrt 23.05.3 r23809-234f1a2efa'\n"), path: "/etc/openwrt_release")
        #expect(kv["DISTRIB_ID"] == "OpenWrt")
        #expect(kv["DISTRIB_RELEASE"] == "23.05.3")
        #expect(kv["DISTRIB_DESCRIPTION"] == "OpenWrt 23.05.3 r23809-234f1a2efa")
    }

    @Test("binary garbage does not stop the parse")
    func garbage() {
        let kv = KeyValueFile.parse([0xFF, 0x00, 0x3D, 0x0A] + bytes("ID=ok\n") + [0xC3], path: "x")
        #expect(kv["ID"] == "ok")
    }
}

@Suite("IniFile")
struct IniFileTests {
    static let systemConf = """
    # RAUC system.conf
    ; another comment
    toplevel = 1
    [system]
    compatible=Acme Board v2
    bootloader = uboot

    [keyring]
    path = "/etc/rauc/ca.cert.pem"
    [ slot.rootfs.0 ]
    device=/dev/mmcblk0p2
    type = ext4
    no equals sign here
    empty =
    url = https://updates.example.com/?a=b
    [system]
    bootloader = grub
    """

    @Test("sections, keys, values and lines")
    func parse() throws {
        let ini = IniFile.parse(bytes(Self.systemConf), path: "/etc/rauc/system.conf")
        #expect(ini.path == "/etc/rauc/system.conf")
        #expect(ini.sections.map(\.name) == ["system", "keyring", "slot.rootfs.0", "system"])
        #expect(ini.sections.map(\.line) == [4, 8, 10, 16])
        #expect(ini.has(section: "keyring"))
        #expect(!ini.has(section: "handlers"))
        #expect(ini.value("", "toplevel")?.value == "1")
        let compatible = try #require(ini.value("system", "compatible"))
        #expect(compatible.value == "Acme Board v2")
        #expect(compatible.line == 5)
        // The first occurrence is returned.
        #expect(ini.value("system", "bootloader")?.value == "uboot")
        #expect(ini.value("system", "bootloader")?.line == 6)
        #expect(ini.value("keyring", "path")?.value == "/etc/rauc/ca.cert.pem")
        #expect(ini.value("slot.rootfs.0", "device")?.value == "/dev/mmcblk0p2")
        #expect(ini.value("slot.rootfs.0", "type")?.value == "ext4")
        #expect(ini.value("slot.rootfs.0", "empty")?.value == "")
        #expect(ini.value("slot.rootfs.0", "url")?.value == "https://updates.example.com/?a=b")
        #expect(ini.value("keyring", "device") == nil)
        #expect(ini.value("system", "path") == nil)
        #expect(ini.entries.count == 9)
        #expect(!ini.entries.contains { $0.key.contains("no equals") })
    }
}

@Suite("LibconfigFile")
struct LibconfigFileTests {
    static let swupdateCfg = """
    # SWUpdate configuration
    globals :
    {
    \tverbose = true;
    \tloglevel = 5;
    \tpublic-key-file = "/etc/swupdate/public.pem";  // trailing comment
    \t/* a block
    \t   comment = "not a setting"; */
    \taes-key-file = "/etc/" "swupdate/aes.key";
    };

    download :
    {
    \tretries = 3;
    \ttimeout = 1800;
    };

    suricatta :
    {
    \ttenant\t\t= "default";
    \tid\t\t= "device-01";
    \turl \t\t= "https://hawkbit.example.com:8443/#/x";
    \tnocheckcert\t= false;
    \tratio = -1.5;
    \tquote = "say \\"hi\\"";
    };
    webserver = {
    \tdocument_root = "/www";
    \tuserid = 0;
    \tnested: { deep = "yes"; };
    \tafter = 1;
    };
    identify = (
    \t{ name = "board"; value = "acme"; },
    \t{ name = "rev"; value = "2"; }
    );
    hex = 0x1F; # hash comment
    """

    @Test("groups are flattened to group.key with line numbers")
    func groups() throws {
        let f = LibconfigFile.parse(bytes(Self.swupdateCfg), path: "/etc/swupdate.cfg")
        #expect(f.path == "/etc/swupdate.cfg")
        #expect(f.value("globals.verbose")?.value == "true")
        #expect(f.value("globals.verbose")?.line == 4)
        #expect(f.value("globals.loglevel")?.value == "5")
        let key = try #require(f.value("globals.public-key-file"))
        #expect(key.value == "/etc/swupdate/public.pem")
        #expect(key.line == 6)
        #expect(f.value("download.retries")?.value == "3")
        #expect(f.value("download.timeout")?.value == "1800")
        #expect(f.value("download.timeout")?.line == 15)
        #expect(f.value("suricatta.tenant")?.value == "default")
        #expect(f.value("suricatta.id")?.value == "device-01")
        #expect(f.value("suricatta.url")?.value == "https://hawkbit.example.com:8443/#/x")
        #expect(f.value("suricatta.nocheckcert")?.value == "false")
        #expect(f.value("suricatta.ratio")?.value == "-1.5")
        #expect(f.value("suricatta.quote")?.value == "say \"hi\"")
        #expect(f.value("webserver.document_root")?.value == "/www")
        #expect(f.value("webserver.userid")?.value == "0")
        #expect(f.value("webserver.nested.deep")?.value == "yes")
        #expect(f.value("webserver.after")?.value == "1")
        #expect(f.value("webserver.after")?.line == 31)
        #expect(f.value("hex")?.value == "0x1F")
        #expect(f.value("hex")?.line == 37)
        #expect(f.hasGroup("globals"))
        #expect(f.hasGroup("webserver.nested"))
        #expect(!f.hasGroup("identify"))
        #expect(!f.hasGroup("glob"))
        #expect(f.value("verbose") == nil)
    }

    @Test("comments of all three kinds are skipped and counted for lines")
    func comments() {
        let f = LibconfigFile.parse(bytes(Self.swupdateCfg), path: "x")
        #expect(f.value("globals.comment") == nil)
        #expect(!f.settings.contains { $0.value.contains("not a setting") || $0.value.contains("trailing") || $0.value.contains("hash") })
        // The setting after the block comment is on line 9.
        #expect(f.value("globals.aes-key-file")?.line == 9)
    }

    @Test("adjacent strings are concatenated")
    func concatenation() {
        let f = LibconfigFile.parse(bytes(Self.swupdateCfg), path: "x")
        #expect(f.value("globals.aes-key-file")?.value == "/etc/swupdate/aes.key")
    }

    @Test("lists keep the raw scalar members")
    func lists() {
        let f = LibconfigFile.parse(bytes(Self.swupdateCfg), path: "x")
        #expect(f.value("identify")?.value == "name board value acme name rev value 2")
        #expect(f.value("identify")?.line == 33)
        let arr = LibconfigFile.parse(bytes("servers = [\"a\", \"b\"];\nnext = 1;"), path: "x")
        #expect(arr.value("servers")?.value == "a b")
        #expect(arr.value("next")?.value == "1")
    }

    @Test("damaged input is skipped without failing")
    func damaged() {
        let f = LibconfigFile.parse(bytes("globals: { a = ; b = 2; }; }}} c = \"unterminated"), path: "x")
        #expect(f.value("globals.b")?.value == "2")
        #expect(f.value("c")?.value == "unterminated")
        let g = LibconfigFile.parse(pseudoRandomBytes(4096, seed: 1), path: "x")
        _ = g.settings.count  // must not crash
        let h = LibconfigFile.parse(bytes("a = 1; /* never closed\n b = 2;"), path: "x")
        #expect(h.value("a")?.value == "1")
        #expect(h.value("b") == nil)
    }
}

@Suite("AccountsFacts")
struct AccountsTests {
    @Test("classify password fields", arguments: [
        ("", PasswordState.empty),
        ("!", PasswordState.locked),
        ("!!", PasswordState.locked),
        ("*", PasswordState.locked),
        ("*LK*", PasswordState.locked),
        ("!$6$salt$abcdefghijklmnop", PasswordState.locked),
        ("!*", PasswordState.locked),
        ("x", PasswordState.inShadowMissing),
        ("has space", PasswordState.locked),
        ("tab\there", PasswordState.locked),
        ("$6$saltsalt$hFzBNpFY6X6qg0vHBOYqBJ1mYPrnLBp4TpE5LlQLJd3/N7.c8TXYhY3TzLK9XfmvC0NZqGQzr4w5cYDZ7D/5N0",
         PasswordState.hash("$6$saltsalt$hFzBNpFY6X6qg0vHBOYqBJ1mYPrnLBp4TpE5LlQLJd3/N7.c8TXYhY3TzLK9XfmvC0NZqGQzr4w5cYDZ7D/5N0")),
        ("s8VTVC9JrfMPk", PasswordState.hash("s8VTVC9JrfMPk")),
    ])
    func classify(field: String, expected: PasswordState) {
        #expect(AccountsFacts.classify(field) == expected)
    }

    @Test("gather merges passwd and shadow")
    func gather() throws {
        let dir = try TempDir("accounts")
        try dir.write("etc/passwd", """
        root:x:0:0:root:/root:/bin/sh
        daemon:*:1:1:daemon:/usr/sbin:/usr/sbin/nologin
        # a comment
        guest::1000:1000:Guest:/home/guest:/bin/ash
        broken:x:5
        nobody:x:65534:65534:nobody:/nonexistent:/bin/false
        ghost:x:1001:1001::/home/ghost:/bin/sh
        root:x:0:0:duplicate:/root:/bin/bash

        """)
        try dir.write("etc/shadow", """
        root:$6$saltsalt$hash:19000:0:99999:7:::
        nobody:!:19000::::::
        guest:$1$ignored$ignored:19000::::::
        malformed
        stranger:$6$x$y:1::::::
        """)
        let fs = try RootView(root: dir.path)
        let facts = AccountsFacts.gather(fs)
        #expect(facts.passwdFound)
        #expect(facts.shadowFound)
        #expect(facts.accounts.map(\.name) == ["root", "daemon", "guest", "nobody", "ghost"])
        let root = facts.accounts[0]
        #expect(root.password == .hash("$6$saltsalt$hash"))
        #expect(root.source == "/etc/shadow")
        #expect(root.line == 1)
        #expect(root.uid == 0)
        #expect(root.shell == "/bin/sh")  // the first entry wins
        #expect(root.loginCapable)
        let daemon = facts.accounts[1]
        #expect(daemon.password == .locked)
        #expect(!daemon.loginCapable)
        // passwd's own (empty) field is authoritative when it is not "x".
        let guest = facts.accounts[2]
        #expect(guest.password == .empty)
        #expect(guest.source == "/etc/passwd")
        #expect(guest.line == 4)
        #expect(guest.home == "/home/guest")
        #expect(facts.accounts[3].password == .locked)
        #expect(!facts.accounts[3].loginCapable)
        #expect(facts.accounts[4].password == .inShadowMissing)
        #expect(facts.malformed.count == 2)
        #expect(facts.malformed.contains { $0.path == "/etc/passwd" && $0.line == 5 })
        #expect(facts.malformed.contains { $0.path == "/etc/shadow" && $0.line == 4 })
    }

    @Test("no passwd means nothing found")
    func missingPasswd() throws {
        let dir = try TempDir("accounts")
        try dir.mkdir("etc")
        let facts = AccountsFacts.gather(try RootView(root: dir.path))
        #expect(!facts.passwdFound)
        #expect(facts.accounts.isEmpty)
    }

    @Test("x in shadow counts as locked")
    func xInShadow() throws {
        let dir = try TempDir("accounts")
        try dir.write("etc/passwd", "a:x:1:1::/:/bin/sh\n")
        try dir.write("etc/shadow", "a:x:1::::::\n")
        let facts = AccountsFacts.gather(try RootView(root: dir.path))
        #expect(facts.accounts.first?.password == .locked)
    }

    @Test("loginCapable by shell basename")
    func loginCapable() {
        func acct(_ shell: String) -> Account {
            Account(name: "u", uid: 1, home: "/", shell: shell, password: .locked, source: "", line: 1)
        }
        #expect(acct("/bin/sh").loginCapable)
        #expect(acct("/bin/bash").loginCapable)
        #expect(acct("").loginCapable)
        for s in ["/sbin/nologin", "/usr/sbin/nologin", "/bin/false", "/bin/sync", "/sbin/halt", "/sbin/shutdown"] {
            #expect(!acct(s).loginCapable, "\(s)")
        }
    }
}

@Suite("HashScheme")
struct HashSchemeTests {
    @Test("scheme detection", arguments: [
        ("s8VTVC9JrfMPk", HashScheme.des),
        ("abJnggxhB/yWI", HashScheme.des),
        ("$1$saltsalt$ffnAZUBG7dYGd6lFT4e1P/", HashScheme.md5),
        ("$5$rounds=5000$salt$abc", HashScheme.sha256),
        ("$6$salt$abc", HashScheme.sha512),
        ("$y$j9T$MouumxxAc6fOScLpKTu7j1$qY/xw8GmmtAjeN7ZJWpzKaCsySi5iYypfHDtWB/xSc8", HashScheme.yescrypt),
        ("$gy$j9T$salt$hash", HashScheme.gostYescrypt),
        ("$7$CU..../....salt$hash", HashScheme.scrypt),
        ("$2b$05$/M.HAudJhWY5fXnmnX9ZEOK1Mjz5juIOLyM/0GtQY2M7XM3LFBEiC", HashScheme.bcrypt),
        ("$2a$10$abc", HashScheme.bcrypt),
        ("$2y$10$abc", HashScheme.bcrypt),
        ("$2x$10$abc", HashScheme.bcrypt),
        ("$md5,rounds=904$salt$hash", HashScheme.sunMD5),
        ("$3$$8846f7eaee8fb117ad06bdd830b7586c", HashScheme.nthash),
        ("_J9..CCCCXBrJUJV154M", HashScheme.bsdiCrypt),
        ("", HashScheme.unknown),
        ("x", HashScheme.unknown),
        ("$9$whatever", HashScheme.unknown),
        ("s8VTVC9JrfMP", HashScheme.unknown),
        ("s8VTVC9JrfMPkk", HashScheme.unknown),
        ("_J9..CCCCXBrJUJV154", HashScheme.unknown),
    ])
    func of(hash: String, expected: HashScheme) {
        #expect(HashScheme.of(hash) == expected)
    }

    @Test("weak schemes")
    func weak() {
        #expect(HashScheme.des.isWeak && HashScheme.md5.isWeak && HashScheme.sunMD5.isWeak)
        #expect(HashScheme.bsdiCrypt.isWeak && HashScheme.nthash.isWeak)
        #expect(!HashScheme.sha256.isWeak && !HashScheme.sha512.isWeak && !HashScheme.yescrypt.isWeak)
        #expect(!HashScheme.bcrypt.isWeak && !HashScheme.scrypt.isWeak && !HashScheme.gostYescrypt.isWeak)
        #expect(HashScheme.md5.name == "MD5-crypt ($1$)")
        #expect(HashScheme.des.name == "DES crypt")
    }

    @Test("schemes of hashes made by mkpasswd", .enabled(if: Tool.available("mkpasswd")), arguments: [
        ("descrypt", HashScheme.des), ("md5crypt", HashScheme.md5), ("sha256crypt", HashScheme.sha256),
        ("sha512crypt", HashScheme.sha512), ("yescrypt", HashScheme.yescrypt), ("bcrypt", HashScheme.bcrypt),
        ("gost-yescrypt", HashScheme.gostYescrypt), ("scrypt", HashScheme.scrypt), ("bsdicrypt", HashScheme.bsdiCrypt),
        ("sunmd5", HashScheme.sunMD5), ("nt", HashScheme.nthash),
    ])
    func realHashes(method: String, expected: HashScheme) throws {
        let out = try Tool.run("mkpasswd", ["-m", method, "pw-\(method)"]).stdout
        let hash = out.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(HashScheme.of(hash) == expected, "\(hash)")
        #expect(AccountsFacts.classify(hash) == .hash(hash))
    }
}
