// A JSON Schema (draft 2020-12) validator for the keywords Baseline's schemas use: type, const, enum, properties,
// required, additionalProperties, items, minItems, maxItems, minimum, maximum, pattern, $ref (local), allOf, anyOf,
// oneOf, not, if/then/else. `format`, `description` and the like are annotations. Works on BaselineCore's JSON tree
// (which remembers lines); the first violation is reported as a JSON pointer, its line and what was expected.
import BaselineCore
import Foundation

public struct SchemaViolation: Error, CustomStringConvertible {
    public let pointer: String
    public let line: Int
    public let expected: String
    public var description: String { "line \(line): '\(pointer.isEmpty ? "/" : pointer)': \(expected)" }
}

public final class SchemaValidator: @unchecked Sendable {
    let root: JSONNode
    // Every $ref resolved and every pattern compiled once, at load: read-only afterwards, shared by all threads.
    private var refs: [String: JSONNode] = [:]
    private var patterns: [String: NSRegularExpression] = [:]

    public init(schema data: Data, source: String) throws {
        do { root = try JSONParser.parse([UInt8](data)) } catch {
            throw StoreError("\(source):\(error.line): not a JSON Schema document: \(error.message)")
        }
        guard root.members != nil else { throw StoreError("\(source): not a JSON Schema document") }
        var stack = [root]
        while let n = stack.popLast() {
            switch n.value {
            case .object(let members):
                for m in members {
                    if m.key == "$ref", let r = m.node.string, refs[r] == nil, let target = lookup(r) { refs[r] = target }
                    if m.key == "pattern", let p = m.node.string, patterns[p] == nil {
                        guard let re = try? NSRegularExpression(pattern: p) else { throw StoreError("\(source):\(m.node.line): pattern \(p) does not compile") }
                        patterns[p] = re
                    }
                    stack.append(m.node)
                }
            case .array(let items): stack += items
            default: break
            }
        }
    }

    public convenience init(path: String) throws {
        guard let d = FileManager.default.contents(atPath: path) else { throw StoreError("\(path): cannot read the schema") }
        try self.init(schema: d, source: path)
    }

    public func validate(_ value: JSONNode) throws(SchemaViolation) { try check(value, root, "") }

    private func regex(_ p: String) -> NSRegularExpression? { patterns[p] }

    private func resolve(_ ref: String) -> JSONNode? { refs[ref] }

    private func lookup(_ ref: String) -> JSONNode? {
        guard ref.hasPrefix("#/") else { return nil }
        var node = root
        for part in ref.dropFirst(2).split(separator: "/") {
            guard let next = node[String(part).replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")] else { return nil }
            node = next
        }
        return node
    }

    static func typeMatches(_ v: JSONNode, _ t: String) -> Bool {
        switch (v.value, t) {
        case (.null, "null"), (.bool, "boolean"), (.string, "string"), (.array, "array"), (.object, "object"), (.number, "number"): return true
        case (.number(let n), "integer"): return !n.contains(".") && !n.contains("e") && !n.contains("E")
        default: return false
        }
    }

    static func number(_ v: JSONNode) -> Double? { if case .number(let n) = v.value { return Double(n) }; return nil }

    static func equal(_ a: JSONNode, _ b: JSONNode) -> Bool {
        switch (a.value, b.value) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.number, .number): return number(a) == number(b)
        default: return false
        }
    }

    static func show(_ v: JSONNode) -> String {
        switch v.value {
        case .string(let s): return "'\(s.prefix(60))'"
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let n): return n
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// Of the alternatives that failed, name the one meant for this kind of value.
    private func better(_ kept: SchemaViolation?, _ new: SchemaViolation, _ sub: JSONNode, _ v: JSONNode) -> SchemaViolation {
        guard let k = kept else { return new }
        if let t = sub["type"]?.string, SchemaValidator.typeMatches(v, t) { return new }
        return k
    }

    private func check(_ v: JSONNode, _ s: JSONNode, _ at: String) throws(SchemaViolation) {
        func fail(_ what: String, _ pointer: String? = nil, _ line: Int? = nil) -> SchemaViolation {
            SchemaViolation(pointer: pointer ?? at, line: line ?? v.line, expected: what)
        }
        guard let keywords = s.members else { return }
        for kw in keywords {
            let sub = kw.node
            switch kw.key {
            case "$ref":
                guard let ref = sub.string, let target = resolve(ref) else { throw fail("unresolvable schema reference") }
                try check(v, target, at)
            case "type":
                let types = sub.array?.compactMap { $0.string } ?? [sub.string ?? ""]
                guard types.contains(where: { SchemaValidator.typeMatches(v, $0) }) else {
                    throw fail("expected \(types.joined(separator: " or ")), found \(SchemaValidator.show(v))")
                }
            case "const":
                if !SchemaValidator.equal(v, sub) { throw fail("expected \(SchemaValidator.show(sub)), found \(SchemaValidator.show(v))") }
            case "enum":
                let options = sub.array ?? []
                if !options.contains(where: { SchemaValidator.equal(v, $0) }) {
                    throw fail("expected one of \(options.map(SchemaValidator.show).joined(separator: ", ")), found \(SchemaValidator.show(v))")
                }
            case "minimum":
                if let n = SchemaValidator.number(v), let m = SchemaValidator.number(sub), n < m { throw fail("expected at least \(SchemaValidator.show(sub)), found \(SchemaValidator.show(v))") }
            case "maximum":
                if let n = SchemaValidator.number(v), let m = SchemaValidator.number(sub), n > m { throw fail("expected at most \(SchemaValidator.show(sub)), found \(SchemaValidator.show(v))") }
            case "pattern":
                if case .string(let str) = v.value, let p = sub.string {
                    guard let r = regex(p) else { throw fail("the schema's pattern \(p) does not compile") }
                    if r.firstMatch(in: str, range: NSRange(str.startIndex..., in: str)) == nil {
                        throw fail("expected a string matching \(p), found \(SchemaValidator.show(v))")
                    }
                }
            case "minItems":
                if let a = v.array, let m = sub.int, a.count < m { throw fail("expected at least \(m) item(s), found \(a.count)") }
            case "maxItems":
                if let a = v.array, let m = sub.int, a.count > m { throw fail("expected at most \(m) item(s), found \(a.count)") }
            case "items":
                if let a = v.array { for (i, x) in a.enumerated() { try check(x, sub, at + "/\(i)") } }
            case "required":
                if v.members != nil {
                    for r in sub.array ?? [] { if let name = r.string, v[name] == nil { throw fail("required property '\(name)' is missing") } }
                }
            case "properties", "additionalProperties":
                guard kw.key == "properties" || s["properties"] == nil, let members = v.members else { break }
                let props = s["properties"]
                let extra = s["additionalProperties"]
                for m in members {
                    if let ps = props?[m.key] { try check(m.node, ps, at + "/" + m.key) }
                    else if let ap = extra {
                        if case .bool(false) = ap.value { throw fail("property not allowed here", at + "/" + m.key, m.keyLine) }
                        if ap.members != nil { try check(m.node, ap, at + "/" + m.key) }
                    }
                }
            case "allOf":
                for x in sub.array ?? [] { try check(v, x, at) }
            case "anyOf":
                var first: SchemaViolation?
                var ok = false
                for x in sub.array ?? [] { do { try check(v, x, at); ok = true; break } catch { first = better(first, error, x, v) } }
                if !ok, let f = first { throw f }
            case "oneOf":
                var matched = 0
                var first: SchemaViolation?
                for x in sub.array ?? [] { do { try check(v, x, at); matched += 1 } catch { first = better(first, error, x, v) } }
                if matched == 0, let f = first { throw f }
                if matched > 1 { throw fail("matches \(matched) alternatives where exactly one is allowed") }
            case "not":
                var matched = true
                do { try check(v, sub, at) } catch { matched = false }
                if matched { throw fail(sub["description"]?.string ?? s["description"]?.string ?? "a value the schema forbids") }
            case "if":
                var holds = true
                do { try check(v, sub, at) } catch { holds = false }
                if holds, let t = s["then"] { try check(v, t, at) }
                if !holds, let e = s["else"] { try check(v, e, at) }
            default: break
            }
        }
    }
}
