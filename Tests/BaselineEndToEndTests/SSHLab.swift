// Real SSH servers on 127.0.0.1 high ports for the scan tests: Dropbear and OpenSSH, run in a private mount
// namespace (`unshare -m`) where /etc/passwd, /etc/shadow and /etc/group are bind-mounted copies holding the test
// accounts — the machine's own account files are never changed. Plus misbehaving services written in Python: one
// that is not SSH, one that never speaks, one that drops the connection after its banner.
import Foundation

final class SSHLab {
    let dir: TempTree
    var pids: [Int32] = []
    /// Accounts: "admin" with the Mirai default password "admin"; "tester" with a strong password (given credential).
    let testerPassword = "Tr7-" + UUID().uuidString.prefix(12)

    init() throws {
        dir = try TempTree()
        try dir.mkdir("home")
        var passwd = try String(contentsOfFile: "/etc/passwd", encoding: .utf8)
        var shadow = (try? String(contentsOfFile: "/etc/shadow", encoding: .utf8)) ?? ""
        var group = try String(contentsOfFile: "/etc/group", encoding: .utf8)
        for (name, uid, pw) in [("admin", 4242, "admin"), ("tester", 4243, testerPassword)] {
            passwd += "\(name):x:\(uid):\(uid)::\(dir.sub("home")):/bin/sh\n"
            shadow += "\(name):\(try tool("mkpasswd", ["-m", "sha-512", pw])):19000:0:99999:7:::\n"
            group += "\(name):x:\(uid):\n"
        }
        try dir.write("passwd", passwd)
        try dir.write("shadow", shadow)
        try dir.write("group", group)
        try dir.write("tester.pw", testerPassword + "\n")
        try dir.write("wrong.pw", "not-the-password\n")
    }

    deinit {
        // SIGKILL: the servers inherit the test thread's blocked-signal mask, in which SIGTERM is blocked.
        for pid in pids { kill(pid, SIGKILL) }
    }

    /// A free TCP port on 127.0.0.1 (bound and released; the servers start right after).
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// Starts `command` inside a mount namespace with the lab's account files bound over the machine's.
    func startWithAccounts(_ command: String, log: String) throws {
        let mounts = ["passwd", "shadow", "group"].map { "mount --bind '\(dir.sub($0))' /etc/\($0)" }.joined(separator: " && ")
        let unshare = getuid() == 0 ? ["-m"] : ["-Urm"]
        try start("/usr/bin/unshare", unshare + ["/bin/sh", "-c", "\(mounts) && exec \(command)"], log: log)
    }

    /// Starts a server in the background, detached from the test process: a shell starts it and exits, and the pid
    /// is kept to stop it. The server must not inherit the test process's descriptors: Foundation's Process learns
    /// that a child exited when a socket the child holds is closed, so a server holding it would leave that child
    /// unreaped and `run` waiting for ever. The shell closes every descriptor above 2 before the exec.
    func start(_ exe: String, _ args: [String], log: String) throws {
        let script = "( for f in /proc/$BASHPID/fd/*; do n=${f##*/}; [ \"$n\" -gt 2 ] 2>/dev/null && eval \"exec $n>&-\"; done; exec \"$0\" \"$@\" ) > '\(dir.sub(log))' 2>&1 < /dev/null & echo $!"
        let out = try run("/bin/bash", ["-c", script, exe] + args, timeout: 20)
        guard out.code == 0, let pid = Int32(out.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw ToolError(message: "cannot start \(exe): \(out.stderr)")
        }
        pids.append(pid)
    }

    /// Waits until something accepts connections on the port.
    func waitForPort(_ port: Int, seconds: Double = 10) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            addr.sin_port = in_port_t(UInt16(port).bigEndian)
            let ok = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } } == 0
            close(fd)
            if ok { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw ToolError(message: "nothing listens on 127.0.0.1:\(port) after \(seconds) s")
    }

    /// A Dropbear server with the given host key file (dropbearkey format).
    func dropbear(hostKey: String) throws -> Int {
        let port = SSHLab.freePort()
        try startWithAccounts("/usr/sbin/dropbear -F -E -p 127.0.0.1:\(port) -r '\(hostKey)'", log: "dropbear-\(port).log")
        try waitForPort(port)
        return port
    }

    /// An OpenSSH server (Debian's sshd, no PAM) with its own ed25519 and RSA host keys.
    func openssh() throws -> (port: Int, keys: [String]) {
        let port = SSHLab.freePort()
        let keys = [dir.sub("sshd_ed25519"), dir.sub("sshd_rsa")]
        _ = try tool("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", keys[0]])
        _ = try tool("ssh-keygen", ["-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", keys[1]])
        try dir.write("sshd_config", """
        ListenAddress 127.0.0.1
        Port \(port)
        HostKey \(keys[0])
        HostKey \(keys[1])
        PidFile \(dir.sub("sshd.pid"))
        UsePAM no
        PasswordAuthentication yes
        KbdInteractiveAuthentication no
        PermitRootLogin no
        StrictModes no
        """)
        try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        try startWithAccounts("/usr/sbin/sshd -D -e -f '\(dir.sub("sshd_config"))'", log: "sshd-\(port).log")
        try waitForPort(port)
        return (port, keys.map { $0 + ".pub" })
    }

    /// Misbehaving services: "http" answers like a web server, "silent" accepts and never speaks, "drop" sends an
    /// SSH banner and closes the connection as soon as the client answers (a server dying mid-handshake).
    func service(_ kind: String) throws -> Int {
        let port = SSHLab.freePort()
        let script = """
        import socket, sys, threading, time
        kind, port = sys.argv[1], int(sys.argv[2])
        s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", port)); s.listen(16)
        def serve(c):
            try:
                if kind == "http": c.sendall(b"HTTP/1.0 400 Bad Request\\r\\nServer: lighttpd\\r\\n\\r\\n"); time.sleep(0.5)
                elif kind == "silent": time.sleep(120)
                elif kind == "drop": c.sendall(b"SSH-2.0-OpenSSH_9.0\\r\\n"); c.recv(256)
            finally:
                c.close()
        while True:
            c, _ = s.accept(); threading.Thread(target=serve, args=(c,), daemon=True).start()
        """
        try dir.write("svc.py", script)
        try start("/usr/bin/python3", [dir.sub("svc.py"), kind, String(port)], log: "svc-\(kind).log")
        try waitForPort(port)
        return port
    }

    /// A TCP proxy to `port` that cuts both directions once the client has sent `cutAfter` bytes: an SSH server whose
    /// connection drops in the middle of a file transfer.
    func cuttingProxy(to port: Int, cutAfter: Int) throws -> Int {
        let listen = SSHLab.freePort()
        let script = """
        import socket, sys, threading
        listen, port, cut = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
        s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", listen)); s.listen(16)
        def pump(a, b, limit):
            sent = 0
            try:
                while True:
                    d = a.recv(65536)
                    if not d: break
                    if limit and sent + len(d) > limit: break
                    b.sendall(d); sent += len(d)
            except OSError: pass
            for x in (a, b):
                try: x.shutdown(socket.SHUT_RDWR)
                except OSError: pass
        while True:
            c, _ = s.accept(); u = socket.create_connection(("127.0.0.1", port))
            threading.Thread(target=pump, args=(c, u, cut), daemon=True).start()
            threading.Thread(target=pump, args=(u, c, 0), daemon=True).start()
        """
        try dir.write("proxy.py", script)
        try start("/usr/bin/python3", [dir.sub("proxy.py"), String(listen), String(port), String(cutAfter)], log: "proxy-\(listen).log")
        try waitForPort(listen)
        return listen
    }

    /// `ssh-keygen -lf` of a public key file: "SHA256:…".
    static func fingerprint(_ pub: String) throws -> String {
        let out = try tool("ssh-keygen", ["-lf", pub])
        return String(out.split(separator: " ")[1])
    }

    /// The public key of a Dropbear host key file, written for ssh-keygen.
    func dropbearPublic(_ key: String) throws -> String {
        let line = try tool("dropbearkey", ["-y", "-f", key]).split(separator: "\n").first { $0.hasPrefix("ssh-") || $0.hasPrefix("ecdsa-") } ?? ""
        try dir.write(URL(fileURLWithPath: key).lastPathComponent + ".pub", String(line) + "\n")
        return dir.sub(URL(fileURLWithPath: key).lastPathComponent + ".pub")
    }
}
