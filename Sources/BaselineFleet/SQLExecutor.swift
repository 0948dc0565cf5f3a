// The small SQL surface the fleet store needs, so one ingest and one metrics implementation run on SQLite (GRDB) and
// PostgreSQL (postgres-nio). Statements use `?` placeholders and the SQL both dialects accept; the PostgreSQL
// executor numbers the placeholders.
import Foundation

public enum SQLValue: Hashable, CustomStringConvertible {
    case null
    case int(Int64)
    case text(String)

    public var int: Int? { if case .int(let v) = self { return Int(v) }; if case .text(let s) = self { return Int(s) }; return nil }
    public var text: String? { if case .text(let s) = self { return s }; if case .int(let v) = self { return String(v) }; return nil }
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
}

extension SQLExecutor {
    func one(_ sql: String, _ args: [SQLValue] = []) throws -> [SQLValue]? { try rows(sql, args).first }
    func scalar(_ sql: String, _ args: [SQLValue] = []) throws -> Int { try one(sql, args)?.first?.int ?? 0 }
    func execute(_ sql: String) throws { try execute(sql, []) }
}

public struct StoreError: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
