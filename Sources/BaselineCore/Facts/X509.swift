// Just enough X.509 for update keyrings: validity dates and subject/issuer names (CN, O).

public struct CertificateInfo {
    public let notBefore: CivilDate?
    public let notAfter: CivilDate?
    public let subject: String
    public let issuer: String

    public var selfSigned: Bool { subject == issuer }

    /// Subject or issuer naming a test, development or example authority.
    public var looksLikeTestCertificate: Bool {
        // whole words only: "Device Attestation CA" or "Latest Firmware Signing" are not test certificates
        var words: [String] = []
        var current: [UInt8] = []
        for c in Text.lower(subject + " " + issuer).utf8 {
            if (c >= 97 && c <= 122) || (c >= 48 && c <= 57) { current.append(c) } else if !current.isEmpty {
                words.append(String(decoding: current, as: UTF8.self)); current.removeAll()
            }
        }
        if !current.isEmpty { words.append(String(decoding: current, as: UTF8.self)) }
        let markers = ["test", "testing", "development", "devel", "dev", "example", "dummy", "insecure", "demo", "sample"]
        for w in words where markers.contains(w) { return true }
        for i in 0..<max(0, words.count - 2) where words[i] == "do" && words[i + 1] == "not" && words[i + 2] == "use" { return true }
        return false
    }

    public static func parse(der: [UInt8]) -> CertificateInfo? {
        guard let cert = DER.read(der[...], at: 0), cert.tag == 0x30 else { return nil }
        let top = cert.children
        guard let tbs = top.first, tbs.tag == 0x30 else { return nil }
        var c = tbs.children
        if let first = c.first, first.tag == 0xA0 { c.removeFirst() }
        guard c.count >= 5 else { return nil }
        let issuer = c[2], validity = c[3], subject = c[4]
        let times = validity.children
        guard times.count == 2 else { return nil }
        return CertificateInfo(notBefore: time(times[0]), notAfter: time(times[1]),
                               subject: name(subject), issuer: name(issuer))
    }

    static func time(_ d: DER) -> CivilDate? {
        let s = Array(d.content)
        func num(_ a: Int, _ n: Int) -> Int? {
            guard a + n <= s.count else { return nil }
            var v = 0
            for i in a..<(a + n) { let c = s[i]; guard c >= 48 && c <= 57 else { return nil }; v = v * 10 + Int(c - 48) }
            return v
        }
        if d.tag == 0x17, let yy = num(0, 2), let m = num(2, 2), let dd = num(4, 2) {
            if let d = CivilDate(year: yy < 50 ? 2000 + yy : 1900 + yy, month: m, day: dd) { return d }
            if yy >= 50 { return CivilDate(year: 1970, month: 1, day: 1) }
            return nil
        }
        if d.tag == 0x18, let y = num(0, 4), let m = num(4, 2), let dd = num(6, 2) {
            if y > 9999 { return nil }
            return CivilDate(year: max(y, 1970), month: m, day: dd)
        }
        return nil
    }

    static func name(_ d: DER) -> String {
        var parts: [String] = []
        for rdn in d.children {
            for atv in rdn.children {
                let kv = atv.children
                guard kv.count == 2, kv[0].tag == 0x06 else { continue }
                let oid = Array(kv[0].content)
                var label = ""
                if oid == [0x55, 0x04, 0x03] { label = "CN" }
                else if oid == [0x55, 0x04, 0x0A] { label = "O" }
                else if oid == [0x55, 0x04, 0x0B] { label = "OU" }
                else { continue }
                parts.append(label + "=" + String(decoding: kv[1].content, as: UTF8.self))
            }
        }
        return Text.joinWith(parts, ", ")
    }
}
