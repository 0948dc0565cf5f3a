// How programs get started on the device: BusyBox/SysV inittab, init scripts with their rc.d links (OpenWrt
// /etc/rc.d, SysV /etc/rcN.d, Buildroot's /etc/init.d/S??name run by rcS), systemd units enabled through
// *.wants links, inetd.conf and xinetd.d, shell boot scripts (rcS, rc.local and what they run: BootScripts). Plus
// cron tables, which start things periodically.

public enum StartKind: Equatable { case inittab, initScript, bootScript, systemd, inetd, xinetd, cron, defaults }

public struct StartLine {
    public let kind: StartKind
    public let path: String
    public let line: Int
    public let text: String          // the command line (or the line mentioning the program)
    public let enabled: Bool
    public let via: String           // why we believe it runs: the rc link, wants link, inittab, …
}

public struct ServiceFacts {
    public var lines: [StartLine] = []
    public var initScripts: [String] = []           // names under /etc/init.d
    public var enabledInitScripts: [String: String] = [:] // name -> link that enables it
    public var systemdUnits: [String: String] = [:] // unit name -> path
    public var enabledUnits: [String: String] = [:] // unit name -> wants link
    public var systemdPresent = false
    public var bootScripts: [BootScript] = []       // shell scripts run at boot (their lines are kind .bootScript)

    static let unitDirs = ["/etc/systemd/system", "/usr/lib/systemd/system", "/lib/systemd/system"]

    public static func gather(_ fs: RootView) -> ServiceFacts {
        var f = ServiceFacts()
        // inittab (BusyBox: id::action:process; SysV: id:runlevels:action:process)
        if let b = fs.read("/etc/inittab", limit: 1 << 20) {
            for l in Text.lines(b) {
                let t = Text.trim(l.text)
                if t.isEmpty || t.hasPrefix("#") { continue }
                let fields = Text.split(t, 58)
                guard fields.count >= 4 else { continue }
                let process = Text.joinWith(Array(fields[3...]), ":")
                let action = fields[2]
                let active = action != "off"
                f.lines.append(StartLine(kind: .inittab, path: "/etc/inittab", line: l.number, text: process,
                                         enabled: active, via: "inittab action '\(action)'"))
            }
        }
        // init scripts and the links that enable them
        f.initScripts = fs.list("/etc/init.d")
        for dir in ["/etc/rc.d", "/etc/rcS.d", "/etc/rc2.d", "/etc/rc3.d", "/etc/rc4.d", "/etc/rc5.d"] {
            for name in fs.list(dir) where name.hasPrefix("S") {
                let linkPath = Text.join(dir, name)
                var target = ""
                if let t = fs.readLink(linkPath) { target = Text.basename(t) } else {
                    // not a link: strip the S## prefix
                    var u = Array(name.utf8).dropFirst()
                    while let c = u.first, c >= 48 && c <= 57 { u = u.dropFirst() }
                    target = String(decoding: u, as: UTF8.self)
                }
                if !target.isEmpty && f.enabledInitScripts[target] == nil { f.enabledInitScripts[target] = linkPath }
            }
        }
        // Buildroot / BusyBox rcS: /etc/init.d/S??name scripts run at boot when rcS iterates them.
        let rcsRunsInitD: Bool = {
            guard let b = fs.read("/etc/init.d/rcS", limit: 65536) else { return false }
            return Text.contains(String(decoding: b, as: UTF8.self), "/etc/init.d/S")
        }()
        for name in f.initScripts {
            let u = Array(name.utf8)
            if rcsRunsInitD, u.count > 3, u[0] == 83, u[1] >= 48 && u[1] <= 57, u[2] >= 48 && u[2] <= 57 {
                f.enabledInitScripts[name] = "/etc/init.d/rcS runs /etc/init.d/S??*"
            }
        }
        // Shell boot scripts (rcS, rc.local, what inittab or they run): every command line in them runs at boot.
        // An init script a boot script runs by path (`/etc/init.d/S50telnet start`) is an enabled init script; rcS,
        // rc.local and the like are read command by command.
        for s in BootScripts.find(fs) {
            let name = Text.basename(s.path)
            if Text.dirname(s.path) == "/etc/init.d" && !name.hasPrefix("rc") {
                if f.enabledInitScripts[name] == nil { f.enabledInitScripts[name] = s.via }
            } else {
                f.bootScripts.append(s)
            }
        }
        for s in f.bootScripts {
            guard let b = fs.read(s.path, limit: 1 << 20) else { continue }
            for l in Text.lines(b) {
                let t = Text.trim(l.text)
                if t.isEmpty || t.hasPrefix("#") { continue }
                f.lines.append(StartLine(kind: .bootScript, path: s.path, line: l.number, text: t, enabled: true, via: "boot script: " + s.via))
            }
        }
        for name in f.initScripts {
            let path = "/etc/init.d/" + name
            if f.bootScripts.contains(where: { $0.path == path }) { continue }
            guard let b = fs.read(path, limit: 1 << 20) else { continue }
            let via = f.enabledInitScripts[name]
            for l in Text.lines(b) {
                let t = Text.trim(l.text)
                if t.isEmpty || t.hasPrefix("#") { continue }
                f.lines.append(StartLine(kind: .initScript, path: path, line: l.number, text: t,
                                         enabled: via != nil, via: via ?? "no rc link"))
            }
        }
        // systemd units and *.wants links
        for dir in unitDirs {
            let names = fs.list(dir)
            if !names.isEmpty { f.systemdPresent = true }
            for name in names {
                let path = Text.join(dir, name)
                if name.hasSuffix(".wants") || name.hasSuffix(".requires") {
                    for unit in fs.list(path) where f.enabledUnits[unit] == nil {
                        f.enabledUnits[unit] = Text.join(path, unit)
                    }
                } else if name.hasSuffix(".service") || name.hasSuffix(".socket") || name.hasSuffix(".timer") {
                    if f.systemdUnits[name] == nil, fs.info(path)?.kind == .regular { f.systemdUnits[name] = path }
                }
            }
        }
        for (unit, path) in f.systemdUnits.sorted(by: { $0.key < $1.key }) {
            guard let b = fs.read(path, limit: 1 << 20) else { continue }
            var via = f.enabledUnits[unit]
            if via == nil, unit.hasSuffix(".service") {
                // a service started by its enabled socket or timer counts as enabled
                let stem = String(unit.dropLast(8))
                via = f.enabledUnits[stem + ".socket"] ?? f.enabledUnits[stem + ".timer"]
            }
            for l in Text.lines(b) {
                let t = Text.trim(l.text)
                if t.hasPrefix("ExecStart") || t.hasPrefix("ListenStream") || t.hasPrefix("OnCalendar") || t.hasPrefix("OnUnitActiveSec") || t.hasPrefix("OnBootSec") {
                    f.lines.append(StartLine(kind: .systemd, path: path, line: l.number, text: t,
                                             enabled: via != nil, via: via ?? "unit not enabled"))
                }
            }
        }
        // inetd / xinetd
        if let b = fs.read("/etc/inetd.conf", limit: 1 << 20) {
            for l in Text.lines(b) {
                let t = Text.trim(l.text)
                if t.isEmpty || t.hasPrefix("#") { continue }
                f.lines.append(StartLine(kind: .inetd, path: "/etc/inetd.conf", line: l.number, text: t, enabled: true, via: "inetd.conf"))
            }
        }
        for name in fs.list("/etc/xinetd.d") {
            let path = "/etc/xinetd.d/" + name
            guard let b = fs.read(path, limit: 1 << 20) else { continue }
            var disabled = false
            var server: (Int, String)? = nil
            for l in Text.lines(b) {
                let w = Text.words(Text.trim(l.text))
                if w.count >= 3 && w[0] == "disable" && w[2] == "yes" { disabled = true }
                if w.count >= 3 && w[0] == "server" { server = (l.number, Text.trim(l.text)) }
            }
            if let s = server {
                f.lines.append(StartLine(kind: .xinetd, path: path, line: s.0, text: s.1 + " (service " + name + ")",
                                         enabled: !disabled, via: disabled ? "disable = yes" : "xinetd service"))
            }
        }
        // cron tables
        var cronFiles: [String] = ["/etc/crontab"]
        for d in ["/etc/crontabs", "/etc/cron.d", "/var/spool/cron/crontabs", "/var/spool/cron"] {
            for n in fs.list(d) { cronFiles.append(Text.join(d, n)) }
        }
        for path in cronFiles {
            guard fs.info(path)?.kind == .regular, let b = fs.read(path, limit: 1 << 20) else { continue }
            for l in Text.lines(b) {
                let t = Text.trim(l.text)
                if t.isEmpty || t.hasPrefix("#") { continue }
                f.lines.append(StartLine(kind: .cron, path: path, line: l.number, text: t, enabled: true, via: "cron table"))
            }
        }
        for d in ["/etc/cron.hourly", "/etc/cron.daily", "/etc/cron.weekly"] {
            for n in fs.list(d) {
                f.lines.append(StartLine(kind: .cron, path: Text.join(d, n), line: 0, text: n, enabled: true, via: d))
            }
        }
        // /etc/default/* hold daemon arguments on Debian, Yocto and Buildroot
        for n in fs.list("/etc/default") {
            let path = "/etc/default/" + n
            guard let b = fs.read(path, limit: 65536) else { continue }
            for l in Text.lines(b) {
                let t = Text.trim(l.text)
                if t.isEmpty || t.hasPrefix("#") { continue }
                f.lines.append(StartLine(kind: .defaults, path: path, line: l.number, text: t, enabled: true, via: path))
            }
        }
        return f
    }

    /// True when `word` appears in `text` as a whole command word (delimited by start, end, space, '/', quotes, ';').
    public static func mentions(_ text: String, _ word: String) -> Bool {
        let h = Array(text.utf8)
        let n = Array(word.utf8)
        var from = 0
        while let i = Text.indexOf(h, n, from: from) {
            let before: UInt8 = i == 0 ? 32 : h[i - 1]
            let after: UInt8 = i + n.count >= h.count ? 32 : h[i + n.count]
            let delim: (UInt8) -> Bool = { $0 == 32 || $0 == 9 || $0 == 47 || $0 == 34 || $0 == 39 || $0 == 59 || $0 == 61 || $0 == 40 || $0 == 41 }
            if delim(before) && delim(after) { return true }
            from = i + 1
        }
        return false
    }

    /// Whether a shell line runs `program` as a command (not `killall telnetd`, `echo telnetd`, `[ -x /usr/sbin/telnetd ]`):
    /// the command word of one of its simple commands, or the applet after `busybox`, or the program of
    /// `start-stop-daemon … -x/--exec/-a`.
    public static func runsCommand(_ text: String, _ program: String) -> Bool {
        for w in BootScripts.commands(text) {
            var i = 0
            while i < w.count && Text.contains(w[i], "=") && !w[i].hasPrefix("/") && !w[i].hasPrefix("-") { i += 1 }   // VAR=value prefixes
            guard i < w.count else { continue }
            var cmd = Text.basename(w[i])
            if cmd == "busybox" && i + 1 < w.count { cmd = w[i + 1] }
            if cmd == program { return true }
            // launchers that take the program as an argument
            if Text.isOneOf(cmd, "start-stop-daemon procd_set_param service_start daemon setsid chroot respawn env taskset nice") {
                for a in w[(i + 1)...] where !a.hasPrefix("-") && Text.basename(a) == program { return true }
            }
        }
        return false
    }

    /// Enabled start lines that run `program` (inittab, init scripts, boot scripts, systemd, inetd, xinetd, cron).
    /// A boot-script line counts only when it runs the program as a command (`runsCommand`).
    public func starts(_ program: String, kinds: [StartKind]? = nil) -> [StartLine] {
        lines.filter { l in
            (kinds == nil || kinds!.contains(l.kind)) && l.kind != .defaults && l.enabled && ServiceFacts.mentions(l.text, program)
                && (l.kind != .bootScript || ServiceFacts.runsCommand(l.text, program))
        }
    }

    /// Every line (enabled or not, including /etc/default) that mentions `program`, for reading its arguments.
    public func argumentLines(_ program: String) -> [StartLine] {
        lines.filter { ServiceFacts.mentions($0.text, program) }
    }
}
