// Update bundles (issue 17): UPD-11 to UPD-15 judge the signature of the bundle being audited (RAUC, SWUpdate,
// Mender), as BaselineImages/BundleVerifier.swift found it with OpenSSL. They run only when the source is a bundle:
// a root file system or a running device has no bundle signature to judge (the CLI passes them to Auditor.run).

public enum BundleChecks {
    public static let all: [(String, (CheckContext) -> Outcome)] = [
        ("UPD-11", signed),
        ("UPD-12", verifies),
        ("UPD-13", trustedSigner),
        ("UPD-14", certificateValidity),
        ("UPD-15", notAnExampleKey),
    ]

    static func evidence(_ s: BundleSignature, _ detail: String) -> [Evidence] { [Evidence(s.path, 0, detail)] }

    static func signer(_ s: BundleSignature) -> String {
        if let sub = s.signerSubject, !sub.isEmpty { return "'\(sub)'" }
        if let k = s.keySHA256 { return "key sha256:" + k }
        return "an unnamed signer"
    }

    /// UPD-11: the bundle carries a signature.
    public static func signed(_ c: CheckContext) -> Outcome {
        guard let s = c.fs.bundleSignature else { return .skip("not an update bundle") }
        if s.result == .unsigned { return .fail("the \(s.bundle) is not signed: a device that accepts it accepts anything", evidence(s, "no signature")) }
        return .pass("the \(s.bundle) is signed (\(s.method))", evidence(s, s.method))
    }

    /// UPD-12: the signature covers what is in the bundle.
    public static func verifies(_ c: CheckContext) -> Outcome {
        guard let s = c.fs.bundleSignature, s.result != .unsigned else { return .skip("no bundle signature") }
        switch s.result {
        case .bad:
            let who = s.signerSubject == nil && s.keyring != nil ? " (or it was made with another key than \(s.keyring!))" : ""
            return .fail("the \(s.bundle)'s signature does not match its content: tampered or corrupt\(who)", evidence(s, "signed by \(signer(s))" + (s.reason.map { ": " + $0 } ?? "")))
        case .unreadable:
            return .error("the \(s.bundle)'s signature or the keyring cannot be read", evidence(s, s.reason ?? "unreadable"))
        case _ where !s.contentChecked:
            return .warn("the \(s.bundle)'s signature cannot be checked without the signer's public key (give --keyring, or ship the key in the image)", evidence(s, s.method))
        default:
            return .pass("the \(s.bundle)'s signature matches its content", evidence(s, "signed by \(signer(s))"))
        }
    }

    /// UPD-13: the signer is in the keyring the device trusts (given with --keyring, or the image's own).
    public static func trustedSigner(_ c: CheckContext) -> Outcome {
        guard let s = c.fs.bundleSignature, s.result != .unsigned, s.result != .bad, s.result != .unreadable, s.contentChecked else {
            return .skip("no verified signature to check the signer of")
        }
        switch s.result {
        case .untrusted:
            return .fail("the \(s.bundle) is signed by \(signer(s)), which is not in the keyring (\(s.keyring ?? "none"))",
                         evidence(s, "signer \(signer(s)), issuer '\(s.signerIssuer ?? "?")'" + (s.reason.map { ": " + $0 } ?? "")))
        case .noKeyring:
            return .warn("the \(s.bundle) is signed by \(signer(s)), but there is no keyring to check it against (give --keyring, or ship one in the image)",
                         evidence(s, "signer \(signer(s))"))
        default:
            return .pass("the \(s.bundle) is signed by \(signer(s)), trusted by \(s.keyring ?? "the keyring")", evidence(s, "signer \(signer(s))"))
        }
    }

    /// UPD-14: the signing certificate is valid today and through the support period the profile declares.
    public static func certificateValidity(_ c: CheckContext) -> Outcome {
        guard let s = c.fs.bundleSignature, let end = s.notAfter else { return .skip("no signing certificate (or a bare key) to date") }
        let ev = evidence(s, "signer \(signer(s)), valid " + (s.notBefore.map { $0.iso + " to " } ?? "until ") + end.iso)
        if end < c.today { return .fail("the signing certificate \(signer(s)) expired on \(end.iso)", ev) }
        if let support = c.profile.supportEnd, end < support {
            return .warn("the signing certificate \(signer(s)) expires on \(end.iso), before the support period ends (\(support.iso)): plan its renewal", ev)
        }
        return .pass("the signing certificate \(signer(s)) is valid until \(end.iso)", ev)
    }

    /// UPD-15: not signed with an upstream example key or a test/development certificate.
    public static func notAnExampleKey(_ c: CheckContext) -> Outcome {
        guard let s = c.fs.bundleSignature, s.result != .unsigned else { return .skip("no bundle signature") }
        if let name = s.exampleKey { return .fail("the \(s.bundle) is signed with \(name), a key published upstream", evidence(s, "key sha256:\(s.keySHA256 ?? "?")")) }
        if let k = s.keySHA256, c.profile.updateTestKeys.contains(Text.lower(k)) {
            return .fail("the \(s.bundle) is signed with \(signer(s)), a test key the profile names (update.test_keys)",
                         evidence(s, "signer \(signer(s)), key sha256:\(k)"))
        }
        if s.looksLikeTestSigner {
            return .fail("the \(s.bundle) is signed with a test or development certificate \(signer(s))", evidence(s, "signer \(signer(s)), issuer '\(s.signerIssuer ?? "?")'"))
        }
        return .pass("the signing key is neither a known example key nor a test certificate", evidence(s, "signer \(signer(s))"))
    }
}
