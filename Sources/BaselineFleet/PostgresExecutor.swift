// PostgreSQL through postgres-nio, for fleets one machine cannot hold. The collector keeps nothing in memory between
// requests: every ingest is one transaction that takes a transaction-scoped advisory lock, so any number of collector
// processes can share one server and their ingests serialize there (an acknowledged report is committed; a report
// sent twice, to two collectors at once, is stored once).
import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO

/// Statements whose answers nobody reads are pipelined: sent without waiting, and awaited (in order, first error
/// thrown) before the next statement whose rows are read — so an ingest costs a round trip per lookup, not per write.
final class PendingStatements {
    var futures: [EventLoopFuture<PostgresQueryResult>] = []
    func drain() throws {
        let list = futures
        futures = []
        var first: Error?
        for f in list { do { _ = try f.wait() } catch { first = first ?? error } }
        if let first { throw first }
    }
}

struct PostgresExecutor: SQLExecutor {
    let connection: PostgresConnection
    let logger: Logger
    let pending = PendingStatements()
    var dialect: SQLDialect { .postgres }

    func query(_ sql: String, _ args: [SQLValue]) -> EventLoopFuture<PostgresQueryResult> {
        var binds = PostgresBindings(capacity: args.count)
        for a in args {
            switch a {
            case .null: binds.appendNull()
            case .int(let v): binds.append(v)
            case .text(let s): binds.append(s)
            }
        }
        return connection.query(PostgresQuery(unsafeSQL: PostgresExecutor.numbered(sql), binds: binds), logger: logger)
    }

    /// `?` placeholders become `$1`, `$2`, … (the store's SQL has no `?` inside literals).
    static func numbered(_ sql: String) -> String {
        var out = "", n = 0
        out.reserveCapacity(sql.utf8.count + 16)
        for ch in sql {
            if ch == "?" { n += 1; out += "$\(n)" } else { out.append(ch) }
        }
        return out
    }

    func rows(_ sql: String, _ args: [SQLValue]) throws -> [[SQLValue]] {
        try pending.drain()
        let result = try query(sql, args).wait()
        var out: [[SQLValue]] = []
        for row in result {
            var r: [SQLValue] = []
            for cell in row {
                if cell.bytes == nil { r.append(.null); continue }
                switch cell.dataType {
                case .int2, .int4, .int8: r.append(.int(try cell.decode(Int64.self)))
                default: r.append(.text(try cell.decode(String.self)))
                }
            }
            out.append(r)
        }
        return out
    }

    func execute(_ sql: String, _ args: [SQLValue]) throws { pending.futures.append(query(sql, args)) }
}

final class PostgresBackend {
    let connection: PostgresConnection
    let logger = Logger(label: "baseline-collector.postgres")
    static let lockKey = 0x6261_7365   // "base": the ingest lock every collector takes

    /// `postgres://user[:password]@host[:port]/database`.
    init(url: String) throws {
        guard let u = URLComponents(string: url), u.scheme == "postgres" || u.scheme == "postgresql",
              let host = u.host, !host.isEmpty else {
            throw StoreError("\(url): expected postgres://user[:password]@host[:port]/database")
        }
        let database = String(u.path.drop(while: { $0 == "/" }))
        let config = PostgresConnection.Configuration(
            host: host, port: u.port ?? 5432, username: u.user ?? "postgres", password: u.password,
            database: database.isEmpty ? nil : database, tls: .disable)
        do {
            connection = try PostgresConnection.connect(on: MultiThreadedEventLoopGroup.singleton.next(),
                                                        configuration: config, id: 1, logger: logger).wait()
        } catch {
            throw StoreError("cannot connect to PostgreSQL at \(host):\(u.port ?? 5432): \(String(reflecting: error).prefix(300))")
        }
    }

    deinit { try? connection.close().wait() }

    private func transaction<T>(lock: Bool, _ body: (PostgresExecutor) throws -> T) throws -> T {
        let e = PostgresExecutor(connection: connection, logger: logger)
        do {
            _ = try e.rows(lock ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", [])
            if lock { _ = try e.rows("SELECT pg_advisory_xact_lock(\(PostgresBackend.lockKey))", []) }
            let r = try body(e)
            _ = try e.rows("COMMIT", [])      // waits for every pipelined statement first; acknowledged only after this
            return r
        } catch {
            try? e.pending.drain()
            _ = try? e.rows("ROLLBACK", [])
            throw error
        }
    }

    func write<T>(_ body: (PostgresExecutor) throws -> T) throws -> T { try transaction(lock: true, body) }
    func read<T>(_ body: (PostgresExecutor) throws -> T) throws -> T { try transaction(lock: false, body) }
}
