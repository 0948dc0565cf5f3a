// Serialises a JSONNode tree: pretty (two-space indent) or compact, keys in the order given or sorted. Slashes are
// not escaped.

public enum JSONWriter {
    public static func write(_ node: JSONNode, pretty: Bool = true) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(4096)
        emit(node, into: &out, indent: 0, pretty: pretty)
        if pretty { out.append(10) }
        return String(decoding: out, as: UTF8.self)
    }

    /// `sortKeys`: the members of every object in UTF-8 byte order of their keys (a stable layout for host documents
    /// built in no particular order). A separate entry point, so the agent, which writes keys in order, links no sort.
    public static func write(_ node: JSONNode, pretty: Bool = true, sortKeys: Bool) -> String {
        write(sortKeys ? node.sortingKeys() : node, pretty: pretty)
    }

    public static func escape(_ s: String, into out: inout [UInt8]) {
        out.append(34)
        for c in s.utf8 {
            switch c {
            case 34: out.append(92); out.append(34)
            case 92: out.append(92); out.append(92)
            case 10: out.append(92); out.append(110)
            case 13: out.append(92); out.append(114)
            case 9: out.append(92); out.append(116)
            case 0..<0x20, 0x7f:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                out.append(92); out.append(117); out.append(48); out.append(48)
                out.append(hex[Int(c >> 4)]); out.append(hex[Int(c & 15)])
            default: out.append(c)
            }
        }
        out.append(34)
    }

    private static func newline(_ out: inout [UInt8], _ indent: Int) {
        out.append(10)
        for _ in 0..<indent { out.append(32); out.append(32) }
    }

    private static func emit(_ node: JSONNode, into out: inout [UInt8], indent: Int, pretty: Bool) {
        switch node.value {
        case .null: out.append(contentsOf: Array("null".utf8))
        case .bool(let b): out.append(contentsOf: Array((b ? "true" : "false").utf8))
        case .number(let n): out.append(contentsOf: Array(n.utf8))
        case .string(let s): escape(s, into: &out)
        case .array(let items):
            if items.isEmpty { out.append(91); out.append(93); return }
            out.append(91)
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(44) }
                if pretty { newline(&out, indent + 1) }
                emit(item, into: &out, indent: indent + 1, pretty: pretty)
            }
            if pretty { newline(&out, indent) }
            out.append(93)
        case .object(let members):
            if members.isEmpty { out.append(123); out.append(125); return }
            out.append(123)
            for (i, m) in members.enumerated() {
                if i > 0 { out.append(44) }
                if pretty { newline(&out, indent + 1) }
                escape(m.key, into: &out)
                out.append(58)
                if pretty { out.append(32) }
                emit(m.node, into: &out, indent: indent + 1, pretty: pretty)
            }
            if pretty { newline(&out, indent) }
            out.append(125)
        }
    }
}

extension JSONNode {
    /// The same tree with the members of every object ordered by key (UTF-8 byte order).
    public func sortingKeys() -> JSONNode {
        switch value {
        case .array(let items):
            var out: [JSONNode] = []
            out.reserveCapacity(items.count)
            for item in items { out.append(item.sortingKeys()) }
            return JSONNode(line: line, .array(out))
        case .object(let members):
            var out: [JSONMember] = []
            out.reserveCapacity(members.count)
            for m in members { out.append(JSONMember(m.key, m.node.sortingKeys(), line: m.keyLine)) }
            out.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            return JSONNode(line: line, .object(out))
        default:
            return self
        }
    }
}
