// Frames to transport segments: link layer (Ethernet with VLAN tags, Linux cooked SLL and SLL2, raw IP, BSD null and
// loopback) → IPv4 / IPv6 (extension headers skipped, fragments counted) → TCP / UDP. Pure functions over the captured
// bytes; every read is bounds-checked, nothing is copied.

public enum LinkType: Equatable {
    case ethernet, linuxSLL, linuxSLL2, rawIP, bsdNull, bsdLoop, ipv4, ipv6

    /// The libpcap DLT_ value of a capture's link type (pcap_datalink), or nil when Baseline does not decode it.
    public static func from(dlt: Int32) -> LinkType? {
        switch dlt {
        case 1: return .ethernet            // DLT_EN10MB (also Linux loopback)
        case 113: return .linuxSLL          // DLT_LINUX_SLL (tcpdump -i any)
        case 276: return .linuxSLL2         // DLT_LINUX_SLL2
        case 12, 14, 101: return .rawIP     // DLT_RAW (12 on Linux, 14 on OpenBSD), LINKTYPE_RAW
        case 0: return .bsdNull             // DLT_NULL: 4-byte host-order address family
        case 108: return .bsdLoop           // DLT_LOOP: 4-byte network-order address family
        case 228: return .ipv4              // DLT_IPV4
        case 229: return .ipv6              // DLT_IPV6
        default: return nil
        }
    }

    public var name: String {
        switch self {
        case .ethernet: return "Ethernet"
        case .linuxSLL: return "Linux cooked (SLL)"
        case .linuxSLL2: return "Linux cooked v2 (SLL2)"
        case .rawIP: return "raw IP"
        case .bsdNull: return "BSD null"
        case .bsdLoop: return "BSD loopback"
        case .ipv4: return "raw IPv4"
        case .ipv6: return "raw IPv6"
        }
    }
}

/// An IPv4 or IPv6 address in 128 bits (IPv4 in the low 32 bits of `lo`).
public struct IPAddress: Hashable, Comparable, CustomStringConvertible {
    public var hi: UInt64
    public var lo: UInt64
    public var isV6: Bool

    public init(v4 a: UInt32) { hi = 0; lo = UInt64(a); isV6 = false }
    public init(v6 hi: UInt64, _ lo: UInt64) { self.hi = hi; self.lo = lo; isV6 = true }

    public static func < (a: IPAddress, b: IPAddress) -> Bool {
        if a.isV6 != b.isV6 { return !a.isV6 }
        return a.hi != b.hi ? a.hi < b.hi : a.lo < b.lo
    }

    public var description: String {
        if !isV6 {
            let a = UInt32(truncatingIfNeeded: lo)
            return "\(a >> 24).\((a >> 16) & 255).\((a >> 8) & 255).\(a & 255)"
        }
        var groups: [UInt16] = []
        for i in 0..<4 { groups.append(UInt16(truncatingIfNeeded: hi >> UInt64(48 - 16 * i))) }
        for i in 0..<4 { groups.append(UInt16(truncatingIfNeeded: lo >> UInt64(48 - 16 * i))) }
        // RFC 5952: the longest run of two or more zero groups becomes "::".
        var bestStart = -1, bestLen = 0, i = 0
        while i < 8 {
            if groups[i] == 0 {
                var j = i
                while j < 8 && groups[j] == 0 { j += 1 }
                if j - i > bestLen && j - i >= 2 { bestStart = i; bestLen = j - i }
                i = j
            } else { i += 1 }
        }
        func hex(_ g: UInt16) -> String { String(g, radix: 16) }
        if bestStart < 0 { return groups.map(hex).joined(separator: ":") }
        let head = groups[0..<bestStart].map(hex).joined(separator: ":")
        let tail = groups[(bestStart + bestLen)...].map(hex).joined(separator: ":")
        return head + "::" + tail
    }

    /// "1.2.3.4:80" or "[::1]:80".
    public func endpoint(_ port: UInt16) -> String { isV6 ? "[\(description)]:\(port)" : "\(description):\(port)" }
}

public enum Transport: UInt8 { case tcp = 6, udp = 17 }

/// One decoded segment. Offsets index the captured frame.
public struct Segment {
    public var src = IPAddress(v4: 0)
    public var dst = IPAddress(v4: 0)
    public var transport = Transport.tcp
    public var sport: UInt16 = 0
    public var dport: UInt16 = 0
    public var seq: UInt32 = 0
    public var ack: UInt32 = 0
    public var flags: UInt8 = 0
    public var payloadOffset = 0
    public var capturedPayload = 0          // payload bytes present in the capture
    public var wirePayload = 0              // payload bytes on the wire (more when the snap length cut the frame)

    public init() {}

    public var syn: Bool { flags & 0x02 != 0 }
    public var fin: Bool { flags & 0x01 != 0 }
    public var rst: Bool { flags & 0x04 != 0 }
    public var ackFlag: Bool { flags & 0x10 != 0 }
}

public enum DecodeResult: Equatable {
    case segment             // TCP or UDP, `Segment` filled in
    case notIP               // ARP, LLDP, … — fine, not ours
    case otherIP             // ICMP, IGMP, … — fine, not ours
    case fragment            // an IP fragment (reassembly of fragmented IP is not attempted)
    case malformed           // headers that contradict themselves
    case cut                 // the snap length cut the frame inside the headers
}

public enum PacketDecoder {
    @inline(__always) static func u16(_ p: UnsafeRawBufferPointer, _ i: Int) -> UInt16 {
        UInt16(p[i]) << 8 | UInt16(p[i + 1])
    }
    @inline(__always) static func u32(_ p: UnsafeRawBufferPointer, _ i: Int) -> UInt32 {
        UInt32(p[i]) << 24 | UInt32(p[i + 1]) << 16 | UInt32(p[i + 2]) << 8 | UInt32(p[i + 3])
    }
    @inline(__always) static func u64(_ p: UnsafeRawBufferPointer, _ i: Int) -> UInt64 {
        UInt64(u32(p, i)) << 32 | UInt64(u32(p, i + 4))
    }

    /// Decodes `frame` (the captured bytes) of link type `link` into `s`.
    public static func decode(_ frame: UnsafeRawBufferPointer, link: LinkType, into s: inout Segment) -> DecodeResult {
        let n = frame.count
        var off = 0
        var ethertype: UInt16 = 0
        switch link {
        case .ethernet:
            guard n >= 14 else { return .cut }
            ethertype = u16(frame, 12); off = 14
            var tags = 0
            while (ethertype == 0x8100 || ethertype == 0x88a8 || ethertype == 0x9100) && tags < 3 {
                guard n >= off + 4 else { return .cut }
                ethertype = u16(frame, off + 2); off += 4; tags += 1
            }
        case .linuxSLL:
            guard n >= 16 else { return .cut }
            ethertype = u16(frame, 14); off = 16
        case .linuxSLL2:
            guard n >= 20 else { return .cut }
            ethertype = u16(frame, 0); off = 20
        case .bsdNull, .bsdLoop:
            guard n >= 4 else { return .cut }
            let be = u32(frame, 0)
            let family = link == .bsdLoop ? be : (be >> 24) | ((be >> 8) & 0xff00) | ((be << 8) & 0xff0000) | (be << 24)
            off = 4
            switch family {
            case 2: ethertype = 0x0800
            case 10, 24, 28, 30: ethertype = 0x86dd
            default: return .notIP
            }
        case .rawIP, .ipv4, .ipv6:
            guard n >= 1 else { return .cut }
            switch frame[0] >> 4 {
            case 4: ethertype = 0x0800
            case 6: ethertype = 0x86dd
            default: return .malformed
            }
        }
        switch ethertype {
        case 0x0800: return ipv4(frame, off, &s)
        case 0x86dd: return ipv6(frame, off, &s)
        default: return .notIP
        }
    }

    static func ipv4(_ p: UnsafeRawBufferPointer, _ start: Int, _ s: inout Segment) -> DecodeResult {
        let n = p.count
        guard n >= start + 20 else { return .cut }
        guard p[start] >> 4 == 4 else { return .malformed }
        let ihl = Int(p[start] & 0x0f) * 4
        guard ihl >= 20 else { return .malformed }
        let total = Int(u16(p, start + 2))
        // TSO/GRO on capture hosts can give total length 0; then the frame's length is the packet's.
        let ipEnd = total == 0 ? n : start + total
        guard total == 0 || total >= ihl else { return .malformed }
        let frag = u16(p, start + 6)
        if frag & 0x3fff != 0 { return .fragment }      // MF set or a non-zero offset
        let proto = p[start + 9]
        guard n >= start + 20 else { return .cut }
        s.src = IPAddress(v4: u32(p, start + 12))
        s.dst = IPAddress(v4: u32(p, start + 16))
        return transport(p, proto, start + ihl, ipEnd, &s)
    }

    static func ipv6(_ p: UnsafeRawBufferPointer, _ start: Int, _ s: inout Segment) -> DecodeResult {
        let n = p.count
        guard n >= start + 40 else { return .cut }
        guard p[start] >> 4 == 6 else { return .malformed }
        let payloadLength = Int(u16(p, start + 4))
        var next = p[start + 6]
        s.src = IPAddress(v6: u64(p, start + 8), u64(p, start + 16))
        s.dst = IPAddress(v6: u64(p, start + 24), u64(p, start + 32))
        var off = start + 40
        let ipEnd = payloadLength == 0 ? n : off + payloadLength     // 0: jumbogram or offloaded capture
        var hops = 0
        while hops < 8 {
            switch next {
            case 0, 43, 60:                                              // hop-by-hop, routing, destination options
                guard n >= off + 2 else { return .cut }
                next = p[off]; off += (Int(p[off + 1]) + 1) * 8; hops += 1
            case 44: return .fragment
            default: return transport(p, next, off, ipEnd, &s)
            }
        }
        return .malformed
    }

    static func transport(_ p: UnsafeRawBufferPointer, _ proto: UInt8, _ off: Int, _ ipEnd: Int, _ s: inout Segment) -> DecodeResult {
        let n = p.count
        guard ipEnd >= off else { return .malformed }
        switch proto {
        case 6:
            guard n >= off + 20 else { return .cut }
            let dataOffset = Int(p[off + 12] >> 4) * 4
            guard dataOffset >= 20, ipEnd >= off + dataOffset else { return .malformed }
            guard n >= off + dataOffset else { return .cut }
            s.transport = .tcp
            s.sport = u16(p, off); s.dport = u16(p, off + 2)
            s.seq = u32(p, off + 4); s.ack = u32(p, off + 8)
            s.flags = p[off + 13]
            s.payloadOffset = off + dataOffset
            s.wirePayload = ipEnd - s.payloadOffset
        case 17:
            guard n >= off + 8 else { return .cut }
            s.transport = .udp
            s.sport = u16(p, off); s.dport = u16(p, off + 2)
            s.seq = 0; s.ack = 0; s.flags = 0
            let udpLength = Int(u16(p, off + 4))
            guard udpLength == 0 || udpLength >= 8 else { return .malformed }
            s.payloadOffset = off + 8
            let end = udpLength == 0 ? ipEnd : min(ipEnd, off + udpLength)
            s.wirePayload = end - s.payloadOffset
        default:
            return .otherIP
        }
        s.capturedPayload = max(0, min(s.wirePayload, n - s.payloadOffset))
        return .segment
    }
}
