// The signature of an update bundle, verified by OpenSSL (CBundleCrypto): RAUC's CMS signature appended to the
// bundle (detached over the SquashFS in the plain format; over the manifest in the verity format, whose dm-verity
// root hash is then recomputed over the payload), SWUpdate's sw-description.sig (CMS, or RSA/ECDSA over SHA-256)
// and Mender's manifest.sig (RSA/ECDSA over SHA-256, base64). The keyring is the one given with --keyring, else
// the one the image's own update client is configured with. The result is a BundleSignature for UPD-11 to UPD-15.
import BaselineCore
import CBundleCrypto
import Foundation

/// What a bundle carries for its signature, captured when the loader opens the bundle.
public struct BundleMaterial {
    public enum Kind { case rauc, swupdate, mender }
    public let kind: Kind
    public var signature: [UInt8]?          // CMS DER, or a raw signature (Mender's base64 decoded)
    public var signedFile: [UInt8] = []     // sw-description or manifest
    public var raucPayloadLength = 0        // RAUC: the bytes before the signature (SquashFS, then the verity hash tree)
    /// SWUpdate and Mender: the payload files the signed descriptor lists, the SHA-256 it gives for each (nil: none)
    /// and the SHA-256 of the file in the bundle (nil: not in the bundle).
    public var payload: [(path: String, signed: String?, actual: String?)] = []

    public var name: String {
        switch kind { case .rauc: return "RAUC bundle"; case .swupdate: return "SWUpdate bundle"; case .mender: return "Mender artifact" }
    }
    public var signaturePath: String {
        switch kind { case .rauc: return "(CMS signature appended)"; case .swupdate: return "sw-description.sig"; case .mender: return "manifest.sig" }
    }
}

public enum BundleVerifier {
    /// A keyring (PEM certificates or a public key) and where it came from.
    public struct Keyring {
        public let pem: [UInt8]
        public let origin: String
        public init(pem: [UInt8], origin: String) { self.pem = pem; self.origin = origin }
    }

    /// The keyring to judge the signer by: --keyring, else the image's RAUC keyring, SWUpdate -k key or Mender
    /// ArtifactVerifyKey.
    public static func keyring(for m: BundleMaterial, given: String?, root: RootView) throws(ImageError) -> Keyring? {
        if let g = given {
            guard let d = FileManager.default.contents(atPath: g) else { throw ImageError(message: "\(g): cannot read the keyring") }
            return Keyring(pem: [UInt8](d), origin: "--keyring \(g)")
        }
        // Only the update client's configuration is needed (not the whole fact pass: the audit gathers that once).
        let u = UpdateFacts.gather(root, services: ServiceFacts.gather(root))
        let path: String?
        switch m.kind {
        case .rauc: path = u.rauc?.keyring?.path
        case .swupdate: path = u.swupdate?.key?.path
        case .mender: path = u.mender?.verifyKeys.first?.path
        }
        guard let p = path, let bytes = root.read(p), !bytes.isEmpty else { return nil }
        return Keyring(pem: bytes, origin: "\(p) in the image")
    }

    public static func verify(_ m: BundleMaterial, file: String, keyring: Keyring?) -> BundleSignature {
        guard let sig = m.signature, !sig.isEmpty else {
            return BundleSignature(bundle: m.name, path: m.signaturePath, method: "none", result: .unsigned)
        }
        var info = bl_signer_info()
        var s: BundleSignature
        switch m.kind {
        case .rauc:
            s = rauc(m, sig: sig, file: file, keyring: keyring, info: &info)
        case .swupdate where sig.first == 0x30:
            var attached: UnsafeMutablePointer<UInt8>? = nil
            var n = 0
            let rc = cms(sig, content: m.signedFile, keyring: keyring, info: &info, attached: &attached, attachedLength: &n)
            bl_free(attached)
            s = BundleSignature(bundle: m.name, path: m.signaturePath, method: "CMS, detached over sw-description", result: result(rc))
        case .swupdate, .mender:
            let what = m.kind == .mender ? "manifest" : "sw-description"
            guard let k = keyring else {
                var s = BundleSignature(bundle: m.name, path: m.signaturePath, method: "RSA/ECDSA over SHA-256 of \(what)", result: .noKeyring)
                s.contentChecked = false
                return s
            }
            let rc = sig.withUnsafeBufferPointer { sp in m.signedFile.withUnsafeBufferPointer { dp in k.pem.withUnsafeBufferPointer { kp in
                kp.baseAddress!.withMemoryRebound(to: CChar.self, capacity: kp.count) {
                    bl_pubkey_verify(sp.baseAddress, sp.count, dp.baseAddress, dp.count, $0, kp.count, &info)
                } } } }
            // A key that does not verify a well-formed signature: the signer is someone else (or the data changed;
            // with a bare key the two cannot be told apart, so it is reported as not matching).
            s = BundleSignature(bundle: m.name, path: m.signaturePath, method: "RSA/ECDSA over SHA-256 of \(what)", result: result(rc))
        }
        s.keyring = keyring?.origin
        fill(&s, info)
        // The descriptor's signature is only worth something if the payload is what it lists.
        if m.kind != .rauc, s.contentChecked, [.verified, .untrusted, .noKeyring].contains(s.result) {
            if let problem = payloadMismatch(m) {
                s.result = .bad
                s.reason = problem
            } else if !m.payload.isEmpty {
                s.method += ", and the SHA-256 of its \(m.payload.count) payload file(s)"
            }
        }
        return s
    }

    /// nil when every payload file the signed descriptor lists is in the bundle with the SHA-256 it gives.
    static func payloadMismatch(_ m: BundleMaterial) -> String? {
        let what = m.kind == .mender ? "manifest" : "sw-description"
        for f in m.payload {
            guard let signed = f.signed else { return "\(f.path) has no sha256 in the signed \(what): its content is not covered by the signature" }
            guard let actual = f.actual else { return "\(f.path) is listed in the signed \(what) but is not in the bundle" }
            if actual != signed.lowercased() { return "\(f.path): sha256 \(actual), the signed \(what) says \(signed.lowercased())" }
        }
        return nil
    }

    /// The payload files a signed descriptor lists, with the SHA-256 it gives for each: Mender's manifest
    /// ("<sha256>  <path>" lines) or SWUpdate's sw-description (libconfig: every `{ … }` block with a `filename`,
    /// its `sha256` if any).
    public static func listedPayload(_ kind: BundleMaterial.Kind, _ descriptor: [UInt8]) -> [(path: String, sha256: String?)] {
        let text = String(decoding: descriptor, as: UTF8.self)
        var out: [(path: String, sha256: String?)] = []
        var seen = Set<String>()
        switch kind {
        case .rauc: return []
        case .mender:
            for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
                let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
                guard parts.count == 2, parts[0].count == 64, parts[0].allSatisfy({ $0.isHexDigit }) else { continue }
                if seen.insert(String(parts[1])).inserted { out.append((String(parts[1]), String(parts[0]))) }
            }
        case .swupdate:
            var blocks: [[String: String]] = []
            var key: String?
            let chars = Array(text.unicodeScalars)
            var i = 0
            while i < chars.count {
                let c = chars[i]
                if c == "#" || (c == "/" && i + 1 < chars.count && chars[i + 1] == "/") {
                    while i < chars.count && chars[i] != "\n" { i += 1 }
                    continue
                }
                if c == "/" && i + 1 < chars.count && chars[i + 1] == "*" {
                    i += 2
                    while i + 1 < chars.count && !(chars[i] == "*" && chars[i + 1] == "/") { i += 1 }
                    i += 2
                    continue
                }
                if c == "\"" {
                    var v = String.UnicodeScalarView()
                    i += 1
                    while i < chars.count && chars[i] != "\"" {
                        if chars[i] == "\\" && i + 1 < chars.count { i += 1 }
                        v.append(chars[i]); i += 1
                    }
                    i += 1
                    if let k = key, !blocks.isEmpty { blocks[blocks.count - 1][k] = String(v) }
                    key = nil
                    continue
                }
                if c == "{" { blocks.append([:]); key = nil }
                else if c == "}" {
                    if let b = blocks.popLast(), let f = b["filename"], seen.insert(f).inserted { out.append((f, b["sha256"])) }
                    key = nil
                } else if c.properties.isAlphabetic || c == "_" {
                    var w = String.UnicodeScalarView()
                    while i < chars.count && (chars[i].properties.isAlphabetic || chars[i] == "_" || chars[i] == "-" || ("0"..."9").contains(chars[i])) {
                        w.append(chars[i]); i += 1
                    }
                    var j = i
                    while j < chars.count && (chars[j] == " " || chars[j] == "\t") { j += 1 }
                    key = j < chars.count && (chars[j] == "=" || chars[j] == ":") ? String(w) : nil
                    continue
                } else if c == ";" || c == "," { key = nil }
                i += 1
            }
        }
        return out
    }

    static func rauc(_ m: BundleMaterial, sig: [UInt8], file: String, keyring: Keyring?, info: inout bl_signer_info) -> BundleSignature {
        guard let map = MappedFile(file), m.raucPayloadLength <= map.count else {
            return BundleSignature(bundle: m.name, path: m.signaturePath, method: "CMS", result: .unreadable)
        }
        let payload = UnsafeRawBufferPointer(rebasing: map.bytes[0..<m.raucPayloadLength])
        var attached: UnsafeMutablePointer<UInt8>? = nil
        var n = 0
        let rc = cms(sig, content: payload, keyring: keyring, info: &info, attached: &attached, attachedLength: &n)
        defer { bl_free(attached) }
        guard let a = attached, n > 0 else {
            return BundleSignature(bundle: m.name, path: m.signaturePath, method: "CMS, detached over the SquashFS (plain format)", result: result(rc))
        }
        // Verity format: the CMS signs the manifest; the manifest's verity-hash must be the payload's root hash.
        var s = BundleSignature(bundle: m.name, path: m.signaturePath, method: "CMS over the manifest, dm-verity root hash over the payload (verity format)", result: result(rc))
        let manifest = String(decoding: UnsafeBufferPointer(start: a, count: n), as: UTF8.self)
        if s.result != .bad, s.result != .unreadable, let problem = verityMismatch(manifest, payload: payload) {
            s.result = .bad
            s.reason = problem
        }
        return s
    }

    /// nil when the payload's dm-verity root hash is the one the signed manifest names.
    static func verityMismatch(_ manifest: String, payload: UnsafeRawBufferPointer) -> String? {
        var fields: [String: String] = [:]
        for line in manifest.split(separator: "\n") {
            let kv = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if kv.count == 2 { fields[kv[0]] = kv[1] }
        }
        guard let hash = fields["verity-hash"], let salt = fields["verity-salt"].flatMap(unhex), let size = fields["verity-size"].flatMap({ Int($0) }) else {
            return "the signed manifest names no verity-hash, verity-salt and verity-size"
        }
        let dataLength = payload.count - size
        guard dataLength > 0, dataLength % 4096 == 0 else { return "the payload is \(payload.count) bytes; the manifest's hash tree of \(size) bytes does not fit" }
        var root = [UInt8](repeating: 0, count: 32)
        let rc = salt.withUnsafeBufferPointer { sp in
            bl_verity_root(payload.baseAddress!.assumingMemoryBound(to: UInt8.self), dataLength, sp.baseAddress, sp.count, &root)
        }
        guard rc == 0 else { return "cannot compute the payload's dm-verity root hash" }
        let got = root.map { String(format: "%02x", $0) }.joined()
        return got == hash.lowercased() ? nil : "the payload's dm-verity root hash is \(got), the signed manifest says \(hash)"
    }

    static func cms(_ sig: [UInt8], content: [UInt8], keyring: Keyring?, info: inout bl_signer_info,
                    attached: inout UnsafeMutablePointer<UInt8>?, attachedLength: inout Int) -> Int32 {
        content.withUnsafeBytes { cms(sig, content: $0, keyring: keyring, info: &info, attached: &attached, attachedLength: &attachedLength) }
    }

    /// The payload as it lies in memory (a RAUC bundle's SquashFS is mapped, never copied).
    static func cms(_ sig: [UInt8], content: UnsafeRawBufferPointer, keyring: Keyring?, info: inout bl_signer_info,
                    attached: inout UnsafeMutablePointer<UInt8>?, attachedLength: inout Int) -> Int32 {
        let dp = content.assumingMemoryBound(to: UInt8.self)
        return sig.withUnsafeBufferPointer { sp in
            if let k = keyring {
                return k.pem.withUnsafeBufferPointer { kp in
                    kp.baseAddress!.withMemoryRebound(to: CChar.self, capacity: kp.count) {
                        bl_cms_verify(sp.baseAddress, sp.count, dp.baseAddress, dp.count, $0, kp.count, &info, &attached, &attachedLength)
                    }
                }
            }
            return bl_cms_verify(sp.baseAddress, sp.count, dp.baseAddress, dp.count, nil, 0, &info, &attached, &attachedLength)
        }
    }

    static func result(_ rc: Int32) -> BundleSignature.Result {
        switch Int(rc) {
        case BL_SIG_VERIFIED: return .verified
        case BL_SIG_BAD: return .bad
        case BL_SIG_UNTRUSTED: return .untrusted
        case BL_SIG_NO_KEYRING: return .noKeyring
        default: return .unreadable
        }
    }

    static func fill(_ s: inout BundleSignature, _ i: bl_signer_info) {
        func str<T>(_ t: T) -> String {
            withUnsafeBytes(of: t) { b in String(decoding: b.prefix { $0 != 0 }, as: UTF8.self) }
        }
        let subject = str(i.subject), issuer = str(i.issuer), cert = str(i.sha256), spki = str(i.spki_sha256), reason = str(i.reason)
        if !subject.isEmpty { s.signerSubject = subject }
        if !issuer.isEmpty { s.signerIssuer = issuer }
        if !cert.isEmpty { s.signerSHA256 = cert }
        if !spki.isEmpty { s.keySHA256 = spki }
        if !reason.isEmpty && s.reason == nil && s.result != .verified { s.reason = reason }
        if i.not_after != 0 { s.notAfter = CivilDate.fromEpochSeconds(i.not_after) }
        if i.not_before != 0 { s.notBefore = CivilDate.fromEpochSeconds(i.not_before) }
        if let k = s.keySHA256 { s.exampleKey = ExampleKeys.name(spkiSHA256: k) }
    }

    static func unhex(_ s: String) -> [UInt8]? {
        let u = Array(s.utf8)
        guard u.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        for i in stride(from: 0, to: u.count, by: 2) {
            guard let b = UInt8(String(decoding: u[i..<(i + 2)], as: UTF8.self), radix: 16) else { return nil }
            out.append(b)
        }
        return out
    }
}

/// Signing keys published in upstream projects' examples and tests (anyone can sign with them), by the SHA-256 of
/// their SubjectPublicKeyInfo, as `openssl pkey -pubin -outform der | sha256sum` prints it.
public enum ExampleKeys {
    static let known: [String: String] = [
        "9467ab3108043d2d62d5ee58d62f867af27794299b461100ecd47b1b1d428e5a": "RAUC's test-suite release key 'Test Org Release-1' (rauc/test/openssl-ca/rel)",
        "f5207b5090672f846fa6d0f8d35d7f4d20ab2be5c5485828f32f7a0539e548b6": "RAUC's test-suite release key 'Test Org Release-2018' (rauc/test/openssl-ca/rel)",
        "8dce10c952c3423d5a4e33b1bd2104293eec31ac384b5b9cbd3a10321e65ee8d": "RAUC's test-suite development key 'Test Org Autobuilder-1' (rauc/test/openssl-ca/dev)",
        "c978bb8a6b156fb64bbdb64f4e7bf20bb6aee16ac2bf804717c6985b2563b30d": "RAUC's test-suite development key 'Test Org Autobuilder-2' (rauc/test/openssl-ca/dev)",
    ]

    static func name(spkiSHA256: String) -> String? { known[spkiSHA256.lowercased()] }
}
