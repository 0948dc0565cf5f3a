// What only a running device shows, read through the same root view from /proc and /sys (so fixture trees that
// carry /proc and /sys files test it): network interfaces and their MAC addresses, the board serial, the hostname,
// listening sockets, kernel version, uptime, and when an update was last applied.

public struct NetInterface {
    public let name: String
    public let mac: String          // lower-case "aa:bb:cc:dd:ee:ff"
    public let path: String
}

public struct Listener: Equatable {
    public let proto: String        // "tcp" or "udp"
    public let ipv6: Bool
    public let address: String      // printable address
    public let port: Int
    public let loopback: Bool
    public let path: String
    public let line: Int

    public var service: String { proto + "/" + String(port) }
}

public struct LastUpdate {
    public let source: String       // what recorded it
    public let date: String         // YYYY-MM-DD
    public let path: String
}

public struct LiveFacts {
    public var isLive = false                     // /proc/net/* or /proc/uptime present
    public var interfaces: [NetInterface] = []
    public var serial: (value: String, path: String)?
    public var hostname: (value: String, path: String)?
    public var listeners: [Listener] = []
    public var malformed: [Evidence] = []
    public var kernel: String?
    public var uptimeSeconds: Int?
    public var lastUpdate: LastUpdate?

    /// `raucConfig`: RAUC's system.conf as the update facts already parsed it (it names the status file).
    public static func gather(_ fs: RootView, raucConfig: IniFile? = nil) -> LiveFacts {
        var f = LiveFacts()
        for name in fs.list(FactSources.netInterfaces) where name != "lo" {
            let p = FactSources.netInterfaces + "/" + name + "/address"
            guard let b = fs.read(p, limit: 256), let first = Text.lines(b).first else { continue }
            let mac = Text.lower(Text.trim(first.text))
            if isMAC(mac) && mac != "00:00:00:00:00:00" { f.interfaces.append(NetInterface(name: name, mac: mac, path: p)) }
            else if !mac.isEmpty { f.malformed.append(Evidence(p, 1, "not a MAC address: '" + String(mac.prefix(40)) + "'")) }
        }
        if let b = fs.read("/proc/device-tree/serial-number", limit: 256) {
            let s = String(decoding: b.filter { $0 != 0 && $0 != 10 }, as: UTF8.self)
            if !Text.trim(s).isEmpty { f.serial = (Text.trim(s), "/proc/device-tree/serial-number") }
        }
        if f.serial == nil, let b = fs.read("/proc/cpuinfo", limit: 1 << 20) {
            for l in Text.lines(b) {
                let parts = Text.split(l.text, 58)
                if parts.count >= 2 && Text.lower(Text.trim(parts[0])) == "serial" {
                    let v = Text.trim(Text.joinWith(Array(parts[1...]), ":"))
                    if !v.isEmpty && Text.trim(v) != "0000000000000000" { f.serial = (v, "/proc/cpuinfo") }
                }
            }
        }
        for p in ["/proc/sys/kernel/hostname", "/etc/hostname"] {
            if let b = fs.read(p, limit: 256), let first = Text.lines(b).first, !Text.trim(first.text).isEmpty {
                f.hostname = (Text.trim(first.text), p); break
            }
        }
        for (file, proto, v6) in [("/proc/net/tcp", "tcp", false), ("/proc/net/tcp6", "tcp", true),
                                  ("/proc/net/udp", "udp", false), ("/proc/net/udp6", "udp", true)] {
            guard let b = fs.read(file, limit: 16 << 20) else { continue }
            f.isLive = true
            parseSockets(b, path: file, proto: proto, ipv6: v6, into: &f)
        }
        if let b = fs.read("/proc/sys/kernel/osrelease", limit: 256), let first = Text.lines(b).first {
            f.kernel = Text.trim(first.text)
        }
        if let b = fs.read("/proc/uptime", limit: 256), let first = Text.lines(b).first {
            f.isLive = true
            let whole = Text.split(Text.words(first.text).first ?? "", 46).first ?? ""
            f.uptimeSeconds = Text.int(whole)
        }
        f.lastUpdate = lastUpdate(fs, raucConfig: raucConfig)
        return f
    }

    static func isMAC(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard u.count == 17 else { return false }
        for (i, c) in u.enumerated() {
            if i % 3 == 2 { if c != 58 { return false } } else if !((c >= 48 && c <= 57) || (c >= 97 && c <= 102)) { return false }
        }
        return true
    }

    /// /proc/net/{tcp,udp}{,6}: "sl local_address rem_address st …"; addresses are hex in host byte order.
    static func parseSockets(_ bytes: [UInt8], path: String, proto: String, ipv6: Bool, into f: inout LiveFacts) {
        var seen: Set<String> = []
        for l in Text.lines(bytes) where l.number > 1 {
            let w = Text.words(l.text)
            if w.isEmpty { continue }
            guard w.count >= 4, w[0].hasSuffix(":") else {
                if f.malformed.count < 20 { f.malformed.append(Evidence(path, l.number, "expected 'sl local_address rem_address st …'")) }
                continue
            }
            let local = Array(w[1].utf8)
            guard let colon = local.firstIndex(of: 58), let port = Hex.value(local[(colon + 1)...]), let st = Hex.value(Array(w[3].utf8)[...]) else {
                if f.malformed.count < 20 { f.malformed.append(Evidence(path, l.number, "expected ADDRESS:PORT in hex, found '\(String(w[1].prefix(60)))'")) }
                continue
            }
            let hexAddr = local[0..<colon]
            // TCP: 0A = LISTEN. UDP: 07 = unconnected socket (bound, receiving).
            if proto == "tcp" && st != 0x0A { continue }
            if proto == "udp" && st != 0x07 { continue }
            guard let (addr, loopback) = address(hexAddr, ipv6: ipv6) else {
                if f.malformed.count < 20 { f.malformed.append(Evidence(path, l.number, "address of unexpected length")) }
                continue
            }
            let key = addr + "/" + String(port)
            if seen.contains(key) { continue }
            seen.insert(key)
            f.listeners.append(Listener(proto: proto, ipv6: ipv6, address: addr, port: Int(port), loopback: loopback, path: path, line: l.number))
        }
    }

    /// Decodes a /proc/net address (IPv4: one host-order u32; IPv6: four host-order u32) on a little-endian device.
    static func address(_ hex: ArraySlice<UInt8>, ipv6: Bool) -> (String, Bool)? {
        let h = Array(hex)
        func word(_ i: Int) -> [UInt8]? {
            guard let v = Hex.value(h[(i * 8)..<(i * 8 + 8)]) else { return nil }
            return [UInt8(v & 0xff), UInt8(v >> 8 & 0xff), UInt8(v >> 16 & 0xff), UInt8(v >> 24 & 0xff)]
        }
        if !ipv6 {
            guard h.count == 8, let b = word(0) else { return nil }
            return (String(b[0]) + "." + String(b[1]) + "." + String(b[2]) + "." + String(b[3]), b[0] == 127)
        }
        guard h.count == 32 else { return nil }
        var b: [UInt8] = []
        for i in 0..<4 { guard let x = word(i) else { return nil }; b += x }
        let mapped = b[0..<10].allSatisfy { $0 == 0 } && b[10] == 0xff && b[11] == 0xff
        if mapped { return ("::ffff:" + String(b[12]) + "." + String(b[13]) + "." + String(b[14]) + "." + String(b[15]), b[12] == 127) }
        let loop = b[0..<15].allSatisfy { $0 == 0 } && b[15] == 1
        var groups: [String] = []
        for i in 0..<8 {
            let v = Int(b[2 * i]) << 8 | Int(b[2 * i + 1])
            groups.append(hex4(v))
        }
        return (compress(groups), loop)
    }

    static func hex4(_ v: Int) -> String {
        let d: [UInt8] = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        var started = false
        for shift in [12, 8, 4, 0] {
            let n = (v >> shift) & 15
            if n != 0 || started || shift == 0 { out.append(d[n]); started = true }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// RFC 5952-ish: the longest run of zero groups becomes "::".
    static func compress(_ g: [String]) -> String {
        var bestStart = -1, bestLen = 0, i = 0
        while i < g.count {
            if g[i] == "0" {
                var j = i
                while j < g.count && g[j] == "0" { j += 1 }
                if j - i > bestLen && j - i >= 2 { bestStart = i; bestLen = j - i }
                i = j
            } else { i += 1 }
        }
        if bestStart < 0 { return Text.joinWith(g, ":") }
        let left = Text.joinWith(Array(g[0..<bestStart]), ":")
        let right = Text.joinWith(Array(g[(bestStart + bestLen)...]), ":")
        return left + "::" + right
    }

    /// The most recent update the update framework or package manager recorded.
    static func lastUpdate(_ fs: RootView, raucConfig: IniFile?) -> LastUpdate? {
        var best: LastUpdate? = nil
        func offer(_ source: String, _ date: String, _ path: String) {
            guard CivilDate.parse(date) != nil else { return }
            if best == nil || best!.date < date { best = LastUpdate(source: source, date: date, path: path) }
        }
        // RAUC central status file: installed.timestamp=2026-09-01T10:00:00Z
        var raucStatus: [String] = []
        if let ini = raucConfig {
            if let sf = ini.value("system", "statusfile"), sf.value != "per-slot" { raucStatus.append(sf.value) }
            if let dd = ini.value("system", "data-directory") { raucStatus.append(Text.join(dd.value, "central.raucs")) }
        }
        raucStatus.append("/data/rauc/central.raucs")
        for p in raucStatus {
            guard let b = fs.read(p, limit: 1 << 20) else { continue }
            for l in Text.lines(b) where Text.trim(l.text).hasPrefix("installed.timestamp=") {
                offer("rauc", String(Text.trim(l.text).dropFirst(20).prefix(10)), p)
            }
        }
        // opkg: "Installed-Time: <epoch>"
        for p in ["/usr/lib/opkg/status", "/var/lib/opkg/status"] {
            guard let b = fs.read(p, limit: 16 << 20) else { continue }
            for l in Text.lines(b) where l.text.hasPrefix("Installed-Time:") {
                if let secs = Text.int(Text.trim(String(l.text.dropFirst(15)))) { offer("opkg", CivilDate.fromEpochSeconds(Int64(secs)).iso, p) }
            }
        }
        // apt: "Start-Date: 2026-09-01  10:00:00"
        if let b = fs.read("/var/log/apt/history.log", limit: 16 << 20) {
            for l in Text.lines(b) where l.text.hasPrefix("Start-Date:") {
                offer("apt", String(Text.trim(String(l.text.dropFirst(11))).prefix(10)), "/var/log/apt/history.log")
            }
        }
        // Mender and SWUpdate keep no portable text record; the firmware build time is the fallback for them.
        return best
    }
}
