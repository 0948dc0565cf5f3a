// Issue 16: report bodies are stored as zstd frames (reports.body_zstd) made on the parse stage's cores; reading a
// unit's reports gives back the bytes that arrived, and rows stored before the change (text in `body`, no frame)
// read as before. A frame that is not zstd is refused, never trusted.
@testable import BaselineFleet
import Foundation
import Testing

struct ReportBodyTests {
    @Test func aStoredBodyReadsBackAsItArrivedAndOldRowsStillRead() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("body-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try FleetStore(location: dir + "/fleet.sqlite")
        let texts = ReportTapeReaderTests.reports()
        let docs = try ReportDocument.parse(Data(texts[0].utf8), source: "r.json", validator: ReportTapeReaderTests.validator)
        let frame = try #require(docs.first?.storedBody)
        #expect(frame.count * 4 < docs[0].body.count, "compressed with the dictionary: \(frame.count) of \(docs[0].body.count) bytes")
        try store.ingest(docs)
        let unit = docs[0].unit
        #expect(try store.reports(unit: unit).map { $0.body } == [texts[0]])
        let columns = try store.read { try $0.one("SELECT length(body), length(body_zstd) FROM reports") }
        #expect(columns?[0].int == 0 && columns?[1].int == frame.count, "the frame is stored, the text column is empty")
        // A row as a store before schema version 2 holds it: the text, no frame.
        try store.write { try $0.execute("UPDATE reports SET body = ?, body_zstd = NULL", [.text(texts[0])]) }
        #expect(try store.reports(unit: unit).map { $0.body } == [texts[0]])
        // The frame names the report dictionary, which the store keeps; a frame naming a dictionary the store does
        // not have is refused with a line that says so.
        let kept = try store.read { try $0.one("SELECT dict_id, length(dict) FROM body_dictionaries") }
        #expect(kept?[0].int.map(Int64.init) == ReportBody.dictionaryID && kept?[1].int == ReportBodyDictionary.bytes.count)
        var foreign = frame
        try store.write { try $0.execute("UPDATE reports SET body = '', body_zstd = ?", [.blob(frame)]) }
        #expect(try store.reports(unit: unit).map { $0.body } == [texts[0]])
        let at = foreign[4] & 0x20 != 0 ? 5 : 6                 // the dictionary id after the descriptor (and window) byte
        #expect(foreign[4] & 3 == 3, "a 4-byte dictionary id in the frame header")
        foreign[at] ^= 0x5A
        try store.write { try $0.execute("UPDATE reports SET body = '', body_zstd = ?", [.blob(foreign)]) }
        do { _ = try store.reports(unit: unit); Issue.record("a frame of an unknown dictionary was read") } catch {
            #expect("\(error)".contains("zstd dictionary"), "\(error)")
        }
        // A damaged frame: an error, not garbage.
        try store.write { try $0.execute("UPDATE reports SET body = '', body_zstd = ?", [.blob(Data("not zstd".utf8))]) }
        #expect(throws: StoreError.self) { try store.reports(unit: unit) }
    }

    @Test func framesRoundTripAndHostileFramesAreRefused() throws {
        let c = ReportBody.Compressor()
        for size in [0, 1, 100, 8_000, 300_000] {
            let body = Data((0..<size).map { UInt8(truncatingIfNeeded: $0 * 7 % 251) })
            #expect(try ReportBody.decompress(try #require(c.compress(body))) == body)
        }
        for hostile in [Data(), Data([0x28, 0xB5, 0x2F, 0xFD]), Data(repeating: 0xFF, count: 64)] {
            #expect(throws: StoreError.self) { try ReportBody.decompress(hostile) }
        }
        // A frame of a megabyte of zeros: 1 MiB back, from a frame of a few dozen bytes.
        let big = try #require(c.compress(Data(count: 1 << 20)))
        #expect(try ReportBody.decompress(big).count == 1 << 20 && big.count < 200)
    }
}
