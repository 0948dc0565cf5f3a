// Issue 16: ingest's fast path (JSONTape → SchemaValidator.accepts → ReportTapeReader) must accept only what the tree
// way (JSONParser → SchemaValidator.validate → ReportReader) accepts, and read the same document from it. Held here
// over valid reports and every single-value mutation of them (each member deleted, each value replaced by values of
// every type and edge), and over hostile bytes for the parser.
@testable import BaselineFleet
@testable import BaselineCore
import Foundation
import Testing

struct ReportTapeReaderTests {
    static let validator: SchemaValidator = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Profiles/schema/report.schema.json")
        return try! SchemaValidator(path: url.path)
    }()

    /// Reports the writer writes: the plain one of ReportDocumentTests, one with a runtime, an incomplete coverage,
    /// escapes and non-ASCII text, and a `since`.
    static func reports() -> [String] {
        var plain = ReportDocumentTests.report()
        // Values of the schema's shapes (ReportDocumentTests' report is not held to the schema).
        let hex = String(repeating: "ab", count: 32)
        plain.reportID = "6f1c2d3e-0000-4000-8000-0000000000ab"
        plain.profileDigest = "sha256:" + hex
        plain.subject.deviceID = "hmac-sha256:" + hex
        plain.subject.imageID = "sha256:" + hex
        plain.fingerprints.fleetKeyID = "sha256:" + String(hex.prefix(16))
        plain.fingerprints.hostKeys = [HostKeyFingerprint(path: "/etc/ssh/k.pub", type: "ssh-ed25519", sha256: "SHA256:" + String(repeating: "A", count: 43))]
        plain.fingerprints.passwordHashes = [PasswordFingerprint(account: "root", scheme: "SHA-512-crypt ($6$)", hmac: hex)]
        plain.fingerprints.privateKeys = [PrivateKeyFingerprint(path: "/a.key", label: "RSA", publicSHA256: "SHA256:" + String(repeating: "B", count: 43), hmac: hex),
                                          PrivateKeyFingerprint(path: "/b.key", label: "EC", publicSHA256: nil, hmac: String(repeating: "cd", count: 32))]
        var rich = plain
        rich.runtime = Runtime(kernel: "5.15.0", uptimeSeconds: 42, lastUpdate: LastUpdate(source: "rauc", date: "2026-10-01", path: "/var/log/rauc"),
                               interfaces: 2, listeners: [Listener(proto: "tcp", ipv6: false, address: "0.0.0.0", port: 22, loopback: false, path: "/proc/net/tcp", line: 2)])
        rich.incomplete = ["no login: files not read"]
        rich.subject.vendor = "Acmé \"Networks\" \\ ›"
        rich.findings[0].message = "tab\there, newline\nthere, \u{1F600} and é"
        rich.findings[1].data = [("note", "caf\u{E9}"), ("eol", "2025-01-01")]
        rich.since = (path: "previous.json", new: ["CRED-01"])
        rich.sourceContainer = Report.Container(format: "SquashFS 4.0 (xz)", offset: 4096)
        var noChain = plain
        noChain.fingerprints = Fingerprints()
        return [ReportJSON.encode(plain, failOn: .low), JSONWriter.write(ReportJSON.node(rich, failOn: nil), pretty: false),
                ReportJSON.encode(noChain, failOn: .high)]
    }

    static func slow(_ text: String) -> [ReportDocument]? {
        let bytes = Array(text.utf8)
        guard let tree = try? ReportDocument.json(bytes, source: "m") else { return nil }
        return try? ReportDocument.documents(tree, source: "m", validator: validator, raw: Data(bytes))
    }

    static func fast(_ text: String) -> ReportDocument? {
        var tape: [JSONTape.Entry] = []
        return Array(text.utf8).withUnsafeBufferPointer { ReportDocument.fast($0, validator: validator, tape: &tape) }
    }

    @Test func theFastPathReadsTheSameDocumentAsTheTreeWay() throws {
        for text in Self.reports() {
            let s = try #require(Self.slow(text), "the tree way accepts the report")
            let f = try #require(Self.fast(text), "the fast path takes a valid report (else it is never used)")
            #expect([f] == s)
            // parse() also compresses each body for storage (ReportBody): the frame holds the body.
            func stored(_ docs: [ReportDocument]) throws -> [ReportDocument] {
                try docs.map { d in
                    let frame = try #require(d.storedBody)
                    let back = try ReportBody.decompress(frame)
                    #expect(back == d.body && frame.count < d.body.count)
                    var plain = d
                    plain.storedBody = nil
                    return plain
                }
            }
            #expect(try stored(try ReportDocument.parse(Data(text.utf8), source: "r.json", validator: Self.validator)) == s)
            // In a batch each report is stored as its element's bytes (the writer's trailing newline is not part of it).
            let element = text.trimmingCharacters(in: .whitespacesAndNewlines)
            let batch = "[" + Array(repeating: element, count: 3).joined(separator: ",\n") + "]"
            let b = try stored(try ReportDocument.parse(Data(batch.utf8), source: "b.json", validator: Self.validator))
            #expect(b.count == 3)
            for d in b { #expect(d == Self.fast(element)) }
        }
    }

    /// Every mutation of every value: the fast path accepts only what the tree way accepts, with the same document,
    /// and the tape's schema probes (flat and rule-list) agree with the tree's validation on every document that parses.
    @Test func everyMutationIsDecidedAsTheTreeWayDecidesIt() throws {
        let replacements: [JSONNode] = [.null, .flag(true), .flag(false), .num(0), .num(-1), JSONNode(.number("1.5")), JSONNode(.number("1e2")),
                                        JSONNode(.number("1234567890123456789")), .str(""), .str("x"), .str("2024-02-31"), .str("$6$salt$hash"),
                                        .str("a\"b\\c"), .str("é"), .str("e\u{301}"), .arr([]), .arr([.str("a")]), .obj([]),
                                        .str("hmac-sha256:" + String(repeating: "a", count: 64)), .str("pass"), .str("never")]
        var decided = 0, fastAccepted = 0
        for text in Self.reports() {
            let root = try JSONParser.parse(Array(text.utf8))
            var variants: [JSONNode] = []
            Self.mutations(root, replacements) { variants.append($0) }
            for v in variants {
                let mutated = JSONWriter.write(v, pretty: false)
                let s = Self.slow(mutated)
                let f = Self.fast(mutated)
                if let f {
                    fastAccepted += 1
                    #expect(s == [f], "the fast path accepted what the tree way \(s == nil ? "refuses" : "reads differently"): \(mutated.prefix(400))")
                }
                // The schema probe on the tape and the tree validation: the same answer.
                var tape: [JSONTape.Entry] = []
                let bytes = Array(mutated.utf8)
                let probe = bytes.withUnsafeBufferPointer { b in JSONTape.with(b, reusing: &tape) { Self.validator.accepts($0) } }
                // The flat probe (SchemaProbe) and the rule-list walk it stands in for: the same answer.
                let rules = bytes.withUnsafeBufferPointer { b in JSONTape.with(b, reusing: &tape) { Self.validator.tapeMatches($0, 0, 0) } }
                #expect(probe == rules, "flat probe \(String(describing: probe)), rule-list probe \(String(describing: rules)): \(mutated.prefix(400))")
                if let probe {
                    let tree = try JSONParser.parse(bytes)
                    let valid = (try? Self.validator.validate(tree)) != nil
                    #expect(probe == valid, "tape probe \(probe), tree \(valid): \(mutated.prefix(400))")
                    decided += 1
                }
            }
        }
        #expect(decided > 1000 && fastAccepted > 50, "\(decided) mutations compared, \(fastAccepted) taken by the fast path")
    }

    /// Calls `emit` with the document with one change each: a member deleted, a value replaced, a member added.
    static func mutations(_ n: JSONNode, _ values: [JSONNode], _ emit: (JSONNode) -> Void) {
        for v in values { emit(v) }
        switch n.value {
        case .object(let members):
            emit(JSONNode(.object(members + [JSONMember("zz_extra", .str("x"))])))
            for (i, m) in members.enumerated() {
                var without = members
                without.remove(at: i)
                emit(JSONNode(.object(without)))
                mutations(m.node, values) { changed in
                    var copy = members
                    copy[i] = JSONMember(m.key, changed)
                    emit(JSONNode(.object(copy)))
                }
            }
        case .array(let items):
            if !items.isEmpty { emit(JSONNode(.array(Array(items.dropLast())))) }
            for (i, item) in items.enumerated() {
                mutations(item, values) { changed in
                    var copy = items
                    copy[i] = changed
                    emit(JSONNode(.array(copy)))
                }
            }
        default: break
        }
    }

    /// The tape parser accepts only what JSONParser accepts, and refuses what it refuses (a key it would have to decode
    /// is left to the core parser: declined, never accepted wrongly).
    @Test func theTapeParserAcceptsExactlyWhatTheCoreParserAccepts() {
        let escaped = Array(#"{"a": [1, -2.5e+3, true, false, null, "s\"\u00e9\ud83d\ude00"], "b": {"c": {}}, "d": []}"#.utf8)
        let base = Array(#"{"a": [1, -2.5e+3, true, false, null, "s"], "b": {"c": {}, "e": 0.5}, "d": [], "f": "x"}"#.utf8)
        var cases: [[UInt8]] = [base, escaped, [0xEF, 0xBB, 0xBF] + base, Array("  7 ".utf8), Array(#"{"a":1,"a":2}"#.utf8), Array(#"{"a":1,"\u0061":2}"#.utf8),
                                Array(#"{"é":1}"#.utf8), Array(#""\ud800""#.utf8), Array(#""\udc00""#.utf8), Array("\"a\u{01}\"".utf8), Array("01".utf8),
                                Array("1.".utf8), Array("-".utf8), Array("[1,]".utf8), Array("{\"a\" 1}".utf8), Array("tru".utf8), Array("nul".utf8),
                                Array((String(repeating: "[", count: 65) + String(repeating: "]", count: 65)).utf8),
                                Array((String(repeating: "[", count: 66) + String(repeating: "]", count: 66)).utf8),
                                Array(("1" + String(repeating: "0", count: 64)).utf8), [0xFF, 0xFE], Array("\"\u{FF}\"".utf8), [34, 0xC3, 34]]
        for cut in 0..<base.count { cases.append(Array(base[0..<cut])) }
        for cut in 0..<escaped.count { cases.append(Array(escaped[0..<cut])) }
        var rng = SystemRandomNumberGenerator()
        for n in 0..<4000 {
            var m = n % 4 == 0 ? escaped : base
            for _ in 0..<Int.random(in: 1...3, using: &rng) { m[Int.random(in: 0..<m.count, using: &rng)] = UInt8.random(in: 0...127, using: &rng) }
            cases.append(m)
        }
        var agreed = 0
        for c in cases {
            var tape: [JSONTape.Entry] = []
            let tapeOK = c.withUnsafeBufferPointer { JSONTape.parse($0, into: &tape) }
            let coreOK = (try? JSONParser.parse(c)) != nil
            if tapeOK { #expect(coreOK, "the tape accepted what the core parser refuses: \(String(decoding: c, as: UTF8.self))") }
            if !coreOK { #expect(!tapeOK) }
            let plainKeys = !c.contains(92) && !c.contains(where: { $0 >= 0x80 })
            if plainKeys { #expect(tapeOK == coreOK, "\(String(decoding: c, as: UTF8.self))"); agreed += 1 }
        }
        #expect(agreed > 1000)
    }

    /// In a batch, a report the fast path declines takes the tree way on its own: a JSON error names the element and
    /// the line in the file (counted only for the element that fails), the others are read as before.
    @Test func aBadElementOfABatchIsNamedWithItsLineInTheFile() throws {
        let good = Self.reports()[0].trimmingCharacters(in: .whitespacesAndNewlines)   // pretty: many lines
        let lines = good.split(separator: "\n", omittingEmptySubsequences: false).count
        let bad = good.replacingOccurrences(of: "\"tool\": {", with: "\"tool\": {,")
        let badLine = try #require(bad.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("\"tool\": {,") }) + 1
        let batch = "[\n" + good + ",\n" + good + ",\n" + bad + "\n]"
        do {
            _ = try ReportDocument.parse(Data(batch.utf8), source: "b.json", validator: Self.validator)
            Issue.record("accepted a batch with a malformed element")
        } catch let e as IngestError {
            #expect(e.source == "b.json[2]")
            #expect(e.message.hasPrefix("line \(1 + 2 * lines + badLine): not JSON"), "\(e.message)")
        }
        // Scan documents are declined by the fast path and read the tree way, one by one.
        let scan = "{\"schema\": \"baseline.scan/1\", \"devices\": [{\"report\": \(good)}]}"
        let docs = try ReportDocument.parse(Data(("[" + scan + ",\n" + scan + "]").utf8), source: "s.json", validator: Self.validator)
        #expect(docs.count == 2 && docs.allSatisfy { $0.reportID == "6f1c2d3e-0000-4000-8000-0000000000ab" && $0.storedBody != nil })
    }
}

/// Issue 16: the tape refuses a duplicate key as JSONParser does, and takes keys that only share a length and their
/// first and last bytes (its cheap pre-check; only keys that share all three are compared in full).
struct JSONTapeKeyTests {
    @Test func duplicateKeysAreRefusedLikeTheParserRefusesThem() throws {
        var rng = SystemRandomNumberGenerator()
        let keys = ["", "a", "b", "ab", "ba", "aab", "abb", "axb", "ayb", "id", "data", "area", "severity", "evidence"]
        for _ in 0..<3000 {
            let names = (0..<Int.random(in: 1...12, using: &rng)).map { _ in keys.randomElement(using: &rng)! }
            let text = "{" + names.enumerated().map { "\"\($0.element)\": \($0.offset)" }.joined(separator: ", ") + "}"
            let bytes = Array(text.utf8)
            var tape: [JSONTape.Entry] = []
            let accepted = bytes.withUnsafeBufferPointer { b in JSONTape.with(b, reusing: &tape) { _ in true } } ?? false
            let parsed = (try? JSONParser.parse(bytes)) != nil
            #expect(accepted == parsed, "\(text)")
            #expect(accepted == (Set(names).count == names.count), "\(text)")
        }
    }
}

/// The inline byte comparison the tape and the probe use for names and keys says what memcmp says, at every length
/// (below a word, whole words, a word and a tail) and wherever the first difference is.
struct SameBytesTests {
    @Test func sameBytesAgreesWithMemcmp() {
        var rng = SystemRandomNumberGenerator()
        for n in 0...40 {
            for _ in 0..<200 {
                let a = (0..<n).map { _ in UInt8.random(in: 97...99, using: &rng) }
                var b = a
                if n > 0 && Bool.random(using: &rng) { b[Int.random(in: 0..<n, using: &rng)] ^= UInt8.random(in: 1...3, using: &rng) }
                let same = a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in
                    n == 0 || sameBytes(x.baseAddress!, y.baseAddress!, n) } }
                let expected = n == 0 || a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in memcmp(x.baseAddress!, y.baseAddress!, n) == 0 } }
                #expect(same == expected, "\(n) \(a) \(b)")
            }
        }
    }
}
