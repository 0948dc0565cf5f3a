// TCP reassembly and the HTTP reader on hand-made segments: order restored, retransmissions dropped, holes reported,
// buffers bounded.
import Testing
@testable import BaselineTraffic

/// Collects what a stream delivers: bytes, and "<gap N>" markers.
final class Collector: StreamParser {
    var bytes: [UInt8] = []
    var gaps: [Int] = []
    var stopAfter: Int? = nil
    override func consume(_ b: UnsafeRawBufferPointer, packet: Int) -> Bool {
        bytes += Array(b)
        if let s = stopAfter, bytes.count >= s { return false }
        return true
    }
    override func gap(_ count: Int, packet: Int) -> Bool { gaps.append(count); return true }
}

func feed(_ s: TCPStream, _ seq: UInt32, _ text: String, wire: Int? = nil, syn: Bool = false, packet: Int = 1) {
    let b = Array(text.utf8)
    b.withUnsafeBytes { s.accept(seq: seq, syn: syn, fin: false, payload: $0, wire: wire ?? b.count, packet: packet) }
}

@Suite struct ReassemblyTests {
    @Test func inOrderAfterSyn() {
        let s = TCPStream(budget: ReassemblyBudget(limit: 1 << 20))
        let c = Collector(); s.parser = c
        feed(s, 1000, "", syn: true)
        feed(s, 1001, "hello ")
        feed(s, 1007, "world")
        #expect(String(decoding: c.bytes, as: UTF8.self) == "hello world")
        #expect(s.bytes == 11)
    }

    @Test func outOfOrderIsReordered() {
        let budget = ReassemblyBudget(limit: 1 << 20)
        let s = TCPStream(budget: budget)
        let c = Collector(); s.parser = c
        feed(s, 0, "", syn: true)
        feed(s, 7, "world")          // early
        feed(s, 1, "hello ")         // fills the hole
        #expect(String(decoding: c.bytes, as: UTF8.self) == "hello world")
        #expect(budget.outOfOrder == 1)
        #expect(c.gaps.isEmpty)
    }

    @Test func retransmissionsAndOverlapsAreDropped() {
        let budget = ReassemblyBudget(limit: 1 << 20)
        let s = TCPStream(budget: budget)
        let c = Collector(); s.parser = c
        feed(s, 0, "", syn: true)
        feed(s, 1, "abcdef")
        feed(s, 1, "abcdef")          // full retransmission
        feed(s, 4, "defghi")          // overlap: only "ghi" is new
        #expect(String(decoding: c.bytes, as: UTF8.self) == "abcdefghi")
        #expect(budget.retransmitted == 1)
    }

    @Test func sequenceWrapAround() {
        let s = TCPStream(budget: ReassemblyBudget(limit: 1 << 20))
        let c = Collector(); s.parser = c
        feed(s, 0xffff_fffc, "", syn: true)     // next = 0xfffffffd
        feed(s, 0xffff_fffd, "abc")
        feed(s, 0, "def")
        #expect(String(decoding: c.bytes, as: UTF8.self) == "abcdef")
    }

    @Test func snaplenCutBecomesAGap() {
        let budget = ReassemblyBudget(limit: 1 << 20)
        let s = TCPStream(budget: budget)
        let c = Collector(); s.parser = c
        feed(s, 0, "", syn: true)
        feed(s, 1, "abcd", wire: 100)           // 96 bytes not captured
        feed(s, 101, "xyz")
        #expect(String(decoding: c.bytes, as: UTF8.self) == "abcdxyz")
        #expect(c.gaps == [96])
        #expect(budget.gapBytes == 96)
    }

    @Test func lostSegmentIsReportedWhenTheConnectionCloses() {
        let s = TCPStream(budget: ReassemblyBudget(limit: 1 << 20))
        let c = Collector(); s.parser = c
        feed(s, 0, "", syn: true)
        feed(s, 1, "aaaa")
        feed(s, 9, "cccc")                      // "bbbb" never arrives
        #expect(String(decoding: c.bytes, as: UTF8.self) == "aaaa")
        s.close(packet: 9)
        #expect(String(decoding: c.bytes, as: UTF8.self) == "aaaacccc")
        #expect(c.gaps == [4])
    }

    @Test func heldBytesAreBounded() {
        let budget = ReassemblyBudget(limit: 1000)
        let s = TCPStream(budget: budget)
        let c = Collector(); s.parser = c
        feed(s, 0, "", syn: true)
        let chunk = String(repeating: "x", count: 300)
        for i in 0..<10 { feed(s, UInt32(1 + 1000 + i * 300), chunk) }   // all after a 1000-byte hole
        #expect(budget.used <= 1000)
        #expect(budget.refused > 0)
        #expect(c.gaps.first == 1000)
        #expect(c.bytes.count == 3000)
    }

    @Test func aParserThatIsDoneStopsBuffering() {
        let budget = ReassemblyBudget(limit: 1 << 20)
        let s = TCPStream(budget: budget)
        let c = Collector(); c.stopAfter = 2; s.parser = c
        feed(s, 0, "", syn: true)
        feed(s, 1, "abc")
        #expect(s.parser == nil)
        feed(s, 100, "later")                   // out of order, nobody listening: counted, not held
        #expect(budget.used == 0)
    }
}

@Suite struct HTTPReaderTests {
    func exchanges(_ request: String, _ response: String, split: Int = 7) -> [HTTPExchange] {
        var out: [HTTPExchange] = []
        let ref = FlowRef(client: "c", server: "s", serverAddress: IPAddress(v4: 1), serverPort: 80, firstPacket: 1, lastPacket: 1)
        let h = HTTPSession(flow: { ref }, record: { out.append($0) })
        let req = HTTPStreamParser(h, requests: true), resp = HTTPStreamParser(h, requests: false)
        // Feed in small pieces, as segments would arrive.
        func pieces(_ s: String, _ p: StreamParser) {
            let b = Array(s.utf8)
            var i = 0
            while i < b.count {
                let e = min(b.count, i + split)
                _ = b[i..<e].withUnsafeBytes { p.consume($0, packet: i) }
                i = e
            }
        }
        pieces(request, req)
        pieces(response, resp)
        req.finish(packet: 99)
        return out
    }

    @Test func pipelinedRequestsMatchTheirResponses() {
        let x = exchanges("GET /a HTTP/1.1\r\nHost: Updates.Example:8080\r\n\r\nGET /firmware/b.bin HTTP/1.1\r\nHost: updates.example\r\nAuthorization: Basic YWRtaW46c2VjcmV0\r\n\r\n",
                          "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n3;ext=1\r\nefg\r\n0\r\n\r\n")
        #expect(x.count == 2)
        #expect(x[0].target == "/a" && x[0].host == "updates.example" && x[0].status == 200 && x[0].bodyBytes == 5 && x[0].bodyComplete)
        #expect(x[1].target == "/firmware/b.bin" && x[1].bodyBytes == 7 && x[1].bodyComplete)
        #expect(x[1].authScheme == "Basic" && x[1].basicUser == "admin")
        #expect(TrafficChecks.isDownload(x[1]))
        #expect(!TrafficChecks.isDownload(x[0]))
    }

    @Test func headResponseHasNoBody() {
        let x = exchanges("HEAD /fw.img HTTP/1.1\r\nHost: h\r\n\r\nGET /x HTTP/1.1\r\nHost: h\r\n\r\n",
                          "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
        #expect(x.count == 2)
        #expect(x[0].method == "HEAD" && x[0].contentLength == 1000 && x[0].bodyBytes == 0)
        #expect(x[1].status == 404)
    }

    @Test func bodyUntilCloseAndOversizedHeaders() {
        let x = exchanges("GET /big HTTP/1.0\r\n\r\n", "HTTP/1.0 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n" + String(repeating: "z", count: 70_000))
        #expect(x.count == 1 && x[0].bodyBytes == 70_000)
        #expect(TrafficChecks.isDownload(x[0]))
        let reader = HTTPMessageReader()
        let junk = Array(String(repeating: "X-Long: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n", count: 2000).utf8)
        let ok = ([UInt8]("GET / HTTP/1.1\r\n".utf8) + junk).withUnsafeBytes { reader.feed($0, packet: 1) }
        #expect(!ok)                            // a header block over 32 KiB is refused, not buffered
    }

    @Test func notHTTP() {
        #expect(!("\u{16}\u{03}\u{01}abc".utf8.withContiguousStorageIfAvailable { HTTPSession.looksLikeRequest(UnsafeRawBufferPointer($0)) } ?? true))
        let yes = Array("POST /x HTTP/1.1\r\n".utf8).withUnsafeBytes { HTTPSession.looksLikeRequest($0) }
        #expect(yes)
        let no = Array("GETX / HTTP/1.1".utf8).withUnsafeBytes { HTTPSession.looksLikeRequest($0) }
        #expect(!no)
    }
}

@Suite struct FlowTableTests {
    /// 5000 connections open at once with room for 16: the table stays at its limit and counts what it closed early.
    @Test func tableIsBoundedAndCountsEvictions() {
        var limits = TrafficLimits()
        limits.maxFlows = 16
        let a = TrafficAnalyzer(capture: "synthetic", link: .ethernet, limits: limits)
        for port in 0..<5000 {
            let frame = ethernet(ipv4(tcpHeader(sport: 10_000 + port, dport: 80, seq: 1, flags: 0x02)))
            frame.withUnsafeBytes { a.process($0, wireLength: frame.count, time: Double(port) / 1000) }
            #expect(a.table.flows.count <= 16)
        }
        let f = a.finish()
        #expect(f.counts.flows == 5000)
        #expect(f.counts.flowsEvicted >= 5000 - 16)
        #expect(f.problems.contains { $0.reason.contains("closed early: more than 16 were open at once") })
    }

    /// Idle connections expire on capture time, without the table being full.
    @Test func idleConnectionsExpire() {
        let a = TrafficAnalyzer(capture: "synthetic", link: .ethernet)
        for port in 0..<100 {
            let frame = ethernet(ipv4(tcpHeader(sport: 20_000 + port, dport: 443, seq: 1, flags: 0x02)))
            frame.withUnsafeBytes { a.process($0, wireLength: frame.count, time: 0) }
        }
        #expect(a.table.flows.count == 100)
        let late = ethernet(ipv4([0, 53, 0, 53, 0, 8, 0, 0], proto: 17))
        for _ in 0..<70_000 { late.withUnsafeBytes { a.process($0, wireLength: late.count, time: 1000) } }
        #expect(a.table.flows.count == 0)      // swept after 300 s idle
        #expect(a.finish().counts.flowsEvicted == 0)
    }
}
