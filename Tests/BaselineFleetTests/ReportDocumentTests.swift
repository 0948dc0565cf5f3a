// Issue 19: collector ingest takes a report's fields from the core's ReportReader — the same values the writer wrote,
// from a report or from a scan file's devices[i].audit.report — and a malformed report is refused naming the path.
@testable import BaselineFleet
@testable import BaselineCore
import Foundation
import Testing

struct ReportDocumentTests {
    static func report() -> Report {
        var s = Subject()
        s.vendor = "Acme"; s.model = "GW-1"; s.firmwareVersion = nil; s.osVersion = "4.0.9"; s.buildID = "20250802-0911"
        s.deviceID = "hmac-sha256:d1"; s.imageID = "sha256:img"
        var fp = Fingerprints()
        fp.fleetKeyID = "sha256:0123"
        fp.hostKeys = [HostKeyFingerprint(path: "/etc/ssh/k.pub", type: "ssh-ed25519", sha256: "SHA256:hk")]
        fp.passwordHashes = [PasswordFingerprint(account: "root", scheme: "sha512crypt", hmac: "hmac-sha256:pw")]
        fp.privateKeys = [PrivateKeyFingerprint(path: "/a.key", label: "RSA", publicSHA256: "SHA256:p", hmac: "hmac-sha256:sk"),
                          PrivateKeyFingerprint(path: "/b.key", label: "EC", publicSHA256: nil, hmac: nil)]
        let findings = [
            Finding(id: "LIFE-02", area: .lifecycle, title: "t", status: .warn, severity: .medium, message: "support ends 2027-01-31",
                    evidence: [Evidence("/etc/os-release", 2, "VERSION_ID=4.0")], provisions: [], remediation: "", data: [("support_end", "2027-01-31")]),
            Finding(id: "CRED-01", area: .credentials, title: "t", status: .fail, severity: .critical, message: "m", evidence: [], provisions: [], remediation: ""),
        ]
        return Report(reportID: "6F1C2D3E-0000-4000-8000-0000000000AB", generatedAt: "2026-11-23T10:00:00Z", auditDate: CivilDate.parse("2026-11-23")!,
                      sourceKind: "live", sourcePath: "ssh://10.0.0.1:22/", profileID: "acme-gateway", profileTitle: "Acme",
                      profileChain: ["acme-gateway", "etsi-en-303-645"], profileDigest: "sha256:x", subject: s, findings: findings,
                      fingerprints: fp, runtime: nil, filesRead: 10, problems: [])
    }

    @Test func ingestTakesTheTypedFields() throws {
        let text = ReportJSON.encode(Self.report(), failOn: .low)
        let docs = try ReportDocument.parse(Data(text.utf8), source: "r.json")
        #expect(docs.count == 1)
        let d = try #require(docs.first)
        #expect(d.reportID == "6f1c2d3e-0000-4000-8000-0000000000ab" && d.sourceKind == "live" && d.auditDate == "2026-11-23")
        #expect(d.vendor == "Acme" && d.model == "GW-1" && d.firmware == "4.0.9", "firmware falls back to os_version")
        #expect(d.deviceID == "hmac-sha256:d1" && d.imageID == "sha256:img" && d.buildID == "20250802-0911")
        #expect(d.hostKeys == ["SHA256:hk"] && d.passwordHMACs == ["hmac-sha256:pw"] && d.secretHMACs == ["hmac-sha256:sk"] && d.fleetKeyID == "sha256:0123")
        #expect(d.profileChain == ["acme-gateway", "etsi-en-303-645"])
        #expect(d.findings == [FindingRow(check: "LIFE-02", area: "lifecycle", status: "warn", severity: "medium", data: ["support_end": "2027-01-31"]),
                               FindingRow(check: "CRED-01", area: "credentials", status: "fail", severity: "critical")])
        #expect(d.body == Data(text.utf8), "stored as it arrived")
        // The same report inside a scan file: at devices[i].report (this version), or devices[i].audit.report (earlier
        // versions kept only the agent's report there); a device not reached has none.
        for at in ["{\"report\": \(text)}", "{\"audit\": {\"copied_with\": \"sftp\", \"report\": \(text)}}"] {
            let scan = "{\"schema\": \"baseline.scan/1\", \"devices\": [{\"address\": \"10.0.0.1\"}, \(at)]}"
            let fromScan = try ReportDocument.parse(Data(scan.utf8), source: "scan.json")
            #expect(fromScan.count == 1 && fromScan.first?.findings == d.findings && fromScan.first?.unit == d.unit, "\(at.prefix(20))")
        }
    }

    @Test func aMalformedReportIsRefusedNamingThePath() throws {
        let text = ReportJSON.encode(Self.report(), failOn: .low).replacingOccurrences(of: "\"status\": \"fail\"", with: "\"status\": \"failed\"")
        #expect(text.contains("\"failed\""), "the edit applied")
        do {
            _ = try ReportDocument.parse(Data(text.utf8), source: "r.json")
            Issue.record("accepted a finding with status 'failed'")
        } catch let e as IngestError {
            #expect(e.description.hasPrefix("r.json: line ") && e.description.contains("'findings[1].status': expected pass, fail, warn, info, skip or error, found 'failed'"),
                    "\(e.description)")
        }
        let scan = "{\"schema\": \"baseline.scan/1\", \"devices\": [{\"audit\": {\"report\": \(text)}}]}"
        do {
            _ = try ReportDocument.parse(Data(scan.utf8), source: "scan.json")
            Issue.record("accepted a scan file whose device report is malformed")
        } catch let e as IngestError {
            #expect(e.description.hasPrefix("scan.json devices[0].audit.report: line ") && e.description.contains("'findings[1].status'"), "\(e.description)")
        }
    }
}

/// Issue 16: a batch file is cut into its elements before they are parsed (JSONSlices, memchr for each string's
/// closing quote): strings full of quotes and backslashes cut where JSONParser sees the elements end.
struct JSONSlicesTests {
    @Test func elementsAreCutWhereTheParserSeesThem() throws {
        var rng = SystemRandomNumberGenerator()
        let pieces = ["\"", "\\", "\\\\", "\\\"", "a", "]", "}", ",", "[", "{", " ", "é"]
        for _ in 0..<300 {
            var items: [JSONNode] = []
            for _ in 0..<Int.random(in: 0...6, using: &rng) {
                let s = (0..<Int.random(in: 0...12, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
                items.append(Bool.random(using: &rng) ? .str(s) : JSONNode(.object([JSONMember(s, .arr([.str(s), .num(1)]))])))
            }
            let text = Array(JSONWriter.write(.arr(items), pretty: Bool.random(using: &rng)).utf8)
            let cuts = try #require(JSONSlices.arrayElements(text), "\(String(decoding: text, as: UTF8.self))")
            #expect(cuts.count == items.count)
            for (r, item) in zip(cuts, items) {
                #expect(JSONWriter.write(try JSONParser.parse(Array(text[r])), pretty: false) == JSONWriter.write(item, pretty: false),
                        "\(String(decoding: text[r], as: UTF8.self))")
            }
        }
        // Not an array, or cut short inside a string: no elements (the parser then names the error).
        for bad in ["{\"a\": 1}", "[\"abc", "[\"a\\\"]", "[1, 2", "[1,]"] {
            #expect(JSONSlices.arrayElements(Array(bad.utf8)) == nil, "\(bad)")
        }
    }
}

/// Issue 16: the last file of a bulk ingest is handed over in groups that get smaller towards its end, so the store is
/// left with little to write alone once parsing is done; every report is delivered once, in order.
struct ParseTaperTests {
    @Test func theLastGroupsOfATaperedFileAreSmall() throws {
        let one = ReportTapeReaderTests.reports()[0]
        let batch = Data(("[" + Array(repeating: one, count: 1500).joined(separator: ",") + "]").utf8)
        for taper in [false, true] {
            var sizes: [Int] = []
            try ReportDocument.parse(batch, source: "b.json", validator: ReportTapeReaderTests.validator, group: 600, taper: taper) { sizes.append($0.count) }
            #expect(sizes.reduce(0, +) == 1500)
            if taper {
                #expect(sizes == [64, 128, 256, 512, 270, 256, 14], "\(sizes)")
            } else {
                #expect(sizes == [64, 128, 256, 512, 540], "\(sizes)")
            }
        }
    }
}

/// Issue 16: a bulk ingest's file is cut into its elements while it is still being read (ArrayCutter fed the bytes
/// that have arrived, ArrivingArray reading the file in pieces on a thread of its own): the same elements, the same
/// documents and the same refusals as cutting and parsing the whole file at once.
struct ArrivingArrayTests {
    @Test func cuttingAsTheBytesArriveCutsTheSame() throws {
        var rng = SystemRandomNumberGenerator()
        let pieces = ["\"", "\\", "\\\\", "\\\"", "a", "]", "}", ",", "[", "{", " ", "\n", "é"]
        var texts = ["", " ", "[]", " [ ] ", "[] x", "[", "{\"a\": 1}", "[\"abc", "[\"a\\\"]", "[1, 2", "[1,]", "[,]", "[1] ]", "[1}"]
        for _ in 0..<400 {
            var items: [JSONNode] = []
            for _ in 0..<Int.random(in: 0...6, using: &rng) {
                let s = (0..<Int.random(in: 0...12, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
                items.append(Bool.random(using: &rng) ? .str(s) : JSONNode(.object([JSONMember(s, .arr([.str(s), .num(1)]))])))
            }
            var text = JSONWriter.write(.arr(items), pretty: Bool.random(using: &rng))
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: text = String(text.prefix(Int.random(in: 0...text.count, using: &rng)))     // cut short anywhere
            case 1: text += pieces.randomElement(using: &rng)!                                  // something after the array
            default: break
            }
            texts.append(text)
        }
        for text in texts {
            let bytes = Array(text.utf8)
            let whole = JSONSlices.arrayElements(bytes)
            for _ in 0..<3 {
                bytes.withUnsafeBufferPointer { b in
                    var cutter = ArrayCutter()
                    var got: [Range<Int>] = []
                    var n = 0
                    while true {
                        while let r = cutter.next(b, available: n) { got.append(r) }
                        if n == b.count { break }
                        n = min(b.count, n + Int.random(in: 1...9, using: &rng))
                    }
                    #expect(cutter.state == .done || cutter.state == .invalid, "\(text)")
                    #expect((cutter.state == .done ? got : nil) == whole, "\(text)")
                }
            }
        }
    }

    /// A file of several read pieces (4 MiB each) gives the documents the whole file gives; a well-formed start with a
    /// malformed end, an empty file and a document that is not an array get the answer the whole bytes get.
    @Test func aFileReadInPiecesParsesLikeTheWholeFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("arriving-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let one = ReportTapeReaderTests.reports()[0]
        let count = (9 << 20) / one.utf8.count + 1
        let batch = Data(("[\n" + Array(repeating: one, count: count).joined(separator: ",\n") + "\n]\n").utf8)
        #expect(batch.count > 2 * ArrivingArray.piece)
        struct Outcome: Equatable { var groups: [[String]] = []; var error: String? }
        func both(_ name: String, _ bytes: Data) throws -> (whole: Outcome, arriving: Outcome) {
            let path = dir + "/" + name
            try bytes.write(to: URL(fileURLWithPath: path))
            func run(_ parse: (([ReportDocument]) throws -> Void) throws -> Void) -> Outcome {
                var o = Outcome()
                do { try parse { o.groups.append($0.map { $0.reportID + " " + String(decoding: $0.body.prefix(40), as: UTF8.self) }) } } catch {
                    o.error = "\(error)"
                }
                return o
            }
            let whole = run { try ReportDocument.parse(bytes, source: path, validator: ReportTapeReaderTests.validator, group: 600, taper: true, deliver: $0) }
            let arriving = run { d in
                try ReportDocument.parse(try ArrivingArray(path: path), source: path, validator: ReportTapeReaderTests.validator, group: 600, taper: true, deliver: d)
            }
            return (whole, arriving)
        }
        let good = try both("good.json", batch)
        #expect(good.arriving.error == nil, "\(good.arriving.error ?? "")")
        #expect(good.arriving.groups.reduce(0) { $0 + $1.count } == count)
        #expect(good.arriving.groups.count > 3)
        // The same reports in the same order. (The groups match too whenever the cut is complete before the file's
        // last groups are formed, as it is here by far; only then can the end of a file be tapered.)
        #expect(good.whole.groups.flatMap { $0 } == good.arriving.groups.flatMap { $0 }, "the same reports in the same order")
        // Cut short in the last report, something after the array, an empty file, one report (not an array).
        for (name, bytes) in [("short.json", batch.prefix(batch.count - 300)), ("after.json", batch + Data("x".utf8)), ("empty.json", Data()),
                              ("one.json", Data(one.utf8))] {
            // (The groups cut before the malformed end may already have been handed over; the store's transaction
            // they went into is then not committed.)
            let r = try both(name, Data(bytes))
            #expect(r.whole.error == r.arriving.error, "\(name): \(r.whole.error ?? "accepted") / \(r.arriving.error ?? "accepted")")
            #expect((r.arriving.error == nil) == (name == "one.json"), "\(name): \(r.arriving.error ?? "accepted")")
        }
        #expect(throws: IngestError.self) { _ = try ArrivingArray(path: dir + "/missing.json") }
    }
}

/// The ledger's `received_at` stamp, written without a date formatter, is the one ISO8601DateFormatter would write.
struct ReceivedAtTests {
    @Test func theTimestampIsTheFormattersOne() {
        let formatter = ISO8601DateFormatter()
        for t in [0, 951_782_400, 1_767_225_599, 1_796_549_400, 4_102_444_800, Int(Date().timeIntervalSince1970)] {
            #expect(FleetLedger.utcTimestamp(time_t(t)) == formatter.string(from: Date(timeIntervalSince1970: TimeInterval(t))), "\(t)")
        }
    }
}
