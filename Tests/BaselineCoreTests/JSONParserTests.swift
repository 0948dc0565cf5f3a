// JSONParser (strict, line-numbered, depth-limited) and JSONWriter of BaselineCore.
import Foundation
import Testing
@testable import BaselineCore

// MARK: helpers

/// Structural equality of two JSON trees (line numbers ignored, member order significant).
func jsonEqual(_ a: JSONNode, _ b: JSONNode) -> Bool {
    switch (a.value, b.value) {
    case (.null, .null): return true
    case (.bool(let x), .bool(let y)): return x == y
    case (.number(let x), .number(let y)): return x == y
    case (.string(let x), .string(let y)): return x == y
    case (.array(let x), .array(let y)):
        return x.count == y.count && zip(x, y).allSatisfy { jsonEqual($0, $1) }
    case (.object(let x), .object(let y)):
        return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && jsonEqual($0.node, $1.node) }
    default: return false
    }
}

private func parse(_ text: String, maxDepth: Int = 64) throws(JSONError) -> JSONNode {
    try JSONParser.parse(bytes(text), maxDepth: maxDepth)
}

/// The error a document produces, or nil when it parses.
private func parseError(_ data: [UInt8], maxDepth: Int = 64) -> JSONError? {
    do { _ = try JSONParser.parse(data, maxDepth: maxDepth); return nil } catch { return error }
}

private func parseError(_ text: String, maxDepth: Int = 64) -> JSONError? { parseError(bytes(text), maxDepth: maxDepth) }

// MARK: parser

@Suite("JSONParser: valid documents")
struct JSONParserValidTests {
    @Test("scalars at top level")
    func scalars() throws {
        #expect(try parse("null").isNull)
        #expect(try parse("true").bool == true)
        #expect(try parse("false").bool == false)
        #expect(try parse("\"hi\"").string == "hi")
        #expect(try parse("42").int == 42)
        #expect(try parse("-7").int == -7)
        #expect(try parse("  \t\r\n 0 \n").int == 0)
    }

    @Test("numbers are kept as written", arguments: ["0", "-0", "1", "123", "-123", "1.5", "-0.25", "1e10", "1E+10", "2.5e-3", "0.0e0"])
    func numbers(text: String) throws {
        let n = try parse(text)
        guard case .number(let s) = n.value else { Issue.record("not a number: \(n.kindName)"); return }
        #expect(s == text)
    }

    @Test("int accessor only for plain integers")
    func intAccessor() throws {
        #expect(try parse("1.5").int == nil)
        #expect(try parse("1e3").int == nil)
        #expect(try parse("\"12\"").int == nil)
        #expect(try parse("-40").int == -40)
    }

    @Test("nested structure, member order and accessors")
    func nested() throws {
        let doc = try parse(#"{"name": "x", "list": [1, "two", [3], {"four": 4}], "empty": {}, "none": [], "t": true, "n": null}"#)
        let members = try #require(doc.members)
        #expect(members.map(\.key) == ["name", "list", "empty", "none", "t", "n"])
        #expect(doc["name"]?.string == "x")
        let list = try #require(doc["list"]?.array)
        #expect(list.count == 4)
        #expect(list[0].int == 1)
        #expect(list[1].string == "two")
        #expect(list[2].array?.first?.int == 3)
        #expect(list[3]["four"]?.int == 4)
        #expect(doc["empty"]?.members?.isEmpty == true)
        #expect(doc["none"]?.array?.isEmpty == true)
        #expect(doc["t"]?.bool == true)
        #expect(doc["n"]?.isNull == true)
        #expect(doc["missing"] == nil)
        #expect(doc["list"]?["x"] == nil)   // subscript on a non-object
        #expect(doc.kindName == "an object")
        #expect(doc["list"]?.kindName == "an array")
        #expect(doc["name"]?.kindName == "a string")
        #expect(doc["t"]?.kindName == "a boolean")
        #expect(doc["n"]?.kindName == "null")
        #expect(list[0].kindName == "a number")
    }

    @Test("line numbers of nodes and keys")
    func lineNumbers() throws {
        let text = """
        {
          "a": 1,
          "b": [
            true,

            null
          ],
          "c":
            {"d": "x"}
        }
        """
        let doc = try parse(text)
        #expect(doc.line == 1)
        let m = try #require(doc.members)
        #expect(m[0].key == "a" && m[0].keyLine == 2 && m[0].node.line == 2)
        #expect(m[1].keyLine == 3 && m[1].node.line == 3)
        let items = try #require(m[1].node.array)
        #expect(items[0].line == 4)
        #expect(items[1].line == 6)
        #expect(m[2].keyLine == 8)
        #expect(m[2].node.line == 9)
        #expect(m[2].node["d"]?.line == 9)
    }

    @Test("CRLF line endings count lines once")
    func crlfLines() throws {
        let doc = try parse("{\r\n\"a\":\r\n1,\r\n\"b\": 2}")
        let m = try #require(doc.members)
        #expect(m[0].keyLine == 2)
        #expect(m[0].node.line == 3)
        #expect(m[1].keyLine == 4)
    }

    @Test("simple escapes")
    func escapes() throws {
        let s = try parse(#""q\" b\\ s\/ b\b f\f n\n r\r t\t""#).string
        #expect(s == "q\" b\\ s/ b\u{8} f\u{c} n\n r\r t\t")
    }

    @Test("\\u escapes in the BMP")
    func unicodeEscapes() throws {
        #expect(try parse(#""\u0041\u00e9\u20AC\u0000\uFFFF""#).string == "A\u{e9}\u{20ac}\u{0}\u{ffff}")
        #expect(try parse(#""\u007f\u0080\u07ff\u0800""#).string == "\u{7f}\u{80}\u{7ff}\u{800}")
    }

    @Test("surrogate pairs decode to one scalar")
    func surrogatePairs() throws {
        #expect(try parse(#""\ud83d\ude00""#).string == "😀")
        #expect(try parse(#""\uD834\uDD1E""#).string == "\u{1D11E}")
        #expect(try parse(#""\ud800\udc00""#).string == "\u{10000}")
        #expect(try parse(#""\udbff\udfff""#).string == "\u{10FFFF}")
        #expect(try parse(#""x\ud83d\ude00y""#).string?.unicodeScalars.count == 3)
    }

    @Test("raw UTF-8 in strings passes through")
    func rawUTF8() throws {
        #expect(try parse("\"grüße 🌍 мир\"").string == "grüße 🌍 мир")
        #expect(try parse("{\"ключ\": 1}").members?.first?.key == "ключ")
    }

    @Test("a UTF-8 byte order mark is tolerated")
    func bom() throws {
        let doc = try JSONParser.parse([0xEF, 0xBB, 0xBF] + bytes("{\"a\": [1]}"))
        #expect(doc["a"]?.array?.first?.int == 1)
        let e = parseError([0xEF, 0xBB, 0xBF])
        #expect(e?.message == "expected a value, found end of file")
        // A BOM anywhere but the start is an error.
        let mid = parseError(bytes("[1,") + [0xEF, 0xBB, 0xBF] + bytes("2]"))
        #expect(mid?.message == "expected a value, found byte 239")
    }

    @Test("nesting exactly at the limit parses")
    func depthAtLimit() throws {
        // maxDepth counts the levels below the top-level value.
        let ok = String(repeating: "[", count: 4) + "1" + String(repeating: "]", count: 4)
        let doc = try parse(ok, maxDepth: 4)
        #expect(doc.array?.first?.array?.first?.array?.first?.array?.first?.int == 1)
        let deep64 = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(parseError(deep64) == nil)
    }
}

@Suite("JSONParser: errors")
struct JSONParserErrorTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let text: String
        let line: Int
        let message: String
        var testDescription: String { message }
    }

    @Test("error line and message", arguments: [
        Case(text: "", line: 1, message: "expected a value, found end of file"),
        Case(text: "\n\n  ", line: 3, message: "expected a value, found end of file"),
        Case(text: "[\n1,\n]", line: 3, message: "expected a value, found ']'"),
        Case(text: "{\n\"a\": 1,\n}", line: 3, message: "expected a quoted key in object, found '}'"),
        Case(text: "{\n\"a\": \"abc", line: 2, message: "unterminated string"),
        Case(text: "\"ab\ncd\"", line: 1, message: "unterminated string (newline inside a string)"),
        Case(text: "{\n\"a\": 1,\n\"a\": 2\n}", line: 3, message: "duplicate key 'a'"),
        Case(text: "{} x", line: 1, message: "expected end of document after the top-level value"),
        Case(text: "1\n\n2", line: 3, message: "expected end of document after the top-level value"),
        Case(text: "[1 2]", line: 1, message: "expected ',' or ']' in array, found '2'"),
        Case(text: "[1,\n2", line: 2, message: "expected ',' or ']' in array, found end of file"),
        Case(text: "{\"a\" 1}", line: 1, message: "expected ':' after key 'a'"),
        Case(text: "{\"a\": 1", line: 1, message: "expected ',' or '}' in object, found end of file"),
        Case(text: "{\"a\": 1 \"b\": 2}", line: 1, message: "expected ',' or '}' after the value of 'a', found '\"'"),
        Case(text: "{a: 1}", line: 1, message: "expected a quoted key in object, found 'a'"),
        Case(text: "{1: 1}", line: 1, message: "expected a quoted key in object, found '1'"),
        Case(text: "tru", line: 1, message: "expected 'true'"),
        Case(text: "nul", line: 1, message: "expected 'null'"),
        Case(text: "falsy", line: 1, message: "expected 'false'"),
        Case(text: "True", line: 1, message: "expected a value, found 'T'"),
        Case(text: "[undefined]", line: 1, message: "expected a value, found 'u'"),
        Case(text: "'single'", line: 1, message: "expected a value, found '''"),
        Case(text: "-", line: 1, message: "expected a digit in number"),
        Case(text: "-x", line: 1, message: "expected a digit in number"),
        Case(text: "+1", line: 1, message: "expected a value, found '+'"),
        Case(text: ".5", line: 1, message: "expected a value, found '.'"),
        Case(text: "1.", line: 1, message: "expected a digit after '.'"),
        Case(text: "1.e5", line: 1, message: "expected a digit after '.'"),
        Case(text: "1e", line: 1, message: "expected a digit in exponent"),
        Case(text: "1e+", line: 1, message: "expected a digit in exponent"),
        Case(text: "01", line: 1, message: "expected end of document after the top-level value"),
        Case(text: "\"a\u{1}b\"", line: 1, message: "control character in string"),
        Case(text: "\"a\tb\"", line: 1, message: "control character in string"),
        Case(text: #""\x41""#, line: 1, message: "invalid escape in string"),
        Case(text: #""\'""#, line: 1, message: "invalid escape in string"),
        Case(text: "\"abc\\", line: 1, message: "unterminated escape"),
        Case(text: #""\u12""#, line: 1, message: "truncated \\u escape"),
        Case(text: #""\u12G4""#, line: 1, message: "invalid hex digit in \\u escape"),
        Case(text: #""\ud83d""#, line: 1, message: "unpaired surrogate in \\u escape"),
        Case(text: #""\ud83dx""#, line: 1, message: "unpaired surrogate in \\u escape"),
        Case(text: #""\ude00""#, line: 1, message: "unpaired surrogate in \\u escape"),
        Case(text: #""\ud83d\u0041""#, line: 1, message: "invalid low surrogate in \\u escape"),
        Case(text: #""\ud83d\ud83d""#, line: 1, message: "invalid low surrogate in \\u escape"),
        Case(text: "[\n\n\n,1]", line: 4, message: "expected a value, found ','"),
    ])
    func errors(c: Case) {
        let e = parseError(c.text)
        #expect(e != nil, "document should not parse: \(c.text.debugDescription)")
        #expect(e?.line == c.line)
        #expect(e?.message == c.message)
    }

    @Test("numbers longer than 64 characters are rejected")
    func longNumber() {
        let ok = String(repeating: "1", count: 64)
        #expect(parseError(ok) == nil)
        let long = String(repeating: "1", count: 65)
        #expect(parseError(long)?.message == "number too long")
    }

    @Test("deep nesting beyond maxDepth errors without crashing", arguments: [100, 10_000, 200_000])
    func deepArrays(depth: Int) {
        let e = parseError(String(repeating: "[", count: depth))
        #expect(e?.message == "nesting deeper than 64 levels")
        #expect(e?.line == 1)
        let objects = String(repeating: "{\"a\":", count: depth)
        #expect(parseError(objects)?.message == "nesting deeper than 64 levels")
        let mixed = String(repeating: "[{\"k\":\n", count: depth / 2)
        let m = parseError(mixed)
        #expect(m?.message == "nesting deeper than 64 levels")
        #expect(m?.line == 33) // the 65th level opens on line 33 (two levels per line)
    }

    @Test("one level beyond a custom maxDepth errors")
    func depthLimitCustom() {
        let five = String(repeating: "[", count: 5) + "1" + String(repeating: "]", count: 5)
        #expect(parseError(five, maxDepth: 4)?.message == "nesting deeper than 4 levels")
        #expect(parseError(five, maxDepth: 5) == nil)
        #expect(parseError("[1]", maxDepth: 0)?.message == "nesting deeper than 0 levels")
        #expect(parseError("1", maxDepth: 0) == nil)
    }

    @Test("garbage bytes are described, not crashed on")
    func garbage() {
        #expect(parseError([0xFF, 0xFE, 0x00])?.message == "expected a value, found byte 255")
        #expect(parseError([0x00])?.message == "expected a value, found byte 0")
        #expect(parseError(bytes("[1,") + [0x00] + bytes("2]"))?.message == "expected a value, found byte 0")
        #expect(parseError([0x7F])?.message == "expected a value, found byte 127")
    }

    @Test("random byte soup never crashes and either parses or reports a line within the input")
    func fuzz() {
        let alphabet = bytes("{}[]:,\"\\u0123456789abcdefABCDEF-+.eEtrunlfs \n\t\r") + [0x00, 0xFF, 0xC3, 0xA9, 0xED, 0xA0, 0x80]
        var seed: UInt64 = 0xC0FFEE
        for round in 0..<3000 {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            let len = Int(seed >> 54) // 0...1023
            let noise = pseudoRandomBytes(len, seed: seed)
            let doc = noise.map { alphabet[Int($0) % alphabet.count] }
            let newlines = doc.filter { $0 == 10 }.count
            if let e = parseError(doc) {
                #expect(e.line >= 1 && e.line <= newlines + 1, "round \(round)")
                #expect(!e.message.isEmpty)
            }
        }
    }

    @Test("invalid UTF-8 inside a string is never passed through raw")
    func invalidUTF8InString() {
        let doc = bytes("\"a") + [0xFF, 0xC3] + bytes("b\"")
        do {
            let node = try JSONParser.parse(doc)
            // Accepted leniently: the bad bytes must come out as replacement characters.
            #expect(node.string == "a\u{FFFD}\u{FFFD}b")
        } catch {
            #expect(error.line == 1)
        }
    }
}

// MARK: writer

@Suite("JSONWriter")
struct JSONWriterTests {
    static var sample: JSONNode { .obj([
        ("name", .str("baseline")),
        ("count", .num(3)),
        ("negative", .num(-12)),
        ("ok", .flag(true)),
        ("bad", .flag(false)),
        ("nothing", .null),
        ("maybe", .optStr(nil)),
        ("present", .optStr("yes")),
        ("list", .arr([.num(1), .str("two"), .arr([]), .obj([]), .arr([.null])])),
        ("nested", .obj([("deeper", .obj([("deepest", .str("\u{0}\u{1f}\"\\/\n\r\t\u{7f}é😀"))]))])),
        ("", .str("empty key")),
    ]) }

    @Test("pretty output is exact")
    func prettyExact() {
        let node: JSONNode = .obj([("a", .num(1)), ("b", .arr([.flag(true), .null])), ("c", .obj([])), ("d", .arr([]))])
        #expect(JSONWriter.write(node) == "{\n  \"a\": 1,\n  \"b\": [\n    true,\n    null\n  ],\n  \"c\": {},\n  \"d\": []\n}\n")
    }

    @Test("compact output is exact")
    func compactExact() {
        let node: JSONNode = .obj([("a", .num(1)), ("b", .arr([.flag(true), .null])), ("c", .str("x"))])
        #expect(JSONWriter.write(node, pretty: false) == "{\"a\":1,\"b\":[true,null],\"c\":\"x\"}")
        #expect(JSONWriter.write(.arr([]), pretty: false) == "[]")
        #expect(JSONWriter.write(.obj([]), pretty: false) == "{}")
        #expect(JSONWriter.write(.null, pretty: false) == "null")
    }

    @Test("parse(write(x)) == x, pretty and compact", arguments: [true, false])
    func roundTrip(pretty: Bool) throws {
        let text = JSONWriter.write(Self.sample, pretty: pretty)
        let back = try JSONParser.parse(bytes(text))
        #expect(jsonEqual(back, Self.sample))
        // Writing the parsed tree again is byte-identical.
        #expect(JSONWriter.write(back, pretty: pretty) == text)
    }

    @Test("output is valid JSON for Foundation too")
    func foundationAccepts() throws {
        let text = JSONWriter.write(Self.sample, pretty: true)
        let obj = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        let nested = (obj?["nested"] as? [String: Any])?["deeper"] as? [String: Any]
        #expect(nested?["deepest"] as? String == "\u{0}\u{1f}\"\\/\n\r\t\u{7f}é😀")
        #expect(obj?["count"] as? Int == 3)
    }

    @Test("control characters are escaped, never emitted raw")
    func controlEscaping() throws {
        var all = ""
        for c in 0..<0x20 { all.unicodeScalars.append(Unicode.Scalar(UInt8(c))) }
        all.unicodeScalars.append(Unicode.Scalar(0x7F))
        var out: [UInt8] = []
        JSONWriter.escape(all, into: &out)
        #expect(!out.contains { $0 < 0x20 || $0 == 0x7F })
        let text = String(decoding: out, as: UTF8.self)
        #expect(text.hasPrefix("\"\\u0000\\u0001"))
        #expect(text.contains("\\u0008"))
        #expect(text.contains("\\t\\n\\u000b\\u000c\\r"))
        #expect(text.contains("\\u001f"))
        #expect(text.hasSuffix("\\u007f\""))
        let back = try JSONParser.parse(out)
        #expect(back.string == all)
    }

    @Test("quotes and backslashes are escaped; non-ASCII is kept as UTF-8")
    func quoting() {
        var out: [UInt8] = []
        JSONWriter.escape("a\"b\\c/d é", into: &out)
        #expect(String(decoding: out, as: UTF8.self) == "\"a\\\"b\\\\c/d é\"")
        #expect(JSONWriter.write(.obj([("k\"ey", .str("v"))]), pretty: false) == "{\"k\\\"ey\":\"v\"}")
    }

    @Test("sortKeys orders the members of every object by their UTF-8 bytes, and keeps array order")
    func sortedKeys() throws {
        let node: JSONNode = .obj([("b", .num(1)), ("a", .arr([.obj([("z", .null), ("Z", .null), ("_", .null)]), .num(2), .num(1)])),
                                   ("$schema", .str("s")), ("ab", .obj([])), ("é", .flag(true)), ("e", .flag(false))])
        #expect(JSONWriter.write(node, pretty: false, sortKeys: true)
                == "{\"$schema\":\"s\",\"a\":[{\"Z\":null,\"_\":null,\"z\":null},2,1],\"ab\":{},\"b\":1,\"e\":false,\"é\":true}")
        #expect(JSONWriter.write(node, pretty: true, sortKeys: true)
                == "{\n  \"$schema\": \"s\",\n  \"a\": [\n    {\n      \"Z\": null,\n      \"_\": null,\n      \"z\": null\n    },\n    2,\n    1\n  ],\n"
                + "  \"ab\": {},\n  \"b\": 1,\n  \"e\": false,\n  \"é\": true\n}\n")
        // Unsorted, the order given is kept.
        #expect(JSONWriter.write(node, pretty: false).hasPrefix("{\"b\":1,\"a\":[{\"z\":null,"))
        #expect(JSONWriter.write(node, pretty: false, sortKeys: false) == JSONWriter.write(node, pretty: false))
        // Sorting keeps every value: the sorted tree read back has the same members.
        let back = try JSONParser.parse(bytes(JSONWriter.write(node, sortKeys: true)))
        #expect(back.members?.map { $0.key } == ["$schema", "a", "ab", "b", "e", "é"])
        #expect(jsonEqual(back, node.sortingKeys()))
        // Slashes are never escaped.
        #expect(JSONWriter.write(.obj([("u", .str("https://x/y"))]), pretty: false, sortKeys: true) == "{\"u\":\"https://x/y\"}")
    }

    @Test("non-integer numbers: shortest round-trip form, integral values without .0, NaN and infinity as null")
    func doubles() throws {
        func text(_ d: Double) -> String { JSONWriter.write(.num(d), pretty: false) }
        #expect(text(0.25) == "0.25")
        #expect(text(1.0) == "1")
        #expect(text(-0.5) == "-0.5")
        #expect(text(0) == "0")
        #expect(text(66.7) == "66.7")
        #expect(text(1.0 / 3.0) == "0.3333333333333333")
        #expect(text(1e-05) == "1e-05")
        #expect(text(1e300) == "1e+300")
        #expect(text(.nan) == "null" && text(.infinity) == "null" && text(-.infinity) == "null")
        // Every form is JSON that Foundation reads, and that reads back exactly as the same Double.
        let values: [Double] = [0.25, 1, -0.5, 0, 66.7, 1.0 / 3.0, 1e-05, 1e300, 123456789.125, -2.5e-300, 0.1 + 0.2, 1e16, Double.ulpOfOne]
        let doc = JSONWriter.write(.arr(values.map { .num($0) }), pretty: false)
        let back = try JSONParser.parse(bytes(doc))
        #expect(back.array?.count == values.count)
        let foundation = try #require(try JSONSerialization.jsonObject(with: Data(doc.utf8)) as? [NSNumber])
        // (Foundation's own number reader on Linux can be one ulp off: 0.30000000000000004 reads as 0.3000000000000001.)
        #expect(zip(foundation, values).allSatisfy { abs($0.doubleValue - $1) <= abs($1) * 4e-16 }, "\(foundation)")
        for (node, v) in zip(back.array ?? [], values) {
            if case .number(let n) = node.value { #expect(Double(n) == v, "\(n)") } else { Issue.record("not a number") }
        }
        // An integer literal still picks the Int builder.
        #expect(JSONWriter.write(.num(3), pretty: false) == "3")
    }

    @Test("strings: an array of strings only")
    func stringsAccessor() throws {
        let doc = try JSONParser.parse(bytes(#"{"a": ["x", "y"], "b": ["x", 1], "c": "x", "d": []}"#))
        #expect(doc["a"]?.strings == ["x", "y"])
        #expect(doc["b"]?.strings == nil && doc["c"]?.strings == nil)
        #expect(doc["d"]?.strings == [])
    }

    @Test("pretty output puts each node on the line the parser reports")
    func prettyLines() throws {
        let text = JSONWriter.write(.obj([("a", .num(1)), ("b", .arr([.flag(true), .null]))]))
        let doc = try JSONParser.parse(bytes(text))
        #expect(doc["a"]?.line == 2)
        #expect(doc["b"]?.line == 3)
        #expect(doc["b"]?.array?[1].line == 5)
    }

    @Test("random trees round-trip")
    func randomTrees() throws {
        var seed: UInt64 = 12345
        func next() -> UInt64 { seed = seed &* 6364136223846793005 &+ 1442695040888963407; return seed >> 33 }
        func randomString() -> String {
            var s = ""
            for _ in 0..<Int(next() % 12) {
                let pick = next() % 5
                let v: UInt32
                switch pick {
                case 0: v = UInt32(next() % 0x20)
                case 1: v = 0x20 + UInt32(next() % 0x60)
                case 2: v = 0x80 + UInt32(next() % 0x700)
                case 3: v = 0xE000 + UInt32(next() % 0x1000)
                default: v = 0x10000 + UInt32(next() % 0x1000)
                }
                s.unicodeScalars.append(Unicode.Scalar(v)!)
            }
            return s
        }
        func tree(_ depth: Int) -> JSONNode {
            switch depth > 4 ? next() % 4 : next() % 6 {
            case 0: return .null
            case 1: return .flag(next() % 2 == 0)
            case 2: return .num(Int(next() % 100000) - 50000)
            case 3: return .str(randomString())
            case 4: return .arr((0..<Int(next() % 4)).map { _ in tree(depth + 1) })
            default:
                var pairs: [(String, JSONNode)] = []
                var keys: Set<String> = []
                for _ in 0..<Int(next() % 4) {
                    let k = randomString()
                    if keys.insert(k).inserted { pairs.append((k, tree(depth + 1))) }
                }
                return .obj(pairs)
            }
        }
        for i in 0..<300 {
            let t = tree(0)
            for pretty in [true, false] {
                let back = try JSONParser.parse(bytes(JSONWriter.write(t, pretty: pretty)))
                #expect(jsonEqual(back, t), "tree \(i) pretty \(pretty)")
            }
        }
    }
}
