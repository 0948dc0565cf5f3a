// The schema validator's probe over a JSONTape: whether a document satisfies the schema, decided without a tree and
// without wording a violation. The ingest fast path accepts a report on it; a report it refuses is validated again on
// the core's tree (`validate`), which words the violation — so refusals read exactly as before, and the two walks are
// held to the same answer by SchemaTapeAgreementTests.
import BaselineCore
import Foundation

extension SchemaValidator {
    /// Whether the document on `t` satisfies the schema (exactly when `validate` on its tree would not throw).
    func accepts(_ t: TapeView) -> Bool { probe.accepts(t, self) }

    /// The rule-list probe: the same answer as `accepts`, walking `schemas` (SchemaProbe walks this way the schema
    /// objects its flat form cannot hold).
    func tapeMatches(_ t: TapeView, _ i: Int, _ schema: Int) -> Bool { matches(t, i, schema) }

    private func matches(_ t: TapeView, _ i: Int, _ schema: Int) -> Bool {
        let v = t[i]
        for rule in schemas[schema] {
            switch rule {
            case .ref(let target): if !matches(t, i, target) { return false }
            case .unresolvable: return false
            case .types(_, let set): if !SchemaValidator.typeMatches(set, t, i) { return false }
            case .const(let c): if !SchemaValidator.equal(t, i, c) { return false }
            case .oneOfValues(let options): if !options.contains(where: { SchemaValidator.equal(t, i, $0) }) { return false }
            case .minimum(let m, _): if v.kind == .number, let n = t.double(i), n < m { return false }
            case .maximum(let m, _): if v.kind == .number, let n = t.double(i), n > m { return false }
            case .pattern(let p):
                guard v.kind == .string else { break }
                switch p {
                case .own(let own) where !v.decode:
                    if !own.matches(bytes: UnsafeBufferPointer(rebasing: t.bytes[Int(v.start)..<Int(v.end)])) { return false }
                default: if !p.matches(t.string(i)) { return false }
                }
            case .minItems(let m): if v.kind == .array, Int(v.start) < m { return false }
            case .maxItems(let m): if v.kind == .array, Int(v.start) > m { return false }
            case .items(let sub):
                guard v.kind == .array else { break }
                var j = i + 1
                for _ in 0..<v.start {
                    if !matches(t, j, sub) { return false }
                    j = t.after(j)
                }
            case .required(_, let names):
                guard v.kind == .object else { break }
                for name in names where !has(t, i, name) { return false }
            case .properties(let props, let extra):
                guard v.kind == .object else { break }
                var k = i + 1
                for _ in 0..<v.start {
                    let sub: Int
                    if let ps = property(props, t, k) { sub = ps } else {
                        switch extra {
                        case .allowed: k = t.after(k + 1); continue
                        case .forbidden: return false
                        case .schema(let ap): sub = ap
                        }
                    }
                    if !matches(t, k + 1, sub) { return false }
                    k = t.after(k + 1)
                }
            case .allOf(let subs): for x in subs where !matches(t, i, x) { return false }
            case .anyOf(let alts): if !alts.isEmpty && !alts.contains(where: { matches(t, i, $0.schema) }) { return false }
            case .oneOf(let alts):
                if alts.isEmpty { break }
                var holding = 0
                for x in alts where matches(t, i, x.schema) { holding += 1; if holding > 1 { return false } }
                if holding == 0 { return false }
            case .not(let sub, _): if matches(t, i, sub) { return false }
            case .conditional(let cond, let then, let otherwise):
                if matches(t, i, cond) { if let th = then, !matches(t, i, th) { return false } }
                else if let e = otherwise, !matches(t, i, e) { return false }
            }
        }
        return true
    }

    /// Whether the object at `o` has a member named `name` (its keys are plain ASCII: the tape parser leaves others to
    /// the tree; a name is compared as the tree walk compares it, length first, then the bytes).
    private func has(_ t: TapeView, _ o: Int, _ name: [UInt8]) -> Bool {
        var k = o + 1
        for _ in 0..<t[o].start {
            if t.sameKey(k, name) { return true }
            k = t.after(k + 1)
        }
        return false
    }

    /// The schema of the property whose key entry is at `k`, if `props` names it.
    private func property(_ props: Properties, _ t: TapeView, _ k: Int) -> Int? {
        if props.table != nil { return props[t.string(k)] }
        for (n, name) in props.names.enumerated() where t.sameKey(k, name) { return props.list[n].1 }
        return nil
    }

    static func typeMatches(_ set: TypeSet, _ t: TapeView, _ i: Int) -> Bool {
        switch t[i].kind {
        case .null: return set.contains(.null)
        case .yes, .no: return set.contains(.boolean)
        case .string: return set.contains(.string)
        case .array: return set.contains(.array)
        case .object: return set.contains(.object)
        case .number: return set.contains(.number) || (set.contains(.integer) && t.isInteger(i))
        }
    }

    /// `equal` (const, enum) between a tape value and a schema value.
    static func equal(_ t: TapeView, _ i: Int, _ c: JSONNode) -> Bool {
        switch (t[i].kind, c.value) {
        case (.null, .null): return true
        case (.yes, .bool(let b)): return b
        case (.no, .bool(let b)): return !b
        case (.string, .string(let s)): return t.equals(i, s)
        case (.number, .number): return t.double(i) == number(c)
        default: return false
        }
    }
}
