// The validator's own pattern matcher against Foundation's NSRegularExpression, on every pattern of the report
// schema and on generated strings: the same verdict everywhere (except `$` before a final newline, which ICU accepts
// and JSON Schema's ECMA-262 semantics do not).
import Foundation
import Testing
@testable import BaselineFleet

@Suite struct SchemaPatternTests {
    static let schemaPatterns: [String] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Profiles/schema/report.schema.json")
        let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        let re = try! NSRegularExpression(pattern: #""pattern":\s*"((?:[^"\\]|\\.)*)""#)
        return re.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { m in
            Range(m.range(at: 1), in: text).flatMap { r in
                (try? JSONSerialization.jsonObject(with: Data("\"\(text[r])\"".utf8), options: .fragmentsAllowed)) as? String
            }
        }
    }()

    static let extra = ["a|b|", "(ab)+c?", "^x{2,}$", "[a-c\\-]{1,3}z", "^(a|ab)(c|bcd)$", "q*", "^\\d{3}$",
                        // matched without backtracking (SchemaPattern.linear), and look-alikes that must not be
                        "^[a-c]*d$", "^x?y+$", "^[0-9]{2,}[a-f]{1,3}$", "^[A-Z]{3,5}-[0-9]{2}$", "^a*a$", "^[a-z]*[0-9a]$", "^x?x$", "^ab*$", "^a{0,2}b?c$",
                        // …and with no `$`: only a prefix must match
                        "^[a-c]*d", "^\\$", "^x?y+", "^a*a", "^ab*",
                        // the position automaton: empty matches, loops of groups, anchors on one side, and a pattern
                        // with more than 64 sets (left to backtracking)
                        "^(ab|a)*$", "(a|b)*abb", "x(y|z){2,3}$", "^$", "a{0,3}$", "^(a?){2}b$", "(x|)y", "^(ab){40}$",
                        "^([0-9]{2}|x)+-[a-f]?$", "(0[1-9]|1[0-2])$"]

    /// Which patterns take the no-backtracking path: only those whose variable runs end where the next set begins.
    @Test func theLinearFormIsTakenOnlyWhereGreedyIsExact() throws {
        for p in ["^[A-Z]{3,5}-[0-9]{2}$", "^[a-c]*d$", "^x?y+$", "^[0-9a-f]{64}$", "^ab*$", "^[a-c]*d", "^\\$", "^ab*"] {
            #expect(try #require(SchemaPattern(p)).linear != nil, "\(p)")
        }
        for p in ["^a*a$", "^[a-z]*[0-9a]$", "^x?x$", "^a{0,2}b?c$", "^(a|ab)$", "[a-c]*d$", "^a*a", "^(a|b)"] {
            #expect(try #require(SchemaPattern(p)).linear == nil, "\(p)")
        }
    }

    @Test func everySchemaPatternCompilesToTheOwnMatcher() {
        #expect(Self.schemaPatterns.count >= 10)
        for p in Self.schemaPatterns { #expect(SchemaPattern(p) != nil, "\(p)") }
    }

    @Test func verdictsMatchNSRegularExpression() throws {
        var rng = SplitMix(seed: 0x5eed)
        let alphabet = Array("0123456789abcdefABCDEFSHA:-+./$_T Zhm4xyzq")
        let samples = ["SHA256:" + String(repeating: "A", count: 43), "1.2.3", "1.2.3-rc.1", "2026-12-01", "2026-12-01T10:00:00Z",
                       String(repeating: "a", count: 64), "0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b", "CRED-01", "opt_name-1", "$6$x",
                       "hmac-sha256:" + String(repeating: "0", count: 64), "sha256:" + String(repeating: "f", count: 16),
                       "sha256:" + String(repeating: "1", count: 64), "ab", "abc", "abcd", "xx", "xxx", "ab-z", "123",
                       "aabd", "d", "xyy", "y", "12abc", "123abcd", "ABCDE-12", "ABCDEF-12", "aaaa", "a1", "a", "c", "bc", "aabc"]
        var compared = 0
        for p in Self.schemaPatterns + Self.extra {
            let own = try #require(SchemaPattern(p), "\(p)")
            let icu = try NSRegularExpression(pattern: p)
            var inputs = samples + [""]
            for s in samples {                                  // mutations near the valid strings
                for _ in 0..<40 {
                    var c = Array(s)
                    switch rng.next() % 3 {
                    case 0 where !c.isEmpty: c[Int(rng.next() % UInt64(c.count))] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
                    case 1 where !c.isEmpty: c.remove(at: Int(rng.next() % UInt64(c.count)))
                    default: c.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: Int(rng.next() % UInt64(c.count + 1)))
                    }
                    inputs.append(String(c))
                }
            }
            for _ in 0..<200 { inputs.append(String((0..<Int(rng.next() % 12)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] })) }
            for s in inputs + ["é", "2026-12-01é", "SHA256:\u{0}"] {
                let expected = icu.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil
                #expect(own.matches(s) == expected, "pattern \(p) on '\(s)'")
                compared += 1
            }
        }
        #expect(compared > 10_000)
    }

    /// Patterns without a linear form take the position automaton when it can be built, and it agrees with the
    /// backtracking matcher it replaces (kept for patterns of more than 64 sets) and with NSRegularExpression.
    @Test func theAutomatonAgreesWithBacktracking() throws {
        let dates = Self.schemaPatterns.filter { $0.contains("(0[1-9]|1[0-2])") }
        #expect(dates.count >= 2)
        for p in dates + ["^(ab|a)*$", "(a|b)*abb", "x(y|z){2,3}$", "(x|)y", "a|b|"] {
            let own = try #require(SchemaPattern(p))
            #expect(own.linear == nil && own.automaton != nil, "\(p)")
        }
        for p in ["^(ab){40}$", "^((ab){8}){8}$", "^(a|b){65}$"] { #expect(try #require(SchemaPattern(p)).automaton == nil, "\(p)") }
        var rng = SplitMix(seed: 0xa07)
        let alphabet = Array("ab01239xyz-T:Z")
        for p in Self.schemaPatterns + Self.extra {
            let own = try #require(SchemaPattern(p))
            guard let table = own.automaton else { continue }
            for _ in 0..<400 {
                let s = Array(String((0..<Int(rng.next() % 14)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }).utf8)
                let byAutomaton = table.withUnsafeBufferPointer { t in s.withUnsafeBufferPointer { SchemaPattern.matches(automaton: t, $0) } }
                let byBacktracking = s.withUnsafeBufferPointer { b in
                    (0...(own.anchored ? 0 : b.count)).contains { SchemaPattern.match(own.root, b, $0, { _ in true }) }
                }
                let text = String(decoding: s, as: UTF8.self)
                let byICU = try NSRegularExpression(pattern: p).firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
                #expect(byAutomaton == byBacktracking && byAutomaton == byICU, "pattern \(p) on '\(text)'")
            }
        }
    }

    @Test func dollarDoesNotAcceptATrailingNewline() throws {
        let p = try #require(SchemaPattern("^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))
        #expect(!p.matches("2026-12-01\n"))
        #expect(p.matches("2026-12-01"))
    }

    @Test func syntaxOutsideTheSubsetIsLeftToFoundation() {
        for p in ["a.b", "(?:x)", "[^a]", "\\w+", "a{2", "[z-a]", "(ab", "a**"] { #expect(SchemaPattern(p) == nil, "\(p)") }
    }
}

struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E9B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
