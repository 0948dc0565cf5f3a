// `baseline-collector serve`: the HTTP API (Hummingbird) on a fleet store.
//   POST /v1/reports            one report, a JSON array of reports, or a scan document (Bearer token per fleet)
//   GET  /v1/vendors            vendor metrics (?by=vendor|model|firmware, ?period=all|latest|YYYY-MM)
//   GET  /v1/vendors/{vendor}   one vendor: its models and firmware builds, its units
//   GET  /v1/devices/{id}       every stored report of one unit (keyed device id, or report:<id>)
//   GET  /v1/clusters           the largest shared-fingerprint clusters
//   GET  /metrics               Prometheus text exposition
//   GET  /  /vendors/{vendor}  /devices/{id}   the dashboard (HTML and inline SVG, no script)
import ArgumentParser
import BaselineFleet
import Foundation
import Hummingbird
import Logging

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the ingest API, the read API, Prometheus metrics and the dashboard.",
        discussion: "Prints 'listening on http://HOST:PORT' once the socket is bound (with --port 0, a free port). SIGTERM or SIGINT stops it after the requests in flight.")

    @Option(help: "Address to listen on.")
    var listen: String = "127.0.0.1"

    @Option(help: "TCP port (0: any free port).")
    var port: Int = 8480

    @Option(help: "Token file: lines FLEET TOKEN [FLEET_KEY_ID] (TOKEN may be sha256:HEX of the token).")
    var tokens: String

    @Option(help: "Largest accepted request body, in bytes.")
    var maxBody: Int = 16 << 20

    @OptionGroup var store: StoreOptions
    @OptionGroup var input: InputOptions

    func run() async throws {
        guard (0...65535).contains(port) else { throw fail("--port \(port): expected 0 to 65535", code: 2) }
        guard maxBody > 0 else { throw fail("--max-body \(maxBody): expected a positive number of bytes", code: 2) }
        let tokenList = try FleetTokens(path: tokens)
        let api = CollectorAPI(store: try store.open(), tokens: tokenList, validator: try input.validator(),
                               factory: try input.factory(), maxBody: maxBody)
        var logger = Logger(label: "baseline-collector")
        logger.logLevel = .warning
        let app = Application(
            router: api.router(),
            configuration: .init(address: .hostname(listen, port: port), serverName: "baseline-collector"),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? port
                FileHandle.standardOutput.write(Data("listening on http://\(listen):\(bound) (store \(api.store.location))\n".utf8))
            },
            logger: logger)
        do { try await app.runService() } catch { throw fail("cannot serve on \(listen):\(port): \(error)") }
    }
}
