// The regular expressions JSON Schema `pattern`s use, matched without Foundation: literals, escapes, `[...]` classes
// with ranges, groups with `|`, and the quantifiers `* + ? {n} {n,} {n,m}`, anchored by `^`/`$` or searched for.
// A pattern outside this subset is not compiled here (the validator then uses NSRegularExpression). Matching is over
// UTF-8 bytes; a class or literal only ever matches ASCII, which is all the schema's patterns ask for.
import Foundation

struct SchemaPattern {
    indirect enum Node {
        case set(ByteSet)
        case sequence([Node])
        case alternatives([Node])
        case repeated(Node, min: Int, max: Int)      // max = Int.max: unbounded
        case start, end
    }

    struct ByteSet {
        var bits: (UInt64, UInt64) = (0, 0)           // ASCII only
        mutating func insert(_ b: UInt8) { if b < 64 { bits.0 |= 1 << UInt64(b) } else if b < 128 { bits.1 |= 1 << UInt64(b - 64) } }
        func contains(_ b: UInt8) -> Bool { b < 64 ? bits.0 & (1 << UInt64(b)) != 0 : b < 128 ? bits.1 & (1 << UInt64(b - 64)) != 0 : false }
    }

    let root: Node
    let source: String
    /// The pattern begins with `^` (outside any group): only a match from the first byte can succeed.
    let anchored: Bool
    /// `^…$` over byte sets each repeated a fixed or bounded number of times, where a set repeated a variable number of
    /// times shares no byte with the set after it (which must occur at least once), e.g. `^[A-Z]{3,5}-[0-9]{2}$`:
    /// matched left to right, each set taking all it can, with no backtracking (a shorter run would leave a byte of its
    /// set for the next set, which has none of them). Most of the report schema's patterns are of this kind.
    /// Also `^…` with no `$` (e.g. `^\$`): then the sets need only match a prefix.
    let linear: [Atom]?
    let linearToEnd: Bool
    /// A byte set repeated `lo` to `hi` times.
    struct Atom { var set: ByteSet; var lo: Int; var hi: Int }
    /// Patterns without a linear form: the position automaton (SchemaPatternAutomaton.swift), when the pattern has
    /// one; nil leaves the backtracking matcher (`match`).
    let automaton: [UInt64]?

    /// nil when the pattern uses syntax outside the subset.
    init?(_ pattern: String) {
        var p = Parser(bytes: Array(pattern.utf8))
        guard let n = p.alternatives(), p.i == p.bytes.count else { return nil }
        root = n
        source = pattern
        switch n {
        case .start: anchored = true
        case .sequence(let items): if case .start = items.first { anchored = true } else { anchored = false }
        default: anchored = false
        }
        (linear, linearToEnd) = SchemaPattern.linearForm(n).map { ($0.0, $0.1) } ?? (nil, true)
        automaton = linear == nil ? SchemaPattern.automaton(n) : nil
    }

    static func linearForm(_ n: Node) -> ([Atom], Bool)? {
        guard case .sequence(let items) = n, items.count >= 2, case .start = items.first! else { return nil }
        var toEnd = false
        if case .end = items.last! { toEnd = true }
        var atoms: [Atom] = []
        for item in items.dropFirst().dropLast(toEnd ? 1 : 0) {
            switch item {
            case .set(let set): atoms.append(Atom(set: set, lo: 1, hi: 1))
            case .repeated(.set(let set), let lo, let hi): atoms.append(Atom(set: set, lo: lo, hi: hi))
            default: return nil
            }
        }
        for (i, a) in atoms.enumerated() where a.lo != a.hi && i + 1 < atoms.count {
            let next = atoms[i + 1]
            guard next.lo >= 1, a.set.bits.0 & next.set.bits.0 == 0, a.set.bits.1 & next.set.bits.1 == 0 else { return nil }
        }
        return (atoms, toEnd)
    }

    func matches(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { matches(bytes: $0) }
    }

    /// The same over a string's UTF-8 bytes.
    func matches(bytes b: UnsafeBufferPointer<UInt8>) -> Bool {
        if let linear { return linear.withUnsafeBufferPointer { SchemaPattern.matches(linear: $0, toEnd: linearToEnd, b) } }
        if let automaton { return automaton.withUnsafeBufferPointer { SchemaPattern.matches(automaton: $0, b) } }
        for start in 0...(anchored ? 0 : b.count) {
            if SchemaPattern.match(root, b, start, { _ in true }) { return true }
        }
        return false
    }

    /// The linear form's match: each set takes all it can, left to right.
    @inline(__always) static func matches(linear: UnsafeBufferPointer<Atom>, toEnd: Bool, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        var p = 0
        for a in linear {
            var n = 0
            while n < a.hi, p < b.count, a.set.contains(b[p]) { n += 1; p += 1 }
            if n < a.lo { return false }
        }
        return p == b.count || !toEnd
    }

    /// Backtracking with continuations: does `n` match at `i` such that `k` accepts where it ends?
    static func match(_ n: Node, _ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ k: (Int) -> Bool) -> Bool {
        switch n {
        case .set(let set): return i < b.count && set.contains(b[i]) && k(i + 1)
        case .start: return i == 0 && k(i)
        case .end: return i == b.count && k(i)
        case .alternatives(let alts):
            for a in alts where match(a, b, i, k) { return true }
            return false
        case .sequence(let items):
            func step(_ j: Int, _ at: Int) -> Bool { j == items.count ? k(at) : match(items[j], b, at, { step(j + 1, $0) }) }
            return step(0, i)
        case .repeated(let item, let lo, let hi):
            // Greedy: a single-byte item is counted forward, then given back one at a time.
            if case .set(let set) = item {
                var n = 0
                while n < hi, i + n < b.count, set.contains(b[i + n]) { n += 1 }
                while n >= lo { if k(i + n) { return true }; n -= 1 }
                return false
            }
            func rep(_ count: Int, _ at: Int) -> Bool {
                // An iteration must move on (else `x*` over an empty match would not end), except the ones `lo` asks
                // for: `(a?){2}b` matches "b".
                if count < hi, match(item, b, at, { ($0 > at || count < lo) && rep(count + 1, $0) }) { return true }
                return count >= lo && k(at)
            }
            return rep(0, i)
        }
    }

    struct Parser {
        let bytes: [UInt8]
        var i = 0
        var peek: UInt8? { i < bytes.count ? bytes[i] : nil }

        mutating func alternatives() -> Node? {
            var alts: [Node] = []
            repeat {
                if !alts.isEmpty { i += 1 }                   // the `|`
                guard let s = sequence() else { return nil }
                alts.append(s)
            } while peek == UInt8(ascii: "|")
            return alts.count == 1 ? alts[0] : .alternatives(alts)
        }

        mutating func sequence() -> Node? {
            var items: [Node] = []
            while let c = peek, c != UInt8(ascii: "|"), c != UInt8(ascii: ")") {
                guard var atom = self.atom() else { return nil }
                if let q = quantifier() {
                    if case .start = atom { return nil }
                    if case .end = atom { return nil }
                    atom = .repeated(atom, min: q.0, max: q.1)
                }
                items.append(atom)
            }
            return items.count == 1 ? items[0] : .sequence(items)
        }

        mutating func atom() -> Node? {
            guard let c = peek else { return nil }
            i += 1
            switch c {
            case UInt8(ascii: "^"): return .start
            case UInt8(ascii: "$"): return .end
            case UInt8(ascii: "("):
                if peek == UInt8(ascii: "?") { return nil }   // no (?:…) and friends
                guard let inner = alternatives(), peek == UInt8(ascii: ")") else { return nil }
                i += 1
                return inner
            case UInt8(ascii: "["): return charClass()
            case UInt8(ascii: "\\"):
                guard let e = peek, let set = escaped(e) else { return nil }
                i += 1
                return .set(set)
            case UInt8(ascii: "."), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "?"), UInt8(ascii: "{"), UInt8(ascii: "}"),
                 UInt8(ascii: "]"):
                return nil                                    // `.` would have to match any Unicode scalar
            default:
                guard c < 128 else { return nil }
                var s = ByteSet(); s.insert(c); return .set(s)
            }
        }

        /// `\.` and the like: an escaped punctuation character stands for itself; `\d` is a digit.
        func escaped(_ e: UInt8) -> ByteSet? {
            var s = ByteSet()
            if e == UInt8(ascii: "d") { for d in UInt8(ascii: "0")...UInt8(ascii: "9") { s.insert(d) }; return s }
            guard e < 128, !(e >= UInt8(ascii: "a") && e <= UInt8(ascii: "z")), !(e >= UInt8(ascii: "A") && e <= UInt8(ascii: "Z")),
                  !(e >= UInt8(ascii: "0") && e <= UInt8(ascii: "9")) else { return nil }
            s.insert(e)
            return s
        }

        mutating func charClass() -> Node? {
            var set = ByteSet()
            if peek == UInt8(ascii: "^") { return nil }       // a negated class would have to match non-ASCII text too
            var first = true
            while let c = peek, c != UInt8(ascii: "]") || first {
                first = false
                i += 1
                var lo = c
                if c == UInt8(ascii: "\\") {
                    guard let e = peek, let esc = escaped(e) else { return nil }
                    i += 1
                    if e == UInt8(ascii: "d") { set.bits.0 |= esc.bits.0; continue }
                    lo = e
                } else if c == UInt8(ascii: "[") || c >= 128 { return nil }
                if peek == UInt8(ascii: "-"), i + 1 < bytes.count, bytes[i + 1] != UInt8(ascii: "]") {
                    var hi = bytes[i + 1]
                    i += 2
                    if hi == UInt8(ascii: "\\") { guard let e = peek, e < 128 else { return nil }; hi = e; i += 1 }
                    guard hi >= lo, hi < 128 else { return nil }
                    for x in lo...hi { set.insert(x) }
                } else {
                    set.insert(lo)
                }
            }
            guard peek == UInt8(ascii: "]") else { return nil }
            i += 1
            return .set(set)
        }

        mutating func quantifier() -> (Int, Int)? {
            switch peek {
            case UInt8(ascii: "*"): i += 1; return (0, .max)
            case UInt8(ascii: "+"): i += 1; return (1, .max)
            case UInt8(ascii: "?"): i += 1; return (0, 1)
            case UInt8(ascii: "{"):
                let save = i
                i += 1
                guard let lo = number() else { i = save; return nil }
                var hi = lo
                if peek == UInt8(ascii: ",") { i += 1; hi = number() ?? .max }
                guard peek == UInt8(ascii: "}"), hi >= lo else { i = save; return nil }
                i += 1
                return (lo, hi)
            default: return nil
            }
        }

        mutating func number() -> Int? {
            var n = 0, digits = 0
            while let c = peek, c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9"), digits < 6 { n = n * 10 + Int(c - 48); i += 1; digits += 1 }
            return digits == 0 ? nil : n
        }
    }
}
