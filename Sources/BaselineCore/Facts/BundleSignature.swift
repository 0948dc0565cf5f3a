// An update bundle's signature as the host verified it (RAUC .raucb, SWUpdate .swu, Mender .mender; the
// verification is OpenSSL's, in BaselineImages/BundleVerifier.swift): the facts UPD-11 to UPD-15 judge. Plain data,
// embedded-safe; the agent never has one (it audits a running device, not a bundle).

public struct BundleSignature {
    public enum Result: Equatable {
        case unsigned           // no signature at all
        case verified           // covers the content, signer chains to the keyring (or matches the key)
        case bad                // does not match the content: tampered payload or manifest
        case untrusted          // matches, but the signer is not in the keyring
        case noKeyring          // matches; no keyring to check the signer against (none given, none in the image)
        case unreadable         // the signature, keyring or key cannot be parsed
    }
    public var bundle: String               // "RAUC bundle", "SWUpdate bundle", "Mender artifact"
    public var path: String                 // what holds the signature: "sw-description.sig", "manifest.sig", "(CMS signature appended)"
    public var method: String               // "CMS, detached over the SquashFS", "RSA/ECDSA over SHA-256 of manifest", …
    public var result: Result
    public var keyring: String?             // where the keyring or key came from: "--keyring ca.pem", "/etc/rauc/ca.cert.pem in the image"
    public var signerSubject: String?
    public var signerIssuer: String?
    public var notBefore: CivilDate?
    public var notAfter: CivilDate?
    public var signerSHA256: String?        // SHA-256 of the signer certificate
    public var keySHA256: String?           // SHA-256 of the signing key's SubjectPublicKeyInfo
    public var reason: String?              // OpenSSL's words when it did not verify
    public var exampleKey: String?          // the upstream example/test key it is, by SPKI fingerprint
    /// False for a bare signature (RSA/ECDSA over SHA-256) with no public key to check it with: nothing is known
    /// about it. A CMS signature carries its signer's certificate, so its match with the content is always checked.
    public var contentChecked = true

    public init(bundle: String, path: String, method: String, result: Result) {
        self.bundle = bundle; self.path = path; self.method = method; self.result = result
    }

    /// Subject and issuer say test, development, example, sample, demo or dummy (whole words).
    public var looksLikeTestSigner: Bool {
        guard let s = signerSubject else { return false }
        return CertificateInfo(notBefore: nil, notAfter: nil, subject: s, issuer: signerIssuer ?? "").looksLikeTestCertificate
    }
}
