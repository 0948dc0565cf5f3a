// The small SQL surface the fleet store needs, so one ingest and one metrics implementation run on SQLite (GRDB) and
// PostgreSQL (postgres-nio). Statements use `?` placeholders and the SQL both dialects accept; the PostgreSQL
// executor numbers the placeholders.
import Foundation

public enum SQLValue: Hashable, CustomStringConvertible {
    case null
    case int(Int64)
    case text(String)
    case blob(Data)                 // a compressed report body (reports.body_zstd)

    public var int: Int? { if case .int(let v) = self { return Int(v) }; if case .text(let s) = self { return Int(s) }; return nil }
    public var text: String? {
        switch self {
        case .text(let s): return s
        case .int(let v): return String(v)
        case .blob(let d): return String(decoding: d, as: UTF8.self)
        case .null: return nil
        }
    }
    public var blob: Data? { if case .blob(let d) = self { return d }; return nil }
    public var description: String { text ?? "NULL" }
}

extension SQLValue {
    static func of(_ s: String?) -> SQLValue { s.map { .text($0) } ?? .null }
    static func of(_ v: Int?) -> SQLValue { v.map { .int(Int64($0)) } ?? .null }
}

public enum SQLDialect { case sqlite, postgres }

/// One open transaction (or a read-only session) on a backend.
public protocol SQLExecutor {
    var dialect: SQLDialect { get }
    func rows(_ sql: String, _ args: [SQLValue]) throws -> [[SQLValue]]
    func execute(_ sql: String, _ args: [SQLValue]) throws
    /// `head VALUES (…) suffix` for every row of `rows` (all of one width); with `returning`, the rows the statement
    /// returns (its RETURNING clause), in order. SQLite prepares the one-row statement once and binds, steps and resets
    /// it per row; the default (PostgreSQL) sends multi-row statements. Keys must be distinct within `rows`
    /// (PostgreSQL refuses to update one row twice in a statement).
    func insertRows(_ head: String, _ rows: [[SQLValue]], _ suffix: String, returning: Bool) throws -> [[SQLValue]]
    /// `insertRows` telling per row whether it was inserted (its rowid) or not (nil); nil where the backend cannot
    /// tell that way (PostgreSQL: the caller uses a RETURNING clause).
    func insertedRowIDs(_ head: String, _ rows: [[SQLValue]], _ suffix: String) throws -> [Int64?]?
}

extension SQLExecutor {
    func one(_ sql: String, _ args: [SQLValue] = []) throws -> [SQLValue]? { try rows(sql, args).first }
    func scalar(_ sql: String, _ args: [SQLValue] = []) throws -> Int { try one(sql, args)?.first?.int ?? 0 }
    func execute(_ sql: String) throws { try execute(sql, []) }
    /// `insertRows` when nothing the statement returns is read.
    func insertRows(_ head: String, _ rows: [[SQLValue]], _ suffix: String = "") throws { _ = try insertRows(head, rows, suffix, returning: false) }
    func insertedRowIDs(_ head: String, _ rows: [[SQLValue]], _ suffix: String) throws -> [Int64?]? { nil }

    /// Multi-row statements of at most 500 rows and 30,000 binds (within SQLite's and PostgreSQL's limits).
    func insertRows(_ head: String, _ rows: [[SQLValue]], _ suffix: String, returning: Bool) throws -> [[SQLValue]] {
        guard let width = rows.first?.count, width > 0 else { return [] }
        let per = max(1, min(500, 30_000 / width))
        let tuple = "(" + Array(repeating: "?", count: width).joined(separator: ", ") + ")"
        var fullSQL: String?
        var out: [[SQLValue]] = []
        for c in stride(from: 0, to: rows.count, by: per) {
            let part = rows[c..<min(c + per, rows.count)]
            let sql: String
            if part.count == per, let f = fullSQL { sql = f } else {
                sql = head + " VALUES " + Array(repeating: tuple, count: part.count).joined(separator: ", ") + " " + suffix
                if part.count == per { fullSQL = sql }
            }
            var binds: [SQLValue] = []
            binds.reserveCapacity(part.count * width)
            for r in part { binds += r }
            if returning { out += try self.rows(sql, binds) } else { try execute(sql, binds) }
        }
        return out
    }
}

public struct StoreError: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
