// A JSON document as one flat array of entries pointing into the bytes it was parsed from: no node allocated, no
// string copied. The collector's ingest fast path validates and extracts a report over it (SchemaValidator+Tape,
// ReportTapeReader) instead of building BaselineCore's tree. It accepts exactly the documents the core's JSONParser
// accepts (RFC 8259, duplicate keys refused, nesting ≤ 64, a UTF-8 byte order mark tolerated); it does not word
// errors: on any error it says no, and the caller parses again with JSONParser, whose message is the one reported.
import BaselineCore
import Foundation

struct JSONTape {
    enum Kind: UInt8 { case null, yes, no, number, string, array, object }

    struct Entry {
        var kind: Kind
        /// Strings: the bytes are not the string as written (an escape) or may decode differently (a byte ≥ 0x80):
        /// compare and match such a string only after decoding it (`string(_:)`).
        var decode: Bool
        var line: Int32
        /// Scalars: the byte range of the text (strings without their quotes). Arrays and objects: `start` is the
        /// number of items or members, `end` the index of the entry after the subtree.
        var start: Int32
        var end: Int32
    }

    static let maxDepth = 64

    /// Parses `b` into `entries` (emptied first, its capacity kept for the next document). An object's entries are
    /// the object, then per member the key (a string entry) and the value's subtree. False on any error.
    static func parse(_ b: UnsafeBufferPointer<UInt8>, into entries: inout [Entry]) -> Bool {
        var longest = 0
        return parse(b, into: &entries, longestNumber: &longest)
    }

    /// The same, and the length of the longest number's text (ReportTapeReader: whole numbers of at most 18 digits).
    static func parse(_ b: UnsafeBufferPointer<UInt8>, into entries: inout [Entry], longestNumber: inout Int) -> Bool {
        entries.removeAll(keepingCapacity: true)
        guard b.count < Int(Int32.max) else { return false }
        var p = Parser(b: b)
        if b.count >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF { p.pos = 3 }
        p.space()
        guard p.value(&entries, depth: 0) else { return false }
        p.space()
        longestNumber = p.longestNumber
        return p.pos == b.count
    }

    private struct Parser {
        let b: UnsafeBufferPointer<UInt8>
        var pos = 0
        var line: Int32 = 1
        var longestNumber = 0

        @inline(__always) mutating func space() {
            while pos < b.count {
                let c = b[pos]
                if c == 10 { line += 1 } else if c != 32 && c != 9 && c != 13 { return }
                pos += 1
            }
        }

        @inline(__always) func digit(_ at: Int) -> Bool { at < b.count && b[at] >= 48 && b[at] <= 57 }

        mutating func value(_ out: inout [Entry], depth: Int) -> Bool {
            guard depth <= JSONTape.maxDepth, pos < b.count else { return false }
            let l = line
            switch b[pos] {
            case 123: return object(&out, depth: depth)
            case 91: return array(&out, depth: depth)
            case 34: return string(&out)
            case 116: return literal(&out, .yes, 4)                // true
            case 102: return literal(&out, .no, 5)                 // false
            case 110: return literal(&out, .null, 4)               // null
            case 45, 48...57:
                let start = pos
                if b[pos] == 45 { pos += 1 }
                guard digit(pos) else { return false }
                if b[pos] == 48 { pos += 1 } else { while digit(pos) { pos += 1 } }
                if pos < b.count && b[pos] == 46 {
                    pos += 1
                    guard digit(pos) else { return false }
                    while digit(pos) { pos += 1 }
                }
                if pos < b.count && (b[pos] == 101 || b[pos] == 69) {
                    pos += 1
                    if pos < b.count && (b[pos] == 43 || b[pos] == 45) { pos += 1 }
                    guard digit(pos) else { return false }
                    while digit(pos) { pos += 1 }
                }
                guard pos - start <= 64 else { return false }
                longestNumber = max(longestNumber, pos - start)
                out.append(Entry(kind: .number, decode: false, line: l, start: Int32(start), end: Int32(pos)))
                return true
            default: return false
            }
        }

        mutating func literal(_ out: inout [Entry], _ kind: Kind, _ length: Int) -> Bool {
            let word: StaticString = kind == .yes ? "true" : kind == .no ? "false" : "null"
            guard pos + length <= b.count else { return false }
            let w = word.utf8Start
            for i in 0..<length where b[pos + i] != w[i] { return false }
            out.append(Entry(kind: kind, decode: false, line: line, start: Int32(pos), end: Int32(pos + length)))
            pos += length
            return true
        }

        @inline(__always) func hex(_ at: Int) -> UInt32? {
            guard at + 4 <= b.count else { return nil }
            var v: UInt32 = 0
            for i in at..<at + 4 {
                let c = b[i]
                let d: UInt32
                switch c {
                case 48...57: d = UInt32(c - 48)
                case 97...102: d = UInt32(c - 87)
                case 65...70: d = UInt32(c - 55)
                default: return nil
                }
                v = v * 16 + d
            }
            return v
        }

        mutating func string(_ out: inout [Entry]) -> Bool {
            let l = line
            pos += 1
            let start = pos
            var decode = false
            let base = UnsafeRawPointer(b.baseAddress!)
            while true {
                // Eight bytes at a time while none of them is a quote, a backslash, a control byte or ≥ 0x80; at a word
                // that has one, straight to the first such byte (the lowest flagged byte is always a true match: a
                // borrow can only flag bytes above it), not byte by byte through the word again.
                while pos + 8 <= b.count {
                    let w = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: pos, as: UInt64.self))   // byte 0 lowest
                    let high: UInt64 = 0x8080_8080_8080_8080, ones: UInt64 = 0x0101_0101_0101_0101
                    let quote = w ^ (ones &* 0x22), slash = w ^ (ones &* 0x5C)
                    let special = (((quote &- ones) & ~quote) | ((slash &- ones) & ~slash) | ((w &- ones &* 0x20) & ~w) | w) & high
                    if special != 0 { pos += special.trailingZeroBitCount >> 3; break }
                    pos += 8
                }
                guard pos < b.count else { return false }
                let c = b[pos]
                if c == 34 { break }
                if c < 0x20 { return false }
                if c >= 0x80 { decode = true; pos += 1; continue }
                if c == 92 {
                    decode = true
                    guard pos + 1 < b.count else { return false }
                    switch b[pos + 1] {
                    case 34, 92, 47, 98, 102, 110, 114, 116: pos += 2
                    case 117:
                        guard let u = hex(pos + 2) else { return false }
                        pos += 6
                        if u >= 0xD800 && u < 0xDC00 {
                            guard pos + 1 < b.count, b[pos] == 92, b[pos + 1] == 117, let low = hex(pos + 2), low >= 0xDC00 && low < 0xE000 else { return false }
                            pos += 6
                        } else if u >= 0xDC00 && u < 0xE000 {
                            return false
                        }
                    default: return false
                    }
                    continue
                }
                pos += 1
            }
            out.append(Entry(kind: .string, decode: decode, line: l, start: Int32(start), end: Int32(pos)))
            pos += 1
            return true
        }

        mutating func array(_ out: inout [Entry], depth: Int) -> Bool {
            let me = out.count
            out.append(Entry(kind: .array, decode: false, line: line, start: 0, end: 0))
            pos += 1
            space()
            var count: Int32 = 0
            if pos < b.count && b[pos] == 93 { pos += 1 } else {
                while true {
                    space()
                    guard value(&out, depth: depth + 1) else { return false }
                    count += 1
                    space()
                    guard pos < b.count else { return false }
                    if b[pos] == 44 { pos += 1; continue }
                    if b[pos] == 93 { pos += 1; break }
                    return false
                }
            }
            out[me].start = count
            out[me].end = Int32(out.count)
            return true
        }

        mutating func object(_ out: inout [Entry], depth: Int) -> Bool {
            let me = out.count
            out.append(Entry(kind: .object, decode: false, line: line, start: 0, end: 0))
            pos += 1
            space()
            var count: Int32 = 0
            var keyBits: UInt64 = 0             // one bit per (length, first byte, last byte) of the keys so far
            if pos < b.count && b[pos] == 125 { pos += 1 } else {
                while true {
                    space()
                    guard pos < b.count, b[pos] == 34 else { return false }
                    let key = out.count
                    guard string(&out) else { return false }
                    // A duplicate key is refused, as JSONParser refuses it. A key that needs decoding is compared as
                    // the core compares keys (String ==, canonical equivalence): the slow path does that.
                    if out[key].decode { return false }
                    // Keys are compared with the ones before only when their (length, first, last byte) bit is
                    // already set: equal keys always share it, and in a report's objects distinct keys mostly don't.
                    let k = out[key], length = Int(k.end - k.start)
                    let bit: UInt64 = length == 0 ? 1 : 1 << ((UInt64(length) &* 31 &+ UInt64(b[Int(k.start)]) &* 7 &+ UInt64(b[Int(k.end) - 1])) & 63)
                    if keyBits & bit != 0 && !distinct(out, key, me, count) { return false }
                    keyBits |= bit
                    space()
                    guard pos < b.count, b[pos] == 58 else { return false }
                    pos += 1
                    space()
                    guard value(&out, depth: depth + 1) else { return false }
                    count += 1
                    space()
                    guard pos < b.count else { return false }
                    if b[pos] == 44 { pos += 1; continue }
                    if b[pos] == 125 { pos += 1; break }
                    return false
                }
            }
            out[me].start = count
            out[me].end = Int32(out.count)
            return true
        }

        /// Whether the key at `key` differs from the `count` keys before it in the object at `object` (each member is
        /// its key entry, then its value's subtree, skipped in one step).
        func distinct(_ out: [Entry], _ key: Int, _ object: Int, _ count: Int32) -> Bool {
            let k = out[key]
            let length = Int(k.end - k.start)
            var i = object + 1
            for _ in 0..<count {
                let o = out[i]
                if Int(o.end - o.start) == length && (length == 0 || sameBytes(b.baseAddress! + Int(k.start), b.baseAddress! + Int(o.start), length)) { return false }
                i = JSONTape.after(out, i + 1)
            }
            return true
        }
    }

    /// The index of the entry after the value at `i` (its whole subtree).
    @inline(__always) static func after(_ entries: [Entry], _ i: Int) -> Int {
        let e = entries[i]
        return e.kind == .array || e.kind == .object ? Int(e.end) : i + 1
    }
}

/// A parsed tape and the bytes under it, valid only inside `JSONTape.with(_:_:)`.
struct TapeView {
    let entries: [JSONTape.Entry]
    let bytes: UnsafeBufferPointer<UInt8>
    /// The longest number's text, in bytes (sign, fraction and exponent included).
    var longestNumber = Int.max

    @inline(__always) subscript(_ i: Int) -> JSONTape.Entry { entries[i] }
    @inline(__always) func after(_ i: Int) -> Int { JSONTape.after(entries, i) }

    /// The string at `i` as the core parser would have made it.
    func string(_ i: Int) -> String {
        let e = entries[i]
        let raw = UnsafeBufferPointer(rebasing: bytes[Int(e.start)..<Int(e.end)])
        guard e.decode else { return String(decoding: raw, as: UTF8.self) }
        // Escapes: the core parser decodes the literal (quotes included), so the result is its own.
        let quoted = Array(bytes[Int(e.start) - 1...Int(e.end)])
        if let s = try? JSONParser.parse(quoted).string { return s }
        return String(decoding: raw, as: UTF8.self)
    }

    /// Whether the string at `i` equals `s` as Swift compares strings (canonical equivalence): byte for byte when both
    /// are plain ASCII, through the decoded string otherwise.
    func equals(_ i: Int, _ s: String) -> Bool {
        let e = entries[i]
        if e.decode { return string(i) == s }
        let length = Int(e.end - e.start)
        var text = s
        let ascii: Bool? = text.withUTF8 { u in
            guard u.allSatisfy({ $0 < 0x80 }) else { return nil }
            return u.count == length && (length == 0 || sameBytes(u.baseAddress!, bytes.baseAddress! + Int(e.start), length))
        }
        if let ascii { return ascii }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[Int(e.start)..<Int(e.end)]), as: UTF8.self) == s
    }

    /// Whether the key at `k` is the name whose UTF-8 is `name`, as the tree walk compares names (`SchemaValidator.same`:
    /// UTF-8 length, then ==). Keys are plain ASCII on a tape (the parser leaves others to the tree); an ASCII name is
    /// then equal exactly when its bytes are.
    func sameKey(_ k: Int, _ name: [UInt8]) -> Bool {
        let e = entries[k]
        if e.decode { return SchemaValidator.same(string(k), String(decoding: name, as: UTF8.self)) }
        let length = Int(e.end - e.start)
        guard name.count == length else { return false }
        if name.contains(where: { $0 >= 0x80 }) { return false }   // an ASCII key never equals a non-ASCII name of as many bytes
        return length == 0 || name.withUnsafeBufferPointer { sameBytes($0.baseAddress!, bytes.baseAddress! + Int(e.start), length) }
    }

    /// Whether the key entry at `k` is `key` (keys are plain ASCII on a tape).
    @inline(__always) func isKey(_ k: Int, _ key: StaticString) -> Bool {
        let e = entries[k], length = key.utf8CodeUnitCount
        return Int(e.end - e.start) == length && (length == 0 || sameBytes(key.utf8Start, bytes.baseAddress! + Int(e.start), length))
    }

    /// The value of member `key` of the object at `object` (keys are plain ASCII: the parser sent others to the slow path).
    func member(_ object: Int, _ key: StaticString) -> Int? {
        let o = entries[object]
        guard o.kind == .object else { return nil }
        var i = object + 1
        let length = key.utf8CodeUnitCount
        for _ in 0..<o.start {
            let k = entries[i]
            if Int(k.end - k.start) == length && (length == 0 || sameBytes(key.utf8Start, bytes.baseAddress! + Int(k.start), length)) { return i + 1 }
            i = after(i + 1)
        }
        return nil
    }

    /// The items of the array at `i`, as entry indexes.
    func items(_ i: Int) -> [Int] {
        let a = entries[i]
        guard a.kind == .array else { return [] }
        var out: [Int] = []
        out.reserveCapacity(Int(a.start))
        var j = i + 1
        for _ in 0..<a.start { out.append(j); j = after(j) }
        return out
    }

    /// The number at `i` as a Double (the schema's minimum/maximum and number equality compare Doubles).
    func double(_ i: Int) -> Double? {
        let e = entries[i]
        guard e.kind == .number else { return nil }
        // A whole number of up to 15 digits is exact as a Double: summed here (most of a report's numbers are counts),
        // the rest through the standard library's conversion.
        var j = Int(e.start), negative = false
        if j < Int(e.end) && bytes[j] == UInt8(ascii: "-") { negative = true; j += 1 }
        if Int(e.end) - j <= 15 {
            var v: Int64 = 0, whole = j < Int(e.end)
            while j < Int(e.end) {
                let d = bytes[j] &- 48
                guard d <= 9 else { whole = false; break }
                v = v * 10 + Int64(d); j += 1
            }
            if whole { return negative ? -Double(v) : Double(v) }
        }
        return Double(String(decoding: UnsafeBufferPointer(rebasing: bytes[Int(e.start)..<Int(e.end)]), as: UTF8.self))
    }

    /// Whether the number at `i` is written as an integer (no fraction, no exponent), as the schema's `integer` asks.
    func isInteger(_ i: Int) -> Bool {
        let e = entries[i]
        for j in Int(e.start)..<Int(e.end) where bytes[j] == 46 || bytes[j] == 101 || bytes[j] == 69 { return false }
        return true
    }
}

extension JSONTape {
    /// Parses `bytes` and hands the tape to `body`; nil when the bytes are not a document the core parser accepts.
    static func with<T>(_ bytes: UnsafeBufferPointer<UInt8>, reusing entries: inout [Entry], _ body: (TapeView) throws -> T) rethrows -> T? {
        var longest = 0
        guard parse(bytes, into: &entries, longestNumber: &longest) else { return nil }
        return try body(TapeView(entries: entries, bytes: bytes, longestNumber: longest))
    }
}

/// Whether `n` bytes at `a` and at `b` are the same: inline, a word at a time (the names and keys compared while a
/// report is validated and read are a few bytes long, where calling memcmp cost more than the comparison).
@inline(__always) func sameBytes(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
    if n < 8 {
        for j in 0..<n where a[j] != b[j] { return false }
        return true
    }
    var j = 0
    while j + 8 <= n {
        if UnsafeRawPointer(a + j).loadUnaligned(as: UInt64.self) != UnsafeRawPointer(b + j).loadUnaligned(as: UInt64.self) { return false }
        j += 8
    }
    // The last word overlaps the one before (n ≥ 8: never outside either buffer).
    return j == n || UnsafeRawPointer(a + n - 8).loadUnaligned(as: UInt64.self) == UnsafeRawPointer(b + n - 8).loadUnaligned(as: UInt64.self)
}
