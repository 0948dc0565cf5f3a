// HTTP/1.x over a reassembled TCP stream: request lines, Host, Authorization scheme (and a Basic user name), response
// status, content type and length. Bodies are skipped by Content-Length or chunked framing, or read until the
// connection closes; their bytes are counted, never kept. Header blocks are bounded (32 KiB).
import BaselineCore

/// Reads a sequence of HTTP messages in one direction. Calls back with each header block and with body progress.
final class HTTPMessageReader {
    enum Body { case none, length(Int64), chunkSize, chunkData(Int64), chunkCRLF(Int), trailer, untilClose }

    static let maxHeaderBytes = 32 * 1024
    var header: [UInt8] = []
    var body: Body = .none
    var inBody = false
    var headerStartPacket = 0
    var failed = false
    var line: [UInt8] = []     // chunk-size and trailer lines
    var last4: UInt32 = 0      // the last four header bytes seen

    /// Called with the start line and headers (names lower-cased); returns how the body is framed.
    var onHeaders: (_ start: String, _ headers: [(String, String)], _ packet: Int) -> Body = { _, _, _ in .none }
    var onBody: (_ count: Int64) -> Void = { _ in }
    var onMessageEnd: () -> Void = {}

    /// Feeds in-order bytes. Returns false when the stream is not HTTP (or the reader gave up).
    func feed(_ b: UnsafeRawBufferPointer, packet: Int) -> Bool {
        var i = 0
        let n = b.count
        while i < n && !failed {
            if !inBody {
                if header.isEmpty { headerStartPacket = packet }
                // Look for the blank line that ends the header block ("\n\n" or "\r\n\r\n"), across calls.
                var end = -1
                var j = i
                while j < n {
                    let c = b[j]
                    last4 = last4 << 8 | UInt32(c)
                    if c == 10 && (last4 & 0xffff == 0x0a0a || last4 == 0x0d0a_0d0a) { end = j; break }
                    j += 1
                }
                let take = end >= 0 ? end + 1 - i : n - i
                if header.count + take > HTTPMessageReader.maxHeaderBytes { failed = true; return false }
                header.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[i..<(i + take)]))
                i += take
                if end < 0 { return true }
                let block = header
                header.removeAll(keepingCapacity: true)
                last4 = 0
                // Leading empty lines between messages are allowed (RFC 9112 2.2).
                var k = 0
                while k < block.count && (block[k] == 13 || block[k] == 10) { k += 1 }
                if k == block.count { continue }
                guard let (start, headers) = HTTPMessageReader.parseHeaders(Array(block[k...])) else { failed = true; return false }
                body = onHeaders(start, headers, headerStartPacket)
                inBody = true
                if case .none = body { finishMessage() }
                else if case .length(let l) = body, l == 0 { finishMessage() }
            } else {
                i += bodyStep(b, i)
            }
        }
        return !failed
    }

    /// Consumes body bytes from b[i...]; returns how many.
    func bodyStep(_ b: UnsafeRawBufferPointer, _ i: Int) -> Int {
        let avail = b.count - i
        switch body {
        case .none:
            finishMessage(); return 0
        case .length(let rest):
            let t = Int(min(Int64(avail), rest))
            onBody(Int64(t))
            if rest - Int64(t) == 0 { finishMessage() } else { body = .length(rest - Int64(t)) }
            return t
        case .untilClose:
            onBody(Int64(avail)); return avail
        case .chunkData(let rest):
            let t = Int(min(Int64(avail), rest))
            onBody(Int64(t))
            body = rest - Int64(t) == 0 ? .chunkCRLF(2) : .chunkData(rest - Int64(t))
            return t
        case .chunkCRLF(let left):
            // CRLF after chunk data (a bare LF is tolerated).
            if b[i] == 10 { body = .chunkSize; return 1 }
            if left <= 1 { body = .chunkSize } else { body = .chunkCRLF(left - 1) }
            return 1
        case .chunkSize, .trailer:
            var j = i
            while j < b.count && b[j] != 10 { j += 1 }
            line.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[i..<j]))
            if line.count > 1024 { failed = true; return avail }
            if j == b.count { return avail }
            var text = line
            line.removeAll(keepingCapacity: true)
            if text.last == 13 { text.removeLast() }
            if case .trailer = body {
                if text.isEmpty { finishMessage() }
                return j + 1 - i
            }
            // chunk-size [; extensions]: the leading hex digits (at most 15, so the size fits an Int64).
            let digits = text.prefix { ($0 >= 48 && $0 <= 57) || ($0 | 32 >= 97 && $0 | 32 <= 102) }
            guard digits.count <= 15, let v = Hex.value(digits) else { failed = true; return avail }
            let size = Int64(v)
            body = size == 0 ? .trailer : .chunkData(size)
            return j + 1 - i
        }
    }

    func finishMessage() {
        inBody = false
        body = .none
        onMessageEnd()
    }

    /// Called when a hole cuts a header block: its first line as far as it was captured.
    var onCutHeaders: (_ firstLine: String, _ packet: Int) -> Void = { _, _ in }

    /// Skipped bytes (a hole in the capture): fine inside a counted body, fatal elsewhere. A header block cut by the
    /// hole (a small snap length) still gives its first line.
    func gap(_ count: Int) -> Bool {
        guard inBody else {
            var k = 0
            while k < header.count && (header[k] == 13 || header[k] == 10) { k += 1 }
            var e = k
            while e < header.count && header[e] != 13 && header[e] != 10 { e += 1 }
            if e > k && header[k..<e].allSatisfy({ $0 >= 32 && $0 < 127 }) {
                onCutHeaders(String(decoding: header[k..<e], as: UTF8.self), headerStartPacket)
            }
            header.removeAll()
            failed = true
            return false
        }
        switch body {
        case .length(let rest):
            let t = min(Int64(count), rest)
            onBody(t)
            if rest - t == 0 { finishMessage() } else { body = .length(rest - t) }
            if Int64(count) > t { failed = true; return false }      // the hole ran into the next message
            return true
        case .untilClose:
            onBody(Int64(count)); return true
        case .chunkData(let rest) where Int64(count) <= rest:
            onBody(Int64(count))
            body = rest - Int64(count) == 0 ? .chunkCRLF(2) : .chunkData(rest - Int64(count))
            return true
        default:
            failed = true; return false
        }
    }

    /// "GET / HTTP/1.1\r\nHost: x\r\n…" → ("GET / HTTP/1.1", [("host", "x"), …]). Nil when it is not a header block.
    static func parseHeaders(_ block: [UInt8]) -> (String, [(String, String)])? {
        var lines: [ArraySlice<UInt8>] = []
        var s = 0
        for (i, c) in block.enumerated() where c == 10 {
            var e = i
            if e > s && block[e - 1] == 13 { e -= 1 }
            lines.append(block[s..<e]); s = i + 1
        }
        while let last = lines.last, last.isEmpty { lines.removeLast() }
        guard let first = lines.first, !first.isEmpty else { return nil }
        for c in first where c < 32 && c != 9 { return nil }
        let start = String(decoding: first, as: UTF8.self)
        var headers: [(String, String)] = []
        for l in lines.dropFirst() {
            guard let colon = l.firstIndex(of: 58) else { continue }
            let name = Text.lower(Text.trim(String(decoding: l[l.startIndex..<colon], as: UTF8.self)))
            let value = Text.trim(String(decoding: l[(colon + 1)...], as: UTF8.self))
            headers.append((name, value))
        }
        return (start, headers)
    }

    static func value(_ headers: [(String, String)], _ name: String) -> String? {
        for (n, v) in headers where n == name { return v }
        return nil
    }
}

/// Both directions of one HTTP connection; exchanges are matched in order (HTTP/1.1 pipelining included).
final class HTTPSession {
    let flow: () -> FlowRef
    let record: (HTTPExchange) -> Void
    var open: [HTTPExchange] = []          // requests waiting for (or receiving) their response
    var current: HTTPExchange? = nil       // the exchange whose response is being read
    let requests = HTTPMessageReader()
    let responses = HTTPMessageReader()
    static let maxOpen = 64

    init(flow: @escaping () -> FlowRef, record: @escaping (HTTPExchange) -> Void) {
        self.flow = flow
        // The flow as it stands when the exchange is recorded (its last packet so far).
        self.record = { var x = $0; x.flow = flow(); record(x) }
        requests.onHeaders = { [unowned self] start, headers, packet in self.request(start, headers, packet) }
        responses.onHeaders = { [unowned self] start, headers, packet in self.response(start, headers, packet) }
        responses.onBody = { [unowned self] n in self.current?.bodyBytes += n }
        requests.onCutHeaders = { [unowned self] line, packet in
            let parts = Text.words(line)
            guard parts.count >= 2, HTTPSession.methods.contains(parts[0]) else { return }
            var x = HTTPExchange(flow: self.flow(), requestPacket: packet, method: parts[0], target: parts[1])
            x.headersCut = true
            if self.open.count < HTTPSession.maxOpen { self.open.append(x) } else { self.record(x) }
        }
        responses.onCutHeaders = { [unowned self] line, packet in
            let parts = Text.words(line)
            guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let code = Int(parts[1]), !self.open.isEmpty else { return }
            var x = self.open.removeFirst()
            x.status = code
            x.responsePacket = packet
            x.headersCut = true
            self.record(x)
        }
        responses.onMessageEnd = { [unowned self] in
            if var c = self.current { c.bodyComplete = true; self.current = nil; self.record(c) }
        }
    }

    static let methods: Set<String> = ["GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE"]

    /// Whether a stream's first bytes look like an HTTP request.
    static func looksLikeRequest(_ b: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        while i < b.count && i < 8 && b[i] >= 65 && b[i] <= 90 { i += 1 }
        guard i >= 3, i < b.count, b[i] == 32 else { return false }
        return methods.contains(String(decoding: UnsafeRawBufferPointer(rebasing: b[0..<i]), as: UTF8.self))
    }

    func request(_ start: String, _ headers: [(String, String)], _ packet: Int) -> HTTPMessageReader.Body {
        let parts = Text.words(start)
        guard parts.count >= 2, HTTPSession.methods.contains(parts[0]) else { requests.failed = true; return .none }
        var x = HTTPExchange(flow: flow(), requestPacket: packet, method: parts[0], target: parts[1])
        if let h = HTTPMessageReader.value(headers, "host") { x.host = HTTPSession.hostWithoutPort(h) }
        x.userAgent = HTTPMessageReader.value(headers, "user-agent")
        if let auth = HTTPMessageReader.value(headers, "authorization") {
            let w = Text.words(auth)
            if let scheme = w.first {
                x.authScheme = scheme
                if Text.lower(scheme) == "basic", w.count >= 2, let raw = Base64.decode(Array(w[1].utf8)) {
                    let user = raw.firstIndex(of: 58).map { Array(raw[..<$0]) } ?? raw
                    x.basicUser = String(decoding: user, as: UTF8.self)
                }
            }
        }
        if open.count < HTTPSession.maxOpen { open.append(x) } else { record(x) }
        if let te = HTTPMessageReader.value(headers, "transfer-encoding"), Text.contains(Text.lower(te), "chunked") { return .chunkSize }
        if let cl = HTTPMessageReader.value(headers, "content-length"), let l = Int64(cl), l >= 0 { return .length(l) }
        return .none
    }

    func response(_ start: String, _ headers: [(String, String)], _ packet: Int) -> HTTPMessageReader.Body {
        let parts = Text.words(start)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let code = Int(parts[1]) else { responses.failed = true; return .none }
        if let c = current { record(c); current = nil }
        if code >= 100 && code < 200 && code != 101 { return .none }   // interim response: the final one follows
        var x = open.isEmpty ? HTTPExchange(flow: flow(), requestPacket: 0, method: "?", target: "?") : open.removeFirst()
        x.status = code
        x.responsePacket = packet
        x.contentType = HTTPMessageReader.value(headers, "content-type")
        if let cl = HTTPMessageReader.value(headers, "content-length"), let l = Int64(cl), l >= 0 { x.contentLength = l }
        current = x
        if x.method == "HEAD" || code == 204 || code == 304 || code == 101 { return .none }
        if let te = HTTPMessageReader.value(headers, "transfer-encoding"), Text.contains(Text.lower(te), "chunked") { return .chunkSize }
        if let l = x.contentLength { return .length(l) }
        return .untilClose
    }

    static func hostWithoutPort(_ h: String) -> String {
        var s = Text.lower(h)
        if s.hasPrefix("[") {
            if let close = s.firstIndex(of: "]") { s = String(s[s.index(after: s.startIndex)..<close]) }
            return s
        }
        if let colon = s.firstIndex(of: ":"), s.filter({ $0 == ":" }).count == 1 { s = String(s[..<colon]) }
        return s
    }

    /// End of the connection: whatever is still open is recorded as seen.
    func finish() {
        if let c = current { record(c); current = nil }
        for x in open { record(x) }
        open.removeAll()
    }
}

/// One direction of an HTTP connection: requests (client → server) or responses.
final class HTTPStreamParser: StreamParser {
    let session: HTTPSession
    let reader: HTTPMessageReader
    init(_ s: HTTPSession, requests: Bool) { session = s; reader = requests ? s.requests : s.responses }
    override func consume(_ bytes: UnsafeRawBufferPointer, packet: Int) -> Bool { reader.feed(bytes, packet: packet) }
    override func gap(_ count: Int, packet: Int) -> Bool { reader.gap(count) }
    override func finish(packet: Int) { session.finish() }
}
