// TLS handshakes: the ClientHello (SNI, offered versions, ALPN) and the ServerHello (the version chosen), read from
// handshake records that may span several records and segments. Everything after the hello is encrypted and ignored.

/// Collects the first handshake message of one direction from TLS records (bounded to 64 KiB).
final class TLSHelloReader {
    static let maxBytes = 64 * 1024
    var record: [UInt8] = []          // bytes of the current record header/body being collected
    var handshake: [UInt8] = []       // handshake-layer bytes collected so far
    var firstPacket = 0
    var done = false
    var alert = false
    var recordVersion: UInt16 = 0

    /// Feeds bytes; returns the handshake message (type, body) once it is complete, nil while more is needed.
    /// Sets `done` when the stream is not TLS or the message is complete.
    func feed(_ b: UnsafeRawBufferPointer, packet: Int) -> (UInt8, [UInt8])? {
        if firstPacket == 0 { firstPacket = packet }
        var i = 0
        while i < b.count && !done {
            // A record header is 5 bytes: type, version, length.
            if record.count < 5 {
                let t = min(5 - record.count, b.count - i)
                record.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[i..<(i + t)]))
                i += t
                if record.count < 5 { return nil }
                let type = record[0]
                recordVersion = UInt16(record[1]) << 8 | UInt16(record[2])
                if type == 21 { alert = true; done = true; return nil }
                guard type == 22, record[1] == 3 || (record[1] == 2 && record[2] == 0) else { done = true; return nil }
            }
            let length = Int(record[3]) << 8 | Int(record[4])
            guard length > 0, length <= 18_432 else { done = true; return nil }
            let have = record.count - 5
            let t = min(length - have, b.count - i)
            record.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[i..<(i + t)]))
            i += t
            if record.count - 5 < length { return nil }
            handshake.append(contentsOf: record[5...])
            record.removeAll(keepingCapacity: true)
            if handshake.count > TLSHelloReader.maxBytes { done = true; return nil }
            if handshake.count >= 4 {
                let need = Int(handshake[1]) << 16 | Int(handshake[2]) << 8 | Int(handshake[3])
                if need > TLSHelloReader.maxBytes { done = true; return nil }
                if handshake.count >= 4 + need {
                    done = true
                    return (handshake[0], Array(handshake[4..<(4 + need)]))
                }
            }
        }
        return nil
    }

    static func looksLikeTLS(_ b: UnsafeRawBufferPointer) -> Bool {
        b.count >= 3 && b[0] == 22 && b[1] == 3 && b[2] <= 4
    }
}

/// Bounds-checked reads over a hello body.
struct ByteReader {
    let b: [UInt8]
    var i = 0
    var ok = true
    init(_ b: [UInt8]) { self.b = b }

    mutating func u8() -> Int { guard i + 1 <= b.count else { ok = false; return 0 }; i += 1; return Int(b[i - 1]) }
    mutating func u16() -> Int { guard i + 2 <= b.count else { ok = false; return 0 }; i += 2; return Int(b[i - 2]) << 8 | Int(b[i - 1]) }
    mutating func bytes(_ n: Int) -> [UInt8] {
        guard n >= 0, i + n <= b.count else { ok = false; i = b.count; return [] }
        i += n; return Array(b[(i - n)..<i])
    }
    mutating func skip(_ n: Int) { guard n >= 0, i + n <= b.count else { ok = false; i = b.count; return }; i += n }
    var atEnd: Bool { i >= b.count }
}

enum TLSHello {
    struct Client { var legacy: UInt16; var sni: String?; var versions: [UInt16]; var alpn: [String] }
    struct Server { var legacy: UInt16; var selected: UInt16? }

    static func client(_ body: [UInt8]) -> Client? {
        var r = ByteReader(body)
        let legacy = UInt16(r.u16())
        r.skip(32)                     // random
        r.skip(r.u8())                 // session id
        r.skip(r.u16())                // cipher suites
        r.skip(r.u8())                 // compression methods
        guard r.ok else { return nil }
        var c = Client(legacy: legacy, sni: nil, versions: [], alpn: [])
        if r.atEnd { return c }        // no extensions (SSL 3.0 / early TLS)
        let extEnd = r.i + r.u16()
        while r.ok && r.i + 4 <= min(extEnd, body.count) {
            let type = r.u16(), len = r.u16()
            var e = ByteReader(r.bytes(len))
            switch type {
            case 0:                    // server_name
                _ = e.u16()
                while e.ok && !e.atEnd {
                    let kind = e.u8(), l = e.u16()
                    let name = e.bytes(l)
                    if kind == 0 && e.ok && c.sni == nil && name.allSatisfy({ $0 > 32 && $0 < 127 }) {
                        c.sni = String(decoding: name, as: UTF8.self).lowercased()
                    }
                }
            case 16:                   // application_layer_protocol_negotiation
                _ = e.u16()
                while e.ok && !e.atEnd && c.alpn.count < 16 {
                    let p = e.bytes(e.u8())
                    if e.ok { c.alpn.append(String(decoding: p, as: UTF8.self)) }
                }
            case 43:                   // supported_versions
                let l = e.u8()
                var k = 0
                while e.ok && k + 2 <= l { c.versions.append(UInt16(e.u16())); k += 2 }
            default: break
            }
        }
        return r.ok ? c : (c.sni != nil || !c.versions.isEmpty ? c : nil)
    }

    static func server(_ body: [UInt8]) -> Server? {
        var r = ByteReader(body)
        let legacy = UInt16(r.u16())
        r.skip(32)
        r.skip(r.u8())
        r.skip(2)                      // cipher suite
        r.skip(1)                      // compression method
        guard r.ok else { return nil }
        var s = Server(legacy: legacy, selected: nil)
        if r.atEnd { return s }
        let extEnd = r.i + r.u16()
        while r.ok && r.i + 4 <= min(extEnd, body.count) {
            let type = r.u16(), len = r.u16()
            var e = ByteReader(r.bytes(len))
            if type == 43 { let v = e.u16(); if e.ok { s.selected = UInt16(v) } }
        }
        return s
    }
}

/// Both directions of one TLS connection.
final class TLSSession {
    let flow: () -> FlowRef
    let record: (TLSHandshake) -> Void
    let clientReader = TLSHelloReader()
    let serverReader = TLSHelloReader()
    var hs: TLSHandshake? = nil
    var recorded = false

    init(flow: @escaping () -> FlowRef, record: @escaping (TLSHandshake) -> Void) { self.flow = flow; self.record = record }

    func fromClient(_ b: UnsafeRawBufferPointer, packet: Int) -> Bool {
        if let (type, body) = clientReader.feed(b, packet: packet), type == 1, let c = TLSHello.client(body) {
            var h = TLSHandshake(flow: flow(), clientHelloPacket: clientReader.firstPacket)
            h.sni = c.sni
            h.offered = c.versions.isEmpty ? [c.legacy] : c.versions
            h.alpn = c.alpn
            hs = h
        }
        return !clientReader.done
    }

    func fromServer(_ b: UnsafeRawBufferPointer, packet: Int) -> Bool {
        if let (type, body) = serverReader.feed(b, packet: packet), type == 2, let s = TLSHello.server(body) {
            hs?.chosen = s.selected ?? s.legacy
            hs?.serverHelloPacket = serverReader.firstPacket
        }
        if serverReader.alert { hs?.alert = true }
        if serverReader.done { finish() }
        return !serverReader.done
    }

    func finish() {
        guard !recorded, var h = hs else { return }
        recorded = true
        h.flow = flow()
        record(h)
    }
}

final class TLSClientParser: StreamParser {
    let session: TLSSession
    init(_ s: TLSSession) { session = s }
    override func consume(_ bytes: UnsafeRawBufferPointer, packet: Int) -> Bool { session.fromClient(bytes, packet: packet) }
    override func finish(packet: Int) { session.finish() }
}

final class TLSServerParser: StreamParser {
    let session: TLSSession
    init(_ s: TLSSession) { session = s }
    override func consume(_ bytes: UnsafeRawBufferPointer, packet: Int) -> Bool { session.fromServer(bytes, packet: packet) }
    override func finish(packet: Int) { session.finish() }
}
