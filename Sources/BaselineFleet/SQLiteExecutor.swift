// SQLite through GRDB: a file, zero set-up. WAL journal with synchronous=FULL, so a committed transaction survives a
// crash or power loss — a report is acknowledged only after its commit returns.
import Foundation
import GRDB

struct SQLiteExecutor: SQLExecutor {
    let db: Database
    var dialect: SQLDialect { .sqlite }

    func rows(_ sql: String, _ args: [SQLValue]) throws -> [[SQLValue]] {
        let stmt = try db.cachedStatement(sql: sql)
        try stmt.setArguments(StatementArguments(args.map(SQLiteExecutor.bind)))
        var out: [[SQLValue]] = []
        let cursor = try Row.fetchCursor(stmt)
        while let row = try cursor.next() {
            var r: [SQLValue] = []
            r.reserveCapacity(row.count)
            for i in 0..<row.count {
                switch row[i] as DatabaseValue? {
                case .none: r.append(.null)
                case .some(let v):
                    switch v.storage {
                    case .null: r.append(.null)
                    case .int64(let x): r.append(.int(x))
                    case .double(let x): r.append(.int(Int64(x)))
                    case .string(let s): r.append(.text(s))
                    case .blob(let d): r.append(.text(String(decoding: d, as: UTF8.self)))
                    }
                }
            }
            out.append(r)
        }
        return out
    }

    func execute(_ sql: String, _ args: [SQLValue]) throws {
        let stmt = try db.cachedStatement(sql: sql)
        try stmt.execute(arguments: StatementArguments(args.map(SQLiteExecutor.bind)))
    }

    /// Several statements without arguments (migrations).
    func script(_ sql: String) throws { try db.execute(sql: sql) }

    static func bind(_ v: SQLValue) -> DatabaseValueConvertible? {
        switch v {
        case .null: return nil
        case .int(let x): return x
        case .text(let s): return s
        }
    }
}

final class SQLiteBackend {
    let queue: DatabaseQueue

    init(path: String) throws {
        var config = Configuration()
        config.busyMode = .timeout(30)
        config.prepareDatabase { db in
            // A 64 MiB page cache (the default is 2 MiB): a bulk transaction rewrites index pages all over the units
            // and fingerprint tables, and would otherwise spill and re-read them.
            try db.execute(sql: "PRAGMA synchronous = FULL; PRAGMA cache_size = -65536")
            // WAL, set once per store. A second collector opening the store while another one writes can get
            // SQLITE_BUSY here without the busy handler being consulted (seen in CI: "database is locked - while
            // executing PRAGMA journal_mode = WAL"), so the mode is read first and the attempt retried for 30 s.
            let deadline = Date().addingTimeInterval(30)
            while true {
                do {
                    let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? ""
                    if mode.lowercased() != "wal" { _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL") }
                    break
                } catch let e as DatabaseError where (e.resultCode == .SQLITE_BUSY || e.resultCode == .SQLITE_LOCKED) && Date() < deadline {
                    usleep(50_000)
                }
            }
        }
        queue = try DatabaseQueue(path: path, configuration: config)
    }

    /// A write transaction takes the write lock at BEGIN (IMMEDIATE: one writer at a time, across processes too);
    /// a read is one deferred transaction, a consistent snapshot while others write.
    func write<T>(_ body: (SQLiteExecutor) throws -> T) throws -> T { try transaction(.immediate, body) }
    func read<T>(_ body: (SQLiteExecutor) throws -> T) throws -> T { try transaction(.deferred, body) }

    private func transaction<T>(_ kind: Database.TransactionKind, _ body: (SQLiteExecutor) throws -> T) throws -> T {
        var result: T?
        try queue.inTransaction(kind) { db in
            result = try body(SQLiteExecutor(db: db))
            return .commit
        }
        return result!
    }
}
