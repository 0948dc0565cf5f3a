// PostgreSQL through postgres-nio, for fleets one machine cannot hold. The collector keeps nothing in memory between
// requests, so any number of collector processes can share one server: an ingest is one transaction that locks only
// what it rewrites — transaction-scoped advisory locks on its units, then on their fingerprints, each set in one
// global order (FleetLedger) — and adds to the aggregate rows with upserts in key order. Collectors writing different
// units run side by side; two writing one unit take turns. A report sent twice, to two collectors at once, is stored
// once (its primary key); an acknowledged report is committed. Migrations still take one store-wide lock.
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
            case .blob(let d): binds.append(ByteBuffer(bytes: d))
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
                case .bytea: r.append(.blob(Data(try cell.decode(ByteBuffer.self).readableBytesView)))
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
    static let lockKey = 0x6261_7365   // "base": the store-wide lock (migrations)

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
            throw StoreError("cannot connect to PostgreSQL at \(host):\(u.port ?? 5432): \(PostgresBackend.reason(error))")
        }
    }

    /// Why a connection failed, in a few words: the server's own message when it answered (authentication, unknown
    /// database), else what the network said; PostgresNIO's nested error description only as a last resort.
    static func reason(_ error: Error) -> String {
        let text = String(reflecting: error)
        if let r = text.range(of: "message: ") {
            let rest = text[r.upperBound...]
            return String(rest.prefix { $0 != "," && $0 != ")" && $0 != "]" }).trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        }
        let known: [(String, String)] = [
            ("Connection refused", "connection refused (no server listens there)"),
            ("timed out", "timed out"), ("Timeout", "timed out"),
            ("No route to host", "no route to host"), ("Network is unreachable", "network unreachable"),
            ("getaddrinfo", "host name not found"), ("Name or service not known", "host name not found"), ("unknownHost", "host name not found"),
            ("sslUnsupported", "the server does not offer TLS"),
        ]
        for (needle, words) in known where text.contains(needle) { return words }
        return String(text.prefix(200))
    }

    deinit { try? connection.close().wait() }

    private func transaction<T>(write: Bool, storeWide: Bool, _ body: (PostgresExecutor) throws -> T) throws -> T {
        var attempt = 0
        while true {
            let e = PostgresExecutor(connection: connection, logger: logger)
            do {
                _ = try e.rows(write ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", [])
                if storeWide { _ = try e.rows("SELECT pg_advisory_xact_lock(\(PostgresBackend.lockKey))", []) }
                let r = try body(e)
                _ = try e.rows("COMMIT", [])      // waits for every pipelined statement first; acknowledged only after this
                return r
            } catch {
                try? e.pending.drain()
                _ = try? e.rows("ROLLBACK", [])
                // The locks are taken in one order, so a deadlock should not happen; if the server still reports one
                // (or a serialization failure), the transaction is run again from the start, a few times.
                attempt += 1
                guard write, attempt < 5, PostgresBackend.retryable(error) else { throw error }
            }
        }
    }

    static func retryable(_ error: Error) -> Bool {
        let code = (error as? PSQLError)?.serverInfo?[.sqlState]
        return code == "40P01" || code == "40001"
    }

    func write<T>(_ body: (PostgresExecutor) throws -> T) throws -> T { try transaction(write: true, storeWide: false, body) }
    /// A write that excludes every other collector's writes (schema migrations).
    func exclusiveWrite<T>(_ body: (PostgresExecutor) throws -> T) throws -> T { try transaction(write: true, storeWide: true, body) }
    func read<T>(_ body: (PostgresExecutor) throws -> T) throws -> T { try transaction(write: false, storeWide: false, body) }
}
