// One direction of a TCP connection, reassembled in sequence order. Retransmitted bytes are dropped, out-of-order
// segments wait in a small bounded buffer, and bytes that were never captured (snap length, a lost segment, a full
// buffer) reach the parser as a gap, so a parser never sees bytes out of order or glued across a hole.

/// What reassembled bytes are fed to. Subclasses parse one application protocol.
open class StreamParser {
    public init() {}
    /// In-order bytes starting at stream offset `offset`; `packet` is the number of the packet that completed them.
    /// Returns false once the parser needs nothing more from this direction.
    open func consume(_ bytes: UnsafeRawBufferPointer, packet: Int) -> Bool { false }
    /// `count` bytes that were on the wire but are not in the capture. Returns false when the parser gives up.
    open func gap(_ count: Int, packet: Int) -> Bool { false }
    /// The connection ended (FIN, RST, expiry or end of capture).
    open func finish(packet: Int) {}
}

/// Shared bound on bytes held in out-of-order buffers across every flow, and the reassembly totals of the capture.
public final class ReassemblyBudget {
    public let limit: Int
    public var used = 0
    public var refused = 0
    // Totals over every stream, for the capture summary.
    public var retransmitted = 0
    public var outOfOrder = 0
    public var gapBytes: Int64 = 0
    public init(limit: Int) { self.limit = limit }
}

public final class TCPStream {
    struct Pending { var seq: UInt32; var data: [UInt8]; var wire: Int; var packet: Int }

    public private(set) var started = false
    var next: UInt32 = 0
    public private(set) var bytes: Int64 = 0          // stream bytes accounted for (delivered, skipped or gap)
    public private(set) var finished = false
    var pending: [Pending] = []
    var pendingBytes = 0
    public var parser: StreamParser? = nil             // nil: count bytes only
    let budget: ReassemblyBudget

    static let maxPendingSegments = 64
    static let maxPendingBytes = 512 * 1024

    public init(budget: ReassemblyBudget) { self.budget = budget }

    deinit { budget.used -= pendingBytes }

    @inline(__always) static func delta(_ a: UInt32, _ b: UInt32) -> Int { Int(Int32(bitPattern: a &- b)) }

    /// A segment's payload (`captured` of `wire` bytes present) with sequence number `seq`.
    public func accept(seq: UInt32, syn: Bool, fin: Bool, payload: UnsafeRawBufferPointer, wire: Int, packet: Int) {
        var seq = seq
        if syn {
            if !started || bytes == 0 { next = seq &+ 1; started = true }
            seq = seq &+ 1
        }
        if !started { started = true; next = seq }
        if wire > 0 {
            let rel = TCPStream.delta(seq, next)
            if rel + wire <= 0 {
                budget.retransmitted += 1
            } else if rel <= 0 {
                deliver(payload, wire: wire, skip: -rel, packet: packet)
                drain(packet: packet)
            } else {
                budget.outOfOrder += 1
                hold(seq: seq, payload: payload, wire: wire, packet: packet)
            }
        }
        if fin { finished = true }
    }

    /// Delivers `payload` (the first `payload.count` of `wire` bytes), skipping its first `skip` bytes.
    func deliver(_ payload: UnsafeRawBufferPointer, wire: Int, skip: Int, packet: Int) {
        let captured = payload.count
        let fresh = wire - skip
        if let p = parser {
            var keep = true
            if skip < captured {
                keep = p.consume(UnsafeRawBufferPointer(rebasing: payload[skip..<captured]), packet: packet)
            }
            let missing = wire - max(skip, captured)
            if keep && missing > 0 { keep = p.gap(missing, packet: packet) }
            if !keep { parser = nil; dropPending() }
        }
        if captured < wire { budget.gapBytes += Int64(wire - max(skip, captured)) }
        next = next &+ UInt32(truncatingIfNeeded: fresh)
        bytes += Int64(fresh)
    }

    func hold(seq: UInt32, payload: UnsafeRawBufferPointer, wire: Int, packet: Int) {
        guard parser != nil else {
            // Nobody reads the bytes: account for the hole now and move on.
            skipTo(seq, packet: packet)
            deliver(payload, wire: wire, skip: 0, packet: packet)
            return
        }
        if pending.count >= TCPStream.maxPendingSegments || pendingBytes + payload.count > TCPStream.maxPendingBytes
            || budget.used + payload.count > budget.limit {
            budget.refused += 1
            // Give up waiting for the hole: the parser is told what is missing.
            flushPending(packet: packet)
            skipTo(seq, packet: packet)
            deliver(payload, wire: wire, skip: 0, packet: packet)
            drain(packet: packet)
            return
        }
        pending.append(Pending(seq: seq, data: Array(payload), wire: wire, packet: packet))
        pendingBytes += payload.count
        budget.used += payload.count
    }

    /// Declares the bytes up to `seq` missing.
    func skipTo(_ seq: UInt32, packet: Int) {
        let rel = TCPStream.delta(seq, next)
        guard rel > 0 else { return }
        if let p = parser, !p.gap(rel, packet: packet) { parser = nil; dropPending() }
        budget.gapBytes += Int64(rel)
        bytes += Int64(rel)
        next = seq
    }

    /// Delivers held segments that have become in order.
    func drain(packet: Int) {
        while !pending.isEmpty {
            var best = 0
            for i in 1..<pending.count where TCPStream.delta(pending[i].seq, pending[best].seq) < 0 { best = i }
            let rel = TCPStream.delta(pending[best].seq, next)
            if rel > 0 { return }
            let seg = pending.remove(at: best)
            pendingBytes -= seg.data.count
            budget.used -= seg.data.count
            if rel + seg.wire <= 0 { budget.retransmitted += 1; continue }
            seg.data.withUnsafeBytes { deliver($0, wire: seg.wire, skip: -rel, packet: seg.packet) }
        }
    }

    /// Delivers everything held, holes and all (end of the connection, or the buffer is full).
    public func flushPending(packet: Int) {
        while !pending.isEmpty {
            var best = 0
            for i in 1..<pending.count where TCPStream.delta(pending[i].seq, pending[best].seq) < 0 { best = i }
            skipTo(pending[best].seq, packet: packet)
            drain(packet: packet)
        }
    }

    func dropPending() {
        budget.used -= pendingBytes
        pendingBytes = 0
        pending.removeAll()
    }

    public func close(packet: Int) {
        flushPending(packet: packet)
        parser?.finish(packet: packet)
        parser = nil
    }
}
