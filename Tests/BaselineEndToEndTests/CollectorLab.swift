// Helpers for the collector's tests: stores on SQLite and on the PostgreSQL server `make test` starts
// (Tests/scripts/with-postgres.sh), a running `baseline-collector serve`, HTTP through curl, SQL through python's
// sqlite3 and psql, and synthetic fleets.
import Foundation
import Testing

enum StoreKind: String, CaseIterable, CustomTestStringConvertible {
    case sqlite, postgres
    var testDescription: String { rawValue }

    /// A new, empty store of this kind.
    func fresh(_ t: TempTree) throws -> String {
        switch self {
        case .sqlite: return t.sub("fleet-\(UUID().uuidString.prefix(8)).sqlite")
        case .postgres: return try PostgresLab.freshDatabase()
        }
    }
}

enum PostgresLab {
    /// The server `make test` started; the PostgreSQL tests fail without it (they are not skipped).
    static func server() throws -> String {
        guard let u = ProcessInfo.processInfo.environment["BASELINE_TEST_POSTGRES"] else {
            throw ToolError(message: "BASELINE_TEST_POSTGRES is not set: run the tests with `make test` (Tests/scripts/with-postgres.sh starts the server)")
        }
        return u
    }

    static func psql(_ url: String, _ sql: String) throws -> String {
        let r = try run("/usr/bin/psql", [url, "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-c", sql], timeout: 60)
        guard r.code == 0 else { throw ToolError(message: "psql: \(r.stderr)") }
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func freshDatabase() throws -> String {
        let server = try server()
        let name = "fleet_" + UUID().uuidString.prefix(8).lowercased()
        _ = try psql(server, "CREATE DATABASE \(name)")
        return String(server[..<server.range(of: "/", options: .backwards)!.lowerBound]) + "/" + name
    }
}

/// One SQL answer from a store, read by the database's own client (not by the collector).
func storeQuery(_ location: String, _ sql: String) throws -> String {
    if location.hasPrefix("postgres://") { return try PostgresLab.psql(location, sql) }
    let r = try python(["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print('\\n'.join('|'.join(str(x) for x in row) for row in c.execute(sys.argv[2])))",
                        location, sql])
    guard r.code == 0 else { throw ToolError(message: "sqlite3: \(r.stderr)") }
    return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
}

/// The stored report bodies of a SQLite store, in report-id order, decompressed with the zstd command-line tool and
/// the dictionaries the store keeps (the collector stores each body as a zstd frame in reports.body_zstd, made with a
/// dictionary kept in body_dictionaries: an independent reader of what it wrote, given only the store).
func storedBodies(_ db: String) throws -> [String] {
    let script = """
    import json, os, sqlite3, subprocess, sys, tempfile
    c = sqlite3.connect(sys.argv[1])
    d = tempfile.mkdtemp()
    for i, blob in c.execute("SELECT dict_id, dict FROM body_dictionaries"): open(os.path.join(d, str(i)), "wb").write(blob)
    def dict_of(z):  # the frame header's dictionary id (RFC 8878 3.1.1.1): after the descriptor and any window byte
        flag = z[4] & 3
        if flag == 0: return []
        at = 5 if z[4] & 0x20 else 6
        return ["-D", os.path.join(d, str(int.from_bytes(z[at:at + [0, 1, 2, 4][flag]], "little")))]
    rows = c.execute("SELECT body, body_zstd FROM reports ORDER BY report_id")
    out = [subprocess.run(["zstd", "-dc"] + dict_of(z), input=z, capture_output=True, check=True).stdout.decode() if z is not None else b for b, z in rows]
    print(json.dumps(out))
    """
    let r = try python(["-c", script, db])
    guard r.code == 0 else { throw ToolError(message: "stored bodies: \(r.stderr)") }
    return (try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String]) ?? []
}

/// `baseline-collector serve` on 127.0.0.1 and a free port, stopped (SIGTERM) when released.
final class CollectorServer {
    let process = Process()
    let log: URL
    private(set) var port = 0
    private(set) var scheme = "http"
    var base: String { "\(scheme)://127.0.0.1:\(port)" }

    init(db: String, tokens: String, extra: [String] = []) throws {
        log = FileManager.default.temporaryDirectory.appendingPathComponent("collector-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.executableURL = Repo.root.appendingPathComponent(".build/debug/baseline-collector")
        process.arguments = ["serve", "--port", "0", "--db", db, "--tokens", tokens] + extra
        process.currentDirectoryURL = Repo.root
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try? handle.close()
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if let r = text.range(of: #"listening on https?://127\.0\.0\.1:"#, options: .regularExpression) {
                port = Int(text[r.upperBound...].prefix { $0.isNumber }) ?? 0
                if text[r].contains("https:") { scheme = "https" }
                return
            }
            if !process.isRunning { throw ToolError(message: "collector exited: \(text)") }
            usleep(20_000)
        }
        process.terminate()
        throw ToolError(message: "collector did not start: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
    }

    var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    func kill9() { if process.isRunning { kill(process.processIdentifier, SIGKILL) }; process.waitUntilExit() }

    func stop() {
        if process.isRunning { process.terminate() }
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { stop(); try? FileManager.default.removeItem(at: log) }
}

struct HTTPAnswer {
    let status: Int
    let body: String
    var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] }
}

/// One request through curl (a real HTTP client); `body` is a file to send; `curl` adds options (TLS files, say).
/// Status 0: no HTTP answer (curl's error is in the body).
func http(_ method: String, _ url: String, token: String? = nil, bodyFile: String? = nil, headers: [String] = [], curl: [String] = []) throws -> HTTPAnswer {
    let out = FileManager.default.temporaryDirectory.appendingPathComponent("http-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: out) }
    var args = ["-s", "-S", "-o", out, "-w", "%{http_code}", "-X", method, "--max-time", "60"]
    if let token { args += ["-H", "Authorization: Bearer \(token)"] }
    if let bodyFile {
        if !headers.contains(where: { $0.lowercased().hasPrefix("content-type:") }) { args += ["-H", "Content-Type: application/json"] }
        args += ["--data-binary", "@" + bodyFile]
    }
    for h in headers { args += ["-H", h] }
    let r = try run("/usr/bin/curl", args + curl + [url], timeout: 90)
    let body = (try? String(contentsOfFile: out, encoding: .utf8)) ?? (r.code == 0 ? "" : "curl exit \(r.code): \(r.stderr)")
    return HTTPAnswer(status: Int(r.stdout.trimmingCharacters(in: .whitespaces)) ?? 0, body: body)
}

/// Synthetic fleet reports (Tests/scripts/synth-reports.py) from a real audit report; returns the batch files.
func synthReports(_ t: TempTree, count: Int, start: Int = 0, perFile: Int = 100, months: String = "2026-10,2026-11", dir: String = "synth", seed: Int = 7) throws -> [String] {
    let template = t.sub("template.json")
    if !FileManager.default.fileExists(atPath: template) {
        let r = try baseline(["audit", Repo.path("Firmware-samples/yocto-kirkstone-acme-swupdate"), "--profile", "acme-gateway", "--format", "json",
                              "--date", Repo.auditDate, "--output", template])
        guard r.code <= 1 else { throw ToolError(message: "audit for the template: \(r.stderr)") }
    }
    let r = try python([Repo.path("Tests/scripts/synth-reports.py"), template, "--count", "\(count)", "--start", "\(start)",
                        "--per-file", "\(perFile)", "--out", t.sub(dir), "--months", months, "--seed", "\(seed)"])
    guard r.code == 0 else { throw ToolError(message: "synth-reports.py: \(r.stderr)") }
    return try FileManager.default.contentsOfDirectory(atPath: t.sub(dir)).filter { $0.hasSuffix(".json") }.sorted().map { t.sub(dir) + "/" + $0 }
}

/// The report ids in batch files.
func reportIDs(_ files: [String]) throws -> Set<String> {
    var out = Set<String>()
    for f in files {
        for r in (try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: f))) as? [[String: Any]]) ?? [] {
            if let id = r["report_id"] as? String { out.insert(id) }
        }
    }
    return out
}
