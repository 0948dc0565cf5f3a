// Strict RFC 8259 JSON parser with a nesting limit and line-numbered errors. Used for profiles, EOL data and (on the
// host) reports; it must never crash on hostile input.

public struct JSONError: Error {
    public let line: Int
    public let message: String
}

public struct JSONParser {
    private let bytes: [UInt8]
    private var pos = 0
    private var line = 1
    private let maxDepth: Int

    public static func parse(_ bytes: [UInt8], maxDepth: Int = 64) throws(JSONError) -> JSONNode {
        var p = JSONParser(bytes: bytes, maxDepth: maxDepth)
        // Tolerate a UTF-8 byte order mark.
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { p.pos = 3 }
        p.skipSpace()
        let node = try p.value(depth: 0)
        p.skipSpace()
        if p.pos != bytes.count { throw p.fail("expected end of document after the top-level value") }
        return node
    }

    private init(bytes: [UInt8], maxDepth: Int) { self.bytes = bytes; self.maxDepth = maxDepth }

    private func fail(_ message: String) -> JSONError { JSONError(line: line, message: message) }

    private mutating func skipSpace() {
        while pos < bytes.count {
            let c = bytes[pos]
            if c == 10 { line += 1 } else if c != 32 && c != 9 && c != 13 { return }
            pos += 1
        }
    }

    private func describeHere() -> String {
        if pos >= bytes.count { return "end of file" }
        let c = bytes[pos]
        if c >= 33 && c < 127 { return "'" + String(decoding: [c], as: UTF8.self) + "'" }
        return "byte " + String(Int(c))
    }

    private mutating func value(depth: Int) throws(JSONError) -> JSONNode {
        if depth > maxDepth { throw fail("nesting deeper than \(maxDepth) levels") }
        guard pos < bytes.count else { throw fail("expected a value, found end of file") }
        let startLine = line
        switch bytes[pos] {
        case 123: return JSONNode(line: startLine, try object(depth: depth))
        case 91: return JSONNode(line: startLine, try array(depth: depth))
        case 34: return JSONNode(line: startLine, .string(try string()))
        case 116: try literal("true"); return JSONNode(line: startLine, .bool(true))
        case 102: try literal("false"); return JSONNode(line: startLine, .bool(false))
        case 110: try literal("null"); return JSONNode(line: startLine, .null)
        case 45, 48...57: return JSONNode(line: startLine, .number(try number()))
        default: throw fail("expected a value, found \(describeHere())")
        }
    }

    private mutating func literal(_ word: String) throws(JSONError) {
        for c in word.utf8 {
            guard pos < bytes.count, bytes[pos] == c else { throw fail("expected '\(word)'") }
            pos += 1
        }
    }

    private mutating func number() throws(JSONError) -> String {
        let start = pos
        if bytes[pos] == 45 { pos += 1 }
        guard pos < bytes.count, bytes[pos] >= 48 && bytes[pos] <= 57 else { throw fail("expected a digit in number") }
        if bytes[pos] == 48 { pos += 1 } else { while pos < bytes.count && bytes[pos] >= 48 && bytes[pos] <= 57 { pos += 1 } }
        if pos < bytes.count && bytes[pos] == 46 {
            pos += 1
            guard pos < bytes.count, bytes[pos] >= 48 && bytes[pos] <= 57 else { throw fail("expected a digit after '.'") }
            while pos < bytes.count && bytes[pos] >= 48 && bytes[pos] <= 57 { pos += 1 }
        }
        if pos < bytes.count && (bytes[pos] == 101 || bytes[pos] == 69) {
            pos += 1
            if pos < bytes.count && (bytes[pos] == 43 || bytes[pos] == 45) { pos += 1 }
            guard pos < bytes.count, bytes[pos] >= 48 && bytes[pos] <= 57 else { throw fail("expected a digit in exponent") }
            while pos < bytes.count && bytes[pos] >= 48 && bytes[pos] <= 57 { pos += 1 }
        }
        if pos - start > 64 { throw fail("number too long") }
        return String(decoding: bytes[start..<pos], as: UTF8.self)
    }

    private mutating func hex4() throws(JSONError) -> UInt32 {
        guard pos + 4 <= bytes.count else { throw fail("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[pos]
            var d: UInt32
            switch c {
            case 48...57: d = UInt32(c - 48)
            case 97...102: d = UInt32(c - 87)
            case 65...70: d = UInt32(c - 55)
            default: throw fail("invalid hex digit in \\u escape")
            }
            v = v * 16 + d
            pos += 1
        }
        return v
    }

    private static func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
        if scalar < 0x80 { out.append(UInt8(scalar)) }
        else if scalar < 0x800 { out.append(UInt8(0xC0 | scalar >> 6)); out.append(UInt8(0x80 | scalar & 0x3F)) }
        else if scalar < 0x10000 {
            out.append(UInt8(0xE0 | scalar >> 12)); out.append(UInt8(0x80 | scalar >> 6 & 0x3F)); out.append(UInt8(0x80 | scalar & 0x3F))
        } else {
            out.append(UInt8(0xF0 | scalar >> 18)); out.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            out.append(UInt8(0x80 | scalar >> 6 & 0x3F)); out.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    private mutating func string() throws(JSONError) -> String {
        pos += 1 // opening quote
        // Most strings have no escape: their bytes are the string (UTF-8 checked by String(decoding:), as below).
        let start = pos
        while pos < bytes.count {
            let c = bytes[pos]
            if c == 34 { pos += 1; return String(decoding: bytes[start..<pos - 1], as: UTF8.self) }
            if c == 92 || c < 0x20 { break }
            pos += 1
        }
        var out: [UInt8] = Array(bytes[start..<pos])
        while true {
            guard pos < bytes.count else { throw fail("unterminated string") }
            let c = bytes[pos]
            if c == 34 { pos += 1; break }
            if c < 0x20 { throw fail(c == 10 ? "unterminated string (newline inside a string)" : "control character in string") }
            if c == 92 {
                pos += 1
                guard pos < bytes.count else { throw fail("unterminated escape") }
                let e = bytes[pos]
                pos += 1
                switch e {
                case 34: out.append(34)
                case 92: out.append(92)
                case 47: out.append(47)
                case 98: out.append(8)
                case 102: out.append(12)
                case 110: out.append(10)
                case 114: out.append(13)
                case 116: out.append(9)
                case 117:
                    var scalar = try hex4()
                    if scalar >= 0xD800 && scalar < 0xDC00 {
                        guard pos + 1 < bytes.count, bytes[pos] == 92, bytes[pos + 1] == 117 else { throw fail("unpaired surrogate in \\u escape") }
                        pos += 2
                        let low = try hex4()
                        guard low >= 0xDC00 && low < 0xE000 else { throw fail("invalid low surrogate in \\u escape") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if scalar >= 0xDC00 && scalar < 0xE000 {
                        throw fail("unpaired surrogate in \\u escape")
                    }
                    JSONParser.appendUTF8(scalar, to: &out)
                default: throw fail("invalid escape in string")
                }
                continue
            }
            out.append(c)
            pos += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    private mutating func array(depth: Int) throws(JSONError) -> JSON {
        pos += 1
        var items: [JSONNode] = []
        skipSpace()
        if pos < bytes.count && bytes[pos] == 93 { pos += 1; return .array(items) }
        while true {
            skipSpace()
            items.append(try value(depth: depth + 1))
            skipSpace()
            guard pos < bytes.count else { throw fail("expected ',' or ']' in array, found end of file") }
            if bytes[pos] == 44 { pos += 1; continue }
            if bytes[pos] == 93 { pos += 1; return .array(items) }
            throw fail("expected ',' or ']' in array, found \(describeHere())")
        }
    }

    private mutating func object(depth: Int) throws(JSONError) -> JSON {
        pos += 1
        var members: [JSONMember] = []
        skipSpace()
        if pos < bytes.count && bytes[pos] == 125 { pos += 1; return .object(members) }
        while true {
            skipSpace()
            guard pos < bytes.count, bytes[pos] == 34 else { throw fail("expected a quoted key in object, found \(describeHere())") }
            let keyLine = line
            let key = try string()
            for m in members where m.key == key { throw fail("duplicate key '\(key)'") }
            skipSpace()
            guard pos < bytes.count, bytes[pos] == 58 else { throw fail("expected ':' after key '\(key)'") }
            pos += 1
            skipSpace()
            let v = try value(depth: depth + 1)
            members.append(JSONMember(key, v, line: keyLine))
            skipSpace()
            guard pos < bytes.count else { throw fail("expected ',' or '}' in object, found end of file") }
            if bytes[pos] == 44 { pos += 1; continue }
            if bytes[pos] == 125 { pos += 1; return .object(members) }
            throw fail("expected ',' or '}' after the value of '\(key)', found \(describeHere())")
        }
    }
}
