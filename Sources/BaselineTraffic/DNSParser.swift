// DNS messages (UDP, and TCP with its two-byte length prefix): the question names, and A/AAAA answers (through CNAME
// chains) so that addresses in the capture can be named. Compression pointers are followed with a hop limit.

struct DNSMessage {
    var isResponse: Bool
    var questions: [(name: String, type: Int)]
    var answers: [(name: String, type: Int, address: IPAddress?, target: String?)]
}

enum DNSParser {
    static func parse(_ b: UnsafeRawBufferPointer) -> DNSMessage? {
        guard b.count >= 12 else { return nil }
        func u16(_ i: Int) -> Int { Int(b[i]) << 8 | Int(b[i + 1]) }
        let flags = u16(2)
        let qd = u16(4), an = u16(6)
        guard qd <= 16, an <= 256, flags & 0x7800 == 0 else { return nil }    // opcode QUERY only
        var m = DNSMessage(isResponse: flags & 0x8000 != 0, questions: [], answers: [])
        var i = 12
        for _ in 0..<qd {
            guard let (name, next) = readName(b, i), next + 4 <= b.count else { return nil }
            m.questions.append((name, u16(next)))
            i = next + 4
        }
        for _ in 0..<an {
            guard let (name, next) = readName(b, i), next + 10 <= b.count else { break }
            let type = u16(next)
            let rdlen = u16(next + 8)
            let rd = next + 10
            guard rd + rdlen <= b.count else { break }
            var address: IPAddress? = nil
            var target: String? = nil
            if type == 1 && rdlen == 4 {
                address = IPAddress(v4: UInt32(b[rd]) << 24 | UInt32(b[rd + 1]) << 16 | UInt32(b[rd + 2]) << 8 | UInt32(b[rd + 3]))
            } else if type == 28 && rdlen == 16 {
                address = IPAddress(v6: PacketDecoder.u64(b, rd), PacketDecoder.u64(b, rd + 8))
            } else if type == 5 {
                target = readName(b, rd)?.0
            }
            m.answers.append((name, type, address, target))
            i = rd + rdlen
        }
        return m
    }

    /// A (possibly compressed) name at `start`; returns it lower-cased and the offset after it.
    static func readName(_ b: UnsafeRawBufferPointer, _ start: Int) -> (String, Int)? {
        var labels: [String] = []
        var i = start
        var after = -1
        var hops = 0
        var total = 0
        while true {
            guard i < b.count else { return nil }
            let len = Int(b[i])
            if len == 0 { if after < 0 { after = i + 1 }; break }
            if len & 0xc0 == 0xc0 {
                guard i + 1 < b.count, hops < 16 else { return nil }
                if after < 0 { after = i + 2 }
                i = (len & 0x3f) << 8 | Int(b[i + 1])
                hops += 1
                continue
            }
            guard len <= 63, i + 1 + len <= b.count else { return nil }
            total += len + 1
            guard total <= 255 else { return nil }
            let label = UnsafeRawBufferPointer(rebasing: b[(i + 1)..<(i + 1 + len)])
            labels.append(String(decoding: label, as: UTF8.self).lowercased())
            i += 1 + len
        }
        return (labels.isEmpty ? "." : labels.joined(separator: "."), after)
    }
}

/// DNS over TCP: two-byte length prefixed messages, bounded to 64 KiB each.
final class DNSStreamParser: StreamParser {
    var buffer: [UInt8] = []
    let onMessage: (UnsafeRawBufferPointer, Int) -> Void
    init(onMessage: @escaping (UnsafeRawBufferPointer, Int) -> Void) { self.onMessage = onMessage }

    override func consume(_ bytes: UnsafeRawBufferPointer, packet: Int) -> Bool {
        buffer.append(contentsOf: bytes)
        while buffer.count >= 2 {
            let len = Int(buffer[0]) << 8 | Int(buffer[1])
            guard len >= 12 else { return false }
            if buffer.count < 2 + len { break }
            buffer.withUnsafeBytes { onMessage(UnsafeRawBufferPointer(rebasing: $0[2..<(2 + len)]), packet) }
            buffer.removeFirst(2 + len)
        }
        return buffer.count < 70_000
    }
}
