// Exposed services: SURF-01 (telnet).

public enum SurfaceChecks {
    /// The checks this file holds, by catalogue id (CheckCatalog.swift has their titles, rules and severities).
    public static let all: [(String, (CheckContext) -> Outcome)] = [
        ("SURF-01", telnet),
    ]

    /// SURF-01: telnetd started by any init mechanism.
    public static func telnet(_ c: CheckContext) -> Outcome {
        let s = c.facts.services
        var ev: [Evidence] = []
        for prog in ["telnetd", "in.telnetd", "utelnetd"] {
            for l in s.starts(prog) where l.kind != .cron {
                if ev.contains(where: { $0.path == l.path && $0.line == l.line }) { continue }
                ev.append(Evidence(l.path, l.line, l.text + " (" + l.via + ")" + noLogin(l.text)))
            }
        }
        for l in s.lines where l.kind == .inetd && l.enabled && Text.words(l.text).first == "telnet" {
            if !ev.contains(where: { $0.path == l.path && $0.line == l.line }) { ev.append(Evidence(l.path, l.line, l.text)) }
        }
        for (unit, via) in s.enabledUnits where unit.hasPrefix("telnet") {
            ev.append(Evidence(via, 0, "systemd unit \(unit) enabled"))
        }
        for (name, via) in s.enabledInitScripts where name == "telnet" || name == "telnetd" {
            if !ev.contains(where: { Text.contains($0.detail, via) }) { ev.append(Evidence(via, 0, "init script \(name) enabled")) }
        }
        // Evidence lines from a disabled-by-default init script are not a finding; only enabled start paths count.
        let shells = ev.filter { Text.contains($0.detail, "starts a shell without login") }.count
        if !ev.isEmpty { return .fail("telnet is started on the device" + (shells > 0 ? " (\(shells) of them with a shell instead of login: no password)" : ""), ev.sorted { $0.path < $1.path || ($0.path == $1.path && $0.line < $1.line) }) }
        return .pass("no telnet service is started")
    }

    /// " — -l /bin/sh: …" when telnetd runs a shell instead of login (no password asked), else "".
    static func noLogin(_ text: String) -> String {
        let w = Text.words(text.replacingQuotes())
        for (i, a) in w.enumerated() {
            var prog: String? = nil
            if a == "-l" && i + 1 < w.count { prog = w[i + 1] } else if a.hasPrefix("-l") && a.utf8.count > 2 && !a.hasPrefix("--") { prog = String(a.dropFirst(2)) }
            guard let p = prog else { continue }
            let b = Text.basename(p)
            if Text.isOneOf(b, "sh ash bash hush msh dash ksh zsh") {
                return " — -l \(p): telnetd starts a shell without login, no password is asked"
            }
        }
        return ""
    }
}
