// The collector's HTTP routes. Ingest answers only after the store's transaction has committed: 201 with what was
// stored (200 when every report was already stored); 401 without a known token; 403 for a report keyed with another
// fleet's key; 413 over the body limit; 415 for a body that is not JSON by its content type (a form-encoded body that parses as JSON is taken: curl's default); 400 for malformed JSON;
// 422 for a document that is not a valid report; 503 when the store cannot take it (disk full, server gone) — in
// every refusal nothing of the request is stored. Errors are JSON: {"error": "…"}.
import BaselineCore
import BaselineFleet
import Foundation
import Hummingbird
import NIOCore

final class CollectorAPI: Sendable {
    let store: FleetStore
    let tokens: FleetTokens
    let validator: SchemaValidator
    let factory: FactoryFingerprints
    let maxBody: Int
    let counters = RequestCounters()
    let writer: IngestWriter

    init(store: FleetStore, tokens: FleetTokens, validator: SchemaValidator, factory: FactoryFingerprints, maxBody: Int) {
        self.store = store; self.tokens = tokens; self.validator = validator; self.factory = factory; self.maxBody = maxBody
        // On PostgreSQL a group stays small enough to lock its units one by one (FleetLedger.perKeyLimit), so several
        // collectors on one server write side by side.
        writer = IngestWriter(store: store, factory: factory, maxReports: store.isPostgres ? 250 : 5000)
    }

    /// Store work runs off the concurrency pool (SQLite and the PostgreSQL client block).
    static let storeQueue = DispatchQueue(label: "baseline-collector.store", attributes: .concurrent)

    func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { c in CollectorAPI.storeQueue.async { c.resume(with: Result { try work() }) } }
    }

    /// A JSON answer: compact, keys sorted, one line.
    static func json(_ status: HTTPResponse.Status, _ doc: JSONNode) -> Response {
        text(status, JSONWriter.write(doc, pretty: false, sortKeys: true) + "\n", type: "application/json")
    }

    static func text(_ status: HTTPResponse.Status, _ body: String, type: String) -> Response {
        Response(status: status, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    func refuse(_ status: HTTPResponse.Status, _ message: String) -> Response {
        counters.count(Int(status.code))
        var r = CollectorAPI.json(status, .obj([("error", .str(message)), ("status", .num(Int(status.code)))]))
        if status == .unauthorized { r.headers[.wwwAuthenticate] = "Bearer realm=\"baseline-collector\"" }
        return r
    }

    func router(accessLog: AccessLogSink? = nil) -> Router<CollectorContext> {
        let router = Router(context: CollectorContext.self)
        if let accessLog { router.add(middleware: AccessLogMiddleware(sink: accessLog)) }
        router.post("/v1/reports") { request, _ in try await self.ingest(request) }
        router.get("/v1/vendors") { request, _ in try await self.vendors(request) }
        router.get("/v1/vendors/:vendor") { _, context in try await self.vendor(context.parameters.get("vendor") ?? "") }
        router.get("/v1/devices/:id") { _, context in try await self.device(context.parameters.get("id") ?? "") }
        router.get("/v1/clusters") { _, _ in try await self.clusters() }
        router.get("/metrics") { _, _ in try await self.prometheus() }
        router.get("/") { request, _ in
            let period = request.uri.queryParameters.get("period")
            return try await self.page { try Dashboard.overview(self.store, period: period) }
        }
        router.get("/vendors/:vendor") { request, context in
            let v = Dashboard.unescape(context.parameters.get("vendor") ?? ""), period = request.uri.queryParameters.get("period")
            return try await self.page { try Dashboard.vendor(self.store, v, period: period) }
        }
        router.get("/devices/:id") { _, context in
            let id = Dashboard.unescape(context.parameters.get("id") ?? "")
            return try await self.page { try Dashboard.device(self.store, id) }
        }
        return router
    }

    func ingest(_ request: Request) async throws -> Response {
        guard let auth = request.headers[.authorization], auth.hasPrefix("Bearer "), let token = tokens.fleet(for: String(auth.dropFirst(7))) else {
            return refuse(.unauthorized, request.headers[.authorization] == nil ? "no bearer token: send Authorization: Bearer TOKEN" : "unknown token")
        }
        // curl --data-binary @report.json sends application/x-www-form-urlencoded unless told otherwise: such a body is
        // taken when it parses as JSON (and refused with the header to add when it does not).
        let type = request.headers[.contentType]?.lowercased()
        let formEncoded = type?.hasPrefix("application/x-www-form-urlencoded") == true
        if let type, !type.hasPrefix("application/json"), !formEncoded {
            return refuse(.unsupportedMediaType, "content type \(type): expected application/json (curl: -H 'Content-Type: application/json')")
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBody {
            return refuse(.contentTooLarge, "body of \(length) bytes: the limit is \(maxBody)")
        }
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: maxBody) } catch {
            return refuse(.contentTooLarge, "body over the limit of \(maxBody) bytes")
        }
        let data = Data(buffer.readableBytesView)
        let docs: [ReportDocument]
        do { docs = try ReportDocument.parse(data, source: "request body", validator: validator, factory: factory) } catch let e as IngestError {
            if formEncoded && e.message.contains("not JSON") {
                return refuse(.unsupportedMediaType, "content type application/x-www-form-urlencoded and the body is not JSON: send the report with Content-Type: application/json (curl: -H 'Content-Type: application/json')")
            }
            return refuse(e.message.contains("not JSON") ? .badRequest : .unprocessableContent, e.description)
        }
        if docs.isEmpty { return refuse(.unprocessableContent, "request body: no report in the document") }
        if let pinned = token.fleetKeyID, let other = docs.first(where: { $0.fleetKeyID != nil && $0.fleetKeyID != pinned }) {
            return refuse(.forbidden, "report \(other.reportID) is keyed with fleet key \(other.fleetKeyID ?? ""), not fleet '\(token.fleet)''s \(pinned)")
        }
        let fleet = token.fleet
        let outcome: IngestOutcome
        do { outcome = try await writer.ingest(docs, fleet: fleet) } catch {
            return refuse(.serviceUnavailable, "not stored: \(error)")
        }
        let status: HTTPResponse.Status = outcome.stored > 0 ? .created : .ok
        counters.count(Int(status.code), reports: outcome.stored)
        return CollectorAPI.json(status, .obj([("fleet", .str(fleet)), ("received", .num(outcome.received)), ("stored", .num(outcome.stored)),
                                               ("duplicates", .num(outcome.duplicates)), ("report_ids", .arr(docs.map { .str($0.reportID) }))]))
    }

    func grouping(_ request: Request) -> Grouping? { Grouping(rawValue: request.uri.queryParameters.get("by") ?? "vendor") }

    func vendors(_ request: Request) async throws -> Response {
        guard let by = grouping(request) else { return refuse(.badRequest, "by: expected vendor, model or firmware") }
        let period = request.uri.queryParameters.get("period") ?? "all"
        let store = self.store
        do {
            let text = try await blocking { () -> String in
                let p = period == "latest" ? (try store.periods().last ?? "all") : period
                return MetricsRenderer.render(try store.metrics(by: by, period: p), by: by, format: "json", period: p)
            }
            return CollectorAPI.text(.ok, text, type: "application/json")
        } catch { return refuse(.serviceUnavailable, "\(error)") }
    }

    func vendor(_ raw: String) async throws -> Response {
        let name = Dashboard.unescape(raw), store = self.store
        do {
            let result = try await blocking { () -> String? in
                let models = try store.metrics(by: .firmware).filter { $0.vendor == name }
                guard !models.isEmpty else { return nil }
                let vendorRow = try store.metrics(by: .vendor).first { $0.vendor == name }
                let units = try store.units(vendor: name)
                let doc: JSONNode = .obj([
                    ("schema", .str("baseline.vendor/1")), ("vendor", .str(name)),
                    ("metrics", vendorRow.map { MetricsRenderer.object($0) } ?? .obj([])),
                    ("firmware_builds", .arr(models.map { MetricsRenderer.object($0) })),
                    ("units", .arr(units.map { .obj([("unit", .str($0.unit)), ("model", .str($0.model)), ("firmware", .str($0.firmware)),
                                                    ("report_id", .str($0.reportID)), ("audit_date", .str($0.auditDate)), ("failing", .num($0.failing)),
                                                    ("source_kind", .str($0.sourceKind)), ("factory_secrets", .flag($0.has(.factorySecrets)))]) })),
                ])
                return JSONWriter.write(doc, pretty: false, sortKeys: true)
            }
            guard let body = result else { return refuse(.notFound, "no vendor '\(name)' in the store") }
            return CollectorAPI.text(.ok, body + "\n", type: "application/json")
        } catch { return refuse(.serviceUnavailable, "\(error)") }
    }

    func device(_ raw: String) async throws -> Response {
        let id = Dashboard.unescape(raw), store = self.store
        do {
            let body = try await blocking { () -> String? in
                let reports = try store.reports(unit: id)
                guard !reports.isEmpty else { return nil }
                // The stored bodies are the reports as they arrived (each validated at ingest): spliced in, not re-encoded.
                var unit: [UInt8] = []
                JSONWriter.escape(id, into: &unit)
                return "{\"reports\":[" + reports.map { $0.body }.joined(separator: ",") + "],\"schema\":\"baseline.device/1\",\"unit\":"
                    + String(decoding: unit, as: UTF8.self) + "}\n"
            }
            guard let b = body else { return refuse(.notFound, "no unit '\(id)' in the store") }
            return CollectorAPI.text(.ok, b, type: "application/json")
        } catch { return refuse(.serviceUnavailable, "\(error)") }
    }

    func clusters() async throws -> Response {
        let store = self.store
        do {
            let body = try await blocking { () -> String in
                let list = try store.clusters(limit: 20).map { c -> JSONNode in
                    .obj([("kind", .str(c.kind)), ("fingerprint", .str(c.fingerprint)), ("units", .num(c.units)),
                          ("by_model", .arr(c.byModel.map { .obj([("vendor", .str($0.vendor)), ("model", .str($0.model)), ("units", .num($0.units))]) }))])
                }
                return JSONWriter.write(.obj([("schema", .str("baseline.clusters/1")), ("clusters", .arr(list))]), pretty: false, sortKeys: true) + "\n"
            }
            return CollectorAPI.text(.ok, body, type: "application/json")
        } catch { return refuse(.serviceUnavailable, "\(error)") }
    }

    func prometheus() async throws -> Response {
        let store = self.store, counters = self.counters
        do {
            let body = try await blocking { try PrometheusText.render(store, counters: counters) }
            return CollectorAPI.text(.ok, body, type: "text/plain; version=0.0.4; charset=utf-8")
        } catch { return refuse(.serviceUnavailable, "\(error)") }
    }

    func page(_ build: @escaping @Sendable () throws -> String?) async throws -> Response {
        do {
            guard let html = try await blocking(build) else { return CollectorAPI.text(.notFound, Dashboard.notFound, type: "text/html; charset=utf-8") }
            return CollectorAPI.text(.ok, html, type: "text/html; charset=utf-8")
        } catch { return refuse(.serviceUnavailable, "\(error)") }
    }
}

struct UncheckedDocs: @unchecked Sendable { let docs: [ReportDocument] }

/// The one writer of a collector process: requests that arrive while a transaction runs wait in a queue, and the next
/// transaction stores all of them (group commit: one commit, one fsync, for many requests). Each request is answered
/// only after the transaction holding its reports has committed, with what it stored as if the requests had been
/// ingested one after the other in arrival order. When a grouped transaction fails, its requests are tried again one
/// per transaction, so a request the store refuses does not take the others down with it.
final class IngestWriter: @unchecked Sendable {
    typealias Waiter = CheckedContinuation<IngestOutcome, Error>
    struct Pending { let docs: [ReportDocument]; let fleet: String; let waiter: Waiter }

    let store: FleetStore
    let factory: FactoryFingerprints
    /// Reports per transaction at most (a group is cut at a request boundary once it reaches this).
    let maxReports: Int
    private let lock = NSLock()
    private var queue: [Pending] = []
    private var running = false
    private let thread = DispatchQueue(label: "baseline-collector.writer")

    init(store: FleetStore, factory: FactoryFingerprints, maxReports: Int = 5000) {
        self.store = store; self.factory = factory; self.maxReports = maxReports
    }

    func ingest(_ docs: [ReportDocument], fleet: String) async throws -> IngestOutcome {
        try await withCheckedThrowingContinuation { (c: Waiter) in
            lock.lock()
            queue.append(Pending(docs: docs, fleet: fleet, waiter: c))
            let start = !running
            running = true
            lock.unlock()
            if start { thread.async { self.drain() } }
        }
    }

    private func drain() {
        while true {
            lock.lock()
            guard !queue.isEmpty else { running = false; lock.unlock(); return }
            var group: [Pending] = [], reports = 0
            while let p = queue.first, group.isEmpty || reports + p.docs.count <= maxReports {
                group.append(queue.removeFirst()); reports += p.docs.count
            }
            lock.unlock()
            do {
                let outcomes = try store.ingest(batches: group.map { (docs: $0.docs, fleet: $0.fleet) }, factory: factory)
                for (p, o) in zip(group, outcomes) { p.waiter.resume(returning: o) }
            } catch {
                if group.count == 1 { group[0].waiter.resume(throwing: error); continue }
                for p in group { p.waiter.resume(with: Result { try store.ingest(p.docs, fleet: p.fleet, factory: factory) }) }
            }
        }
    }
}

/// Requests answered by this process, by status (Prometheus counters; each collector process reports its own).
final class RequestCounters: @unchecked Sendable {
    private let lock = NSLock()
    private var byStatus: [Int: Int] = [:]
    private(set) var reportsStored = 0

    func count(_ status: Int, reports: Int = 0) {
        lock.lock(); byStatus[status, default: 0] += 1; reportsStored += reports; lock.unlock()
    }

    func snapshot() -> ([Int: Int], Int) { lock.lock(); defer { lock.unlock() }; return (byStatus, reportsStored) }
}
