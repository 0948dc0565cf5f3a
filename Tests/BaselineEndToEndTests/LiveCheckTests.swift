// The live-only checks (CRED-04, SURF-02) and runtime facts on fixture trees that carry /proc and /sys files,
// including malformed ones. Run through the agent's host build; the differential test covers the static builds.
import Foundation
import Testing

let tcpHeader = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
func tcpLine(_ n: Int, _ local: String, _ st: String) -> String {
    "   \(n): \(local) 00000000:0000 \(st) 00000000:00000000 00:00000000 00000000     0        0 1312\(n) 1 0000000000000000 100 0 0 10 0\n"
}

/// A device tree: passwd/shadow, os-release, /sys/class/net with the given MACs, optional serial, /proc/net files.
func liveTree(macs: [String: String], serial: String? = nil, hostname: String? = nil, rootHash: String? = nil,
              tcp: String? = nil, tcp6: String? = nil, udp: String? = nil) throws -> TempTree {
    var files: [String: String] = ["etc/os-release": "ID=debian\nVERSION_ID=13\nSUPPORT_END=2030-01-31\n",
                                   "etc/passwd": "root:x:0:0:root:/root:/bin/sh\n",
                                   "etc/shadow": "root:\(rootHash ?? "*"):20000:0:99999:7:::\n",
                                   "proc/uptime": "12345.67 23456.78\n", "proc/sys/kernel/osrelease": "6.6.52-acme\n",
                                   "sys/class/net/lo/address": "00:00:00:00:00:00\n"]
    for (ifname, mac) in macs {
        // real sysfs: /sys/class/net/X is a relative symlink into /sys/devices
        files["sys/devices/platform/soc/net/\(ifname)/address"] = mac + "\n"
    }
    if let s = serial { files["proc/device-tree/serial-number"] = s + "\u{0}" }
    if let h = hostname { files["proc/sys/kernel/hostname"] = h + "\n" }
    if let t = tcp { files["proc/net/tcp"] = t }
    if let t = tcp6 { files["proc/net/tcp6"] = t }
    if let u = udp { files["proc/net/udp"] = u }
    let tree = try TempTree(files)
    for ifname in macs.keys { try tree.symlink("sys/class/net/\(ifname)", to: "../../devices/platform/soc/net/\(ifname)") }
    return tree
}

func agentAudit(_ t: TempTree, profile: String, _ extra: [String] = []) throws -> RunResult {
    try Agent.run(nil, ["--root", t.path, "--profile", profile, "--date", Repo.auditDate] + extra)
}

@Suite("Live-device checks on fixture /proc and /sys")
struct LiveCheckTests {
    @Test("CRED-04 finds a password made of MAC digits", arguments: ["AABBCC", "aabbcc", "11:22:33:aa:bb:cc", "112233AABBCC", "33aabbcc"])
    func macDerived(_ pw: String) throws {
        let t = try liveTree(macs: ["eth0": "11:22:33:aa:bb:cc"], rootHash: try tool("openssl", ["passwd", "-6", pw]))
        let r = try agentAudit(t, profile: try vendorProfile(t))
        #expect(r.status("CRED-04") == "fail", "\(r.finding("CRED-04") ?? [:])")
        #expect(r.evidenceText("CRED-04").contains("the MAC address of eth0"))
        #expect(!r.stdout.contains("aa:bb:cc") && !r.stdout.lowercased().contains("aabbcc"), "the raw MAC is never reported")
    }

    @Test func serialAndHostnameDerived() throws {
        let s = try liveTree(macs: ["eth0": "11:22:33:aa:bb:cc"], serial: "SN00A1B2C3D4", rootHash: try tool("mkpasswd", ["-m", "yescrypt", "b2c3d4"]))
        let rs = try agentAudit(s, profile: try vendorProfile(s))
        #expect(rs.status("CRED-04") == "fail")
        #expect(rs.evidenceText("CRED-04").contains("serial number"))
        #expect(!rs.stdout.contains("SN00A1B2C3D4"))
        let h = try liveTree(macs: [:], hostname: "gw-7100", rootHash: try tool("openssl", ["passwd", "-5", "GW-7100"]))
        let rh = try agentAudit(h, profile: try vendorProfile(h))
        #expect(rh.status("CRED-04") == "fail")
        #expect(rh.evidenceText("CRED-04").contains("hostname"))
    }

    @Test func cpuinfoSerial() throws {
        let t = try liveTree(macs: [:], rootHash: try tool("openssl", ["passwd", "-6", "8a0c9f31"]))
        try t.write("proc/cpuinfo", "processor\t: 0\nBogoMIPS\t: 108.00\n\nHardware\t: BCM2835\nRevision\t: c03111\nSerial\t\t: 100000008a0c9f31\nModel\t\t: Raspberry Pi 4\n")
        let r = try agentAudit(t, profile: try vendorProfile(t))
        #expect(r.status("CRED-04") == "fail")
        #expect(r.evidenceText("CRED-04").contains("/proc/cpuinfo"))
    }

    @Test func unrelatedPasswordPasses() throws {
        let t = try liveTree(macs: ["eth0": "11:22:33:aa:bb:cc", "wlan0": "11:22:33:aa:bb:cd"], serial: "SN1",
                             rootHash: try tool("openssl", ["passwd", "-6", UUID().uuidString]))
        let r = try agentAudit(t, profile: try vendorProfile(t))
        #expect(r.status("CRED-04") == "pass")
        #expect((r.finding("CRED-04")?["message"] as? String)?.contains("2 MAC address(es)") == true)
    }

    @Test func offlineImageSkipsLiveChecks() throws {
        let r = try audit(Repo.path("Firmware-samples/debian-13-fernwerk"), profile: "fernwerk-edge")
        #expect(r.status("CRED-04") == "skip")
        #expect(r.status("SURF-02") == "skip")
        #expect(r.json?["runtime"] is NSNull)
    }

    @Test func listenersAgainstAllowedServices() throws {
        let tcp = tcpHeader + tcpLine(0, "00000000:0016", "0A") + tcpLine(1, "0100007F:1F90", "0A") + tcpLine(2, "00000000:01BB", "0A")
            + tcpLine(3, "0A00000A:0016", "01")   // established, not a listener
        let tcp6 = tcpHeader + tcpLine(0, "00000000000000000000000000000000:0016", "0A") + tcpLine(1, "00000000000000000000000001000000:0277", "0A")
        let udp = tcpHeader + tcpLine(0, "00000000:0035", "07") + tcpLine(1, "0100007F:007B", "07")
        let t = try liveTree(macs: ["eth0": "11:22:33:aa:bb:cc"], tcp: tcp, tcp6: tcp6, udp: udp)
        // declared: ssh and https only
        let r = try agentAudit(t, profile: try vendorProfile(t, extra: "\"services\": {\"allowed\": [\"tcp/22\", \"tcp/443\"]}"))
        #expect(r.status("SURF-02") == "fail")
        let ev = r.evidenceText("SURF-02")
        #expect(ev.contains("udp/53 on 0.0.0.0: open DNS service"), "\(ev)")
        #expect(!ev.contains("udp/123"), "NTP on loopback is not exposed: \(ev)")
        #expect(!ev.contains("tcp/8080"), "loopback only")
        #expect(!ev.contains("10.0.0.10"), "established connections are not listeners")
        #expect(ev.contains("tcp/631 on [::1]") == false)
        let runtime = try #require(r.json?["runtime"] as? [String: Any])
        #expect(runtime["kernel"] as? String == "6.6.52-acme")
        #expect(runtime["uptime_seconds"] as? Int == 12345)
        let listeners = try #require(runtime["listeners"] as? [[String: Any]])
        #expect(listeners.count == 7)
        #expect(listeners.contains { $0["address"] as? String == "::1" && $0["port"] as? Int == 631 && $0["loopback"] as? Bool == true })
        #expect(listeners.contains { $0["address"] as? String == "::" && $0["port"] as? Int == 22 })
        // with DNS allowed too, only a pass remains
        let ok = try agentAudit(t, profile: try vendorProfile(t, extra: "\"services\": {\"allowed\": [\"tcp/22\", \"tcp/443\", \"udp/53\"]}"))
        #expect(ok.status("SURF-02") == "pass", "\(ok.evidenceText("SURF-02"))")
        // without a declaration the exposed listeners cannot be judged
        let none = try agentAudit(t, profile: try vendorProfile(t))
        #expect(none.status("SURF-02") == "fail", "DNS is an amplifier whatever the profile")
    }

    @Test func telnetListenerFails() throws {
        let t = try liveTree(macs: [:], tcp: tcpHeader + tcpLine(0, "00000000:0017", "0A"))
        let r = try agentAudit(t, profile: try vendorProfile(t, extra: "\"services\": {\"allowed\": [\"tcp/22\"]}"))
        #expect(r.status("SURF-02") == "fail")
        #expect(r.evidenceText("SURF-02").contains("tcp/23 on 0.0.0.0: telnet"))
    }

    @Test func malformedProcFiles() throws {
        let garbage = tcpHeader + "   0: ZZZZ:0016 00000000:0000 0A\n" + "this is not a socket line\n" + "   1: 00000000:00000000016 x 0A\n"
            + tcpLine(2, "00000000:0016", "0A") + String(repeating: "\u{0}\u{1}\u{2}", count: 1000)
        let t = try liveTree(macs: ["eth0": "not-a-mac"], serial: "", tcp: garbage, udp: "")
        try t.write("proc/uptime", "garbage\n")
        let r = try agentAudit(t, profile: try vendorProfile(t, extra: "\"services\": {\"allowed\": [\"tcp/22\"]}"))
        #expect([0, 1].contains(r.code), "\(r.stderr)")
        #expect(r.status("SURF-02") == "warn", "the good line is judged, the bad ones reported: \(r.evidenceText("SURF-02"))")
        #expect(r.evidenceText("SURF-02").contains("/proc/net/tcp:2"))
        let runtime = try #require(r.json?["runtime"] as? [String: Any])
        #expect(runtime["uptime_seconds"] is NSNull)
        #expect(runtime["interfaces"] as? Int == 0, "a malformed MAC is not an interface")
    }

    @Test func deviceIDIsKeyedAndStable() throws {
        let t = try liveTree(macs: ["eth0": "11:22:33:aa:bb:cc"], serial: "SN-4711")
        try t.write("fleet.key", "a-fleet-key-of-32-bytes-00000000\n")
        let p = try vendorProfile(t)
        let a = try agentAudit(t, profile: p, ["--fleet-key-file", t.sub("fleet.key")])
        let b = try agentAudit(t, profile: p, ["--fleet-key-file", t.sub("fleet.key")])
        let ida = try #require((a.json?["subject"] as? [String: Any])?["device_id"] as? String)
        #expect(ida == (b.json?["subject"] as? [String: Any])?["device_id"] as? String)
        #expect(ida == "hmac-sha256:" + hmacHex(key: "a-fleet-key-of-32-bytes-00000000", message: "serial:SN-4711"))
        #expect(!a.stdout.contains("SN-4711"))
        let unkeyed = try agentAudit(t, profile: p)
        #expect((unkeyed.json?["subject"] as? [String: Any])?["device_id"] is NSNull)
    }

    @Test func lastUpdateFromFrameworkState() throws {
        let t = try liveTree(macs: [:])
        try t.write("etc/rauc/system.conf", "[system]\ncompatible=x\ndata-directory=/data/rauc\n[keyring]\npath=/k\n")
        try t.write("data/rauc/central.raucs", "[slot.rootfs.0]\nbundle.version=7100.3.2\ninstalled.timestamp=2026-10-02T08:15:00Z\ninstalled.count=3\n")
        try t.write("var/log/apt/history.log", "\nStart-Date: 2026-09-01  10:00:00\nCommandline: apt-get upgrade\n")
        let r = try agentAudit(t, profile: try vendorProfile(t))
        let lu = try #require((r.json?["runtime"] as? [String: Any])?["last_update"] as? [String: Any])
        #expect(lu["source"] as? String == "rauc")
        #expect(lu["date"] as? String == "2026-10-02")
    }

    @Test func liveReportsValidateAgainstTheSchema() throws {
        let t = try liveTree(macs: ["eth0": "11:22:33:aa:bb:cc"], serial: "SN1", rootHash: try tool("openssl", ["passwd", "-6", "aabbcc"]),
                             tcp: tcpHeader + tcpLine(0, "00000000:0016", "0A"))
        try t.write("fleet.key", "a-fleet-key-of-32-bytes-00000000\n")
        let r = try agentAudit(t, profile: try vendorProfile(t), ["--fleet-key-file", t.sub("fleet.key"), "--output", t.sub("live.json")])
        #expect(r.code == 1)
        let v = try python([Repo.path("Tests/scripts/validate_json.py"), Repo.path("Profiles/schema/report.schema.json"), t.sub("live.json")])
        #expect(v.code == 0, "\(v.stdout)\(v.stderr)")
    }
}
