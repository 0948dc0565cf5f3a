// `baseline-agent --push` (issue 16) with the static agents: reports go through the spool to a real
// `baseline-collector serve` on 127.0.0.1 over plain HTTP (--insecure-http), stay spooled while it is down (exit 4)
// and go with the next run, survive kill -9 in the middle of a send (stored exactly once), the spool bound drops the
// oldest and the next report counts them; HTTPS against a python `ssl` server with a test CA made by the openssl CLI
// (right CA / pin → delivered; wrong CA / pin → refused before any byte of the report is sent). aarch64 and armv7
// run under qemu-user.
import Foundation
import Testing

/// A helper program in the background (python servers and relays): writes its port to a file, stopped on release.
final class Background {
    let process = Process()
    let portFile: String
    private(set) var port = 0

    init(_ args: [String], portFile: String) throws {
        self.portFile = portFile
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = args
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let s = try? String(contentsOfFile: portFile, encoding: .utf8), let p = Int(s.trimmingCharacters(in: .whitespacesAndNewlines)), p > 0 {
                port = p
                return
            }
            if !process.isRunning { throw ToolError(message: "\(args) exited") }
            usleep(20_000)
        }
        throw ToolError(message: "\(args) did not start")
    }

    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { stop() }
}

enum PushLab {
    static let token = "push-lab-0123456789abcdef"

    /// An HTTP(S) server that records each POST (path, authorization, body length) as one JSON line.
    static let recorder = """
    import http.server, ssl, sys, json
    port_file, log = sys.argv[1], sys.argv[2]
    class H(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
            with open(log, 'a') as f:
                f.write(json.dumps({"path": self.path, "auth": self.headers.get('Authorization'), "report_id": json.loads(body)["report_id"]}) + "\\n")
            self.send_response(201); self.send_header('Content-Type', 'application/json'); self.end_headers(); self.wfile.write(b'{}')
        def log_message(self, *a): pass
    s = http.server.ThreadingHTTPServer(('127.0.0.1', 0), H)
    if len(sys.argv) > 3:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(sys.argv[3], sys.argv[4])
        s.socket = ctx.wrap_socket(s.socket, server_side=True)
    open(port_file + '.tmp', 'w').write(str(s.server_address[1]))
    import os; os.rename(port_file + '.tmp', port_file)
    s.serve_forever()
    """

    /// A TCP relay that forwards one request to the collector, then holds the answer back forever.
    static let stallingRelay = """
    import socket, sys, threading, time, os
    port_file, log, target = sys.argv[1], sys.argv[2], int(sys.argv[3])
    def handle(c):
        data = b''
        while b'\\r\\n\\r\\n' not in data:
            data += c.recv(65536)
        head, body = data.split(b'\\r\\n\\r\\n', 1)
        n = int([l.split(b':')[1] for l in head.split(b'\\r\\n') if l.lower().startswith(b'content-length:')][0])
        while len(body) < n:
            body += c.recv(65536)
        u = socket.create_connection(('127.0.0.1', target))
        u.sendall(head + b'\\r\\n\\r\\n' + body)
        answer = b''
        while True:
            b = u.recv(65536)
            if not b: break
            answer += b
            if b'\\r\\n\\r\\n' in answer: break
        with open(log, 'a') as f: f.write('forwarded ' + answer.split(b'\\r\\n')[0].decode() + '\\n')
        time.sleep(3600)   # the agent never hears back
    s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(8)
    open(port_file + '.tmp', 'w').write(str(s.getsockname()[1])); os.rename(port_file + '.tmp', port_file)
    while True:
        c, _ = s.accept()
        threading.Thread(target=handle, args=(c,), daemon=True).start()
    """

    /// Answers every POST with the status in argv[3] and records it (one line each).
    static let answering = """
    import http.server, sys, os
    port_file, log, status = sys.argv[1], sys.argv[2], int(sys.argv[3])
    class H(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get('Content-Length', 0)))
            with open(log, 'a') as f: f.write('post\\n')
            self.send_response(status); self.send_header('Content-Type', 'application/json'); self.send_header('Content-Length', '2'); self.end_headers(); self.wfile.write(b'{}')
        def log_message(self, *a): pass
    s = http.server.ThreadingHTTPServer(('127.0.0.1', 0), H)
    open(port_file + '.tmp', 'w').write(str(s.server_address[1])); os.rename(port_file + '.tmp', port_file)
    s.serve_forever()
    """

    static func tokens(_ t: TempTree) throws -> (tokens: String, tokenFile: String) {
        try t.write("tokens", "lab \(token)\n")
        try t.write("token", token + "\n")
        return (t.sub("tokens"), t.sub("token"))
    }

    /// Audit of a passing sample (exit 0 when delivered) and push arguments.
    static func args(_ url: String, _ t: TempTree, spool: String = "spool", extra: [String] = []) -> [String] {
        ["--root", "Firmware-samples/debian-13-fernwerk", "--profile", "Profiles/vendors/fernwerk-edge.json", "--date", Repo.auditDate,
         "--push", url, "--token-file", t.sub("token"), "--spool", t.sub(spool)] + extra
    }

    static func spooled(_ t: TempTree, _ spool: String = "spool") -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: t.sub(spool))) ?? []).filter { $0.hasSuffix(".json") && $0.first!.isNumber }.sorted()
    }

    static func storedIDs(_ db: String) throws -> [String] {
        try storeQuery(db, "SELECT report_id FROM reports ORDER BY received_at, report_id").split(separator: "\n").map(String.init)
    }

    /// The report id inside a spooled file.
    static func reportID(_ path: String) throws -> String {
        let o = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        return o?["report_id"] as? String ?? ""
    }

    /// A test CA, a server certificate for localhost signed by it, and an unrelated CA (openssl CLI).
    static func certificates(_ t: TempTree) throws {
        let script = """
        set -e
        cd '\(t.path)'
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem -days 30 -subj '/CN=Baseline test CA' \
          -addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign' 2>/dev/null
        openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj '/CN=localhost' 2>/dev/null
        printf 'subjectAltName=DNS:localhost\\nextendedKeyUsage=serverAuth\\n' > ext
        openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 -out server.pem -extfile ext 2>/dev/null
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout other.key -out other.pem -days 30 -subj '/CN=Other CA' 2>/dev/null
        cat other.pem ca.pem > bundle.pem
        openssl x509 -in server.pem -pubkey -noout | openssl pkey -pubin -outform der | sha256sum | cut -d' ' -f1 > pin
        """
        let r = try run("/bin/sh", ["-c", script])
        guard r.code == 0 else { throw ToolError(message: "openssl: \(r.stderr)") }
    }

    static func lines(_ path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }
}

@Suite(.serialized) struct AgentPushTests {
    @Test func plainHTTPDeliversToTheCollector() throws {
        let t = try TempTree()
        let (tokens, _) = try PushLab.tokens(t)
        let db = t.sub("fleet.sqlite")
        let server = try CollectorServer(db: db, tokens: tokens)
        let r = try Agent.run("x86_64", PushLab.args(server.base + "/v1/reports", t, extra: ["--insecure-http"]))
        #expect(r.code == 0, "\(r.stderr)")
        #expect(r.stdout.isEmpty)
        #expect(PushLab.spooled(t).isEmpty)
        let ids = try PushLab.storedIDs(db)
        #expect(ids.count == 1)
        let body = try #require(try storedBodies(db).first)
        let doc = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        #expect((doc?["delivery"] as? [String: Any])?["spool_dropped"] as? Int == 0)
        #expect((doc?["tool"] as? [String: Any])?["name"] as? String == "baseline-agent")
    }

    @Test func refusalsAndConfigFile() throws {
        let t = try TempTree()
        _ = try PushLab.tokens(t)
        // http:// without --insecure-http: one line, exit 2, nothing spooled
        let clear = try Agent.run("x86_64", PushLab.args("http://127.0.0.1:9/v1/reports", t))
        #expect(clear.code == 2)
        #expect(clear.stderr.hasPrefix("baseline-agent: --push: http://127.0.0.1:9/v1/reports would send reports in clear text"), "\(clear.stderr)")
        #expect(clear.stderr.split(separator: "\n").count == 1)
        #expect(PushLab.spooled(t).isEmpty)
        let noTrust = try Agent.run("x86_64", PushLab.args("https://localhost:9", t))
        #expect(noTrust.code == 2)
        #expect(noTrust.stderr.contains("--ca-file"))
        let badPin = try Agent.run("x86_64", PushLab.args("https://localhost:9", t, extra: ["--pin", "sha256:abc"]))
        #expect(badPin.code == 2)
        #expect(badPin.stderr == "baseline-agent: --pin: expected sha256: and 64 hex digits, found 'sha256:abc'\n")
        // a bad config line names the file and line
        try t.write("agent.conf", "# push settings\npush = http://127.0.0.1:9/v1/reports\nspool-max: 3\n")
        let bad = try Agent.run("x86_64", ["--config", t.sub("agent.conf"), "--date", Repo.auditDate])
        #expect(bad.code == 2)
        #expect(bad.stderr == "baseline-agent: \(t.sub("agent.conf")):3: expected 'key = value', found 'spool-max: 3'\n")
        try t.write("agent2.conf", "push-timeout = soon\n")
        let badValue = try Agent.run("x86_64", ["--config", t.sub("agent2.conf")])
        #expect(badValue.code == 2)
        #expect(badValue.stderr == "baseline-agent: \(t.sub("agent2.conf")):1: push-timeout: expected seconds from 1 to 86400, found 'soon'\n")
        try t.write("agent3.conf", "pusch = x\n")
        let unknown = try Agent.run("x86_64", ["--config", t.sub("agent3.conf")])
        #expect(unknown.code == 2)
        #expect(unknown.stderr.hasPrefix("baseline-agent: \(t.sub("agent3.conf")):1: unknown key 'pusch' (expected one of: push, token-file,"))
        // a good config file does the whole push
        let (tokens, _) = try PushLab.tokens(t)
        let db = t.sub("fleet.sqlite")
        let server = try CollectorServer(db: db, tokens: tokens)
        try t.write("good.conf", """
            # baseline-agent settings
            push = \(server.base)/v1/reports
            token-file = \(t.sub("token"))
            insecure-http = true
            spool = \(t.sub("conf-spool"))
            profile = Profiles/vendors/fernwerk-edge.json

            """)
        let good = try Agent.run("x86_64", ["--config", t.sub("good.conf"), "--root", "Firmware-samples/debian-13-fernwerk", "--date", Repo.auditDate])
        #expect(good.code == 0, "\(good.stderr)")
        #expect(try PushLab.storedIDs(db).count == 1)
        #expect(PushLab.spooled(t, "conf-spool").isEmpty)
    }

    @Test func collectorDownThenUp() throws {
        let t = try TempTree()
        let (tokens, _) = try PushLab.tokens(t)
        let db = t.sub("fleet.sqlite")
        var server: CollectorServer? = try CollectorServer(db: db, tokens: tokens)
        let url = server!.base + "/v1/reports"
        server!.stop()
        server = nil
        let down = try Agent.run("x86_64", PushLab.args(url, t, extra: ["--insecure-http", "--push-timeout", "2"]))
        #expect(down.code == 4, "\(down.stderr)")
        #expect(down.stderr.hasPrefix("baseline-agent: report spooled, not delivered: 1 report(s) in \(t.sub("spool"))"), "\(down.stderr)")
        #expect(down.stderr.contains("connection refused"), "\(down.stderr)")
        let waiting = PushLab.spooled(t)
        #expect(waiting.count == 1)
        let firstID = try PushLab.reportID(t.sub("spool/" + waiting[0]))
        let up = try CollectorServer(db: db, tokens: tokens)
        let r = try Agent.run("x86_64", PushLab.args(up.base + "/v1/reports", t, extra: ["--insecure-http"]))
        #expect(r.code == 0, "\(r.stderr)")
        #expect(PushLab.spooled(t).isEmpty)
        let ids = try PushLab.storedIDs(db)
        #expect(ids.count == 2)
        #expect(ids.contains(firstID))
        #expect(Set(ids).count == 2)
    }

    @Test func killedMidSendIsStoredExactlyOnce() throws {
        let t = try TempTree()
        let (tokens, _) = try PushLab.tokens(t)
        let db = t.sub("fleet.sqlite")
        let server = try CollectorServer(db: db, tokens: tokens)
        try t.write("relay.py", PushLab.stallingRelay)
        let relay = try Background([t.sub("relay.py"), t.sub("relay.port"), t.sub("relay.log"), "\(server.port)"], portFile: t.sub("relay.port"))
        let agent = Process()
        agent.executableURL = URL(fileURLWithPath: Agent.staticBinary("x86_64"))
        agent.arguments = PushLab.args("http://127.0.0.1:\(relay.port)/v1/reports", t, extra: ["--insecure-http", "--push-timeout", "60"])
        agent.currentDirectoryURL = Repo.root
        agent.standardOutput = FileHandle.nullDevice
        agent.standardError = FileHandle.nullDevice
        try agent.run()
        let deadline = Date().addingTimeInterval(60)
        while PushLab.lines(t.sub("relay.log")).isEmpty && Date() < deadline && agent.isRunning { usleep(20_000) }
        #expect(PushLab.lines(t.sub("relay.log")).first?.hasPrefix("forwarded HTTP/1.1 201") == true, "\(PushLab.lines(t.sub("relay.log")))")
        #expect(agent.isRunning)   // waiting for the answer the relay holds back
        kill(agent.processIdentifier, SIGKILL)
        agent.waitUntilExit()
        relay.stop()
        // stored by the collector, but the agent never heard it: still spooled
        #expect(try PushLab.storedIDs(db).count == 1)
        let spooled = PushLab.spooled(t)
        #expect(spooled.count == 1)
        let firstID = try PushLab.reportID(t.sub("spool/" + spooled[0]))
        #expect(try PushLab.storedIDs(db) == [firstID])
        let again = try Agent.run("x86_64", PushLab.args(server.base + "/v1/reports", t, extra: ["--insecure-http"]))
        #expect(again.code == 0, "\(again.stderr)")
        #expect(PushLab.spooled(t).isEmpty)
        let ids = try PushLab.storedIDs(db)
        #expect(ids.count == 2)   // the first report once, and the second run's own
        #expect(ids.filter { $0 == firstID }.count == 1)
    }

    @Test func spoolBoundDropsTheOldestAndCountsThem() throws {
        let t = try TempTree()
        let (tokens, _) = try PushLab.tokens(t)
        let down = "http://127.0.0.1:9/v1/reports"   // discard port: nothing listens
        var ids: [String] = []
        for i in 0..<3 {
            let r = try Agent.run("x86_64", PushLab.args(down, t, extra: ["--insecure-http", "--push-timeout", "1", "--spool-max", "2"]))
            #expect(r.code == 4, "\(r.stderr)")
            let newest = PushLab.spooled(t).last!
            ids.append(try PushLab.reportID(t.sub("spool/" + newest)))
            if i == 2 { #expect(r.stderr.contains("spool over 2 reports: dropped the 1 oldest"), "\(r.stderr)") }
        }
        #expect(PushLab.spooled(t).count == 2)
        #expect(try String(contentsOfFile: t.sub("spool/dropped"), encoding: .utf8) == "1\n")
        let db = t.sub("fleet.sqlite")
        let server = try CollectorServer(db: db, tokens: tokens)
        let r = try Agent.run("x86_64", PushLab.args(server.base + "/v1/reports", t, extra: ["--insecure-http", "--spool-max", "3"]))
        #expect(r.code == 0, "\(r.stderr)")
        #expect(PushLab.spooled(t).isEmpty)
        let stored = try PushLab.storedIDs(db)
        #expect(stored.count == 3)
        #expect(!stored.contains(ids[0]))                 // dropped
        #expect(stored.contains(ids[1]) && stored.contains(ids[2]))
        let counts = try storedBodies(db).map { body -> Int in
            let doc = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
            return (doc?["delivery"] as? [String: Any])?["spool_dropped"] as? Int ?? -1
        }.sorted()
        #expect(counts == [0, 0, 1])               // the newest report carries the drop
        #expect(try String(contentsOfFile: t.sub("spool/dropped"), encoding: .utf8) == "0\n")
    }

    @Test func retriesServerErrorsStopsOnBadTokenSetsAsideRefusedReports() throws {
        let t = try TempTree()
        _ = try PushLab.tokens(t)
        try t.write("answering.py", PushLab.answering)
        func server(_ status: Int) throws -> Background {
            try Background([t.sub("answering.py"), t.sub("\(status).port"), t.sub("\(status).log"), "\(status)"], portFile: t.sub("\(status).port"))
        }
        // 503: retried with backoff until --push-timeout, then left in the spool
        let busy = try server(503)
        let r503 = try Agent.run("x86_64", PushLab.args("http://127.0.0.1:\(busy.port)/v1/reports", t, spool: "s503", extra: ["--insecure-http", "--push-timeout", "3"]))
        #expect(r503.code == 4)
        #expect(r503.stderr.contains("answered 'HTTP/1.0 503"), "\(r503.stderr)")
        let tries = PushLab.lines(t.sub("503.log")).count
        #expect(tries >= 2 && tries <= 6, "\(tries) tries in 3 s")
        #expect(PushLab.spooled(t, "s503").count == 1)
        // 401: one try, no retry (the token is wrong), still spooled
        let locked = try server(401)
        let r401 = try Agent.run("x86_64", PushLab.args("http://127.0.0.1:\(locked.port)/v1/reports", t, spool: "s401", extra: ["--insecure-http", "--push-timeout", "10"]))
        #expect(r401.code == 4)
        #expect(PushLab.lines(t.sub("401.log")).count == 1)
        #expect(PushLab.spooled(t, "s401").count == 1)
        // 422: refused for good: set aside, counted as dropped, the spool moves on
        let refusing = try server(422)
        let r422 = try Agent.run("x86_64", PushLab.args("http://127.0.0.1:\(refusing.port)/v1/reports", t, spool: "s422", extra: ["--insecure-http"]))
        #expect(r422.code == 4)
        #expect(r422.stderr.contains("refused by the collector"), "\(r422.stderr)")
        #expect(PushLab.spooled(t, "s422").isEmpty)
        #expect(FileManager.default.fileExists(atPath: t.sub("s422/last-rejected.json")))
        #expect(try String(contentsOfFile: t.sub("s422/dropped"), encoding: .utf8) == "1\n")
    }

    @Test func httpsWithCAFileAndPin() throws {
        let t = try TempTree()
        _ = try PushLab.tokens(t)
        try PushLab.certificates(t)
        try t.write("recorder.py", PushLab.recorder)
        let tls = try Background([t.sub("recorder.py"), t.sub("tls.port"), t.sub("tls.log"), t.sub("server.pem"), t.sub("server.key")], portFile: t.sub("tls.port"))
        let url = "https://localhost:\(tls.port)/v1/reports"
        let pin = try String(contentsOfFile: t.sub("pin"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        func received() -> Int { PushLab.lines(t.sub("tls.log")).count }

        let rightCA = try Agent.run("x86_64", PushLab.args(url, t, spool: "s1", extra: ["--ca-file", t.sub("bundle.pem")]))
        #expect(rightCA.code == 0, "\(rightCA.stderr)")
        #expect(received() == 1)
        #expect(PushLab.spooled(t, "s1").isEmpty)
        #expect(PushLab.lines(t.sub("tls.log")).first?.contains("\"auth\": \"Bearer \(PushLab.token)\"") == true)

        let wrongCA = try Agent.run("x86_64", PushLab.args(url, t, spool: "s2", extra: ["--ca-file", t.sub("other.pem"), "--push-timeout", "5"]))
        #expect(wrongCA.code == 4)
        #expect(wrongCA.stderr.contains("TLS: certificate not signed by a CA in --ca-file"), "\(wrongCA.stderr)")
        #expect(received() == 1)   // nothing of the report reached the server
        #expect(PushLab.spooled(t, "s2").count == 1)

        let byAddress = try Agent.run("x86_64", PushLab.args("https://127.0.0.1:\(tls.port)/v1/reports", t, spool: "s3", extra: ["--ca-file", t.sub("ca.pem"), "--push-timeout", "5"]))
        #expect(byAddress.code == 4)
        #expect(byAddress.stderr.contains("certificate does not name the host"), "\(byAddress.stderr)")
        #expect(received() == 1)

        let rightPin = try Agent.run("x86_64", PushLab.args("https://127.0.0.1:\(tls.port)/v1/reports", t, spool: "s4", extra: ["--pin", "sha256:" + pin]))
        #expect(rightPin.code == 0, "\(rightPin.stderr)")
        #expect(received() == 2)

        let wrongPin = try Agent.run("x86_64", PushLab.args(url, t, spool: "s5", extra: ["--pin", "sha256:" + String(repeating: "ab", count: 32), "--push-timeout", "5"]))
        #expect(wrongPin.code == 4)
        #expect(wrongPin.stderr.contains("the server's public key does not match --pin"), "\(wrongPin.stderr)")
        #expect(received() == 2)

        let noCA = try Agent.run("x86_64", PushLab.args(url, t, spool: "s6", extra: ["--ca-file", t.sub("server.key")]))
        #expect(noCA.code == 2)
        #expect(noCA.stderr == "baseline-agent: \(t.sub("server.key")): no CERTIFICATE block\n", "\(noCA.stderr)")
    }

    /// The whole path of issue 16: the static agent pushes to `baseline-collector serve --tls-cert` (a test CA; the
    /// certificate names localhost, which BearSSL matches): delivered with the CA file and with the pin; a wrong CA
    /// sends nothing; the collector down keeps the report in the spool until it is up again.
    @Test func pushesToTheCollectorsOwnHTTPS() throws {
        let t = try TempTree()
        try PushLab.certificates(t)
        let (tokens, _) = try PushLab.tokens(t)
        let db = t.sub("fleet.sqlite")
        var server = try CollectorServer(db: db, tokens: tokens, extra: ["--tls-cert", t.sub("server.pem"), "--tls-key", t.sub("server.key")])
        #expect(server.scheme == "https")
        let url = "https://localhost:\(server.port)/v1/reports"
        let wrong = try Agent.run("x86_64", PushLab.args(url, t, spool: "s-wrong", extra: ["--ca-file", t.sub("other.pem")]))
        #expect(wrong.code == 4, "\(wrong.stderr)")
        #expect(try PushLab.storedIDs(db).isEmpty, "a wrong CA sends nothing")
        #expect(PushLab.spooled(t, "s-wrong").count == 1, "and keeps the report")
        let ok = try Agent.run("x86_64", PushLab.args(url, t, extra: ["--ca-file", t.sub("ca.pem")]))
        #expect(ok.code == 0, "\(ok.stderr)")
        let pin = try String(contentsOfFile: t.sub("pin"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let pinned = try Agent.run("x86_64", PushLab.args(url, t, extra: ["--pin", "sha256:" + pin]))
        #expect(pinned.code == 0, "\(pinned.stderr)")
        #expect(try PushLab.storedIDs(db).count == 2)
        // Collector down: spooled; up again on the same port: delivered, nothing twice.
        let port = server.port
        server.stop()
        let down = try Agent.run("x86_64", PushLab.args(url, t, extra: ["--ca-file", t.sub("ca.pem"), "--push-timeout", "2"]))
        #expect(down.code == 4 && PushLab.spooled(t).count == 1, "\(down.stderr)")
        server = try CollectorServer(db: db, tokens: tokens, extra: ["--tls-cert", t.sub("server.pem"), "--tls-key", t.sub("server.key"), "--port", "\(port)"])
        let up = try Agent.run("x86_64", PushLab.args(url, t, extra: ["--ca-file", t.sub("ca.pem")]))
        #expect(up.code == 0, "\(up.stderr)")
        #expect(PushLab.spooled(t).isEmpty)
        let ids = try PushLab.storedIDs(db)
        #expect(ids.count == 4 && Set(ids).count == 4, "\(ids)")
        server.stop()
    }

    @Test("spool and push under qemu", arguments: ["aarch64", "armv7"])
    func underQemu(_ arch: String) throws {
        try #require(FileManager.default.isExecutableFile(atPath: Agent.staticBinary(arch)), "run `make agent`")
        let t = try TempTree()
        let (tokens, _) = try PushLab.tokens(t)
        let down = try Agent.run(arch, PushLab.args("http://127.0.0.1:9/v1/reports", t, extra: ["--insecure-http", "--push-timeout", "2"]))
        #expect(down.code == 4, "\(down.stderr)")
        #expect(PushLab.spooled(t).count == 1)
        let db = t.sub("fleet.sqlite")
        let server = try CollectorServer(db: db, tokens: tokens)
        let up = try Agent.run(arch, PushLab.args(server.base + "/v1/reports", t, extra: ["--insecure-http"]))
        #expect(up.code == 0, "\(up.stderr)")
        #expect(PushLab.spooled(t).isEmpty)
        #expect(try PushLab.storedIDs(db).count == 2)
        // HTTPS with a CA file and with a pin
        try PushLab.certificates(t)
        try t.write("recorder.py", PushLab.recorder)
        let tls = try Background([t.sub("recorder.py"), t.sub("tls.port"), t.sub("tls.log"), t.sub("server.pem"), t.sub("server.key")], portFile: t.sub("tls.port"))
        let pin = try String(contentsOfFile: t.sub("pin"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let ca = try Agent.run(arch, PushLab.args("https://localhost:\(tls.port)/v1/reports", t, spool: "s1", extra: ["--ca-file", t.sub("ca.pem")]))
        #expect(ca.code == 0, "\(ca.stderr)")
        let pinned = try Agent.run(arch, PushLab.args("https://127.0.0.1:\(tls.port)/v1/reports", t, spool: "s2", extra: ["--pin", "sha256:" + pin]))
        #expect(pinned.code == 0, "\(pinned.stderr)")
        let wrong = try Agent.run(arch, PushLab.args("https://localhost:\(tls.port)/v1/reports", t, spool: "s3", extra: ["--ca-file", t.sub("other.pem"), "--push-timeout", "5"]))
        #expect(wrong.code == 4)
        #expect(PushLab.lines(t.sub("tls.log")).count == 2)
    }
}
