// One ingested document: a `baseline.report/1` (audit, agent, capture) or the reports inside a `baseline.scan/1`,
// reduced to what the fleet view needs. Validation is strict and every refusal is one line naming the file.
import BaselineCore
import Foundation

public struct IngestError: Error, CustomStringConvertible {
    public let source: String
    public let message: String
    public var description: String { "\(source): \(message)" }
}

/// A finding as the fleet keeps it: its check, names and machine-readable data (the message and the rest stay in the
/// stored body).
public struct FindingRow: Equatable {
    public let check: String
    public let area: String
    public let status: String
    public let severity: String
    public var data: [String: String] = [:]  // the finding's machine-readable facts (support_end, eol)
}

public struct ReportDocument: Equatable {
    public let reportID: String
    public let sourceKind: String
    public let auditDate: String          // YYYY-MM-DD
    public let generatedAt: String
    public let vendor: String
    public let model: String
    public let firmware: String
    public let deviceID: String?
    public let findings: [FindingRow]
    public let hostKeys: [String]         // SHA256:… of public host keys
    public let passwordHMACs: [String]    // keyed fingerprints of password hashes
    public let secretHMACs: [String]      // keyed fingerprints of other private keys
    public let fleetKeyID: String?        // "sha256:…" of the fleet key the fingerprints are keyed with
    public let profileChain: [String]     // the profile and the ones it extends
    public let buildID: String?
    public let body: Data                 // the report as it arrived
    public var storedBody: Data? = nil    // `body` as a zstd frame (ReportBody), made on the parse stage's cores
    var summary: UnitSummary? = nil       // what the unit contributes, made on the parse stage's cores (given the factory)
    public let imageID: String?           // an offline audit's root identity ("sha256:…")
    /// The unit this report is about: the keyed device id, else the audited image (the same image audited again is
    /// the same unit), else the report itself (one report, one unit). Stored, not computed: the store's writer reads it
    /// several times per report, and a computed property read through an array copied the whole document each time.
    public let unit: String

    public init(reportID: String, sourceKind: String, auditDate: String, generatedAt: String, vendor: String, model: String, firmware: String,
                deviceID: String?, findings: [FindingRow], hostKeys: [String], passwordHMACs: [String], secretHMACs: [String],
                fleetKeyID: String?, profileChain: [String], buildID: String?, body: Data, imageID: String? = nil) {
        self.reportID = reportID; self.sourceKind = sourceKind; self.auditDate = auditDate; self.generatedAt = generatedAt
        self.vendor = vendor; self.model = model; self.firmware = firmware; self.deviceID = deviceID; self.findings = findings
        self.hostKeys = hostKeys; self.passwordHMACs = passwordHMACs; self.secretHMACs = secretHMACs; self.fleetKeyID = fleetKeyID
        self.profileChain = profileChain; self.buildID = buildID; self.body = body; self.imageID = imageID
        unit = deviceID ?? imageID.map { "image:" + $0 } ?? "report:" + reportID
    }

    /// Every report in `data`: one report, a JSON array of reports (a batch), or a scan document's agent reports.
    /// With a validator, every report is checked against the report schema first. A report is stored as the bytes
    /// it arrived in; the elements of a batch are parsed and validated on all cores.
    public static func parse(_ data: Data, source: String, validator: SchemaValidator? = nil, factory: FactoryFingerprints? = nil) throws -> [ReportDocument] {
        var all: [ReportDocument] = []
        try parse(data, source: source, validator: validator, factory: factory) { all += $0 }
        return all
    }

    /// The same, handed over in order to `deliver` in groups of about `group` reports (a batch's elements), so a
    /// caller can store one group while the next is parsed. The first refusal is thrown, after the groups before it.
    /// With `factory` (the factory fingerprints the store will be given), each document's UnitSummary is made here too,
    /// on all cores, instead of by the store's single writer.
    /// `taper`: the last groups of the file get smaller (halving down to 256), so the store, which writes each group
    /// after it is parsed, is left with little to write alone at the end (for the last file of a run).
    public static func parse(_ data: Data, source: String, validator: SchemaValidator? = nil, factory: FactoryFingerprints? = nil, group: Int = Int.max,
                             taper: Bool = false, deliver: ([ReportDocument]) throws -> Void) throws {
        // The file's bytes are read where they are (no copy of a file of many megabytes).
        try data.withUnsafeBytes { raw in
            let all = raw.bindMemory(to: UInt8.self)
            let elements = JSONSlices.arrayElements(all)
            try parse(all, data: data, source: source, validator: validator, factory: factory, group: group, taper: taper, deliver: deliver,
                      cut: { from, _ in
                          elements.map { ArrivingArray.Cut(elements: Array($0[min(from, $0.count)...]), complete: true, isArray: true) }
                              ?? ArrivingArray.Cut(elements: [], complete: false, isArray: false)
                      }, whole: {})
        }
    }

    /// The same for a file still being read (ArrivingArray): a group is parsed as soon as its elements have arrived
    /// and been cut, while the rest of the file is read.
    /// `yielding`: the parse threads run at a lower priority (nice 10) than the others, so the store's writer, the
    /// slower stage, is not kept waiting for a core (with two cores, it otherwise got ~2/3 of one).
    public static func parse(_ file: ArrivingArray, source: String, validator: SchemaValidator? = nil, factory: FactoryFingerprints? = nil,
                             group: Int = Int.max, taper: Bool = false, yielding: Bool = false, deliver: ([ReportDocument]) throws -> Void) throws {
        // The buffer does not move (the reader thread fills it in place); only bytes that have arrived are read.
        try file.data.withUnsafeBytes { raw in
            try parse(raw.bindMemory(to: UInt8.self), data: file.data, source: source, validator: validator, factory: factory, group: group,
                      taper: taper, yielding: yielding, deliver: deliver, cut: { from, n in try file.elements(from: from, through: n, source: source) },
                      whole: { _ = try file.all(source: source) })
        }
    }

    /// `cut(from, n)`: the elements from `from` on, at least up to element `n` unless the array ends first; `whole`:
    /// waits for every byte (a document that is not an array is read whole).
    private static func parse(_ all: UnsafeBufferPointer<UInt8>, data: Data, source: String, validator: SchemaValidator?, factory: FactoryFingerprints?,
                              group: Int, taper: Bool, yielding: Bool = false, deliver: ([ReportDocument]) throws -> Void,
                              cut: (Int, Int) throws -> ArrivingArray.Cut, whole: () throws -> Void) throws {
        if yielding { yieldToOtherThreads() }
        nonisolated(unsafe) let bytes = all                  // read-only while the workers run (inside the caller's withUnsafeBytes)
        // The first groups are smaller (a 32nd of `group`, at least 64, doubling): the store starts writing while
        // the rest of the file is parsed, instead of waiting for a whole group.
        let step = max(1, group)
        var first = 0, size = min(step, max(64, step / 32))
        while true {
            let c = try cut(first, first + size)
            guard c.isArray else {
                try whole()
                guard first == 0 else {
                    // The array is not well-formed past the elements already parsed: the whole document's parse words
                    // the error (and the transaction the earlier groups went into is not committed).
                    _ = try json(Array(all), source: source)
                    throw IngestError(source: source, message: "not a well-formed JSON array")
                }
                // One document (a report, a scan document), or something that is neither: refused in so many words.
                var docs: [ReportDocument]
                var tape: [JSONTape.Entry] = []
                if let v = validator, let doc = fast(all, validator: v, tape: &tape, raw: data) { docs = [doc] } else {
                    docs = try documents(try json(Array(all), source: source), source: source, validator: validator, raw: data)
                }
                prepare(&docs, ReportBody.Compressor(), factory)
                return try deliver(docs)
            }
            let remaining = c.elements.count
            guard remaining > 0 else { return }
            if taper && c.complete && remaining > 256 && remaining <= 2 * size { size = max(256, (remaining + 1) / 2) }
            let count = c.complete && size >= remaining ? remaining : min(size, remaining)
            let elements = c.elements[0..<count], offset = first
            defer { first += count; size = size >= step / 2 ? step : size * 2 }
            let chunk = max(64, count / (ProcessInfo.processInfo.activeProcessorCount * 4) + 1)
            let starts = Array(stride(from: 0, to: count, by: chunk))
            let results = ResultSlots(count: starts.count)
            DispatchQueue.concurrentPerform(iterations: starts.count) { c in
                if yielding { yieldToOtherThreads() }
                var out: [ReportDocument] = []
                let compressor = ReportBody.Compressor()
                var tape: [JSONTape.Entry] = []
                tape.reserveCapacity(2048)
                do {
                    let all = bytes
                    do {
                        for e in starts[c]..<min(starts[c] + chunk, count) {
                            let r = elements[e], slice = UnsafeBufferPointer(rebasing: all[r])
                            // The body is a slice of the file's Data (which the documents then keep alive), not a copy.
                            if let v = validator,
                               let doc = fast(slice, validator: v, tape: &tape, raw: data[data.startIndex + r.lowerBound ..< data.startIndex + r.upperBound]) {
                                out.append(doc); continue
                            }
                            // The tree way: scan documents, reports the fast path declines, and every refusal. A
                            // JSON error names the line in the file, counted only then (not for every element).
                            let name = "\(source)[\(offset + e)]"
                            let copy = Array(slice)
                            let tree = try json(copy, source: name) { all[0..<r.lowerBound].reduce(0) { $1 == 10 ? $0 + 1 : $0 } }
                            out += try documents(tree, source: name, validator: validator, raw: Data(copy))
                        }
                    }
                    prepare(&out, compressor, factory)
                    results.set(c, .success(out))
                } catch { results.set(c, .failure(error)) }
            }
            var group: [ReportDocument] = []
            group.reserveCapacity(count)
            for c in 0..<starts.count { try ReportDocument.move(from: results.take(c).get(), into: &group) }
            try deliver(group)
        }
    }

    /// Appends `part`'s documents to `group` by moving them, leaving empty documents behind: appending the array
    /// copied every document (a retain of each of its strings and arrays, contended between the parse threads and
    /// the store's writer) and then released the originals.
    static func move(from part: consuming [ReportDocument], into group: inout [ReportDocument]) {
        var part = part
        part.withUnsafeMutableBufferPointer { src in
            guard let base = src.baseAddress else { return }
            for i in 0..<src.count {
                group.append((base + i).move())
                (base + i).initialize(to: ReportDocument.placeholder)
            }
        }
    }

    /// What a moved-out document's place holds until its array is freed: nothing to release. (A `let` no thread
    /// changes: safe to share.)
    nonisolated(unsafe) static let placeholder = ReportDocument(
        reportID: "", sourceKind: "", auditDate: "", generatedAt: "", vendor: "", model: "", firmware: "", deviceID: nil, findings: [],
        hostKeys: [], passwordHMACs: [], secretHMACs: [], fleetKeyID: nil, profileChain: [], buildID: nil, body: Data())

    /// The calling thread's nice value raised to 10 (Linux keeps one per thread, and `who` 0 is the calling thread;
    /// raising it needs no privilege).
    static func yieldToOtherThreads() {
        #if os(Linux)
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)   // 0: the calling thread
        #endif
    }

    /// What the store would otherwise do in its single writer: compress each body, and summarise each report.
    static func prepare(_ docs: inout [ReportDocument], _ compressor: ReportBody.Compressor, _ factory: FactoryFingerprints?) {
        // In place: `docs[k].summary = UnitSummary(docs[k], …)` copied each document (retaining every string in it).
        docs.withUnsafeMutableBufferPointer { p in
            for k in p.indices {
                p[k].storedBody = compressor.compress(p[k].body)
                if let factory {
                    let summary = UnitSummary(p[k], factory: factory.fingerprints(for: p[k].profileChain))
                    p[k].summary = summary
                }
            }
        }
    }

    /// Ingest's fast path: a `baseline.report/1` validated and read on a tape (JSONTape, SchemaValidator.accepts,
    /// ReportTapeReader), no tree built; nil sends the report the tree way, which decides and words refusals.
    /// `raw`: the same bytes as Data, kept as the document's body (a slice of the file's Data: no copy); by default
    /// a copy of `bytes`.
    static func fast(_ bytes: UnsafeBufferPointer<UInt8>, validator: SchemaValidator, tape: inout [JSONTape.Entry], raw: Data? = nil) -> ReportDocument? {
        JSONTape.with(bytes, reusing: &tape) { t in
            validator.accepts(t) ? ReportTapeReader.document(t, raw: raw ?? Data(buffer: bytes)) : nil
        } ?? nil
    }

    /// `lineOffset`: the lines before these bytes in their file, counted only when the JSON is refused.
    static func json(_ bytes: [UInt8], source: String, lineOffset: () -> Int = { 0 }) throws -> JSONNode {
        do { return try JSONParser.parse(bytes) } catch {
            throw IngestError(source: source, message: "line \(error.line + lineOffset()): not JSON: \(error.message)")
        }
    }

    static func documents(_ o: JSONNode, source: String, validator: SchemaValidator?, raw: Data?) throws -> [ReportDocument] {
        guard o.members != nil else { throw IngestError(source: source, message: "expected a JSON object, found \(o.kindName)") }
        switch o["schema"]?.string {
        case "baseline.report/1":
            if let v = validator { do { try v.validate(o) } catch { throw IngestError(source: source, message: "not a valid baseline.report/1: \(error)") } }
            return [try report(o, source: source, raw: raw)]
        case "baseline.scan/1":
            // `baseline scan --format json` keeps each reached device's report at devices[i].report (files of
            // earlier versions kept only the agent's, at devices[i].audit.report).
            var out: [ReportDocument] = []
            let devices = o["devices"]?.array ?? []
            for (i, d) in devices.enumerated() {
                let (r, path): (JSONNode?, String) = d["report"]?.members != nil ? (d["report"], "report") : (d["audit"]?["report"], "audit.report")
                if let r, r.members != nil {
                    let name = "\(source) devices[\(i)].\(path)"
                    if let v = validator { do { try v.validate(r) } catch { throw IngestError(source: name, message: "not a valid baseline.report/1: \(error)") } }
                    out.append(try report(r, source: name, raw: nil))
                }
            }
            if out.isEmpty {
                throw IngestError(source: source, message: "a baseline.scan/1 of \(devices.count) device(s) with no device report in it: no device was reached")
            }
            return out
        case let s?: throw IngestError(source: source, message: "schema '\(s)' is not baseline.report/1 or baseline.scan/1")
        case nil: throw IngestError(source: source, message: "no 'schema' field: expected a baseline.report/1 document")
        }
    }

    /// The fields the fleet keeps, taken from the core's typed reader (ReportReader: the mirror of the writer) over the
    /// tree the schema validator already checked, so the report is parsed once.
    static func report(_ o: JSONNode, source: String, raw: Data?) throws -> ReportDocument {
        let r: Report
        do { r = try ReportReader.read(o).report } catch { throw IngestError(source: source, message: error.description) }
        guard UUID(uuidString: r.reportID) != nil else { throw IngestError(source: source, message: "'report_id': expected a UUID, found '\(r.reportID)'") }
        var findings: [FindingRow] = []
        findings.reserveCapacity(r.findings.count)
        for f in r.findings {
            var row = FindingRow(check: f.id, area: f.area.name, status: f.status.name, severity: f.severity.name)
            for (k, v) in f.data where row.data[k] == nil { row.data[k] = v }
            findings.append(row)
        }
        let fp = r.fingerprints
        let hostKeys = fp.hostKeys.map { $0.sha256 }
        let hmacs = fp.passwordHashes.map { $0.hmac }
        let secrets = fp.privateKeys.compactMap { $0.hmac }
        for h in hmacs + hostKeys + secrets where h.hasPrefix("$") {
            throw IngestError(source: source, message: "'fingerprints': a value starts with '$' (a crypt(3) hash): reports must carry keyed fingerprints, never password hashes")
        }
        let s = r.subject
        let body = raw ?? Data(JSONWriter.write(o, pretty: false).utf8)
        let doc = ReportDocument(reportID: r.reportID.lowercased(), sourceKind: r.sourceKind, auditDate: r.auditDate.iso, generatedAt: r.generatedAt,
                                 vendor: s.vendor ?? "(unknown)", model: s.model ?? "(unknown)",
                                 firmware: s.firmwareVersion ?? s.osVersion ?? "(unknown)",
                                 deviceID: s.deviceID, findings: findings, hostKeys: hostKeys,
                                 passwordHMACs: hmacs, secretHMACs: secrets, fleetKeyID: fp.fleetKeyID,
                                 profileChain: r.profileChain.isEmpty ? [r.profileID] : r.profileChain,
                                 buildID: s.buildID, body: body, imageID: s.imageID)
        return doc
    }
}


/// Per-chunk results of the concurrent parse.
final class ResultSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Result<[ReportDocument], Error>?]
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ r: Result<[ReportDocument], Error>) { lock.lock(); slots[i] = r; lock.unlock() }
    /// The slot's result, which it no longer holds (so the caller's array is the only reference to its buffer).
    func take(_ i: Int) -> Result<[ReportDocument], Error> { lock.lock(); defer { lock.unlock() }; defer { slots[i] = nil }; return slots[i]! }
}

/// The byte ranges of a top-level JSON array's elements, found without parsing them (strings and nesting skipped);
/// nil when the text is not an array or is malformed (the full parser then names the error).
enum JSONSlices {
    static func arrayElements(_ b: [UInt8]) -> [Range<Int>]? { b.withUnsafeBufferPointer { arrayElements($0) } }

    static func arrayElements(_ b: UnsafeBufferPointer<UInt8>) -> [Range<Int>]? {
        var cutter = ArrayCutter()
        var out: [Range<Int>] = []
        while let r = cutter.next(b, available: b.count) { out.append(r) }
        return cutter.state == .done ? out : nil
    }
}
