// SQLite through GRDB: a file, zero set-up. WAL journal with synchronous=FULL, so a committed transaction survives a
// crash or power loss — a report is acknowledged only after its commit returns. A bulk ingest alone on the store uses
// the rollback journal for its one transaction (`bulkWrite`): half the bytes written.
import Foundation
import GRDB
import GRDBSQLite

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
                    case .blob(let d): r.append(.blob(d))
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

    /// One prepared one-row statement (`sqlite3_prepare_v2` once per connection, GRDB's statement cache), bound,
    /// stepped and reset per row: no statement text, no argument arrays per batch. Text is bound in place
    /// (SQLITE_STATIC: SQLite reads it during the step, which happens while the string is pinned).
    func insertRows(_ head: String, _ rows: [[SQLValue]], _ suffix: String, returning: Bool) throws -> [[SQLValue]] {
        var ids: [Int64?]? = nil
        return try insertRows(head, rows, suffix, returning: returning, ids: &ids)
    }

    /// Per row, its rowid if the statement inserted it, nil if it did not (`ON CONFLICT DO NOTHING`): what a
    /// RETURNING clause would tell, without SQLite collecting the returned rows first and each one being copied out.
    func insertedRowIDs(_ head: String, _ rows: [[SQLValue]], _ suffix: String) throws -> [Int64?]? {
        var ids: [Int64?]? = []
        ids?.reserveCapacity(rows.count)
        _ = try insertRows(head, rows, suffix, returning: false, ids: &ids)
        return ids
    }

    private func insertRows(_ head: String, _ rows: [[SQLValue]], _ suffix: String, returning: Bool, ids: inout [Int64?]?) throws -> [[SQLValue]] {
        guard let width = rows.first?.count, width > 0 else { return [] }
        let connection = db.sqliteConnection
        var collected = ids
        let sql = head + " VALUES (" + Array(repeating: "?", count: width).joined(separator: ", ") + ") " + suffix
        let stmt = try db.cachedStatement(sql: sql).sqliteStatement
        sqlite3_reset(stmt)
        defer { sqlite3_reset(stmt); sqlite3_clear_bindings(stmt) }
        var out: [[SQLValue]] = []
        func failure(_ code: CInt) -> DatabaseError {
            DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: sql)
        }
        // Binds column `i` onwards and then steps: each text stays pinned until the step is done.
        func bind(_ row: [SQLValue], _ i: Int) throws {
            if i == row.count {
                while true {
                    let code = sqlite3_step(stmt)
                    if code == SQLITE_DONE { break }
                    guard code == SQLITE_ROW else { throw failure(code) }
                    if returning { out.append(SQLiteExecutor.columns(stmt)) }
                }
                if collected != nil { collected!.append(sqlite3_changes(connection) > 0 ? sqlite3_last_insert_rowid(connection) : nil) }
                let code = sqlite3_reset(stmt)
                guard code == SQLITE_OK else { throw failure(code) }
                return
            }
            // Text and blobs are bound in place: the rest of the row is bound and stepped while their bytes are pinned.
            var inner: Error?
            func rest(_ c: CInt) -> CInt {
                guard c == SQLITE_OK else { return c }
                do { try bind(row, i + 1) } catch { inner = error }
                return SQLITE_OK
            }
            let code: CInt
            switch row[i] {
            case .null: code = rest(sqlite3_bind_null(stmt, CInt(i + 1)))
            case .int(let v): code = rest(sqlite3_bind_int64(stmt, CInt(i + 1), v))
            case .text(var text):
                code = text.withUTF8 { p in
                    rest(sqlite3_bind_text(stmt, CInt(i + 1), p.count == 0 ? SQLiteExecutor.empty : UnsafeRawPointer(p.baseAddress!).assumingMemoryBound(to: CChar.self),
                                           CInt(p.count), nil /* SQLITE_STATIC */))
                }
            case .blob(let data):
                code = data.withUnsafeBytes { p in
                    rest(sqlite3_bind_blob(stmt, CInt(i + 1), p.count == 0 ? UnsafeRawPointer(SQLiteExecutor.empty) : p.baseAddress!, CInt(p.count), nil /* SQLITE_STATIC */))
                }
            }
            if let inner { throw inner }
            guard code == SQLITE_OK else { throw failure(code) }
        }
        for r in rows {
            guard r.count == width else { throw StoreError("insertRows: a row of \(r.count) values, expected \(width)") }
            try bind(r, 0)
        }
        ids = collected
        return out
    }

    nonisolated(unsafe) private static let empty: UnsafePointer<CChar> = UnsafePointer(strdup("")!)

    private static func columns(_ stmt: OpaquePointer) -> [SQLValue] {
        (0..<sqlite3_column_count(stmt)).map { i -> SQLValue in
            switch sqlite3_column_type(stmt, i) {
            case SQLITE_NULL: return .null
            case SQLITE_INTEGER: return .int(sqlite3_column_int64(stmt, i))
            case SQLITE_FLOAT: return .int(Int64(sqlite3_column_double(stmt, i)))
            case SQLITE_BLOB:
                let n = Int(sqlite3_column_bytes(stmt, i))
                guard n > 0, let p = sqlite3_column_blob(stmt, i) else { return .blob(Data()) }
                return .blob(Data(bytes: p, count: n))
            default:
                guard let p = sqlite3_column_text(stmt, i) else { return .null }
                return .text(String(decoding: UnsafeBufferPointer(start: p, count: Int(sqlite3_column_bytes(stmt, i))), as: UTF8.self))
            }
        }
    }

    /// Several statements without arguments (migrations).
    func script(_ sql: String) throws { try db.execute(sql: sql) }

    static func bind(_ v: SQLValue) -> DatabaseValueConvertible? {
        switch v {
        case .null: return nil
        case .int(let x): return x
        case .text(let s): return s
        case .blob(let d): return d
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
            // Statement journals in memory (temp_store): each one-row upsert of an ingest opens one and copies every
            // page it is about to change into it; as a temp file that was ~150,000 write calls per 20,000 reports.
            // The WAL is checkpointed at 16,384 pages (128 MiB) instead of SQLite's 1,000: the units' and fingerprints'
            // keys are random text, so every small HTTP transaction dirties index pages all over the store, and each
            // checkpoint wrote most of them back again. Measured over HTTP (20,000 reports, 4 clients): 3.43 → 2.20 GB
            // written, 1,425–1,549 → 1,985–2,203 reports/s. The WAL file then stays at ~130–150 MB.
            try db.execute(sql: "PRAGMA page_size = 8192; PRAGMA synchronous = FULL; PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = 16384")
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

    /// One large write (bulk ingest): for its duration the store uses SQLite's rollback journal instead of the WAL,
    /// when no other connection has the store open (SQLite refuses to leave WAL mode otherwise, and then the write
    /// goes through the WAL as any other). Pages the transaction adds at the end of the file (nearly all of a bulk
    /// load) are then written once, to the store, instead of once to the WAL and again at the checkpoint; the pages
    /// it changes are still journaled first, so a crash or power cut rolls the whole transaction back as before
    /// (synchronous=FULL). WAL mode is set again afterwards, and by the next open should this process die first.
    /// Returns the body's result and whether the rollback journal was used.
    func bulkWrite<T>(_ body: (SQLiteExecutor) throws -> T) throws -> (T, journaled: Bool) {
        let switched = try queue.writeWithoutTransaction { db -> Bool in
            let mode = try? String.fetchOne(db, sql: "PRAGMA journal_mode = DELETE")
            return mode?.lowercased() == "delete"
        }
        defer {
            if switched { try? queue.writeWithoutTransaction { db in _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL") } }
        }
        return (try transaction(.immediate, body), switched)
    }

    private func transaction<T>(_ kind: Database.TransactionKind, _ body: (SQLiteExecutor) throws -> T) throws -> T {
        var result: T?
        try queue.inTransaction(kind) { db in
            result = try body(SQLiteExecutor(db: db))
            return .commit
        }
        return result!
    }
}
