// A JSON Schema (draft 2020-12) validator for the keywords Baseline's schemas use: type, const, enum, properties,
// required, additionalProperties, items, minItems, maxItems, minimum, maximum, pattern, $ref (local), allOf, anyOf,
// oneOf, not, if/then/else. `format`, `description` and the like are annotations. The first violation is reported
// as a JSON pointer and what was expected.
import Foundation

public struct SchemaViolation: Error, CustomStringConvertible {
    public let pointer: String
    public let expected: String
    public var description: String { "'\(pointer.isEmpty ? "/" : pointer)': \(expected)" }
}

public final class SchemaValidator: @unchecked Sendable {
    let root: [String: Any]
    private var patterns: [String: NSRegularExpression] = [:]
    private let lock = NSLock()

    public init(schema data: Data, source: String) throws {
        guard let o = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw StoreError("\(source): not a JSON Schema document")
        }
        root = o
    }

    public convenience init(path: String) throws {
        guard let d = FileManager.default.contents(atPath: path) else { throw StoreError("\(path): cannot read the schema") }
        try self.init(schema: d, source: path)
    }

    public func validate(_ value: Any) throws(SchemaViolation) { try check(value, root, "") }

    private func regex(_ p: String) -> NSRegularExpression? {
        lock.lock(); defer { lock.unlock() }
        if let r = patterns[p] { return r }
        let r = try? NSRegularExpression(pattern: p)
        patterns[p] = r
        return r
    }

    private func resolve(_ ref: String) -> [String: Any]? {
        guard ref.hasPrefix("#/") else { return nil }
        var node: Any = root
        for part in ref.dropFirst(2).split(separator: "/") {
            guard let o = node as? [String: Any], let next = o[String(part).replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")] else { return nil }
            node = next
        }
        return node as? [String: Any]
    }

    /// A JSON value by kind. Swift collections are tested before any cast to a Foundation class: casting a Swift
    /// dictionary to NSNumber would bridge (copy) it first.
    enum Value {
        case object([String: Any]), array([Any]), string(String), number(NSNumber), bool(Bool), null, other
    }

    static func kind(_ v: Any) -> Value {
        if let o = v as? [String: Any] { return .object(o) }
        if let a = v as? [Any] { return .array(a) }
        if let s = v as? String { return .string(s) }
        if v is NSNull { return .null }
        if let n = v as? NSNumber { return n.objCType.pointee == 0x63 ? .bool(n.boolValue) : .number(n) }  // 'c': a JSON boolean
        return .other
    }

    static func isBool(_ v: Any) -> Bool { if case .bool = kind(v) { return true }; return false }

    static func typeMatches(_ k: Value, _ t: String) -> Bool {
        switch (k, t) {
        case (.null, "null"), (.bool, "boolean"), (.string, "string"), (.array, "array"), (.object, "object"), (.number, "number"): return true
        case (.number(let n), "integer"): return n.doubleValue.rounded() == n.doubleValue
        default: return false
        }
    }

    static func equal(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.number(let x), .number(let y)): return x == y
        default: return false
        }
    }

    static func show(_ k: Value) -> String {
        switch k {
        case .string(let s): return "'\(s.prefix(60))'"
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let n): return n.stringValue
        case .array: return "an array"
        case .object: return "an object"
        case .other: return "a value"
        }
    }

    /// Of the alternatives that failed, name the one meant for this kind of value.
    private func better(_ kept: SchemaViolation?, _ new: SchemaViolation, _ sub: [String: Any], _ v: Any) -> SchemaViolation {
        guard let k = kept else { return new }
        if let t = sub["type"] as? String, SchemaValidator.typeMatches(SchemaValidator.kind(v), t) { return new }
        return k
    }

    private func check(_ v: Any, _ s: [String: Any], _ at: String) throws(SchemaViolation) {
        let k = SchemaValidator.kind(v)
        if let ref = s["$ref"] as? String {
            guard let target = resolve(ref) else { throw SchemaViolation(pointer: at, expected: "unresolvable schema reference \(ref)") }
            try check(v, target, at)
        }
        if let t = s["type"] {
            let types = (t as? [String]) ?? [(t as? String) ?? ""]
            guard types.contains(where: { SchemaValidator.typeMatches(k, $0) }) else {
                throw SchemaViolation(pointer: at, expected: "expected \(types.joined(separator: " or ")), found \(SchemaValidator.show(k))")
            }
        }
        if let c = s["const"], !SchemaValidator.equal(k, SchemaValidator.kind(c)) {
            throw SchemaViolation(pointer: at, expected: "expected \(SchemaValidator.show(SchemaValidator.kind(c))), found \(SchemaValidator.show(k))")
        }
        if let e = s["enum"] as? [Any], !e.contains(where: { SchemaValidator.equal(k, SchemaValidator.kind($0)) }) {
            throw SchemaViolation(pointer: at, expected: "expected one of \(e.map { SchemaValidator.show(SchemaValidator.kind($0)) }.joined(separator: ", ")), found \(SchemaValidator.show(k))")
        }
        if case .number(let n) = k {
            if let m = s["minimum"] as? NSNumber, n.doubleValue < m.doubleValue { throw SchemaViolation(pointer: at, expected: "expected at least \(m), found \(n)") }
            if let m = s["maximum"] as? NSNumber, n.doubleValue > m.doubleValue { throw SchemaViolation(pointer: at, expected: "expected at most \(m), found \(n)") }
        }
        if case .string(let str) = k, let p = s["pattern"] as? String {
            guard let r = regex(p) else { throw SchemaViolation(pointer: at, expected: "the schema's pattern \(p) does not compile") }
            if r.firstMatch(in: str, range: NSRange(str.startIndex..., in: str)) == nil {
                throw SchemaViolation(pointer: at, expected: "expected a string matching \(p), found \(SchemaValidator.show(k))")
            }
        }
        if case .array(let a) = k {
            if let m = s["minItems"] as? Int, a.count < m { throw SchemaViolation(pointer: at, expected: "expected at least \(m) item(s), found \(a.count)") }
            if let m = s["maxItems"] as? Int, a.count > m { throw SchemaViolation(pointer: at, expected: "expected at most \(m) item(s), found \(a.count)") }
            if let items = s["items"] as? [String: Any] {
                for (i, x) in a.enumerated() { try check(x, items, at + "/\(i)") }
            }
        }
        if case .object(let o) = k {
            let props = s["properties"] as? [String: Any] ?? [:]
            for r in (s["required"] as? [String]) ?? [] where o[r] == nil {
                throw SchemaViolation(pointer: at, expected: "required property '\(r)' is missing")
            }
            for (k, x) in o.sorted(by: { $0.key < $1.key }) {
                if let ps = props[k] as? [String: Any] { try check(x, ps, at + "/" + k) }
                else if let ap = s["additionalProperties"] {
                    if SchemaValidator.isBool(ap), let b = ap as? Bool, !b { throw SchemaViolation(pointer: at + "/" + k, expected: "property not allowed here") }
                    if let aps = ap as? [String: Any] { try check(x, aps, at + "/" + k) }
                }
            }
        }
        if let all = s["allOf"] as? [[String: Any]] { for sub in all { try check(v, sub, at) } }
        if let any = s["anyOf"] as? [[String: Any]] {
            var first: SchemaViolation?
            var ok = false
            for sub in any { do { try check(v, sub, at); ok = true; break } catch { first = better(first, error, sub, v) } }
            if !ok, let f = first { throw f }
        }
        if let one = s["oneOf"] as? [[String: Any]] {
            var matched = 0
            var first: SchemaViolation?
            for sub in one { do { try check(v, sub, at); matched += 1 } catch { first = better(first, error, sub, v) } }
            if matched == 0, let f = first { throw f }
            if matched > 1 { throw SchemaViolation(pointer: at, expected: "matches \(matched) alternatives where exactly one is allowed") }
        }
        if let not = s["not"] as? [String: Any] {
            var matched = true
            do { try check(v, not, at) } catch { matched = false }
            if matched { throw SchemaViolation(pointer: at, expected: (not["description"] as? String) ?? (s["description"] as? String) ?? "a value the schema forbids") }
        }
        if let cond = s["if"] as? [String: Any] {
            var holds = true
            do { try check(v, cond, at) } catch { holds = false }
            if holds, let t = s["then"] as? [String: Any] { try check(v, t, at) }
            if !holds, let e = s["else"] as? [String: Any] { try check(v, e, at) }
        }
    }
}
