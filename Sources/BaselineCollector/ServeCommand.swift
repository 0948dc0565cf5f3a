// `baseline-collector serve`: the HTTP API (Hummingbird) on a fleet store.
//   POST /v1/reports            one report, a JSON array of reports, or a scan document (Bearer token per fleet)
//   GET  /v1/vendors            vendor metrics (?by=vendor|model|firmware, ?period=all|latest|YYYY-MM)
//   GET  /v1/vendors/{vendor}   one vendor: its models and firmware builds, its units
//   GET  /v1/devices/{id}       every stored report of one unit (keyed device id, or report:<id>)
//   GET  /v1/clusters           the largest shared-fingerprint clusters
//   GET  /metrics               Prometheus text exposition
//   GET  /  /vendors/{vendor}  /devices/{id}   the dashboard (HTML and inline SVG, no script)
// Plain HTTP, or HTTPS with --tls-cert/--tls-key (HummingbirdTLS on swift-nio-ssl), with client certificates when
// --tls-client-ca is given. SIGHUP re-reads the token file (FleetTokens.reload).
import ArgumentParser
import BaselineFleet
import Foundation
import Hummingbird
import HummingbirdTLS
import Logging
import UnixSignals

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the ingest API, the read API, Prometheus metrics and the dashboard.",
        discussion: """
            Prints 'listening on http://HOST:PORT' (with --tls-cert and --tls-key: 'listening on https://HOST:PORT') once \
            the socket is bound (with --port 0, a free port). SIGTERM or SIGINT stops it after the requests in flight. \
            SIGHUP re-reads the --tokens file: a good file replaces every token at once ('tokens reloaded: N fleets'); \
            a bad one changes nothing and prints one line naming the file and line.

            HTTPS: --tls-cert and --tls-key (PEM; the certificate file may carry the chain after the server's \
            certificate) are given together or not at all. With --tls-client-ca as well, every client must present a \
            certificate signed by that CA (mutual TLS). Client certificates and bearer tokens are separate checks and \
            both apply: a client certificate lets a device connect at all; POST /v1/reports still needs its fleet's \
            token, and the token (not the certificate) decides the fleet. The read API and the dashboard need no token, \
            so with --tls-client-ca they too are served only to clients with a certificate.
            """)

    @Option(help: "Address to listen on.")
    var listen: String = "127.0.0.1"

    @Option(help: "TCP port (0: any free port).")
    var port: Int = 8480

    @Option(help: "Token file: lines FLEET TOKEN [FLEET_KEY_ID] (TOKEN may be sha256:HEX of the token).")
    var tokens: String

    @Option(help: "Largest accepted request body, in bytes.")
    var maxBody: Int = 16 << 20

    @Option(name: .customLong("tls-cert"), help: "Serve HTTPS with this certificate (PEM; the chain may follow). Needs --tls-key.")
    var tlsCert: String?

    @Option(name: .customLong("tls-key"), help: "The private key of --tls-cert (PEM, unencrypted).")
    var tlsKey: String?

    @Option(name: .customLong("tls-client-ca"),
            help: "Require client certificates signed by this CA (PEM), on top of bearer tokens: both are checked. Needs --tls-cert.")
    var tlsClientCA: String?

    @Option(name: .customLong("access-log"), help: "Access log: one line a request (time, client, method, path, status, bytes, ms; never a header or token) to '-' (standard output, the default), a file (appended), or 'none'.")
    var accessLog: String = "-"

    @OptionGroup var store: StoreOptions
    @OptionGroup var input: InputOptions

    func run() async throws {
        guard (0...65535).contains(port) else { throw fail("--port \(port): expected 0 to 65535", code: 2) }
        guard maxBody > 0 else { throw fail("--max-body \(maxBody): expected a positive number of bytes", code: 2) }
        guard (tlsCert == nil) == (tlsKey == nil) else {
            throw fail(tlsCert == nil ? "--tls-key: expected --tls-cert as well (both or neither)" : "--tls-cert: expected --tls-key as well (both or neither)", code: 2)
        }
        guard tlsClientCA == nil || tlsCert != nil else { throw fail("--tls-client-ca: expected --tls-cert and --tls-key as well (client certificates need HTTPS)", code: 2) }
        var tls: TLSConfiguration?
        if let tlsCert, let tlsKey { tls = try CollectorTLS.configuration(cert: tlsCert, key: tlsKey, clientCA: tlsClientCA) }
        let accessSink = try AccessLogSink.open(accessLog)
        let tokenList = try FleetTokens(path: tokens)
        let api = CollectorAPI(store: try store.open(create: true), tokens: tokenList, validator: try input.validator(),
                               factory: try input.factory(), maxBody: maxBody)
        // SIGHUP: re-read the token file. The handler is registered before the socket is bound, so a SIGHUP sent after
        // 'listening on' is never missed (nor does it end the process, SIGHUP's default).
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        let reloader = Task {
            for await _ in hangups {
                switch tokenList.reload() {
                case .success(let n):
                    FileHandle.standardOutput.write(Data("tokens reloaded: \(n) fleet\(n == 1 ? "" : "s") from \(tokenList.path)\n".utf8))
                case .failure(let error):
                    let n = tokenList.fleetCount
                    FileHandle.standardError.write(Data("baseline-collector: tokens not reloaded: \(error); still serving the previous tokens (\(n) fleet\(n == 1 ? "" : "s"))\n".utf8))
                }
            }
        }
        defer { reloader.cancel() }
        let scheme = tls == nil ? "http" : "https"
        var logger = Logger(label: "baseline-collector")
        logger.logLevel = .warning
        let app = Application(
            router: api.router(accessLog: accessSink),
            server: try tls.map { try .tls(.http1(), tlsConfiguration: $0) } ?? .http1(),
            configuration: .init(address: .hostname(listen, port: port), serverName: "baseline-collector"),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? port
                FileHandle.standardOutput.write(Data("listening on \(scheme)://\(listen):\(bound) (store \(api.store.location))\n".utf8))
            },
            logger: logger)
        do { try await app.runService() } catch { throw fail("cannot serve on \(listen):\(port): " + Serve.reason(error)) }
    }

    /// A bind or listen failure in a few words (NIO's text names the syscall, the pointer and the errno).
    static func reason(_ error: Error) -> String {
        let text = String(describing: error)
        let known: [(String, String)] = [
            ("Address already in use", "the port is in use (another collector or program listens there; pick another with --port)"),
            ("Permission denied", "permission denied (ports below 1024 need privileges; use a higher --port)"),
            ("Cannot assign requested address", "no interface here has the address given with --listen"),
            ("Address family not supported", "the --listen address family is not supported here"),
        ]
        for (needle, words) in known where text.contains(needle) { return words }
        return String(text.prefix(300))
    }
}
