// `baseline-collector serve` over HTTPS (issue 16): certificates made by the openssl CLI (a CA and a server
// certificate for IP:127.0.0.1; a second CA for clients and one that signs nothing here), the built collector serving
// them, and curl as the client on 127.0.0.1 — the right CA stores a report, a wrong CA or plain HTTP store nothing,
// mutual TLS refuses clients without a certificate from the client CA and still wants the fleet's token. Token
// rotation on SIGHUP, and bad TLS files refused in one line with exit code 2.
import Foundation
import Testing

/// Keys and certificates for one test, made with `openssl` in a temporary directory.
struct TLSFiles {
    let t: TempTree
    var caCert: String { t.sub("ca.pem") }              // signs the server certificate
    var serverCert: String { t.sub("server.pem") }
    var serverKey: String { t.sub("server.key") }
    var otherCA: String { t.sub("other-ca.pem") }       // a CA nobody here trusts
    var clientCA: String { t.sub("client-ca.pem") }     // signs device (client) certificates
    var clientCert: String { t.sub("client.pem") }
    var clientKey: String { t.sub("client.key") }
    var rogueCert: String { t.sub("rogue.pem") }        // a client certificate signed by other-ca
    var rogueKey: String { t.sub("rogue.key") }

    init(_ t: TempTree) throws {
        self.t = t
        try TLSFiles.ca(t, "ca", "Baseline Test CA")
        try TLSFiles.ca(t, "other-ca", "Somebody Else's CA")
        try TLSFiles.ca(t, "client-ca", "Baseline Fleet Devices CA")
        try TLSFiles.leaf(t, "server", ca: "ca", subject: "/CN=127.0.0.1", ext: "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth")
        try TLSFiles.leaf(t, "client", ca: "client-ca", subject: "/CN=unit-0001", ext: "extendedKeyUsage=clientAuth")
        try TLSFiles.leaf(t, "rogue", ca: "other-ca", subject: "/CN=unit-9999", ext: "extendedKeyUsage=clientAuth")
    }

    static func openssl(_ t: TempTree, _ args: [String]) throws {
        let r = try run("/usr/bin/openssl", args, cwd: t.path)
        guard r.code == 0 else { throw ToolError(message: "openssl \(args.joined(separator: " ")): \(r.stderr)") }
    }

    static func ca(_ t: TempTree, _ name: String, _ cn: String) throws {
        try openssl(t, ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "\(name).key",
                        "-out", "\(name).pem", "-days", "2", "-subj", "/CN=\(cn)"])
    }

    static func leaf(_ t: TempTree, _ name: String, ca: String, subject: String, ext: String) throws {
        try t.write("\(name).ext", ext + "\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n")
        try openssl(t, ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "\(name).key",
                        "-out", "\(name).csr", "-subj", subject])
        try openssl(t, ["x509", "-req", "-in", "\(name).csr", "-CA", "\(ca).pem", "-CAkey", "\(ca).key", "-set_serial",
                        "\(Int.random(in: 1_000...1_000_000_000))", "-days", "2", "-extfile", "\(name).ext", "-out", "\(name).pem"])
    }
}

@Suite(.serialized) struct CollectorTLSTests {
    static let northToken = "north-0123456789abcdef"
    static let eastToken = "east-00112233445566778899"

    func tokens(_ t: TempTree, _ text: String = "north \(CollectorTLSTests.northToken)\n") throws -> String {
        try t.write("tokens", text)
        return t.sub("tokens")
    }

    func reportCount(_ db: String) throws -> Int { Int(try storeQuery(db, "SELECT count(*) FROM reports")) ?? -1 }

    /// The report of one sample audit (the ACME gateway), and a second one of another vendor.
    func reports(_ t: TempTree) throws -> (String, String) {
        let files = try sampleReports(t)
        return (files.first { $0.contains("kirkstone") }!, files.first { !$0.contains("kirkstone") }!)
    }

    @Test func httpsStoresAReportOnlyForAClientThatTrustsTheCA() throws {
        let t = try TempTree()
        let tls = try TLSFiles(t)
        let (report, _) = try reports(t)
        let db = t.sub("fleet.sqlite")
        let server = try CollectorServer(db: db, tokens: try tokens(t), extra: ["--tls-cert", tls.serverCert, "--tls-key", tls.serverKey])
        #expect(server.output.contains("listening on https://127.0.0.1:\(server.port) "), "\(server.output)")
        #expect(server.base.hasPrefix("https://"))
        let url = server.base + "/v1/reports"

        // A client that trusts another CA: the handshake fails (curl 60: the peer's certificate is not trusted).
        let wrongCA = try http("POST", url, token: CollectorTLSTests.northToken, bodyFile: report, curl: ["--cacert", tls.otherCA])
        #expect(wrongCA.status == 0)
        #expect(wrongCA.body.contains("curl exit 60"), "\(wrongCA.body)")
        // Plain HTTP to the TLS port: no HTTP answer.
        let plain = try http("POST", "http://127.0.0.1:\(server.port)/v1/reports", token: CollectorTLSTests.northToken, bodyFile: report)
        #expect(plain.status == 0, "\(plain.body)")
        // The system's trust store does not know the test CA either.
        #expect(try http("GET", server.base + "/v1/vendors").status == 0)
        #expect(try reportCount(db) == 0)

        // The right CA: stored, acknowledged over TLS, and read back over TLS and by the report command.
        let good = try http("POST", url, token: CollectorTLSTests.northToken, bodyFile: report, curl: ["--cacert", tls.caCert])
        #expect(good.status == 201, "\(good.body)")
        #expect(good.json?["stored"] as? Int == 1 && good.json?["fleet"] as? String == "north", "\(good.body)")
        // Tokens still apply over TLS.
        let noToken = try http("POST", url, bodyFile: report, curl: ["--cacert", tls.caCert])
        #expect(noToken.status == 401)
        #expect(try reportCount(db) == 1)
        let vendors = try http("GET", server.base + "/v1/vendors", curl: ["--cacert", tls.caCert])
        #expect(vendors.status == 200)
        #expect(((vendors.json?["groups"] as? [[String: Any]]) ?? []).compactMap { $0["vendor"] as? String } == ["Acme Networks"], "\(vendors.body)")
        let table = try collector(["report", "--db", db, "--format", "csv"])
        #expect(table.code == 0, "\(table.stderr)")
        #expect(table.stdout.contains("Acme Networks"), "\(table.stdout)")
        // TLS 1.2 or later only: a client offering only TLS 1.1 (security level 0, so that openssl itself allows it)
        // gets the server's protocol_version alert.
        let old = try run("/usr/bin/openssl", ["s_client", "-connect", "127.0.0.1:\(server.port)", "-CAfile", tls.caCert, "-tls1_1",
                                               "-cipher", "DEFAULT@SECLEVEL=0", "-brief"], timeout: 30)
        #expect(old.code != 0 && old.stderr.contains("alert protocol version"), "TLS 1.1 handshake: \(old.stdout) \(old.stderr)")
        let tls13 = try run("/usr/bin/openssl", ["s_client", "-connect", "127.0.0.1:\(server.port)", "-CAfile", tls.caCert, "-verify_return_error", "-brief"], timeout: 30)
        #expect(tls13.stderr.contains("Protocol version: TLSv1.3") && tls13.stderr.contains("Verification: OK"), "\(tls13.stderr)")
        server.stop()
        #expect(!server.process.isRunning)
    }

    @Test func mutualTLSWantsAClientCertificateFromTheClientCAAndTheToken() throws {
        let t = try TempTree()
        let tls = try TLSFiles(t)
        let (report, second) = try reports(t)
        let db = t.sub("fleet.sqlite")
        let server = try CollectorServer(db: db, tokens: try tokens(t),
                                         extra: ["--tls-cert", tls.serverCert, "--tls-key", tls.serverKey, "--tls-client-ca", tls.clientCA])
        let url = server.base + "/v1/reports"
        let ca = ["--cacert", tls.caCert]

        // No client certificate: the server ends the handshake (a TLS alert, no HTTP answer), token or not.
        let bare = try http("POST", url, token: CollectorTLSTests.northToken, bodyFile: report, curl: ca)
        #expect(bare.status == 0, "\(bare.body)")
        #expect(bare.body.contains("curl exit"), "\(bare.body)")
        // A client certificate from a CA the collector does not trust for clients.
        let rogue = try http("POST", url, token: CollectorTLSTests.northToken, bodyFile: report, curl: ca + ["--cert", tls.rogueCert, "--key", tls.rogueKey])
        #expect(rogue.status == 0, "\(rogue.body)")
        // The server certificate (signed by the server CA, not the client CA) is not a client certificate either.
        let serverAsClient = try http("POST", url, token: CollectorTLSTests.northToken, bodyFile: report, curl: ca + ["--cert", tls.serverCert, "--key", tls.serverKey])
        #expect(serverAsClient.status == 0, "\(serverAsClient.body)")
        // The read API is behind the client certificate too.
        #expect(try http("GET", server.base + "/v1/vendors", curl: ca).status == 0)
        #expect(try reportCount(db) == 0)

        let device = ca + ["--cert", tls.clientCert, "--key", tls.clientKey]
        // A device certificate without the fleet's token: both are required.
        let noToken = try http("POST", url, bodyFile: report, curl: device)
        #expect(noToken.status == 401, "\(noToken.body)")
        let wrongToken = try http("POST", url, token: CollectorTLSTests.eastToken, bodyFile: report, curl: device)
        #expect(wrongToken.status == 401, "\(wrongToken.body)")
        #expect(try reportCount(db) == 0)
        // Certificate and token: stored.
        let good = try http("POST", url, token: CollectorTLSTests.northToken, bodyFile: report, curl: device)
        #expect(good.status == 201, "\(good.body)")
        let more = try http("POST", url, token: CollectorTLSTests.northToken, bodyFile: second, curl: device)
        #expect(more.status == 201, "\(more.body)")
        #expect(try reportCount(db) == 2)
        #expect(try http("GET", server.base + "/v1/vendors", curl: device).status == 200)
    }

    /// Waits until `text` appears `count` times in the collector's output.
    func waitFor(_ server: CollectorServer, _ text: String, count: Int = 1) -> Bool {
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if server.output.components(separatedBy: text).count - 1 >= count { return true }
            usleep(20_000)
        }
        return false
    }

    @Test func sighupRotatesTokensAndABadFileKeepsThePreviousOnes() throws {
        let t = try TempTree()
        let tls = try TLSFiles(t)
        let files = try sampleReports(t)
        #expect(files.count >= 5)
        let db = t.sub("fleet.sqlite")
        let path = try tokens(t)
        let server = try CollectorServer(db: db, tokens: path, extra: ["--tls-cert", tls.serverCert, "--tls-key", tls.serverKey])
        let url = server.base + "/v1/reports", ca = ["--cacert", tls.caCert]
        func post(_ token: String, _ file: String) throws -> HTTPAnswer { try http("POST", url, token: token, bodyFile: file, curl: ca) }
        func hangup() { kill(server.process.processIdentifier, SIGHUP) }

        #expect(try post(CollectorTLSTests.northToken, files[0]).status == 201)
        #expect(try post(CollectorTLSTests.eastToken, files[1]).status == 401)

        // A new fleet's token, added to the file: it works after SIGHUP, without a restart.
        try t.write("tokens", "north \(CollectorTLSTests.northToken)\neast \(CollectorTLSTests.eastToken)\n")
        hangup()
        #expect(waitFor(server, "tokens reloaded: 2 fleets from \(path)"), "\(server.output)")
        let east = try post(CollectorTLSTests.eastToken, files[1])
        #expect(east.status == 201, "\(east.body)")
        #expect(east.json?["fleet"] as? String == "east")
        #expect(try post(CollectorTLSTests.northToken, files[2]).status == 201)

        // The old token removed: 401 after the next SIGHUP.
        try t.write("tokens", "# north rotated out\neast \(CollectorTLSTests.eastToken)\n")
        hangup()
        #expect(waitFor(server, "tokens reloaded: 1 fleet from \(path)"), "\(server.output)")
        let old = try post(CollectorTLSTests.northToken, files[3])
        #expect(old.status == 401, "\(old.body)")
        #expect(old.json?["error"] as? String == "unknown token")

        // A broken file (line 2) on SIGHUP: one line naming the file and line, and the previous tokens stay — north
        // (in the broken file's first line) is still refused, east (not in it) still accepted.
        try t.write("tokens", "north \(CollectorTLSTests.northToken)\nwest short\n")
        hangup()
        #expect(waitFor(server, "tokens not reloaded"), "\(server.output)")
        let line = server.output.split(separator: "\n").filter { $0.contains("tokens not reloaded") }
        #expect(line == ["baseline-collector: tokens not reloaded: \(path):2: a token of at least 16 characters; still serving the previous tokens (1 fleet)"], "\(line)")
        #expect(server.process.isRunning)
        #expect(try post(CollectorTLSTests.northToken, files[3]).status == 401)
        #expect(try post(CollectorTLSTests.eastToken, files[3]).status == 201)
        // An unreadable file is no better.
        try FileManager.default.removeItem(atPath: path)
        hangup()
        #expect(waitFor(server, "tokens not reloaded", count: 2), "\(server.output)")
        #expect(server.output.contains("tokens not reloaded: \(path): cannot read the token file"), "\(server.output)")
        #expect(try post(CollectorTLSTests.eastToken, files[4]).status == 201)

        #expect(try reportCount(db) == 5)
        #expect(try storeQuery(db, "SELECT fleet, count(*) FROM reports GROUP BY fleet ORDER BY fleet") == "east|3\nnorth|2")
        #expect(!server.output.contains("tokens reloaded: 0"))
    }

    @Test func badTLSFilesAreOneLineAndExitCode2() throws {
        let t = try TempTree()
        let tls = try TLSFiles(t)
        let tokenFile = try tokens(t)
        try t.write("garbage.pem", "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n")
        try TLSFiles.openssl(t, ["pkey", "-in", "server.key", "-aes256", "-passout", "pass:secret", "-out", "encrypted.key"])
        let missing = t.sub("nowhere.pem")
        let cases: [([String], String)] = [
            (["--tls-cert", tls.serverCert], "--tls-cert: expected --tls-key as well (both or neither)"),
            (["--tls-key", tls.serverKey], "--tls-key: expected --tls-cert as well (both or neither)"),
            (["--tls-client-ca", tls.clientCA], "--tls-client-ca: expected --tls-cert and --tls-key as well"),
            (["--tls-cert", missing, "--tls-key", tls.serverKey], "--tls-cert \(missing): cannot read the file"),
            (["--tls-cert", tls.serverKey, "--tls-key", tls.serverKey], "--tls-cert \(tls.serverKey): expected the server certificate (and its chain) in PEM (-----BEGIN CERTIFICATE-----)"),
            (["--tls-cert", t.sub("garbage.pem"), "--tls-key", tls.serverKey], "--tls-cert \(t.sub("garbage.pem")): expected the server certificate (and its chain) in PEM: a CERTIFICATE block is not a valid X.509 certificate"),
            (["--tls-cert", tls.serverCert, "--tls-key", tls.serverCert], "--tls-key \(tls.serverCert): expected a PEM private key (-----BEGIN PRIVATE KEY-----)"),
            (["--tls-cert", tls.serverCert, "--tls-key", t.sub("encrypted.key")], "--tls-key \(t.sub("encrypted.key")): expected an unencrypted PEM private key, found an encrypted one"),
            (["--tls-cert", tls.serverCert, "--tls-key", tls.clientKey], "--tls-key \(tls.clientKey): expected the private key of the certificate in \(tls.serverCert)"),
            (["--tls-cert", tls.serverCert, "--tls-key", tls.serverKey, "--tls-client-ca", tokenFile], "--tls-client-ca \(tokenFile): expected the CA certificate(s) that sign client certificates in PEM"),
        ]
        for (args, message) in cases {
            let r = try collector(["serve", "--port", "0", "--db", t.sub("fleet.sqlite"), "--tokens", tokenFile] + args)
            #expect(r.code == 2, "\(args): \(r.stderr)")
            let lines = r.stderr.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].hasPrefix("baseline-collector: " + message), "\(args): \(r.stderr)")
            #expect(!r.stdout.contains("listening"))
        }
        // A broken token file at start-up stays a usage error too.
        try t.write("bad-tokens", "north\n")
        let r = try collector(["serve", "--port", "0", "--db", t.sub("fleet.sqlite"), "--tokens", t.sub("bad-tokens"),
                               "--tls-cert", tls.serverCert, "--tls-key", tls.serverKey])
        #expect(r.code == 2)
        #expect(r.stderr == "baseline-collector: \(t.sub("bad-tokens")):1: expected FLEET TOKEN [FLEET_KEY_ID]\n", "\(r.stderr)")
    }
}
