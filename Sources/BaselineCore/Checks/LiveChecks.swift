// Checks that need a running device (or a tree that carries its /proc and /sys): CRED-04 and SURF-02.

public enum LiveChecks {
    /// The checks this file holds, by catalogue id (CheckCatalog.swift has their titles, rules and severities).
    public static let all: [(String, (CheckContext) -> Outcome)] = [
        ("CRED-04", derivedPasswords),
        ("SURF-02", listeners),
    ]

    /// Password candidates derived from public device identifiers. The origin text names the identifier's
    /// source, never its value (raw MACs and serials stay on the device).
    static func derivedCandidates(_ live: LiveFacts) -> [PasswordCandidate] {
        var out: [PasswordCandidate] = []
        var seen: Set<String> = []
        func add(_ s: String, _ origin: String) {
            if s.isEmpty || seen.contains(s) { return }
            seen.insert(s)
            out.append(PasswordCandidate(password: s, origin: origin))
        }
        func variants(_ v: String, _ what: String) {
            for form in [v, Text.lower(v), Text.upper(v)] { add(form, what) }
            let u = Array(v.utf8)
            for n in [4, 5, 6, 8] where u.count > n {
                let tail = String(decoding: u[(u.count - n)...], as: UTF8.self)
                add(Text.lower(tail), what + " (last \(n) characters)")
                add(Text.upper(tail), what + " (last \(n) characters)")
            }
        }
        for i in live.interfaces {
            let what = "the MAC address of \(i.name)"
            let hex = String(decoding: Array(i.mac.utf8).filter { $0 != 58 }, as: UTF8.self)
            variants(i.mac, what)
            variants(hex, what)
            variants(String(decoding: Array(i.mac.utf8).map { $0 == 58 ? 45 : $0 }, as: UTF8.self), what)
        }
        if let s = live.serial { variants(s.value, "the serial number (\(s.path))") }
        if let h = live.hostname { variants(h.value, "the hostname (\(h.path))") }
        return out
    }

    /// CRED-04: a password derived from the MAC, the serial or the hostname.
    public static func derivedPasswords(_ c: CheckContext) -> Outcome {
        let live = c.facts.live
        if live.interfaces.isEmpty && live.serial == nil && live.hostname == nil {
            return .skip("no device identifiers to test (no /sys/class/net, serial or hostname): run the agent on the device")
        }
        let groups = CredentialChecks.hashedAccounts(c)
        guard !groups.isEmpty else { return .pass("no usable password hash on the device") }
        let candidates = derivedCandidates(live)
        var ev: [Evidence] = []
        for g in groups {
            guard c.crypt.hash("", setting: g.hash) != nil else { continue }
            for cand in candidates where c.crypt.matches(cand.password, hash: g.hash) {
                for a in g.accounts {
                    ev.append(Evidence(a.source, a.line, CredentialChecks.describe(a) + ": password is derived from " + cand.origin))
                }
                break
            }
        }
        if !ev.isEmpty { return .fail("\(ev.count) password(s) derived from public device identifiers", ev) }
        return .pass("\(groups.count) hash(es) tested against \(candidates.count) derivations of \(live.interfaces.count) MAC address(es)"
                     + (live.serial != nil ? ", the serial" : "") + (live.hostname != nil ? ", the hostname" : ""))
    }

    static let amplifierPorts: [Int: String] = [19: "chargen", 53: "DNS", 123: "NTP", 161: "SNMP", 1900: "SSDP", 11211: "memcached", 5353: "mDNS"]

    /// SURF-02: listening sockets against the profile's allowed services; open UDP amplifiers.
    public static func listeners(_ c: CheckContext) -> Outcome {
        let live = c.facts.live
        guard live.isLive else { return .skip("not a live system (no /proc/net/tcp, tcp6, udp, udp6)") }
        let allowed = c.profile.allowedServices
        var fails: [Evidence] = []
        var warns: [Evidence] = live.malformed.filter { $0.path.hasPrefix("/proc/net/") }
        var passes: [Evidence] = []
        for l in live.listeners.sorted(by: { ($0.proto, $0.port, $0.address) < ($1.proto, $1.port, $1.address) }) {
            let what = "\(l.service) on \(l.ipv6 ? "[" + l.address + "]" : l.address)"
            if l.loopback { passes.append(Evidence(l.path, l.line, what + " (loopback only)")); continue }
            let isAllowed = allowed.contains(l.service)
            if l.proto == "udp", let name = amplifierPorts[l.port], !isAllowed {
                fails.append(Evidence(l.path, l.line, what + ": open \(name) service, usable for UDP amplification"))
            } else if l.proto == "tcp" && l.port == 23 && !isAllowed {
                fails.append(Evidence(l.path, l.line, what + ": telnet"))
            } else if isAllowed {
                passes.append(Evidence(l.path, l.line, what + " (allowed by the profile)"))
            } else if allowed.isEmpty {
                warns.append(Evidence(l.path, l.line, what + ": the profile declares no allowed services"))
            } else {
                fails.append(Evidence(l.path, l.line, what + ": not in the profile's allowed services"))
            }
        }
        if !fails.isEmpty { return .fail("\(fails.count) listening service(s) not allowed", fails + warns) }
        if !warns.isEmpty { return .warn("listening services cannot be judged against the profile", warns) }
        return .pass("\(live.listeners.count) listening socket(s), all allowed or loopback-only", passes)
    }
}
