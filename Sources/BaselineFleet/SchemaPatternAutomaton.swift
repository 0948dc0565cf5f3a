// A schema pattern as a position automaton (Glushkov: one state per byte set of the pattern, counted repeats written
// out), matched a byte at a time with the live states as bits of one word: no backtracking, no closures, nothing
// retained. For patterns of up to 64 sets whose `^` and `$` stand only at the very start and end (every pattern of the
// report schema that the linear form does not take, e.g. the dates' `(0[1-9]|1[0-2])`); others keep the backtracking
// matcher. The table is plain words, so the schema probe keeps a copy it reads in place.
//
// Table layout (`[UInt64]`): [0] the first states, [1] the final states, [2] flags (bit 0: the empty string matches,
// bit 1: `^`, bit 2: `$`), [3 ..< 131] per ASCII byte the states whose set holds it, then per state the states that
// may follow it.
extension SchemaPattern {
    static let automatonHeader = 3 + 128

    /// The table for `n`, or nil when it has more than 64 sets or an anchor inside.
    static func automaton(_ n: Node) -> [UInt64]? {
        var items: [Node]
        if case .sequence(let list) = n { items = list } else { items = [n] }
        var start = false, end = false
        if case .start = items.first { start = true; items.removeFirst() }
        if case .end = items.last { end = true; items.removeLast() }
        var b = Builder()
        guard let whole = b.build(.sequence(items)) else { return nil }
        var table = [UInt64](repeating: 0, count: automatonHeader + b.follow.count)
        table[0] = whole.first
        table[1] = whole.last
        table[2] = (whole.nullable ? 1 : 0) | (start ? 2 : 0) | (end ? 4 : 0)
        for (p, set) in b.sets.enumerated() {
            for c in 0..<128 where set.contains(UInt8(c)) { table[3 + c] |= 1 << UInt64(p) }
        }
        for (p, f) in b.follow.enumerated() { table[automatonHeader + p] = f }
        return table
    }

    /// Whether `b` matches: for `^…` from the first byte only, for `…$` only a match that ends at the last byte.
    static func matches(automaton t: UnsafeBufferPointer<UInt64>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        let first = t[0], last = t[1], nullable = t[2] & 1 != 0, start = t[2] & 2 != 0, end = t[2] & 4 != 0
        // The empty match: at the start (anchored), or anywhere (no `$`), or at the end (`$` without `^`).
        if nullable && (b.isEmpty || !end || !start) { return true }
        var live: UInt64 = 0
        for (i, c) in b.enumerated() {
            var next: UInt64 = i == 0 || !start ? first : 0
            var x = live
            while x != 0 { next |= t[automatonHeader + x.trailingZeroBitCount]; x &= x - 1 }
            live = c < 128 ? next & t[3 + Int(c)] : 0
            if !end && live & last != 0 { return true }
            if live == 0 && start { return false }
        }
        return end && live & last != 0
    }

    private struct Builder {
        var sets: [ByteSet] = []
        var follow: [UInt64] = []

        /// First states, final states and whether the empty string matches, of `n` (its states added).
        mutating func build(_ n: Node) -> (first: UInt64, last: UInt64, nullable: Bool)? {
            switch n {
            case .start, .end: return nil
            case .set(let s):
                guard sets.count < 64 else { return nil }
                sets.append(s); follow.append(0)
                let bit: UInt64 = 1 << UInt64(sets.count - 1)
                return (bit, bit, false)
            case .sequence(let items):
                var r: (first: UInt64, last: UInt64, nullable: Bool) = (0, 0, true)
                for item in items {
                    guard let x = build(item) else { return nil }
                    r = then(r, x)
                }
                return r
            case .alternatives(let alts):
                var r: (first: UInt64, last: UInt64, nullable: Bool) = (0, 0, false)
                for a in alts {
                    guard let x = build(a) else { return nil }
                    r = (r.first | x.first, r.last | x.last, r.nullable || x.nullable)
                }
                return r
            case .repeated(let item, let lo, let hi):
                // Written out: `lo` copies, then (unbounded) one that loops, or (bounded) `hi - lo` optional ones.
                guard lo <= 64, hi == .max || hi <= 64 else { return nil }
                var r: (first: UInt64, last: UInt64, nullable: Bool) = (0, 0, true)
                for _ in 0..<lo { guard let x = build(item) else { return nil }; r = then(r, x) }
                if hi == .max {
                    guard let x = build(item) else { return nil }
                    var y = x.last
                    while y != 0 { follow[y.trailingZeroBitCount] |= x.first; y &= y - 1 }
                    r = then(r, (x.first, x.last, true))
                } else {
                    for _ in lo..<hi { guard let x = build(item) else { return nil }; r = then(r, (x.first, x.last, true)) }
                }
                return r
            }
        }

        /// `a` followed by `b`: every final state of `a` may be followed by a first state of `b`.
        mutating func then(_ a: (first: UInt64, last: UInt64, nullable: Bool), _ b: (first: UInt64, last: UInt64, nullable: Bool))
            -> (first: UInt64, last: UInt64, nullable: Bool) {
            var y = a.last
            while y != 0 { follow[y.trailingZeroBitCount] |= b.first; y &= y - 1 }
            return (a.first | (a.nullable ? b.first : 0), b.last | (b.nullable ? a.last : 0), a.nullable && b.nullable)
        }
    }
}
