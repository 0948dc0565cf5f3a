// A JSON document tree that remembers the line each value started on, so profile errors can name the line.

// `indirect`: every payload is boxed. Besides keeping the tree small, this avoids a miscompile seen with Embedded Swift
// on aarch64-none-none-elf, where a String payload of a multi-payload enum lost its discriminator bits.
public indirect enum JSON {
    case null
    case bool(Bool)
    case number(String)        // kept as written; see `int`
    case string(String)
    case array([JSONNode])
    case object([JSONMember])
}

public struct JSONNode {
    public let line: Int
    public let value: JSON
    public init(line: Int = 0, _ value: JSON) { self.line = line; self.value = value }
}

public struct JSONMember {
    public let key: String
    public let keyLine: Int
    public let node: JSONNode
    public init(_ key: String, _ node: JSONNode, line: Int = 0) { self.key = key; self.node = node; self.keyLine = line }
}

extension JSONNode {
    public var string: String? { if case .string(let s) = value { return s }; return nil }
    public var bool: Bool? { if case .bool(let b) = value { return b }; return nil }
    public var int: Int? { if case .number(let n) = value { return Text.int(n) }; return nil }
    public var array: [JSONNode]? { if case .array(let a) = value { return a }; return nil }
    /// An array whose every item is a string (nil for anything else).
    public var strings: [String]? {
        guard case .array(let a) = value else { return nil }
        var out: [String] = []
        out.reserveCapacity(a.count)
        for item in a { guard let s = item.string else { return nil }; out.append(s) }
        return out
    }
    public var members: [JSONMember]? { if case .object(let o) = value { return o }; return nil }
    public var isNull: Bool { if case .null = value { return true }; return false }

    public subscript(key: String) -> JSONNode? {
        guard case .object(let members) = value else { return nil }
        for m in members where m.key == key { return m.node }
        return nil
    }

    public var kindName: String {
        switch value {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

/// Convenience builders for writing reports.
extension JSONNode {
    public static func str(_ s: String) -> JSONNode { JSONNode(.string(s)) }
    public static func optStr(_ s: String?) -> JSONNode { s.map { JSONNode(.string($0)) } ?? JSONNode(.null) }
    public static func num(_ n: Int) -> JSONNode { JSONNode(.number(String(n))) }
    /// A non-integer number, written in the shortest form that reads back as the same Double (`0.25`, `1e-05`; an
    /// integral value without `.0`, as Foundation writes it). JSON has no NaN or infinity: those are written as null.
    public static func num(_ d: Double) -> JSONNode {
        guard d.isFinite else { return JSONNode(.null) }
        var s = d.description
        if s.hasSuffix(".0") { s.removeLast(2) }
        return JSONNode(.number(s))
    }
    public static func flag(_ b: Bool) -> JSONNode { JSONNode(.bool(b)) }
    public static func arr(_ a: [JSONNode]) -> JSONNode { JSONNode(.array(a)) }
    public static func obj(_ pairs: [(String, JSONNode)]) -> JSONNode {
        var members: [JSONMember] = []
        members.reserveCapacity(pairs.count)
        for (k, v) in pairs { members.append(JSONMember(k, v)) }
        return JSONNode(.object(members))
    }
    public static var null: JSONNode { JSONNode(.null) }
}
