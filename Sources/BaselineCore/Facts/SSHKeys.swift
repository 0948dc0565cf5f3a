// SSH host keys and authorized keys. For a private host key we derive the *public* key blob (never keeping the
// private part) so the report can carry the same SHA256 fingerprint `ssh-keygen -lf` and an SSH scan would show.
// Formats: OpenSSH "openssh-key-v1" (public blob is in the clear header), Dropbear's binary host keys, PKCS#1
// "RSA PRIVATE KEY", and the ".pub" files next to OpenSSH keys.

public struct SSHPublicKey: Equatable {
    public let type: String
    public let blob: [UInt8]

    /// OpenSSH style: "SHA256:" + unpadded base64 of SHA-256(blob).
    public var fingerprint: String { "SHA256:" + Base64.encode(SHA256.hash(blob), padding: false) }
}

struct SSHWire {
    var bytes: [UInt8]
    var pos = 0
    init(_ b: [UInt8]) { bytes = b }

    mutating func uint32() -> Int? {
        guard pos + 4 <= bytes.count else { return nil }
        let v = Int(bytes[pos]) << 24 | Int(bytes[pos + 1]) << 16 | Int(bytes[pos + 2]) << 8 | Int(bytes[pos + 3])
        pos += 4
        return v
    }

    mutating func string() -> [UInt8]? {
        guard let n = uint32(), n <= bytes.count - pos else { return nil }
        let s = Array(bytes[pos..<(pos + n)])
        pos += n
        return s
    }

    static func put(_ s: [UInt8], into out: inout [UInt8]) {
        let n = s.count
        out.append(UInt8(truncatingIfNeeded: n >> 24)); out.append(UInt8(truncatingIfNeeded: n >> 16))
        out.append(UInt8(truncatingIfNeeded: n >> 8)); out.append(UInt8(truncatingIfNeeded: n))
        out.append(contentsOf: s)
    }

    /// SSH mpint from an unsigned big-endian integer.
    static func mpint(_ magnitude: ArraySlice<UInt8>) -> [UInt8] {
        var m = Array(magnitude)
        while m.count > 1 && m[0] == 0 { m.removeFirst() }
        if m == [0] || m.isEmpty { return [] }
        if m[0] & 0x80 != 0 { m.insert(0, at: 0) }
        return m
    }
}

public enum SSHKeys {
    /// Derives the public key from a private key file's bytes, or nil if the format is unknown or damaged.
    public static func publicKey(fromPrivate bytes: [UInt8]) -> SSHPublicKey? {
        for block in PEM.blocks(bytes, maxBlocks: 4) where block.isPrivateKey {
            guard let der = block.der else { continue }
            if block.label == "OPENSSH PRIVATE KEY" { return fromOpenSSHv1(der) }
            if block.label == "RSA PRIVATE KEY" { return fromPKCS1(der) }
        }
        if !bytes.isEmpty && bytes[0] == 0 { return fromDropbear(bytes) }
        return nil
    }

    static func fromOpenSSHv1(_ der: [UInt8]) -> SSHPublicKey? {
        let magic = Array("openssh-key-v1".utf8) + [0]
        guard der.count > magic.count, Array(der[0..<magic.count]) == magic else { return nil }
        var w = SSHWire(Array(der[magic.count...]))
        guard w.string() != nil, w.string() != nil, w.string() != nil, let n = w.uint32(), n >= 1, let blob = w.string() else { return nil }
        var inner = SSHWire(blob)
        guard let type = inner.string() else { return nil }
        return SSHPublicKey(type: String(decoding: type, as: UTF8.self), blob: blob)
    }

    static func fromDropbear(_ bytes: [UInt8]) -> SSHPublicKey? {
        var w = SSHWire(bytes)
        guard let typeBytes = w.string() else { return nil }
        let type = String(decoding: typeBytes, as: UTF8.self)
        var blob: [UInt8] = []
        SSHWire.put(typeBytes, into: &blob)
        switch type {
        case "ssh-ed25519":
            guard let k = w.string(), k.count == 64 else { return nil }
            SSHWire.put(Array(k[32..<64]), into: &blob)
        case "ssh-rsa":
            guard let e = w.string(), let n = w.string() else { return nil }
            SSHWire.put(e, into: &blob); SSHWire.put(n, into: &blob)
        case "ssh-dss":
            guard let p = w.string(), let q = w.string(), let g = w.string(), let y = w.string() else { return nil }
            SSHWire.put(p, into: &blob); SSHWire.put(q, into: &blob); SSHWire.put(g, into: &blob); SSHWire.put(y, into: &blob)
        default:
            guard type.hasPrefix("ecdsa-sha2-"), let curve = w.string(), let q = w.string() else { return nil }
            SSHWire.put(curve, into: &blob); SSHWire.put(q, into: &blob)
        }
        return SSHPublicKey(type: type, blob: blob)
    }

    static func fromPKCS1(_ der: [UInt8]) -> SSHPublicKey? {
        guard let seq = DER.read(der[...], at: 0), seq.tag == 0x30 else { return nil }
        let c = seq.children
        guard c.count >= 3, c[1].tag == 0x02, c[2].tag == 0x02 else { return nil }
        var blob: [UInt8] = []
        SSHWire.put(Array("ssh-rsa".utf8), into: &blob)
        SSHWire.put(SSHWire.mpint(c[2].content), into: &blob)   // e
        SSHWire.put(SSHWire.mpint(c[1].content), into: &blob)   // n
        return SSHPublicKey(type: "ssh-rsa", blob: blob)
    }

    /// Parses one authorized_keys / .pub line ("[options] type base64 [comment]").
    public static func parsePublicLine(_ line: String) -> SSHPublicKey? {
        let words = Text.words(line)
        for (i, w) in words.enumerated() where w.hasPrefix("ssh-") || w.hasPrefix("ecdsa-") || w.hasPrefix("sk-") {
            guard i + 1 < words.count, let blob = Base64.decode(Array(words[i + 1].utf8)), !blob.isEmpty else { continue }
            var r = SSHWire(blob)
            guard let t = r.string(), String(decoding: t, as: UTF8.self) == w else { continue }
            return SSHPublicKey(type: w, blob: blob)
        }
        return nil
    }
}
