// Shell scripts the init system runs at boot, and what they do that other facts need: the scripts themselves
// (BusyBox's /etc/init.d/rcS, /etc/rc.d/rcS, rc.local, anything inittab or another boot script runs) and the
// files they copy into place (`cp -p /etc/passwd.bak /var/passwd`, `cat /etc/default_passwd > /tmp/passwd`), which
// is how old vendor firmware fills a /etc/passwd that is a link into a RAM disk.

public struct BootScript: Equatable {
    public let path: String          // the script, inside the root
    public let via: String           // why it runs: "inittab sysinit (/etc/inittab:3)", "run by /etc/init.d/rcS:7", …
}

/// A copy a boot script makes: `source` (in the image) becomes `target` (usually on a RAM disk) at boot.
public struct BootCopy: Equatable {
    public let source: String
    public let target: String
    public let path: String          // the script
    public let line: Int
    public var location: String { path + ":" + String(line) }
}

public enum BootScripts {
    /// Scripts that run at boot on the systems that use them when they exist (rc.local: the end of boot).
    static let wellKnown: [(String, String)] = [
        ("/etc/rc.d/rcS", "BusyBox/vendor rcS"), ("/etc/rcS", "BusyBox/vendor rcS"),
        ("/etc/rc.local", "rc.local (run at the end of boot)"), ("/etc/rc.d/rc.local", "rc.local (run at the end of boot)"),
        ("/etc/init.d/rc.local", "rc.local (run at the end of boot)"), ("/etc/rc.d/rc.sysinit", "rc.sysinit"),
    ]
    static let maxScripts = 64
    static let maxScriptBytes = 256 * 1024

    /// The boot scripts of the image, each once, in the order they were found.
    public static func find(_ fs: RootView) -> [BootScript] {
        var out: [BootScript] = []
        var seen: Set<String> = []
        func add(_ path: String, _ via: String) {
            guard out.count < maxScripts, !seen.contains(path), fs.isFile(path) else { return }
            seen.insert(path)
            out.append(BootScript(path: path, via: via))
        }
        if let b = fs.read("/etc/inittab", limit: 1 << 20) {
            for l in Text.lines(b) {
                let t = Text.trim(l.text)
                if t.isEmpty || t.hasPrefix("#") { continue }
                let f = Text.split(t, 58)
                guard f.count >= 4, f[2] != "off", f[2] != "shutdown", f[2] != "ctrlaltdel", f[2] != "restart" else { continue }
                if let p = scriptPath(Text.words(Text.joinWith(Array(f[3...]), ":"))) {
                    add(p, "inittab \(f[2]) (/etc/inittab:\(l.number))")
                }
            }
        } else {
            add("/etc/init.d/rcS", "BusyBox init runs /etc/init.d/rcS when there is no /etc/inittab")
        }
        for (p, why) in wellKnown { add(p, why) }
        // Scripts a boot script runs by path (`/etc/rc.d/rc.network start`, `sh /etc/init.d/telnet.sh`, `. /etc/x`).
        var i = 0
        while i < out.count {
            let s = out[i]
            i += 1
            guard let b = fs.read(s.path, limit: maxScriptBytes) else { continue }
            for l in Text.lines(b) {
                for cmd in commands(l.text) {
                    if let p = scriptPath(cmd), p != s.path { add(p, "run by \(s.path):\(l.number)") }
                }
            }
        }
        return out
    }

    /// The script a command line runs: its first word when that is an absolute path, or the argument of sh/ash/./source.
    static func scriptPath(_ w: [String]) -> String? {
        guard var first = w.first else { return nil }
        if first.hasPrefix("-") { first = String(first.dropFirst()) }      // inittab "-/bin/sh"
        if first == "sh" || first == "ash" || first == "/bin/sh" || first == "/bin/ash" || first == "." || first == "source" {
            guard w.count >= 2, w[1].hasPrefix("/") else { return nil }
            return w[1]
        }
        guard first.hasPrefix("/etc/") else { return nil }
        return first
    }

    /// A shell line split into simple commands (on `;`, `&&`, `||`, `|`, `&`), each as words with quotes removed,
    /// without a trailing comment and without leading `if`/`then`/`else`/`do`/`!`/`exec`/`nohup`.
    public static func commands(_ line: String) -> [[String]] {
        let t = Text.trim(Text.stripComment(line))
        if t.isEmpty { return [] }
        var out: [[String]] = []
        var cur: [UInt8] = []
        var quote: UInt8 = 0
        func flush() {
            var w = Text.words(String(decoding: cur, as: UTF8.self)).map { Text.unquote($0) }
            while let f = w.first, Text.isOneOf(f, "if then else elif do ! exec nohup { ( time") { w.removeFirst() }
            if !w.isEmpty { out.append(w) }
            cur.removeAll()
        }
        for c in t.utf8 {
            if quote != 0 {
                if c == quote { quote = 0 }
                cur.append(c)
            } else if c == 34 || c == 39 {
                quote = c
                cur.append(c)
            } else if c == 59 || c == 38 || c == 124 {      // ; & |
                flush()
            } else {
                cur.append(c)
            }
        }
        flush()
        return out
    }

    /// Copies into place made by `scripts`: cp / install / ln -s SRC DST, `cat SRC > DST` (and `>>`). Sources with
    /// shell variables or globs are skipped; a destination directory (`/var/`, an existing directory, /var, /tmp)
    /// takes the source's file name.
    public static func copies(_ fs: RootView, scripts: [BootScript]) -> [BootCopy] {
        var out: [BootCopy] = []
        for s in scripts {
            guard let b = fs.read(s.path, limit: maxScriptBytes) else { continue }
            for l in Text.lines(b) {
                // redirections are split from the words here: "cat a >/tmp/b" → ["cat", "a", ">", "/tmp/b"]
                for raw in commands(l.text) {
                    var w: [String] = []
                    for x in raw {
                        if x.hasPrefix(">>") && x.utf8.count > 2 { w += [">", String(x.dropFirst(2))] }
                        else if x.hasPrefix(">") && x.utf8.count > 1 { w += [">", String(x.dropFirst())] }
                        else if x == ">>" { w.append(">") } else { w.append(x) }
                    }
                    guard let cmd = w.first.map({ Text.basename($0) }) else { continue }
                    var pairs: [(String, String)] = []
                    if cmd == "cp" || cmd == "install" || cmd == "ln" {
                        if cmd == "ln" && !w.contains(where: { $0.hasPrefix("-") && Text.contains($0, "s") }) { continue }
                        var args: [String] = []
                        var skipNext = false
                        for a in w.dropFirst() {
                            if skipNext { skipNext = false; continue }
                            if a.hasPrefix("-") { if cmd == "install" && (a == "-m" || a == "-o" || a == "-g") { skipNext = true }; continue }
                            args.append(a)
                        }
                        guard args.count >= 2 else { continue }
                        let dst = args[args.count - 1]
                        for src in args.dropLast() { pairs.append((src, dst)) }
                    } else if cmd == "cat", let gt = w.firstIndex(of: ">"), gt + 1 < w.count {
                        for src in w[1..<gt] where !src.hasPrefix("-") { pairs.append((src, w[gt + 1])) }
                    }
                    for (src, dst0) in pairs {
                        guard src.hasPrefix("/"), dst0.hasPrefix("/"), !Text.contains(src, "$"), !Text.contains(src, "*"),
                              !Text.contains(dst0, "$"), !Text.contains(dst0, "*") else { continue }
                        var dst = dst0
                        if dst.hasSuffix("/") || dst == "/var" || dst == "/tmp" || dst == "/var/etc" || dst == "/tmp/etc" || fs.isDirectory(dst) {
                            dst = Text.join(dst, Text.basename(src))
                        }
                        while dst.utf8.count > 1 && dst.hasSuffix("/") { dst = String(dst.dropLast()) }
                        out.append(BootCopy(source: src, target: dst, path: s.path, line: l.number))
                    }
                }
            }
        }
        return out
    }
}
