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
    /// One schema object compiled into its keywords' rules, in the order the schema wrote them (so the first
    /// violation reported is the one a keyword-by-keyword reading finds first).
    enum Rule {
        case ref(Int)
        case types([String], TypeSet)
        case const(JSONNode)
        case oneOfValues([JSONNode])
        case minimum(Double, JSONNode)
        case maximum(Double, JSONNode)
        case pattern(Matcher)
        case minItems(Int)
        case maxItems(Int)
        case items(Int)
        case required([String], [[UInt8]])
        case properties(Properties, additional: Additional)
        case allOf([Int])
        case anyOf([Alternative])
        case oneOf([Alternative])
        case not(Int, message: String)
        case conditional(Int, then: Int?, else: Int?)
        case unresolvable
    }
    enum Additional { case allowed, forbidden, schema(Int) }
    /// The JSON types a `type` keyword allows, as bits (compared per value without comparing type names).
    struct TypeSet: OptionSet {
        let rawValue: UInt8
        static let null = TypeSet(rawValue: 1), boolean = TypeSet(rawValue: 2), string = TypeSet(rawValue: 4), array = TypeSet(rawValue: 8)
        static let object = TypeSet(rawValue: 16), number = TypeSet(rawValue: 32), integer = TypeSet(rawValue: 64)
        init(rawValue: UInt8) { self.rawValue = rawValue }
        init(names: [String]) {
            var set: TypeSet = []
            for n in names {
                switch n {
                case "null": set.insert(.null)
                case "boolean": set.insert(.boolean)
                case "string": set.insert(.string)
                case "array": set.insert(.array)
                case "object": set.insert(.object)
                case "number": set.insert(.number)
                case "integer": set.insert(.integer)
                default: break                          // an unknown type name matches nothing
                }
            }
            self = set
        }
        func matches(_ v: JSONNode) -> Bool {
            switch v.value {
            case .null: return contains(.null)
            case .bool: return contains(.boolean)
            case .string: return contains(.string)
            case .array: return contains(.array)
            case .object: return contains(.object)
            case .number: return contains(.number) || (contains(.integer) && SchemaValidator.typeMatches(v, "integer"))
            }
        }
    }
    /// A `properties` keyword's names and their schemas: a short list is searched in order (comparing a few short
    /// strings costs less than hashing one), a long one through a dictionary.
    struct Properties {
        let list: [(String, Int)]
        let names: [[UInt8]]                    // the names' UTF-8, for the tape walk (SchemaValidator+Tape)
        let table: [String: Int]?
        init(_ props: [(String, Int)]) {
            list = props
            names = props.map { Array($0.0.utf8) }
            table = props.count > 12 ? Dictionary(props, uniquingKeysWith: { a, _ in a }) : nil
        }
        subscript(key: String) -> Int? {
            if let table { return table[key] }
            for (k, v) in list where SchemaValidator.same(k, key) { return v }
            return nil
        }
    }
    /// String equality, the lengths first (O(1) for native strings): names that differ mostly differ in length, and
    /// `==` on two different strings goes out of line.
    @inline(__always) static func same(_ a: String, _ b: String) -> Bool { a.utf8.count == b.utf8.count && a == b }
    struct Alternative { let schema: Int; let type: String? }   // `type` picks the error worth reporting
    enum Matcher {
        case own(SchemaPattern)
        case foundation(NSRegularExpression, String)
        var source: String { switch self { case .own(let p): return p.source; case .foundation(_, let s): return s } }
        func matches(_ s: String) -> Bool {
            switch self {
            case .own(let p): return p.matches(s)
            case .foundation(let r, _): return r.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil
            }
        }
    }

    let root: JSONNode
    /// Compiled once at load; read-only afterwards, shared by all threads (a `let`: read without exclusivity checks).
    let schemas: [[Rule]]
    /// The same rules flattened for the tape probe (`accepts`).
    let probe: SchemaProbe

    public init(schema data: Data, source: String) throws {
        do { root = try JSONParser.parse([UInt8](data)) } catch {
            throw StoreError("\(source):\(error.line): not a JSON Schema document: \(error.message)")
        }
        guard root.members != nil else { throw StoreError("\(source): not a JSON Schema document") }
        let compiler = Compiler(root: root)
        _ = try compiler.compile(root, source: source)
        schemas = compiler.schemas
        probe = SchemaProbe(schemas)
    }

    public convenience init(path: String) throws {
        guard let d = FileManager.default.contents(atPath: path) else { throw StoreError("\(path): cannot read the schema") }
        try self.init(schema: d, source: path)
    }

    public func validate(_ value: JSONNode) throws(SchemaViolation) {
        var path: [PathPart] = []
        path.reserveCapacity(16)
        try check(value, 0, &path)
    }

    /// Where the validator is in the document: member names and item indexes, turned into a JSON pointer only when a
    /// violation is reported. (An earlier version passed the pointer as an autoclosure; swiftc -O then took minutes
    /// on this file.)
    enum PathPart { case key(String), index(Int) }
    static func pointer(_ path: [PathPart]) -> String {
        path.map { p in switch p { case .key(let k): return "/" + k; case .index(let i): return "/\(i)" } }.joined()
    }

    /// Turns the schema tree into `schemas` (one rule list per schema object, $refs as indexes).
    final class Compiler {
        let root: JSONNode
        var schemas: [[Rule]] = []
        var refIndex: [String: Int] = [:]
        init(root: JSONNode) { self.root = root }

        /// The index of `s` compiled; a $ref is compiled once (and may refer to itself).
        func compile(_ s: JSONNode, source: String) throws -> Int {
            let index = schemas.count
            schemas.append([])
            guard let keywords = s.members else { return index }
            var rules: [Rule] = []
            func sub(_ n: JSONNode) throws -> Int { try compile(n, source: source) }
            for kw in keywords {
                let n = kw.node
                switch kw.key {
                case "$ref":
                    guard let r = n.string, let target = lookup(r) else { rules.append(.unresolvable); continue }
                    if let known = refIndex[r] { rules.append(.ref(known)); continue }
                    let placeholder = schemas.count
                    refIndex[r] = placeholder
                    let compiled = try sub(target)
                    precondition(compiled == placeholder)
                    rules.append(.ref(compiled))
                case "type":
                    let names = n.array?.compactMap { $0.string } ?? [n.string ?? ""]
                    rules.append(.types(names, TypeSet(names: names)))
                case "const": rules.append(.const(n))
                case "enum": rules.append(.oneOfValues(n.array ?? []))
                case "minimum": if let m = SchemaValidator.number(n) { rules.append(.minimum(m, n)) }
                case "maximum": if let m = SchemaValidator.number(n) { rules.append(.maximum(m, n)) }
                case "pattern":
                    guard let p = n.string else { continue }
                    if let own = SchemaPattern(p) { rules.append(.pattern(.own(own))) }
                    else if let re = try? NSRegularExpression(pattern: p) { rules.append(.pattern(.foundation(re, p))) }
                    else { throw StoreError("\(source):\(n.line): pattern \(p) does not compile") }
                case "minItems": if let m = n.int { rules.append(.minItems(m)) }
                case "maxItems": if let m = n.int { rules.append(.maxItems(m)) }
                case "items": rules.append(.items(try sub(n)))
                case "required":
                    let names = (n.array ?? []).compactMap { $0.string }
                    rules.append(.required(names, names.map { Array($0.utf8) }))
                case "properties", "additionalProperties":
                    guard kw.key == "properties" || s["properties"] == nil else { continue }
                    var props: [(String, Int)] = []
                    for m in s["properties"]?.members ?? [] where !props.contains(where: { $0.0 == m.key }) { props.append((m.key, try sub(m.node))) }
                    var extra = Additional.allowed
                    if let ap = s["additionalProperties"] {
                        if case .bool(false) = ap.value { extra = .forbidden } else if ap.members != nil { extra = .schema(try sub(ap)) }
                    }
                    rules.append(.properties(Properties(props), additional: extra))
                case "allOf": rules.append(.allOf(try (n.array ?? []).map(sub)))
                case "anyOf", "oneOf":
                    let alts = try (n.array ?? []).map { Alternative(schema: try sub($0), type: $0["type"]?.string) }
                    rules.append(kw.key == "anyOf" ? .anyOf(alts) : .oneOf(alts))
                case "not":
                    rules.append(.not(try sub(n), message: n["description"]?.string ?? s["description"]?.string ?? "a value the schema forbids"))
                case "if":
                    rules.append(.conditional(try sub(n), then: try s["then"].map(sub), else: try s["else"].map(sub)))
                default: break
                }
            }
            schemas[index] = rules
            return index
        }

        func lookup(_ ref: String) -> JSONNode? {
            guard ref.hasPrefix("#/") else { return nil }
            var node = root
            for part in ref.dropFirst(2).split(separator: "/") {
                guard let next = node[String(part).replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")] else { return nil }
                node = next
            }
            return node
        }
    }

    static func typeMatches(_ v: JSONNode, _ t: String) -> Bool {
        switch (v.value, t) {
        case (.null, "null"), (.bool, "boolean"), (.string, "string"), (.array, "array"), (.object, "object"), (.number, "number"): return true
        case (.number(let n), "integer"): return !n.utf8.contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") })
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
    private func better(_ kept: SchemaViolation?, _ new: SchemaViolation, _ alt: Alternative, _ v: JSONNode) -> SchemaViolation {
        guard let k = kept else { return new }
        if let t = alt.type, SchemaValidator.typeMatches(v, t) { return new }
        return k
    }

    private func check(_ v: JSONNode, _ schema: Int, _ path: inout [PathPart]) throws(SchemaViolation) {
        func fail(_ what: String) -> SchemaViolation {
            SchemaViolation(pointer: SchemaValidator.pointer(path), line: v.line, expected: what)
        }
        for rule in schemas[schema] {
            switch rule {
            case .ref(let target): try check(v, target, &path)
            case .unresolvable: throw fail("unresolvable schema reference")
            case .types(let types, let set):
                guard set.matches(v) else {
                    throw fail("expected \(types.joined(separator: " or ")), found \(SchemaValidator.show(v))")
                }
            case .const(let c):
                if !SchemaValidator.equal(v, c) { throw fail("expected \(SchemaValidator.show(c)), found \(SchemaValidator.show(v))") }
            case .oneOfValues(let options):
                if !options.contains(where: { SchemaValidator.equal(v, $0) }) {
                    throw fail("expected one of \(options.map(SchemaValidator.show).joined(separator: ", ")), found \(SchemaValidator.show(v))")
                }
            case .minimum(let m, let shown):
                if let n = SchemaValidator.number(v), n < m { throw fail("expected at least \(SchemaValidator.show(shown)), found \(SchemaValidator.show(v))") }
            case .maximum(let m, let shown):
                if let n = SchemaValidator.number(v), n > m { throw fail("expected at most \(SchemaValidator.show(shown)), found \(SchemaValidator.show(v))") }
            case .pattern(let p):
                if case .string(let str) = v.value, !p.matches(str) {
                    throw fail("expected a string matching \(p.source), found \(SchemaValidator.show(v))")
                }
            case .minItems(let m):
                if let a = v.array, a.count < m { throw fail("expected at least \(m) item(s), found \(a.count)") }
            case .maxItems(let m):
                if let a = v.array, a.count > m { throw fail("expected at most \(m) item(s), found \(a.count)") }
            case .items(let sub):
                if let a = v.array {
                    for (i, x) in a.enumerated() {
                        path.append(.index(i))
                        try check(x, sub, &path)
                        path.removeLast()
                    }
                }
            case .required(let names, _):
                if let members = v.members {
                    for name in names where !members.contains(where: { SchemaValidator.same($0.key, name) }) { throw fail("required property '\(name)' is missing") }
                }
            case .properties(let props, let extra):
                guard let members = v.members else { break }
                for m in members {
                    let sub: Int
                    if let ps = props[m.key] { sub = ps } else {
                        switch extra {
                        case .allowed: continue
                        case .forbidden:
                            throw SchemaViolation(pointer: SchemaValidator.pointer(path) + "/" + m.key, line: m.keyLine, expected: "property not allowed here")
                        case .schema(let ap): sub = ap
                        }
                    }
                    path.append(.key(m.key))
                    try check(m.node, sub, &path)
                    path.removeLast()
                }
            case .allOf(let subs):
                for x in subs { try check(v, x, &path) }
            case .anyOf(let alts):
                if alts.isEmpty || alts.contains(where: { matches(v, $0.schema) }) { break }
                // None holds: the same walk again, now naming the violation worth reporting.
                var first: SchemaViolation?
                var ok = false
                let depth = path.count
                for x in alts {
                    do { try check(v, x.schema, &path); ok = true; break } catch { path.removeLast(path.count - depth); first = better(first, error, x, v) }
                }
                if !ok, let f = first { throw f }
            case .oneOf(let alts):
                var holding = 0
                for x in alts where matches(v, x.schema) { holding += 1; if holding > 1 { break } }
                if holding == 1 || alts.isEmpty { break }
                if holding > 1 {
                    // How many hold, as the full walk counts them.
                    throw fail("matches \(alts.filter { matches(v, $0.schema) }.count) alternatives where exactly one is allowed")
                }
                var matched = 0
                var first: SchemaViolation?
                let depth = path.count
                for x in alts {
                    do { try check(v, x.schema, &path); matched += 1 } catch { path.removeLast(path.count - depth); first = better(first, error, x, v) }
                }
                if matched == 0, let f = first { throw f }
                if matched > 1 { throw fail("matches \(matched) alternatives where exactly one is allowed") }
            case .not(let sub, let message):
                if matches(v, sub) { throw fail(message) }
            case .conditional(let cond, let then, let otherwise):
                let holds = matches(v, cond)
                if holds, let t = then { try check(v, t, &path) }
                if !holds, let e = otherwise { try check(v, e, &path) }
            }
        }
    }

    /// Whether `v` satisfies schema `schema`: exactly when `check` would not throw, without building a violation (its
    /// pointer and message) for every alternative of an anyOf/oneOf or the inner schema of a not/if that fails — the
    /// usual outcome for those, valid reports included.
    private func matches(_ v: JSONNode, _ schema: Int) -> Bool {
        for rule in schemas[schema] {
            switch rule {
            case .ref(let target): if !matches(v, target) { return false }
            case .unresolvable: return false
            case .types(_, let set): if !set.matches(v) { return false }
            case .const(let c): if !SchemaValidator.equal(v, c) { return false }
            case .oneOfValues(let options): if !options.contains(where: { SchemaValidator.equal(v, $0) }) { return false }
            case .minimum(let m, _): if let n = SchemaValidator.number(v), n < m { return false }
            case .maximum(let m, _): if let n = SchemaValidator.number(v), n > m { return false }
            case .pattern(let p): if case .string(let str) = v.value, !p.matches(str) { return false }
            case .minItems(let m): if let a = v.array, a.count < m { return false }
            case .maxItems(let m): if let a = v.array, a.count > m { return false }
            case .items(let sub):
                if let a = v.array { for x in a where !matches(x, sub) { return false } }
            case .required(let names, _):
                if let members = v.members {
                    for name in names where !members.contains(where: { SchemaValidator.same($0.key, name) }) { return false }
                }
            case .properties(let props, let extra):
                guard let members = v.members else { break }
                for m in members {
                    let sub: Int
                    if let ps = props[m.key] { sub = ps } else {
                        switch extra {
                        case .allowed: continue
                        case .forbidden: return false
                        case .schema(let ap): sub = ap
                        }
                    }
                    if !matches(m.node, sub) { return false }
                }
            case .allOf(let subs): for x in subs where !matches(v, x) { return false }
            case .anyOf(let alts): if !alts.isEmpty && !alts.contains(where: { matches(v, $0.schema) }) { return false }
            case .oneOf(let alts):
                if alts.isEmpty { break }
                var holding = 0
                for x in alts where matches(v, x.schema) { holding += 1; if holding > 1 { return false } }
                if holding == 0 { return false }
            case .not(let sub, _): if matches(v, sub) { return false }
            case .conditional(let cond, let then, let otherwise):
                if matches(v, cond) { if let t = then, !matches(v, t) { return false } }
                else if let e = otherwise, !matches(v, e) { return false }
            }
        }
        return true
    }
}
