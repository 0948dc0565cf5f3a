// The capture pipeline: packets → decoded segments → flows (TCP reassembled in order) → protocol parsers → facts.
// Memory is bounded by the flow table, the reassembly budget and the fact lists; time by one pass over the packets.
import BaselineCore

public struct TrafficLimits {
    public var maxFlows = 100_000
    public var idleSeconds = 300.0
    public var reassemblyBytes = 64 << 20
    public var maxListEntries = 20_000
    public init() {}
}

public final class TrafficAnalyzer {
    public private(set) var facts: TrafficFacts
    let limits: TrafficLimits
    let table: FlowTable
    let budget: ReassemblyBudget
    var link: LinkType
    var packet = 0
    var segment = Segment()
    var now = 0.0

    public init(capture: String, link: LinkType, limits: TrafficLimits = TrafficLimits()) {
        facts = TrafficFacts(capture: capture)
        facts.linkTypes = [link.name]
        self.link = link
        self.limits = limits
        table = FlowTable(maxFlows: limits.maxFlows, idleSeconds: limits.idleSeconds)
        budget = ReassemblyBudget(limit: limits.reassemblyBytes)
    }

    /// Reads every packet of `source`. `stop` is polled on timeouts and every 1024 packets (live capture).
    public static func run(_ source: CaptureSource, limits: TrafficLimits = TrafficLimits(),
                           stop: () -> Bool = { false }) -> TrafficFacts {
        guard let link = source.linkType else {
            var f = TrafficFacts(capture: source.label)
            f.linkTypes = [source.linkTypeName]
            return f
        }
        let a = TrafficAnalyzer(capture: source.label, link: link, limits: limits)
        loop: while true {
            switch source.next() {
            case .packet(let bytes, let wire, let time):
                a.process(bytes, wireLength: wire, time: time)
                if a.packet & 1023 == 0 && stop() { break loop }
            case .timeout:
                if stop() { break loop }
            case .end:
                break loop
            case .failed(let why):
                a.facts.truncated = true
                a.facts.problems.append(FSProblem(path: source.label, reason: "capture ends early after packet \(a.packet): \(why)"))
                break loop
            }
        }
        if let d = source.kernelDrops, d > 0 {
            a.facts.problems.append(FSProblem(path: source.label, reason: "the kernel dropped \(d) packet(s) during the live capture"))
        }
        return a.finish()
    }

    /// One frame. `bytes` are the captured bytes; `wireLength` its length on the wire.
    public func process(_ bytes: UnsafeRawBufferPointer, wireLength: Int, time: Double) {
        packet += 1
        now = time
        facts.counts.packets += 1
        facts.counts.bytes += Int64(bytes.count)
        facts.counts.wireBytes += Int64(wireLength)
        if facts.counts.firstTime == nil { facts.counts.firstTime = time }
        facts.counts.lastTime = time
        switch PacketDecoder.decode(bytes, link: link, into: &segment) {
        case .segment:
            if segment.capturedPayload < segment.wirePayload { facts.counts.cutPayload += 1 }
            if segment.transport == .tcp { tcp(bytes) } else { udp(bytes) }
        case .notIP: facts.counts.nonIP += 1
        case .otherIP: facts.counts.otherIP += 1
        case .fragment: facts.counts.fragments += 1
        case .malformed: facts.counts.malformed += 1
        case .cut: facts.counts.cutHeaders += 1
        }
        // Idle connections expire every 65536 packets (a full table is swept when a connection is added).
        if packet & 65535 == 0 { table.sweep(now: now, packet: packet) }
    }

    func tcp(_ bytes: UnsafeRawBufferPointer) {
        facts.counts.tcpSegments += 1
        let s = segment
        let (flow, fromClient) = table.flow(for: s, packet: packet, time: now, budget: budget)
        flow.lastPacket = packet
        flow.lastTime = now
        if flow.closed { return }
        let payload = UnsafeRawBufferPointer(rebasing: bytes[s.payloadOffset..<(s.payloadOffset + s.capturedPayload)])
        if !flow.decided && s.capturedPayload > 0 && !s.syn { decide(flow, fromClient: fromClient, payload) }
        let stream = fromClient ? flow.toServer : flow.toClient
        stream.accept(seq: s.seq, syn: s.syn, fin: s.fin, payload: payload, wire: s.wirePayload, packet: packet)
        if s.rst || (flow.toServer.finished && flow.toClient.finished) { flow.close(packet: packet) }
    }

    /// Chooses the parsers of a connection from its first payload bytes (either side) and its ports.
    func decide(_ f: Flow, fromClient: Bool, _ first: UnsafeRawBufferPointer) {
        f.decided = true
        let ref: () -> FlowRef = { [unowned f] in f.ref }
        if fromClient && HTTPSession.looksLikeRequest(first) {
            let h = HTTPSession(flow: ref, record: { [unowned self] in self.record(http: $0) })
            f.toServer.parser = HTTPStreamParser(h, requests: true)
            f.toClient.parser = HTTPStreamParser(h, requests: false)
        } else if fromClient && TLSHelloReader.looksLikeTLS(first) {
            let t = TLSSession(flow: ref, record: { [unowned self] in self.record(tls: $0) })
            f.toServer.parser = TLSClientParser(t)
            f.toClient.parser = TLSServerParser(t)
            f.finishers.append { t.finish() }
        } else if TelnetSession.looksLikeTelnet(first) || f.serverPort == 23 || f.serverPort == 2323 {
            let t = TelnetSession(flow: ref, login: { [unowned self] in self.record(login: $0) },
                                  session: { [unowned self] in self.record(session: $0) })
            f.toServer.parser = SessionSide(t, feed: { $0.fromClient($1, packet: $2) }, end: { $0.finish() })
            f.toClient.parser = SessionSide(t, feed: { $0.fromServer($1, packet: $2) }, end: { $0.finish() })
            f.finishers.append { t.finish() }
        } else if (!fromClient && FTPSession.looksLikeGreeting(first)) || (fromClient && FTPSession.looksLikeCommand(first)) {
            let t = FTPSession(flow: ref, login: { [unowned self] in self.record(login: $0) },
                               session: { [unowned self] in self.record(session: $0) })
            f.toServer.parser = SessionSide(t, feed: { $0.fromClient($1, packet: $2) }, end: { $0.finish() })
            f.toClient.parser = SessionSide(t, feed: { $0.fromServer($1, packet: $2) }, end: { $0.finish() })
            f.finishers.append { t.finish() }
        } else if f.serverPort == 53 {
            let onMessage: (UnsafeRawBufferPointer, Int) -> Void = { [unowned self] m, p in self.dns(m, packet: p) }
            f.toServer.parser = DNSStreamParser(onMessage: onMessage)
            f.toClient.parser = DNSStreamParser(onMessage: onMessage)
        }
    }

    func udp(_ bytes: UnsafeRawBufferPointer) {
        facts.counts.udpDatagrams += 1
        let s = segment
        let payload = UnsafeRawBufferPointer(rebasing: bytes[s.payloadOffset..<(s.payloadOffset + s.capturedPayload)])
        if s.sport == 53 || s.dport == 53 || s.sport == 5353 || s.dport == 5353 || s.sport == 5355 || s.dport == 5355 {
            dns(payload, packet: packet)
        } else if s.dport == 69, let r = TFTP.request(payload) {
            var ref = FlowRef(client: s.src.endpoint(s.sport), server: s.dst.endpoint(s.dport), serverAddress: s.dst, serverPort: s.dport,
                              firstPacket: packet, lastPacket: packet)
            ref.transport = .udp
            if facts.tftp.count < limits.maxListEntries { facts.tftp.append(TFTPTransfer(flow: ref, write: r.write, filename: r.filename)) }
            else { facts.dropped["tftp", default: 0] += 1 }
        }
    }

    func dns(_ m: UnsafeRawBufferPointer, packet: Int) {
        guard let msg = DNSParser.parse(m) else { return }
        facts.counts.dnsMessages += 1
        if !msg.isResponse {
            for q in msg.questions where facts.dnsQueries.count < limits.maxListEntries || facts.dnsQueries[q.name] != nil {
                facts.dnsQueries[q.name, default: 0] += 1
            }
            return
        }
        // Answers: follow CNAMEs back to the name that was asked for.
        var alias: [String: String] = [:]
        for q in msg.questions { alias[q.name] = q.name }
        for a in msg.answers { if let t = a.target { alias[t] = alias[a.name] ?? a.name } }
        for a in msg.answers {
            guard let addr = a.address else { continue }
            if facts.names.count < limits.maxListEntries * 5 || facts.names[addr] != nil { facts.names[addr] = alias[a.name] ?? a.name }
        }
    }

    func record(http x: HTTPExchange) {
        // Update-like exchanges get a second allowance: the check needs them more than the listing does.
        let n = facts.http.count
        if n < limits.maxListEntries || (n < 2 * limits.maxListEntries && TrafficChecks.isUpdateLike(x)) { facts.http.append(x) }
        else { facts.dropped["http", default: 0] += 1 }
        if x.basicUser != nil || (x.authScheme.map { Text.lower($0) == "basic" } ?? false) {
            record(login: PlaintextLogin(flow: x.flow, packet: x.requestPacket, proto: .httpBasic, user: x.basicUser, passwordSeen: true,
                                         accepted: x.status.map { $0 < 400 }, host: x.host))
        }
    }

    func record(tls h: TLSHandshake) {
        if facts.tls.count < limits.maxListEntries { facts.tls.append(h) } else { facts.dropped["tls", default: 0] += 1 }
    }

    func record(login l: PlaintextLogin) {
        if facts.logins.count < limits.maxListEntries { facts.logins.append(l) } else { facts.dropped["logins", default: 0] += 1 }
    }

    func record(session s: PlaintextSession) {
        if facts.sessions.count < limits.maxListEntries { facts.sessions.append(s) } else { facts.dropped["sessions", default: 0] += 1 }
    }

    /// Ends every open connection and returns the facts.
    public func finish() -> TrafficFacts {
        table.closeAll(packet: packet)
        var c = facts.counts
        c.flows = table.created
        c.flowsEvicted = table.evicted
        c.reassemblyRefused = budget.refused
        c.retransmitted = budget.retransmitted
        c.outOfOrder = budget.outOfOrder
        c.gapBytes = budget.gapBytes
        facts.counts = c
        for list in ["http", "tls", "logins", "sessions", "tftp"] {
            if let n = facts.dropped[list] {
                facts.problems.append(FSProblem(path: facts.capture, reason: "\(n) \(list) observation(s) beyond the limit of \(limits.maxListEntries) were counted, not listed"))
            }
        }
        if c.flowsEvicted > 0 {
            facts.problems.append(FSProblem(path: facts.capture, reason: "\(c.flowsEvicted) connection(s) closed early: more than \(limits.maxFlows) were open at once (--max-flows)"))
        }
        if c.cutPayload > 0 || c.cutHeaders > 0 {
            facts.problems.append(FSProblem(path: facts.capture, reason: "\(c.cutPayload + c.cutHeaders) packet(s) cut by the capture's snap length; their missing bytes were skipped"))
        }
        return facts
    }
}
