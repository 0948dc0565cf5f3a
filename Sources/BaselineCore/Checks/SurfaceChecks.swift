// Exposed services: SURF-01 (telnet).

public enum SurfaceChecks {
    /// SURF-01: telnetd started by any init mechanism.
    public static func telnet(_ c: CheckContext) -> Outcome {
        let s = c.facts.services
        var ev: [Evidence] = []
        for prog in ["telnetd", "in.telnetd", "utelnetd"] {
            for l in s.starts(prog) where l.kind != .cron {
                ev.append(Evidence(l.path, l.line, l.text + " (" + l.via + ")"))
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
        if !ev.isEmpty { return .fail("telnet is started on the device", ev.sorted { $0.path < $1.path || ($0.path == $1.path && $0.line < $1.line) }) }
        return .pass("no telnet service is started")
    }
}
