// The schema's rules flattened for the tape probe (`SchemaValidator.accepts`): one plain record per schema object,
// its lists in shared pools, all in memory allocated once and never reference-counted. Walking a report this way costs
// a fraction of walking the rule lists: those are enums with array and tree payloads, and every rule taken out of one
// retained and released them (a third of the walk's time); a required name was looked for with a scan of the object's
// keys per name, where here one pass over the keys marks the names it sees.
//
// The probe only answers yes or no, so a schema object's keywords are checked in any order (cheap ones first). A
// schema object the flat form cannot hold (more than 64 property and required names) is walked by the rule-list probe
// (`SchemaValidator.tapeMatches`). ReportTapeReaderTests hold the two probes and the tree validation to one answer.
import BaselineCore
import Foundation

final class SchemaProbe: @unchecked Sendable {
    /// Index ranges into the pools.
    struct Span { var start: Int32 = 0; var count: Int32 = 0 }

    struct Node {
        var slow = false                    // walked by the rule-list probe instead
        var unresolvable = false
        var types: UInt8 = 0xFF             // SchemaValidator.TypeSet bits; 0xFF: no `type` keyword
        var all = Span()                    // schemas that must hold too ($ref, allOf): `subs`
        var anyOf = Span(), oneOf = Span()  // `subs`
        var hasAnyOf = false, hasOneOf = false
        var not: Int32 = -1, cond: Int32 = -1, then: Int32 = -1, otherwise: Int32 = -1
        // Objects: the member names (`properties` first, then `required` names it does not list) and their schemas.
        var object = false                  // a properties, additionalProperties or required keyword: walk the members
        var names = Span()                  // `names`
        var propertyCount: Int32 = 0        // names[0..<propertyCount] have a schema in `nameSchemas`
        var required: UInt64 = 0            // bits over `names`
        var distinctNames = false           // no name twice in `names`: a key's search may start anywhere (`walk`)
        var additional: Int32 = -1          // -1 allowed, -2 forbidden, else a schema
        // Arrays.
        var items: Int32 = -1, minItems: Int32 = -1, maxItems: Int32 = -1
        // Strings and scalars.
        var pattern: Int32 = -1             // `matchers`
        var constValue: Int32 = -1          // `values`
        var enumValues = Span(), hasEnum = false
        var minimum = 0.0, maximum = 0.0, hasMinimum = false, hasMaximum = false
    }

    /// A name's bytes in `arena`, and the schema its property has (-1: a required name only).
    struct Name { var offset: Int32; var length: Int32; var schema: Int32 }
    /// A const/enum value: plain ASCII strings compare as bytes in `arena`; anything else through `SchemaValidator.equal`.
    struct Value { var kind: UInt8; var offset: Int32; var length: Int32; var tree: Int32 }  // kind 0: ASCII string, 1: other (`trees`)

    let nodes: UnsafeMutableBufferPointer<Node>
    let subs: UnsafeMutableBufferPointer<Int32>
    let names: UnsafeMutableBufferPointer<Name>
    let values: UnsafeMutableBufferPointer<Value>
    let arena: UnsafeMutableBufferPointer<UInt8>
    let matchers: UnsafeMutableBufferPointer<SchemaValidator.Matcher>
    /// Per matcher, its linear form (SchemaPattern.linear) as a span of `atoms`, count -1 if it has none: matched here
    /// without touching the matcher, whose pattern the parse threads would otherwise each retain and release (one
    /// shared reference count, contended) for every string.
    struct Linear { var start: Int32; var count: Int32; var toEnd: Bool }
    let linear: UnsafeMutableBufferPointer<Linear>
    let atoms: UnsafeMutableBufferPointer<SchemaPattern.Atom>
    /// The same for the patterns with an automaton (SchemaPattern.automaton): its table's span of `tables`.
    let automata: UnsafeMutableBufferPointer<Span>
    let tables: UnsafeMutableBufferPointer<UInt64>
    let trees: [JSONNode]

    init(_ schemas: [[SchemaValidator.Rule]]) {
        var nodes: [Node] = [], subs: [Int32] = [], names: [Name] = [], values: [Value] = [], arena: [UInt8] = []
        var matchers: [SchemaValidator.Matcher] = [], trees: [JSONNode] = []
        func span(_ list: [Int]) -> Span {
            let s = Span(start: Int32(subs.count), count: Int32(list.count))
            subs += list.map { Int32($0) }
            return s
        }
        func bytes(_ b: [UInt8]) -> Int32 { let o = Int32(arena.count); arena += b; return o }
        func value(_ v: JSONNode) -> Value {
            if case .string(let s) = v.value, s.utf8.allSatisfy({ $0 < 0x80 }) {
                return Value(kind: 0, offset: bytes(Array(s.utf8)), length: Int32(s.utf8.count), tree: -1)
            }
            trees.append(v)
            return Value(kind: 1, offset: 0, length: 0, tree: Int32(trees.count - 1))
        }
        for rules in schemas {
            var n = Node()
            var all: [Int] = []
            var properties: [(String, Int)] = [], requiredNames: [String] = []
            for rule in rules {
                switch rule {
                case .ref(let target): all.append(target)
                case .unresolvable: n.unresolvable = true
                case .types(_, let set): n.types = n.types == 0xFF ? set.rawValue : n.types & set.rawValue
                case .const(let c): values.append(value(c)); n.constValue = Int32(values.count - 1)
                case .oneOfValues(let options):
                    n.hasEnum = true
                    n.enumValues = Span(start: Int32(values.count), count: Int32(options.count))
                    values += options.map(value)
                case .minimum(let m, _): n.minimum = m; n.hasMinimum = true
                case .maximum(let m, _): n.maximum = m; n.hasMaximum = true
                case .pattern(let p): matchers.append(p); n.pattern = Int32(matchers.count - 1)
                case .minItems(let m): n.minItems = Int32(clamping: m)
                case .maxItems(let m): n.maxItems = Int32(clamping: m)
                case .items(let sub): n.items = Int32(sub)
                case .required(let list, _): n.object = true; requiredNames = list
                case .properties(let props, let extra):
                    n.object = true
                    properties = props.list
                    switch extra {
                    case .allowed: n.additional = -1
                    case .forbidden: n.additional = -2
                    case .schema(let s): n.additional = Int32(s)
                    }
                case .allOf(let list): all += list
                case .anyOf(let alts): n.hasAnyOf = !alts.isEmpty; n.anyOf = span(alts.map { $0.schema })
                case .oneOf(let alts): n.hasOneOf = !alts.isEmpty; n.oneOf = span(alts.map { $0.schema })
                case .not(let sub, _): n.not = Int32(sub)
                case .conditional(let c, let t, let e): n.cond = Int32(c); n.then = Int32(t ?? -1); n.otherwise = Int32(e ?? -1)
                }
            }
            n.all = span(all)
            if n.object {
                var list: [(String, Int32)] = properties.map { ($0.0, Int32($0.1)) }
                for r in requiredNames where !list.contains(where: { $0.0 == r }) { list.append((r, -1)) }
                if list.count > 64 { n.slow = true } else {
                    n.names = Span(start: Int32(names.count), count: Int32(list.count))
                    n.propertyCount = Int32(properties.count)
                    n.distinctNames = Set(list.map { $0.0 }).count == list.count
                    for (i, (name, schema)) in list.enumerated() {
                        // A non-ASCII name never equals a key on the tape (keys that need decoding go the tree way):
                        // it is kept with an impossible length, so a required one is never found, as on the tree.
                        let ascii = name.utf8.allSatisfy { $0 < 0x80 }
                        names.append(Name(offset: bytes(Array(name.utf8)), length: ascii ? Int32(name.utf8.count) : -1, schema: schema))
                        if requiredNames.contains(name) { n.required |= 1 << UInt64(i) }
                    }
                }
            }
            nodes.append(n)
        }
        func copy<T>(_ a: [T]) -> UnsafeMutableBufferPointer<T> {
            let p = UnsafeMutableBufferPointer<T>.allocate(capacity: max(1, a.count))
            _ = p.initialize(from: a)
            return UnsafeMutableBufferPointer(rebasing: p[0..<a.count])
        }
        self.nodes = copy(nodes); self.subs = copy(subs); self.names = copy(names); self.values = copy(values)
        var linear: [Linear] = [], atoms: [SchemaPattern.Atom] = [], automata: [Span] = [], tables: [UInt64] = []
        for m in matchers {
            if case .own(let p) = m, let l = p.linear {
                linear.append(Linear(start: Int32(atoms.count), count: Int32(l.count), toEnd: p.linearToEnd))
                atoms += l
            } else {
                linear.append(Linear(start: 0, count: -1, toEnd: true))
            }
            if case .own(let p) = m, let a = p.automaton {
                automata.append(Span(start: Int32(tables.count), count: Int32(a.count)))
                tables += a
            } else {
                automata.append(Span(start: 0, count: -1))
            }
        }
        self.arena = copy(arena); self.matchers = copy(matchers); self.trees = trees
        self.linear = copy(linear); self.atoms = copy(atoms); self.automata = copy(automata); self.tables = copy(tables)
    }

    /// Whether the string at `i` matches matcher `m`: its linear form over the bytes in place when it has one (and the
    /// string has no escapes), else the matcher.
    @inline(__always) func matches(_ t: TapeView, _ x: JSONTape.Entry, _ i: Int, _ m: Int) -> Bool {
        guard !x.decode else { return matchers[m].matches(t, i) }
        let bytes = UnsafeBufferPointer(rebasing: t.bytes[Int(x.start)..<Int(x.end)])
        let l = linear[m]
        if l.count >= 0 {
            return SchemaPattern.matches(linear: UnsafeBufferPointer(rebasing: atoms[Int(l.start)..<Int(l.start + l.count)]), toEnd: l.toEnd, bytes)
        }
        let a = automata[m]
        if a.count >= 0 { return SchemaPattern.matches(automaton: UnsafeBufferPointer(rebasing: tables[Int(a.start)..<Int(a.start + a.count)]), bytes) }
        return matchers[m].matches(t, i)
    }

    deinit {
        nodes.baseAddress?.deallocate(); subs.baseAddress?.deallocate(); names.baseAddress?.deallocate()
        values.baseAddress?.deallocate(); arena.baseAddress?.deallocate()
        matchers.baseAddress?.deinitialize(count: matchers.count); matchers.baseAddress?.deallocate()
        linear.baseAddress?.deallocate(); atoms.baseAddress?.deallocate(); automata.baseAddress?.deallocate(); tables.baseAddress?.deallocate()
    }
}

extension SchemaProbe {
    /// Whether the document on `t` satisfies the schema (`rules`: the validator, for the objects walked the slow way).
    func accepts(_ t: TapeView, _ rules: SchemaValidator) -> Bool {
        t.entries.withUnsafeBufferPointer { e in walk(t, e.baseAddress!, 0, 0, rules) }
    }

    private func walk(_ t: TapeView, _ e: UnsafePointer<JSONTape.Entry>, _ i: Int, _ s: Int, _ rules: SchemaValidator) -> Bool {
        let n = UnsafePointer(nodes.baseAddress! + s)   // read in place (a Node is ~120 bytes)
        if n.pointee.slow { return rules.tapeMatches(t, i, s) }
        if n.pointee.unresolvable { return false }
        let x = e[i]
        if n.pointee.types != 0xFF {
            let ok: Bool
            switch x.kind {
            case .null: ok = n.pointee.types & SchemaValidator.TypeSet.null.rawValue != 0
            case .yes, .no: ok = n.pointee.types & SchemaValidator.TypeSet.boolean.rawValue != 0
            case .string: ok = n.pointee.types & SchemaValidator.TypeSet.string.rawValue != 0
            case .array: ok = n.pointee.types & SchemaValidator.TypeSet.array.rawValue != 0
            case .object: ok = n.pointee.types & SchemaValidator.TypeSet.object.rawValue != 0
            case .number: ok = n.pointee.types & SchemaValidator.TypeSet.number.rawValue != 0
                || (n.pointee.types & SchemaValidator.TypeSet.integer.rawValue != 0 && t.isInteger(i))
            }
            if !ok { return false }
        }
        if n.pointee.constValue >= 0 && !equal(t, x, i, values[Int(n.pointee.constValue)]) { return false }
        if n.pointee.hasEnum {
            var any = false
            for k in 0..<Int(n.pointee.enumValues.count) where equal(t, x, i, values[Int(n.pointee.enumValues.start) + k]) { any = true; break }
            if !any { return false }
        }
        switch x.kind {
        case .number:
            if n.pointee.hasMinimum || n.pointee.hasMaximum, let d = t.double(i) {
                if n.pointee.hasMinimum && d < n.pointee.minimum { return false }
                if n.pointee.hasMaximum && d > n.pointee.maximum { return false }
            }
        case .string:
            if n.pointee.pattern >= 0 && !matches(t, x, i, Int(n.pointee.pattern)) { return false }
        case .array:
            if n.pointee.minItems >= 0 && x.start < n.pointee.minItems { return false }
            if n.pointee.maxItems >= 0 && x.start > n.pointee.maxItems { return false }
            if n.pointee.items >= 0 {
                var j = i + 1
                for _ in 0..<x.start {
                    if !walk(t, e, j, Int(n.pointee.items), rules) { return false }
                    let y = e[j]
                    j = y.kind == .array || y.kind == .object ? Int(y.end) : j + 1
                }
            }
        case .object:
            if n.pointee.object {
                var seen: UInt64 = 0
                var k = i + 1
                let base = arena.baseAddress!, bytes = t.bytes.baseAddress!
                // Documents mostly list their keys in one order: each key's search starts at the name after the last
                // key's (when no name is listed twice, where the search starts cannot change what it finds).
                let count = Int(n.pointee.names.count)
                var from = 0
                for _ in 0..<x.start {
                    let key = e[k]
                    let length = Int32(key.end - key.start)
                    var sub: Int32 = -1, property = false
                    var m = from
                    for _ in 0..<count {
                        let name = names[Int(n.pointee.names.start) + m]
                        if name.length == length && (length == 0 || sameBytes(base + Int(name.offset), bytes + Int(key.start), Int(length))) {
                            seen |= 1 << UInt64(m)
                            if m < Int(n.pointee.propertyCount) { sub = name.schema; property = true }
                            if n.pointee.distinctNames { from = m + 1 == count ? 0 : m + 1 }
                            break
                        }
                        m = m + 1 == count ? 0 : m + 1
                    }
                    if !property {
                        if n.pointee.additional == -2 { return false }
                        sub = n.pointee.additional
                    }
                    if sub >= 0 && !walk(t, e, k + 1, Int(sub), rules) { return false }
                    let y = e[k + 1]
                    k = y.kind == .array || y.kind == .object ? Int(y.end) : k + 2
                }
                if seen & n.pointee.required != n.pointee.required { return false }
            }
        default: break
        }
        for k in 0..<Int(n.pointee.all.count) where !walk(t, e, i, Int(subs[Int(n.pointee.all.start) + k]), rules) { return false }
        if n.pointee.hasAnyOf {
            var any = false
            for k in 0..<Int(n.pointee.anyOf.count) where walk(t, e, i, Int(subs[Int(n.pointee.anyOf.start) + k]), rules) { any = true; break }
            if !any { return false }
        }
        if n.pointee.hasOneOf {
            var holding = 0
            for k in 0..<Int(n.pointee.oneOf.count) where walk(t, e, i, Int(subs[Int(n.pointee.oneOf.start) + k]), rules) {
                holding += 1
                if holding > 1 { return false }
            }
            if holding == 0 { return false }
        }
        if n.pointee.not >= 0 && walk(t, e, i, Int(n.pointee.not), rules) { return false }
        if n.pointee.cond >= 0 {
            if walk(t, e, i, Int(n.pointee.cond), rules) { if n.pointee.then >= 0 && !walk(t, e, i, Int(n.pointee.then), rules) { return false } }
            else if n.pointee.otherwise >= 0 && !walk(t, e, i, Int(n.pointee.otherwise), rules) { return false }
        }
        return true
    }

    /// const/enum: a plain ASCII string byte for byte (a tape string that needs decoding is decoded and compared as
    /// Swift compares strings, as the rule-list probe does); any other value through `SchemaValidator.equal`.
    @inline(__always) private func equal(_ t: TapeView, _ x: JSONTape.Entry, _ i: Int, _ v: Value) -> Bool {
        guard v.kind == 0 else { return SchemaValidator.equal(t, i, trees[Int(v.tree)]) }
        guard x.kind == .string else { return false }
        if x.decode { return t.string(i) == String(decoding: UnsafeBufferPointer(rebasing: arena[Int(v.offset)..<Int(v.offset + v.length)]), as: UTF8.self) }
        return x.end - x.start == v.length && (v.length == 0 || sameBytes(arena.baseAddress! + Int(v.offset), t.bytes.baseAddress! + Int(x.start), Int(v.length)))
    }
}

extension SchemaValidator.Matcher {
    /// The string at `i` on the tape: its bytes when they are the string as written, else the decoded string.
    func matches(_ t: TapeView, _ i: Int) -> Bool {
        let v = t[i]
        if case .own(let own) = self, !v.decode { return own.matches(bytes: UnsafeBufferPointer(rebasing: t.bytes[Int(v.start)..<Int(v.end)])) }
        return matches(t.string(i))
    }
}
