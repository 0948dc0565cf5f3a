// TCP connections by their endpoints, in a bounded table: idle connections expire (capture time), and when the table
// is full the longest-idle ones are closed early (counted in `flowsEvicted`). Each connection knows its client side
// (from the SYN, else from the port) and owns its two reassembled directions.

struct FlowKey: Hashable {
    var a: IPAddress
    var b: IPAddress
    var ap: UInt16
    var bp: UInt16

    /// The same key for both directions.
    init(_ s: IPAddress, _ sp: UInt16, _ d: IPAddress, _ dp: UInt16) {
        if s < d || (s == d && sp <= dp) { a = s; ap = sp; b = d; bp = dp } else { a = d; ap = dp; b = s; bp = sp }
    }
}

final class Flow {
    let client: IPAddress
    let clientPort: UInt16
    let server: IPAddress
    let serverPort: UInt16
    let firstPacket: Int
    var lastPacket: Int
    var lastTime: Double
    let toServer: TCPStream
    let toClient: TCPStream
    var decided = false
    var closed = false
    var finishers: [() -> Void] = []

    init(client: IPAddress, clientPort: UInt16, server: IPAddress, serverPort: UInt16, packet: Int, time: Double, budget: ReassemblyBudget) {
        self.client = client; self.clientPort = clientPort; self.server = server; self.serverPort = serverPort
        firstPacket = packet; lastPacket = packet; lastTime = time
        toServer = TCPStream(budget: budget); toClient = TCPStream(budget: budget)
    }

    var ref: FlowRef {
        FlowRef(client: client.endpoint(clientPort), server: server.endpoint(serverPort), serverAddress: server, serverPort: serverPort,
                firstPacket: firstPacket, lastPacket: lastPacket)
    }

    /// Ends both directions: held segments are delivered, parsers finish.
    func close(packet: Int) {
        guard !closed else { return }
        closed = true
        toServer.close(packet: packet)
        toClient.close(packet: packet)
        for f in finishers { f() }
        finishers.removeAll()
    }

    /// Ports that name the server side when the handshake was not captured.
    static let serverPorts: Set<UInt16> = [20, 21, 22, 23, 25, 53, 69, 80, 110, 143, 443, 993, 995, 1883, 2121, 2323, 5683, 8080,
                                           8081, 8443, 8883]
}

final class FlowTable {
    var flows: [FlowKey: Flow] = [:]
    let maxFlows: Int
    let idleSeconds: Double
    let closedLingerSeconds = 30.0
    var evicted = 0
    var created = 0

    init(maxFlows: Int, idleSeconds: Double) { self.maxFlows = maxFlows; self.idleSeconds = idleSeconds }

    /// The flow of a TCP segment, created on first sight.
    func flow(for s: Segment, packet: Int, time: Double, budget: ReassemblyBudget) -> (Flow, fromClient: Bool) {
        let key = FlowKey(s.src, s.sport, s.dst, s.dport)
        if let f = flows[key], !(f.closed && s.syn && !s.ackFlag) {
            return (f, f.client == s.src && f.clientPort == s.sport)
        }
        // New, or a new connection reusing the ports of a closed one. The table never grows past its limit.
        if flows.count >= maxFlows { sweep(now: time, packet: packet) }
        var srcIsClient: Bool
        if s.syn && !s.ackFlag { srcIsClient = true }
        else if s.syn && s.ackFlag { srcIsClient = false }
        else {
            let sKnown = Flow.serverPorts.contains(s.sport), dKnown = Flow.serverPorts.contains(s.dport)
            if sKnown != dKnown { srcIsClient = dKnown } else { srcIsClient = s.sport > s.dport }
        }
        let f = srcIsClient
            ? Flow(client: s.src, clientPort: s.sport, server: s.dst, serverPort: s.dport, packet: packet, time: time, budget: budget)
            : Flow(client: s.dst, clientPort: s.dport, server: s.src, serverPort: s.sport, packet: packet, time: time, budget: budget)
        flows[key] = f
        created += 1
        return (f, srcIsClient)
    }

    /// Closes and forgets idle flows; when still too many, the longest-idle ones.
    func sweep(now: Double, packet: Int) {
        var gone: [FlowKey] = []
        for (k, f) in flows where now - f.lastTime > (f.closed ? closedLingerSeconds : idleSeconds) { gone.append(k) }
        for k in gone { flows.removeValue(forKey: k)?.close(packet: packet) }
        if flows.count >= maxFlows {
            let victims = flows.sorted { $0.value.lastTime < $1.value.lastTime }.prefix(max(1, maxFlows / 10))
            for (k, f) in victims {
                if !f.closed { evicted += 1 }
                f.close(packet: packet)
                flows.removeValue(forKey: k)
            }
        }
    }

    func closeAll(packet: Int) {
        for f in flows.values.sorted(by: { $0.firstPacket < $1.firstPacket }) { f.close(packet: packet) }
        flows.removeAll()
    }
}
