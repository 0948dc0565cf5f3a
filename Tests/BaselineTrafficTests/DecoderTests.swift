// The packet decoder, DNS and TLS hello parsers on hand-built bytes, and random bytes through every decoder (no crash,
// no hang).
import Testing
@testable import BaselineTraffic

func be16(_ v: Int) -> [UInt8] { [UInt8((v >> 8) & 255), UInt8(v & 255)] }
func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 255), UInt8((v >> 8) & 255), UInt8(v & 255)] }

func tcpHeader(sport: Int, dport: Int, seq: UInt32, flags: UInt8) -> [UInt8] {
    be16(sport) + be16(dport) + be32(seq) + be32(0) + [0x50, flags] + be16(65535) + [0, 0, 0, 0]
}

func ipv4(_ payload: [UInt8], proto: UInt8 = 6, src: UInt32 = 0x0a00_0002, dst: UInt32 = 0x0a00_0001, frag: Int = 0x4000) -> [UInt8] {
    [0x45, 0] + be16(20 + payload.count) + be16(1) + be16(frag) + [64, proto, 0, 0] + be32(src) + be32(dst) + payload
}

func ethernet(_ ip: [UInt8], type: Int = 0x0800, vlan: Bool = false) -> [UInt8] {
    var f = [UInt8](repeating: 0xaa, count: 12)
    if vlan { f += be16(0x8100) + be16(42) }
    return f + be16(type) + ip
}

func decode(_ frame: [UInt8], _ link: LinkType) -> (DecodeResult, Segment) {
    var s = Segment()
    let r = frame.withUnsafeBytes { PacketDecoder.decode($0, link: link, into: &s) }
    return (r, s)
}

@Suite struct DecoderTests {
    @Test func ethernetIPv4TCP() {
        let frame = ethernet(ipv4(tcpHeader(sport: 50000, dport: 80, seq: 7, flags: 0x18) + Array("GET /".utf8)))
        let (r, s) = decode(frame, .ethernet)
        #expect(r == .segment)
        #expect(s.transport == .tcp && s.sport == 50000 && s.dport == 80 && s.seq == 7)
        #expect(s.src.description == "10.0.0.2" && s.dst.description == "10.0.0.1")
        #expect(s.capturedPayload == 5 && s.wirePayload == 5)
    }

    @Test func vlanTaggedAndSnaplenCut() {
        let frame = ethernet(ipv4(tcpHeader(sport: 1, dport: 2, seq: 0, flags: 0x10) + [UInt8](repeating: 1, count: 100)), vlan: true)
        let (r, s) = decode(Array(frame.prefix(frame.count - 60)), .ethernet)
        #expect(r == .segment)
        #expect(s.wirePayload == 100 && s.capturedPayload == 40)
        let (r2, _) = decode(Array(frame.prefix(30)), .ethernet)
        #expect(r2 == .cut)
    }

    @Test func cookedRawAndLoopback() {
        let ip = ipv4([0, 53, 0x30, 0x39, 0, 8, 0, 0], proto: 17)
        let sll = be16(0) + be16(772) + be16(6) + [UInt8](repeating: 0, count: 8) + be16(0x0800) + ip
        #expect(decode(sll, .linuxSLL).0 == .segment)
        let sll2 = be16(0x0800) + be16(0) + be32(1) + be16(772) + [0, 6] + [UInt8](repeating: 0, count: 8) + ip
        let (r, s) = decode(sll2, .linuxSLL2)
        #expect(r == .segment && s.transport == .udp && s.sport == 53 && s.dport == 12345)
        #expect(decode(ip, .rawIP).0 == .segment)
        #expect(decode([2, 0, 0, 0] + ip, .bsdNull).0 == .segment)
        #expect(decode([0, 0, 0, 2] + ip, .bsdLoop).0 == .segment)
    }

    @Test func ipv6WithExtensionHeader() {
        let tcp = tcpHeader(sport: 40000, dport: 443, seq: 1, flags: 0x02)
        let hopByHop: [UInt8] = [6, 0, 0, 0, 0, 0, 0, 0]       // next header TCP, 8 bytes
        let ip6: [UInt8] = [0x60, 0, 0, 0] + be16(hopByHop.count + tcp.count) + [0, 64]
            + [UInt8](repeating: 0, count: 15) + [1] + [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [5]
        let (r, s) = decode(ethernet(ip6 + hopByHop + tcp, type: 0x86dd), .ethernet)
        #expect(r == .segment)
        #expect(s.src.description == "::1" && s.dst.description == "2001:db8::5" && s.dport == 443 && s.syn)
    }

    @Test func fragmentsAndOtherProtocols() {
        #expect(decode(ethernet(ipv4([1, 2, 3, 4], frag: 0x2000)), .ethernet).0 == .fragment)
        #expect(decode(ethernet(ipv4([8, 0, 0, 0], proto: 1)), .ethernet).0 == .otherIP)
        #expect(decode(ethernet([1, 2, 3], type: 0x0806), .ethernet).0 == .notIP)
        var bad = ipv4(tcpHeader(sport: 1, dport: 2, seq: 0, flags: 0))
        bad[0] = 0x44                                           // IHL 16 bytes: impossible
        #expect(decode(ethernet(bad), .ethernet).0 == .malformed)
    }

    @Test func randomBytesNeverCrash() {
        var rng = SystemRandomNumberGenerator()
        let links: [LinkType] = [.ethernet, .linuxSLL, .linuxSLL2, .rawIP, .bsdNull, .bsdLoop]
        for i in 0..<20_000 {
            let n = Int.random(in: 0..<200, using: &rng)
            var b = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if i % 2 == 0 && b.count > 20 { b[0] = 0x45 }       // often an IPv4 header start
            var s = Segment()
            let r = b.withUnsafeBytes { PacketDecoder.decode($0, link: links[i % links.count], into: &s) }
            if r == .segment { #expect(s.payloadOffset + s.capturedPayload <= b.count) }
            _ = b.withUnsafeBytes { DNSParser.parse($0) }
            _ = TLSHello.client(b)
            _ = TLSHello.server(b)
        }
    }

    @Test func ipv6Formatting() {
        #expect(IPAddress(v6: 0x2001_0db8_0000_0000, 0x0000_0000_0000_0001).description == "2001:db8::1")
        #expect(IPAddress(v6: 0xfe80_0000_0000_0000, 0x0211_22ff_fe33_4455).description == "fe80::211:22ff:fe33:4455")
        #expect(IPAddress(v6: 0x2001_0db8_0000_0001, 0x0000_0001_0000_0001).description == "2001:db8:0:1:0:1:0:1")
        #expect(IPAddress(v4: 0x7f00_0001).endpoint(80) == "127.0.0.1:80")
        #expect(IPAddress(v6: 0, 1).endpoint(80) == "[::1]:80")
    }
}

@Suite struct DNSTests {
    @Test func answersWithCompressionAndCNAME() {
        // Query www.example.com → CNAME cdn.example.com → A 192.0.2.7
        var m: [UInt8] = be16(0x1234) + be16(0x8180) + be16(1) + be16(2) + be16(0) + be16(0)
        m += [3] + Array("www".utf8) + [7] + Array("example".utf8) + [3] + Array("com".utf8) + [0] + be16(1) + be16(1)
        m += [0xc0, 12] + be16(5) + be16(1) + be32(60) + be16(6) + [3] + Array("cdn".utf8) + [0xc0, 16]
        let cdnOffset = m.count - 6
        m += [0xc0, UInt8(cdnOffset)] + be16(1) + be16(1) + be32(60) + be16(4) + [192, 0, 2, 7]
        let msg = m.withUnsafeBytes { DNSParser.parse($0) }
        #expect(msg?.isResponse == true)
        #expect(msg?.questions.first?.name == "www.example.com")
        #expect(msg?.answers.count == 2)
        #expect(msg?.answers[0].target == "cdn.example.com")
        #expect(msg?.answers[1].name == "cdn.example.com")
        #expect(msg?.answers[1].address?.description == "192.0.2.7")
    }

    @Test func compressionLoopIsRefused() {
        let m: [UInt8] = be16(1) + be16(0x0100) + be16(1) + be16(0) + be16(0) + be16(0) + [0xc0, 12] + be16(1) + be16(1)
        #expect(m.withUnsafeBytes { DNSParser.parse($0) } == nil)
    }
}

@Suite struct TLSHelloTests {
    func clientHello(sni: String, versions: [Int], alpn: [String]) -> [UInt8] {
        var ext: [UInt8] = []
        let name = Array(sni.utf8)
        let list = [0] + be16(name.count) + name
        ext += be16(0) + be16(list.count + 2) + be16(list.count) + list
        var protos: [UInt8] = []
        for p in alpn { protos += [UInt8(p.utf8.count)] + Array(p.utf8) }
        ext += be16(16) + be16(protos.count + 2) + be16(protos.count) + protos
        let vs = versions.flatMap { be16($0) }
        ext += be16(43) + be16(vs.count + 1) + [UInt8(vs.count)] + vs
        return be16(0x0303) + [UInt8](repeating: 7, count: 32) + [0] + be16(2) + be16(0x1301) + [1, 0] + be16(ext.count) + ext
    }

    @Test func clientHelloFields() {
        let c = TLSHello.client(clientHello(sni: "Updates.Example", versions: [0x0a0a, 0x0304, 0x0303], alpn: ["h2", "http/1.1"]))
        #expect(c?.sni == "updates.example")
        #expect(c?.versions == [0x0a0a, 0x0304, 0x0303])
        #expect(c?.alpn == ["h2", "http/1.1"])
        var h = TLSHandshake(flow: FlowRef(client: "", server: "", serverAddress: IPAddress(v4: 0), serverPort: 443, firstPacket: 1, lastPacket: 1),
                             clientHelloPacket: 1)
        h.offered = c!.versions
        #expect(h.maxOffered == 0x0304)        // GREASE ignored
    }

    @Test func helloSplitAcrossRecordsAndSegments() {
        let body = clientHello(sni: "a.example", versions: [0x0303], alpn: [])
        let hs: [UInt8] = [1, 0] + be16(body.count) + body
        // Two records, fed one byte at a time.
        let half = hs.count / 2
        let bytes = [22, 3, 1] + be16(half) + Array(hs[..<half]) + [22, 3, 1] + be16(hs.count - half) + Array(hs[half...])
        let r = TLSHelloReader()
        var got: (UInt8, [UInt8])? = nil
        for b in bytes where got == nil { got = [b].withUnsafeBytes { r.feed($0, packet: 1) } }
        #expect(got?.0 == 1)
        #expect(got.flatMap { TLSHello.client($0.1) }?.sni == "a.example")
    }
}
