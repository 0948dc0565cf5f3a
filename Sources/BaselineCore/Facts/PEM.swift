// PEM blocks ("-----BEGIN X-----" … "-----END X-----") found in any file, with their line numbers and decoded DER.

public struct PEMBlock {
    public let label: String       // e.g. "OPENSSH PRIVATE KEY", "CERTIFICATE"
    public let line: Int
    public let der: [UInt8]?       // nil when the base64 body is damaged or encrypted-headered

    public var isPrivateKey: Bool { label.hasSuffix("PRIVATE KEY") }
    public var isCertificate: Bool { label == "CERTIFICATE" || label == "TRUSTED CERTIFICATE" }
    public var isPublicKey: Bool { label == "PUBLIC KEY" || label == "RSA PUBLIC KEY" }
}

public enum PEM {
    public static func blocks(_ bytes: [UInt8], maxBlocks: Int = 256) -> [PEMBlock] {
        let begin = Array("-----BEGIN ".utf8)
        guard Text.indexOf(bytes, begin) != nil else { return [] }
        var out: [PEMBlock] = []
        var current: (label: String, line: Int, body: [UInt8], headers: Bool)? = nil
        for l in Text.lines(bytes) {
            let t = Text.trim(l.text)
            if t.hasPrefix("-----BEGIN ") && t.hasSuffix("-----") && t.utf8.count > 16 {
                let label = String(t.dropFirst(11).dropLast(5))
                current = (label, l.number, [], false)
            } else if t.hasPrefix("-----END ") {
                if let c = current {
                    let der = c.headers ? nil : Base64.decode(c.body)
                    out.append(PEMBlock(label: c.label, line: c.line, der: der))
                    if out.count >= maxBlocks { return out }
                }
                current = nil
            } else if current != nil {
                if Text.contains(t, ":") { current!.headers = true } // "Proc-Type: 4,ENCRYPTED" etc.
                else { current!.body.append(contentsOf: Array(t.utf8)) }
            }
        }
        return out
    }
}

/// Minimal DER reader: enough for RSA private keys (PKCS#1) and certificate validity and subject names.
public struct DER {
    public let tag: UInt8
    public let content: ArraySlice<UInt8>
    public let end: Int

    /// Reads one TLV at `offset` in `bytes`.
    public static func read(_ bytes: ArraySlice<UInt8>, at offset: Int) -> DER? {
        var i = offset
        guard i + 2 <= bytes.endIndex else { return nil }
        let tag = bytes[i]; i += 1
        var len = Int(bytes[i]); i += 1
        if len & 0x80 != 0 {
            let n = len & 0x7f
            guard n >= 1 && n <= 4, i + n <= bytes.endIndex else { return nil }
            len = 0
            for _ in 0..<n { len = len << 8 | Int(bytes[i]); i += 1 }
        }
        guard len >= 0, i + len <= bytes.endIndex else { return nil }
        return DER(tag: tag, content: bytes[i..<(i + len)], end: i + len)
    }

    /// The TLVs directly inside a constructed value.
    public var children: [DER] {
        var out: [DER] = []
        var i = content.startIndex
        while i < content.endIndex, let d = DER.read(content, at: i) {
            out.append(d)
            i = d.end
            if out.count > 4096 { break }
        }
        return out
    }
}
