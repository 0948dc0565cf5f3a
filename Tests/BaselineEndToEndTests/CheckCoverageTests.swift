// Every check on passing and failing evidence, each on a small root filesystem made for it, run through the CLI.
import Foundation
import Testing

struct CheckCase: CustomTestStringConvertible, Sendable {
    let name: String
    let check: String
    let expect: String
    let files: [String: String]
    var profileExtra: String = ""
    var evidence: String = ""        // substring the evidence must contain
    var bareBaseline = false         // audit with the ETSI baseline alone instead of a vendor profile
    var testDescription: String { "\(check) \(expect): \(name)" }
}

let osr = "ID=debian\nVERSION_ID=13\nSUPPORT_END=2030-01-31\n"
let passwdRoot = "root:x:0:0:root:/root:/bin/sh\nsvc:x:100:100::/var:/usr/sbin/nologin\n"

let checkCases: [CheckCase] = [
    // CRED-01
    CheckCase(name: "empty root password", check: "CRED-01", expect: "fail", files: ["etc/passwd": passwdRoot, "etc/shadow": "root::1:0:99999:7:::\nsvc:*:1::::::\n"], evidence: "/etc/shadow:1"),
    CheckCase(name: "empty password in passwd itself", check: "CRED-01", expect: "fail", files: ["etc/passwd": "root::0:0:root:/root:/bin/sh\n"], evidence: "/etc/passwd:1"),
    CheckCase(name: "empty password on a nologin account", check: "CRED-01", expect: "pass", files: ["etc/passwd": passwdRoot, "etc/shadow": "root:*:1::::::\nsvc::1::::::\n"]),
    CheckCase(name: "locked accounts", check: "CRED-01", expect: "pass", files: ["etc/passwd": passwdRoot, "etc/shadow": "root:!:1::::::\nsvc:!!:1::::::\n"]),
    // CRED-03
    CheckCase(name: "hash shipped", check: "CRED-03", expect: "fail", files: ["etc/passwd": passwdRoot, "etc/shadow": "root:$6$abcdefgh$0123456789012345678901234567890123456789012345678901234567890123456789012345678901234:1::::::\n"]),
    CheckCase(name: "per-unit provisioning declared", check: "CRED-03", expect: "pass", files: ["etc/passwd": passwdRoot, "etc/shadow": "root:$6$abcdefgh$0123456789012345678901234567890123456789012345678901234567890123456789012345678901234:1::::::\n"],
              profileExtra: "\"credentials\": {\"per_unit_provisioning\": true}"),
    // CRED-05
    CheckCase(name: "DES hash", check: "CRED-05", expect: "fail", files: ["etc/passwd": passwdRoot, "etc/shadow": "root:abJnggxhB/yWI:1::::::\n"], evidence: "DES"),
    CheckCase(name: "MD5 hash", check: "CRED-05", expect: "fail", files: ["etc/passwd": passwdRoot, "etc/shadow": "root:$1$saltsalt$qjXMvbEw8oaL.CzflDugX/:1::::::\n"], evidence: "MD5"),
    CheckCase(name: "yescrypt hash", check: "CRED-05", expect: "pass", files: ["etc/passwd": passwdRoot, "etc/shadow": "root:$y$j9T$abcdefghijklmnopqrstu.$ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefg:1::::::\n"]),
    // CRED-07
    CheckCase(name: "PEM private key in /etc/ssl/private", check: "CRED-07", expect: "fail",
              files: ["etc/ssl/private/dev.pem": "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5oF4NdFNgQkmBoAoGCCqGSM49\n-----END EC PRIVATE KEY-----\n"], evidence: "/etc/ssl/private/dev.pem:1"),
    CheckCase(name: "only certificates and public keys", check: "CRED-07", expect: "pass",
              files: ["etc/ssl/certs/ca.pem": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", "etc/keys/pub.pem": "-----BEGIN PUBLIC KEY-----\nMCow\n-----END PUBLIC KEY-----\n"]),
    // CRED-08
    CheckCase(name: "vendor key in root's authorized_keys", check: "CRED-08", expect: "fail",
              files: ["etc/passwd": passwdRoot, "root/.ssh/authorized_keys": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl vendor@factory\n"], evidence: "SHA256:"),
    CheckCase(name: "authorized_keys allowed by the profile", check: "CRED-08", expect: "pass",
              files: ["root/.ssh/authorized_keys": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl vendor@factory\n"],
              profileExtra: "\"credentials\": {\"allow_authorized_keys\": true}"),
    CheckCase(name: "empty authorized_keys", check: "CRED-08", expect: "pass", files: ["root/.ssh/authorized_keys": "# none\n"]),
    // CRED-09
    CheckCase(name: "sshd PermitEmptyPasswords", check: "CRED-09", expect: "fail", files: ["etc/ssh/sshd_config": "PermitEmptyPasswords yes\n"], evidence: "PermitEmptyPasswords"),
    CheckCase(name: "sshd via Include", check: "CRED-09", expect: "fail", files: ["etc/ssh/sshd_config": "Include /etc/ssh/sshd_config.d/*.conf\nPermitEmptyPasswords no\n",
                                                                                "etc/ssh/sshd_config.d/00-bad.conf": "PermitEmptyPasswords yes\n"], evidence: "00-bad.conf"),
    CheckCase(name: "sshd root password login", check: "CRED-09", expect: "warn", files: ["etc/ssh/sshd_config": "PermitRootLogin yes\n"]),
    CheckCase(name: "sshd hardened (Match block ignored)", check: "CRED-09", expect: "pass", files: ["etc/ssh/sshd_config": "PermitRootLogin prohibit-password\nMatch User test\n  PermitEmptyPasswords yes\n"]),
    CheckCase(name: "dropbear -B from /etc/default", check: "CRED-09", expect: "fail", files: ["usr/sbin/dropbear": "x", "etc/default/dropbear": "DROPBEAR_EXTRA_ARGS=\"-B\"\n"], evidence: "-B"),
    CheckCase(name: "dropbear -w", check: "CRED-09", expect: "pass", files: ["usr/sbin/dropbear": "x", "etc/default/dropbear": "DROPBEAR_EXTRA_ARGS=\"-w -s\"\n"]),
    CheckCase(name: "no SSH server", check: "CRED-09", expect: "skip", files: ["etc/os-release": osr]),
    // UPD-01
    CheckCase(name: "no update mechanism", check: "UPD-01", expect: "fail", files: ["etc/os-release": osr]),
    CheckCase(name: "declared non-updatable", check: "UPD-01", expect: "pass", files: ["etc/os-release": osr], profileExtra: "\"update\": {\"required\": false}"),
    CheckCase(name: "profile expects RAUC, image has opkg", check: "UPD-01", expect: "fail", files: ["bin/opkg": "x", "etc/opkg.conf": "option check_signature\n"],
              profileExtra: "\"update\": {\"mechanisms\": [\"rauc\"]}"),
    // UPD-02
    CheckCase(name: "SWUpdate with -k and key", check: "UPD-02", expect: "pass",
              files: ["usr/bin/swupdate": "x", "etc/swupdate/public.pem": "-----BEGIN PUBLIC KEY-----\nMCow\n-----END PUBLIC KEY-----\n",
                      "etc/default/swupdate": "SWUPDATE_ARGS=\"-v -k /etc/swupdate/public.pem\"\n",
                      "etc/init.d/swupdate": "#!/bin/sh\n. /etc/default/swupdate\nswupdate $SWUPDATE_ARGS &\n"]),
    CheckCase(name: "SWUpdate public-key-file in swupdate.cfg", check: "UPD-02", expect: "pass",
              files: ["usr/bin/swupdate": "x", "etc/swupdate.cfg": "globals: {\n  public-key-file = \"/etc/swupdate/pub.pem\";\n};\n", "etc/swupdate/pub.pem": "k"]),
    CheckCase(name: "SWUpdate key file missing", check: "UPD-02", expect: "fail",
              files: ["usr/bin/swupdate": "x", "etc/swupdate.cfg": "globals: {\n  public-key-file = \"/etc/swupdate/gone.pem\";\n};\n"], evidence: "swupdate.cfg:2"),
    CheckCase(name: "SWUpdate without key", check: "UPD-02", expect: "fail", files: ["usr/bin/swupdate": "x", "etc/swupdate.cfg": "globals: { verbose = true; };\n"]),
    // UPD-03
    CheckCase(name: "RAUC without system.conf", check: "UPD-03", expect: "fail", files: ["usr/bin/rauc": "x"]),
    CheckCase(name: "RAUC without keyring", check: "UPD-03", expect: "fail", files: ["usr/bin/rauc": "x", "etc/rauc/system.conf": "[system]\ncompatible=x\n"]),
    CheckCase(name: "RAUC keyring file missing", check: "UPD-03", expect: "fail", files: ["etc/rauc/system.conf": "[system]\ncompatible=x\n[keyring]\npath=ca.cert.pem\n"], evidence: "system.conf:4"),
    // UPD-04
    CheckCase(name: "Mender without verify key", check: "UPD-04", expect: "fail", files: ["usr/bin/mender": "x", "etc/mender/mender.conf": "{\"ServerURL\": \"https://hosted.mender.io\"}\n"]),
    CheckCase(name: "Mender daemon not enabled", check: "UPD-07", expect: "warn",
              files: ["etc/mender/mender.conf": "{}\n", "lib/systemd/system/mender-updated.service": "[Service]\nExecStart=/usr/bin/mender-update daemon\n"]),
    CheckCase(name: "Mender with verify key", check: "UPD-04", expect: "pass",
              files: ["usr/bin/mender": "x", "etc/mender/mender.conf": "{\"ServerURL\": \"https://hosted.mender.io\",\n \"ArtifactVerifyKey\": \"/etc/mender/artifact-verify-key.pem\"}\n",
                      "etc/mender/artifact-verify-key.pem": "-----BEGIN PUBLIC KEY-----\nMCow\n-----END PUBLIC KEY-----\n"]),
    CheckCase(name: "Mender key file missing", check: "UPD-04", expect: "fail", files: ["etc/mender/mender.conf": "{\"ArtifactVerifyKeys\": [\"/etc/mender/k1.pem\"]}\n"]),
    CheckCase(name: "Mender config not JSON", check: "UPD-04", expect: "fail", files: ["etc/mender/mender.conf": "{\"ServerURL\": \n"], evidence: "not valid JSON"),
    // UPD-05
    CheckCase(name: "opkg check_signature with keys", check: "UPD-05", expect: "pass", files: ["bin/opkg": "x", "etc/opkg.conf": "option check_signature\n", "etc/opkg/keys/b5043e70f9a75cde": "untrusted comment: x\nRWS\n"]),
    CheckCase(name: "opkg without check_signature", check: "UPD-05", expect: "fail", files: ["bin/opkg": "x", "etc/opkg.conf": "dest root /\n"]),
    CheckCase(name: "apk allow-untrusted in a cron job", check: "UPD-05", expect: "fail", files: ["sbin/apk": "x", "etc/apk/repositories": "https://dl-cdn.alpinelinux.org/alpine/v3.20/main\n",
                                                                                       "etc/apk/keys/a.rsa.pub": "k", "etc/crontabs/root": "0 3 * * * apk upgrade --allow-untrusted\n"]),
    CheckCase(name: "apt [trusted=yes]", check: "UPD-05", expect: "fail", files: ["etc/apt/sources.list": "deb [trusted=yes] https://repo.example/ stable main\n"], evidence: "trusted=yes"),
    CheckCase(name: "apt deb822 Trusted: yes", check: "UPD-05", expect: "fail", files: ["etc/apt/sources.list.d/x.sources": "Types: deb\nURIs: https://repo.example/\nSuites: s\nTrusted: yes\nSigned-By: /k.gpg\n"]),
    CheckCase(name: "apt without Signed-By", check: "UPD-05", expect: "warn", files: ["etc/apt/sources.list": "deb https://deb.debian.org/debian trixie main\n"]),
    CheckCase(name: "apt with Signed-By", check: "UPD-05", expect: "pass", files: ["etc/apt/sources.list": "deb [signed-by=/usr/share/keyrings/k.gpg] https://deb.debian.org/debian trixie main\n"]),
    // UPD-06
    CheckCase(name: "http feed, signed payload", check: "UPD-06", expect: "warn", files: ["bin/opkg": "x", "etc/opkg.conf": "option check_signature\nsrc/gz core http://downloads.openwrt.org/x\n"], evidence: "plain-text transport, signed"),
    CheckCase(name: "Mender SkipVerify", check: "UPD-06", expect: "fail", files: ["etc/mender/mender.conf": "{\"ServerURL\": \"https://m.example\",\n \"SkipVerify\": true}\n"], evidence: "SkipVerify"),
    CheckCase(name: "apt Verify-Peer false", check: "UPD-06", expect: "fail", files: ["etc/apt/sources.list": "deb [signed-by=/k] https://r.example/ s main\n", "etc/apt/apt.conf.d/80ssl": "Acquire::https::Verify-Peer \"false\";\n"]),
    CheckCase(name: "hawkbit ssl_verify=false", check: "UPD-06", expect: "fail", files: ["etc/rauc/system.conf": "[keyring]\npath=/k\n", "etc/rauc-hawkbit-updater/config.conf": "[client]\nhawkbit_server=h.example\nssl=true\nssl_verify=false\n"]),
    CheckCase(name: "https endpoint not declared by the profile", check: "UPD-06", expect: "warn", files: ["etc/apt/sources.list": "deb [signed-by=/k] https://evil.example/ s main\n"],
              profileExtra: "\"update\": {\"endpoints\": [\"deb.debian.org\"]}", evidence: "evil.example"),
    CheckCase(name: "https endpoint declared", check: "UPD-06", expect: "pass", files: ["etc/apt/sources.list": "deb [signed-by=/k] https://mirror.deb.debian.org/ s main\n"],
              profileExtra: "\"update\": {\"endpoints\": [\"deb.debian.org\"]}"),
    // UPD-07
    CheckCase(name: "Mender daemon enabled", check: "UPD-07", expect: "pass",
              files: ["etc/mender/mender.conf": "{\"UpdatePollIntervalSeconds\": 1800}\n", "lib/systemd/system/mender-updated.service": "[Service]\nExecStart=/usr/bin/mender-update daemon\n",
                      "etc/systemd/system/multi-user.target.wants/mender-updated.service": "[Service]\nExecStart=/usr/bin/mender-update daemon\n"],
              evidence: "1800"),
    CheckCase(name: "apt unattended-upgrades", check: "UPD-07", expect: "pass", files: ["etc/apt/sources.list": "deb https://d.example/ s main\n", "etc/apt/apt.conf.d/20auto-upgrades": "APT::Periodic::Unattended-Upgrade \"1\";\n"]),
    CheckCase(name: "nothing automatic", check: "UPD-07", expect: "warn", files: ["etc/apt/sources.list": "deb https://d.example/ s main\n", "etc/apt/apt.conf.d/20auto-upgrades": "APT::Periodic::Unattended-Upgrade \"0\";\n"]),
    // LIFE-01
    CheckCase(name: "no version anywhere", check: "LIFE-01", expect: "fail", files: ["etc/hostname": "gw\n"]),
    CheckCase(name: "Yocto /etc/version only", check: "LIFE-01", expect: "pass", files: ["etc/version": "20260910140212\n"], evidence: "/etc/version"),
    CheckCase(name: "OpenWrt openwrt_release", check: "LIFE-01", expect: "pass", files: ["etc/openwrt_release": "DISTRIB_RELEASE='25.12.0'\n"]),
    CheckCase(name: "Yocto buildinfo", check: "LIFE-01", expect: "pass", files: ["etc/buildinfo": "-----------------------\nBuild Configuration:  |\nDISTRO = poky\nDISTRO_VERSION = 5.0.6\n"], evidence: "DISTRO_VERSION"),
    // LIFE-02
    CheckCase(name: "no support end anywhere", check: "LIFE-02", expect: "fail", files: ["etc/os-release": "ID=debian\nVERSION_ID=13\n"], bareBaseline: true),
    CheckCase(name: "profile support end only", check: "LIFE-02", expect: "pass", files: ["etc/os-release": "ID=debian\nVERSION_ID=13\n"], evidence: "profile support.end 2030-01-31"),
    CheckCase(name: "SUPPORT_END within 180 days", check: "LIFE-02", expect: "warn", files: ["etc/os-release": "ID=debian\nVERSION_ID=13\nSUPPORT_END=2027-03-01\n"], evidence: "SUPPORT_END=2027-03-01"),
    CheckCase(name: "SUPPORT_END past", check: "LIFE-02", expect: "fail", files: ["etc/os-release": "ID=debian\nVERSION_ID=13\nSUPPORT_END=2026-11-22\n"]),
    CheckCase(name: "SUPPORT_END is the last supported day", check: "LIFE-02", expect: "warn", files: ["etc/os-release": "ID=debian\nVERSION_ID=13\nSUPPORT_END=2026-11-23\n"]),
    CheckCase(name: "SUPPORT_END malformed", check: "LIFE-02", expect: "fail", files: ["etc/os-release": "ID=debian\nSUPPORT_END=next year\n"], evidence: "SUPPORT_END=next year"),
    // LIFE-04
    CheckCase(name: "Debian 12 in LTS only", check: "LIFE-04", expect: "warn", files: ["etc/os-release": "ID=debian\nVERSION_ID=12\n"], evidence: "extended support until 2028-06-30"),
    CheckCase(name: "Debian 10 past LTS", check: "LIFE-04", expect: "fail", files: ["etc/os-release": "ID=debian\nVERSION_ID=10\n"]),
    CheckCase(name: "Yocto by codename", check: "LIFE-04", expect: "fail", files: ["etc/os-release": "ID=poky\nVERSION_CODENAME=dunfell\n"]),
    CheckCase(name: "support gap", check: "LIFE-04", expect: "warn", files: ["etc/os-release": "ID=poky\nVERSION_ID=5.0.2\nSUPPORT_END=2029-12-31\n"], evidence: "2029-12-31"),
    CheckCase(name: "vendor OS mapped with base_os", check: "LIFE-04", expect: "fail", files: ["etc/os-release": "ID=acme-os\nVERSION_ID=4.0.3\n"], profileExtra: "\"lifecycle\": {\"base_os\": \"yocto\"}"),
    CheckCase(name: "unknown distribution", check: "LIFE-04", expect: "info", files: ["etc/os-release": "ID=mystery\nVERSION_ID=1\n"]),
    CheckCase(name: "unknown release of a known distribution", check: "LIFE-04", expect: "warn", files: ["etc/os-release": "ID=openwrt\nVERSION_ID=17.01.7\n"]),
    // LIFE-05 (binaries are stand-ins: an ELF magic and the version string the real program carries)
    CheckCase(name: "OpenSSL 1.1.1 in libcrypto", check: "LIFE-05", expect: "fail",
              files: ["usr/lib/libcrypto.so.1.1": "\u{7F}ELF\u{0}OpenSSL default\u{0}OpenSSL 1.1.1w  11 Sep 2023\u{0}"], evidence: "/usr/lib/libcrypto.so.1.1:0 OpenSSL 1.1.1w"),
    CheckCase(name: "kernel 4.19 modules directory", check: "LIFE-05", expect: "fail", files: ["lib/modules/4.19.232/modules.dep": ""],
              evidence: "Linux kernel (LTS, projected) 4.19: end of life 2024-12-05"),
    CheckCase(name: "OpenSSH released more than 4 years ago", check: "LIFE-05", expect: "warn",
              files: ["usr/sbin/sshd": "\u{7F}ELF\u{0}OpenSSH_7.4*\u{0}OpenSSH_8.4p1 Debian-5+deb11u3\u{0}"], evidence: "OpenSSH 8.4 released on 2020-09-27"),
    CheckCase(name: "OpenSSL 3.5 from dpkg, kernel 6.1 from /lib/modules", check: "LIFE-05", expect: "pass",
              files: ["var/lib/dpkg/status": "Package: libssl3\nStatus: install ok installed\nVersion: 3.5.1-1\n", "lib/modules/6.1.0-30-arm64/modules.dep": ""],
              evidence: "/var/lib/dpkg/status:1 package libssl3 3.5.1-1 (dpkg)"),
    CheckCase(name: "dnsmasq release not in the data", check: "LIFE-05", expect: "info", files: ["usr/sbin/dnsmasq": "\u{7F}ELF\u{0}dnsmasq-2.91\u{0}"],
              evidence: "dnsmasq-2.91"),
    CheckCase(name: "no component version found", check: "LIFE-05", expect: "skip", files: ["etc/os-release": osr]),
    // LIFE-06
    CheckCase(name: "no package database, no SBOM", check: "LIFE-06", expect: "warn", files: ["etc/os-release": osr]),
    CheckCase(name: "dpkg status", check: "LIFE-06", expect: "pass", files: ["var/lib/dpkg/status": "Package: a\nStatus: install ok installed\nVersion: 1\n\nPackage: b\nStatus: deinstall ok config-files\nVersion: 2\n"],
              evidence: "dpkg database, 1 installed package(s)"),
    CheckCase(name: "apk installed db", check: "LIFE-06", expect: "pass", files: ["lib/apk/db/installed": "P:busybox\nV:1.37.0-r3\n\nP:dropbear\nV:2025.88-r1\n"],
              evidence: "apk database, 2 installed package(s)"),
    CheckCase(name: "SBOM file", check: "LIFE-06", expect: "pass", files: ["usr/share/sbom/image.cdx.json": "{}"], evidence: "SBOM file"),
    // SURF-01
    CheckCase(name: "systemd telnet.socket enabled", check: "SURF-01", expect: "fail", files: ["lib/systemd/system/telnet.socket": "[Socket]\nListenStream=23\n", "etc/systemd/system/sockets.target.wants/telnet.socket": "[Socket]\nListenStream=23\n"]),
    CheckCase(name: "xinetd telnet enabled", check: "SURF-01", expect: "fail", files: ["etc/xinetd.d/telnet": "service telnet\n{\n  disable = no\n  server = /usr/sbin/in.telnetd\n}\n"]),
    CheckCase(name: "xinetd telnet disabled", check: "SURF-01", expect: "pass", files: ["etc/xinetd.d/telnet": "service telnet\n{\n  disable = yes\n  server = /usr/sbin/in.telnetd\n}\n"]),
    CheckCase(name: "SysV rc link to telnetd script", check: "SURF-01", expect: "fail", files: ["etc/init.d/telnetd": "#!/bin/sh\n/usr/sbin/telnetd -l /bin/login\n", "etc/rc3.d/S20telnetd": "#!/bin/sh\n/usr/sbin/telnetd\n"]),
    CheckCase(name: "telnetd script without rc link", check: "SURF-01", expect: "pass", files: ["etc/init.d/telnetd": "#!/bin/sh\n/usr/sbin/telnetd -l /bin/login\n"]),
    CheckCase(name: "commented-out inittab entry", check: "SURF-01", expect: "pass", files: ["etc/inittab": "#::respawn:/usr/sbin/telnetd -F\n"]),
    // DISC-01
    CheckCase(name: "security.txt on the device", check: "DISC-01", expect: "pass", files: ["www/.well-known/security.txt": "Contact: mailto:s@testco.example\n"], evidence: "security.txt"),
    CheckCase(name: "BUG_REPORT_URL in os-release", check: "DISC-01", expect: "pass", files: ["etc/os-release": "ID=debian\nBUG_REPORT_URL=\"https://testco.example/bugs\"\n"]),
    CheckCase(name: "nothing on the device", check: "DISC-01", expect: "warn", files: ["etc/os-release": "ID=debian\n"]),
    // DISC-02
    CheckCase(name: "SUPPORT_END agrees with the profile", check: "DISC-02", expect: "pass", files: ["etc/os-release": "ID=debian\nSUPPORT_END=2030-01-31\n"]),
    CheckCase(name: "SUPPORT_END disagrees with the profile", check: "DISC-02", expect: "warn", files: ["etc/os-release": "ID=debian\nSUPPORT_END=2031-01-31\n"]),
]

@Suite("Checks on passing and failing evidence")
struct CheckCoverageTests {
    @Test(arguments: checkCases)
    func check(_ c: CheckCase) throws {
        let t = try TempTree(c.files)
        // a minimal root filesystem around the case's files: baseline refuses a directory without /etc and programs
        try t.mkdir("etc")
        try t.mkdir("bin")
        let profile = c.bareBaseline ? etsiPath : try vendorProfile(t, extra: c.profileExtra)
        let r = try audit(t.path, profile: profile)
        #expect([0, 1].contains(r.code), "stderr: \(r.stderr)")
        #expect(r.status(c.check) == c.expect, "\(c.check): \(r.finding(c.check)?["message"] ?? "missing")\n\(r.evidenceText(c.check))")
        if !c.evidence.isEmpty { #expect(r.evidenceText(c.check).contains(c.evidence), "evidence: \(r.evidenceText(c.check))") }
        let f = try #require(r.finding(c.check))
        #expect(!(f["provisions"] as! [String]).isEmpty, "provisions come from the ETSI profile")
        #expect(!(f["remediation"] as! String).isEmpty)
    }

    @Test func profileWithoutDisclosureOrSupportFails() throws {
        let t = try TempTree(["etc/os-release": osr])
        let r = try audit(t.path, profile: etsiPath)
        #expect(r.status("DISC-01") == "fail")
        #expect(r.status("DISC-02") == "fail")
        #expect(r.finding("DISC-02")?["message"] as? String == "the profile does not publish a support period: missing support.url and support.end")
    }

    @Test func disabledCheckIsNotRun() throws {
        let t = try TempTree(["etc/os-release": osr])
        let p = try vendorProfile(t, extra: "\"checks\": {\"UPD-07\": {\"enabled\": false}, \"UPD-01\": {\"severity\": \"low\"}}")
        let r = try audit(t.path, profile: p)
        #expect(r.finding("UPD-07") == nil)
        #expect(r.finding("UPD-01")?["severity"] as? String == "low")
    }

    @Test func psiProfileRunsOnlyItsChecks() throws {
        let t = try TempTree(["etc/os-release": osr])
        let r = try audit(t.path, profile: Repo.path("Profiles/baselines/uk-psti.json"))
        let ids = Set(((r.json?["findings"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String })
        #expect(ids == ["CRED-01", "CRED-02", "CRED-03", "CRED-04", "CRED-11", "DISC-01", "DISC-02", "LIFE-02"])
        #expect((r.finding("LIFE-02")?["provisions"] as? [String])?.first?.contains("PSTI") == true)
    }
}
