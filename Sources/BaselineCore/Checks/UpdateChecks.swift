// Secure update channel: UPD-01 to UPD-07 for SWUpdate, RAUC, Mender, opkg, apk and apt.

public enum UpdateChecks {
    /// The checks this file holds, by catalogue id (CheckCatalog.swift has their titles, rules and severities).
    public static let all: [(String, (CheckContext) -> Outcome)] = [
        ("UPD-01", present),
        ("UPD-02", swupdate),
        ("UPD-03", rauc),
        ("UPD-04", mender),
        ("UPD-05", packageSignatures),
        ("UPD-06", transport),
        ("UPD-07", automatic),
    ]

    /// UPD-01: an update mechanism exists (or the profile declares the device non-updatable).
    public static func present(_ c: CheckContext) -> Outcome {
        let u = c.facts.update
        let found = u.mechanisms.map { $0.name }
        if found.isEmpty {
            if !c.profile.updateRequired { return .pass("no update mechanism; the profile declares the device non-updatable") }
            return .fail("no update mechanism found (looked for SWUpdate, RAUC, Mender, opkg, apk, apt, sysupgrade)")
        }
        let ev = u.mechanisms.map { Evidence($0.evidence.path, $0.evidence.line, $0.evidence.detail) }
        let expected = c.profile.updateMechanisms
        if !expected.isEmpty && !expected.contains(where: { found.contains($0) }) {
            return .fail("the profile expects " + Text.joinWith(expected, " or ") + " but the image has " + Text.joinWith(found, ", "), ev)
        }
        return .pass("update mechanism(s): " + Text.joinWith(found, ", "), ev)
    }

    /// UPD-02: SWUpdate verifies signatures.
    public static func swupdate(_ c: CheckContext) -> Outcome {
        guard let s = c.facts.update.swupdate else { return .skip("SWUpdate not in the image") }
        guard let k = s.key else {
            var ev: [Evidence] = s.argLines.filter { $0.kind != .defaults || Text.contains($0.text, "SWUPDATE") }.prefix(3).map { Evidence($0.path, $0.line, $0.text) }
            if let cfg = s.config { ev.append(Evidence(cfg.path, 0, "no globals.public-key-file")) }
            return .fail("SWUpdate runs without a public key (-k / public-key-file): it installs unsigned images", ev)
        }
        if !k.exists { return .fail("SWUpdate's public key \(k.path) is missing from the image", [k.evidence]) }
        return .pass("SWUpdate verifies images with \(k.path)", [k.evidence])
    }

    /// UPD-03: RAUC keyring present, readable, not expired, not a test certificate.
    public static func rauc(_ c: CheckContext) -> Outcome {
        guard let r = c.facts.update.rauc else { return .skip("RAUC not in the image") }
        guard let conf = r.systemConf else { return .fail("RAUC is installed but /etc/rauc/system.conf is missing") }
        guard let k = r.keyring else { return .fail("RAUC system.conf has no [keyring] path= or directory=", [Evidence(conf.path, 0, "no [keyring] section")]) }
        if !k.exists { return .fail("RAUC keyring \(k.path) is missing or empty", [k.evidence]) }
        if k.certificates.isEmpty { return .fail("RAUC keyring \(k.path) holds no readable X.509 certificate", [k.evidence]) }
        var warns: [Evidence] = []
        for cert in k.certificates {
            if let na = cert.notAfter, na < c.today {
                warns.append(Evidence(k.path, 0, "certificate '\(cert.subject)' expired on \(na.iso)"))
            }
            if cert.looksLikeTestCertificate {
                warns.append(Evidence(k.path, 0, "certificate '\(cert.subject)' (issuer '\(cert.issuer)') looks like a test or example CA"))
            }
        }
        if !warns.isEmpty { return .warn("RAUC keyring has an expired or test certificate", [k.evidence] + warns) }
        var detail = ""
        if let first = k.certificates.first { detail = "'\(first.subject)'" + (first.notAfter.map { ", valid until \($0.iso)" } ?? "") }
        return .pass("RAUC verifies bundles against \(k.path) (\(detail))", [k.evidence])
    }

    /// UPD-04: Mender verifies artifact signatures.
    public static func mender(_ c: CheckContext) -> Outcome {
        guard let m = c.facts.update.mender else { return .skip("Mender not in the image") }
        if let e = m.parseError { return .fail("mender.conf cannot be read by the client", [e]) }
        if m.verifyKeys.isEmpty {
            return .fail("mender.conf sets no ArtifactVerifyKey: unsigned artifacts are accepted", [Evidence(m.confPath ?? "/etc/mender/mender.conf", 0, "no ArtifactVerifyKey(s)")])
        }
        let missing = m.verifyKeys.filter { !$0.exists }
        if !missing.isEmpty { return .fail("Mender verification key file missing", missing.map { $0.evidence }) }
        return .pass("Mender verifies artifacts with " + Text.joinWith(m.verifyKeys.map { $0.path }, ", "), m.verifyKeys.map { $0.evidence })
    }

    /// UPD-05: package feeds are signature-checked.
    public static func packageSignatures(_ c: CheckContext) -> Outcome {
        let u = c.facts.update
        if u.opkg == nil && u.apk == nil && u.apt == nil { return .skip("no package manager (opkg, apk, apt) in the image") }
        var fails: [Evidence] = []
        var warns: [Evidence] = []
        var passes: [Evidence] = []
        if let o = u.opkg {
            if let sc = o.signatureCheck {
                passes.append(sc)
                if o.keys.isEmpty { warns.append(Evidence("/etc/opkg/keys", 0, "check_signature is on but no usign key is installed")) }
            } else if !o.feeds.isEmpty || !o.confFiles.isEmpty {
                fails.append(Evidence(o.confFiles.first ?? "/etc/opkg.conf", 0, "opkg without 'option check_signature': feeds are installed unverified"))
            }
        }
        if let a = u.apk {
            fails += a.signatureBypass
            if a.signatureBypass.isEmpty {
                if a.keys.isEmpty { warns.append(Evidence("/etc/apk/keys", 0, "no apk signing key installed")) } else { passes.append(Evidence("/etc/apk/keys", 0, "\(a.keys.count) apk key(s)")) }
            }
        }
        if let a = u.apt {
            fails += a.signatureBypass
            for e in a.missingSignedBy { warns.append(Evidence(e.path, e.line, "no Signed-By: trusts every key in the global keyring: " + e.detail)) }
        }
        if !fails.isEmpty { return .fail("package signature checking is bypassed", fails + warns) }
        if !warns.isEmpty { return .warn("package signatures are checked, with weaknesses", warns) }
        return .pass("package feeds are signature-checked", passes)
    }

    /// UPD-06: update servers and feeds use verified TLS.
    public static func transport(_ c: CheckContext) -> Outcome {
        let u = c.facts.update
        var fails: [Evidence] = []
        var warns: [Evidence] = []
        var urls: [(url: String, signed: Bool, ev: Evidence)] = []
        if let o = u.opkg { for f in o.feeds { urls.append((f.url, o.signatureCheck != nil, f.evidence)) } }
        if let a = u.apk { for f in a.feeds { urls.append((f.url, a.signatureBypass.isEmpty, f.evidence)) } }
        if let a = u.apt {
            fails += a.tlsVerifyOff
            // A global bypass (AllowInsecureRepositories…) lets every source go unsigned; [trusted=yes] only its own.
            let global = a.signatureBypass.contains { e in !a.feeds.contains { $0.evidence == e } }
            for f in a.feeds { urls.append((f.url, !global && !f.bypassed, f.evidence)) }
        }
        if let m = u.mender {
            if let sv = m.skipVerify { fails.append(Evidence(sv.path, sv.line, sv.detail + ": the server certificate is not verified")) }
            if let s = m.serverURL { urls.append((s.0, !m.verifyKeys.isEmpty, s.1)) }
        }
        if let s = u.swupdate {
            if let nc = s.noCheckCert { fails.append(Evidence(nc.path, nc.line, nc.detail + ": the server certificate is not verified")) }
            if let url = s.suricattaURL { urls.append((url.0, s.key != nil, url.1)) }
        }
        if let r = u.rauc, let h = r.hawkbit {
            let signed = r.keyring != nil
            if let server = h.value("client", "hawkbit_server") {
                let ssl = h.value("client", "ssl").map { Truth.of($0.value) ?? true } ?? true
                let scheme = ssl ? "https://" : "http://"
                urls.append((scheme + server.value, signed, Evidence(h.path, server.line, "hawkbit_server=\(server.value), ssl=\(ssl)")))
            }
            if let v = h.value("client", "ssl_verify"), Truth.of(v.value) == false {
                fails.append(Evidence(h.path, v.line, "ssl_verify=\(v.value): the server certificate is not verified"))
            }
        }
        if urls.isEmpty && fails.isEmpty {
            if u.mechanisms.isEmpty { return .skip("no update mechanism") }
            return .pass("no network update source configured (local or manual updates only)")
        }
        var passes: [Evidence] = []
        for x in urls {
            let lower = Text.lower(x.url)
            if lower.hasPrefix("http://") || lower.hasPrefix("ftp://") {
                if x.signed { warns.append(Evidence(x.ev.path, x.ev.line, "plain-text transport, signed payload: " + x.url)) }
                else { fails.append(Evidence(x.ev.path, x.ev.line, "plain-text transport and unsigned payload: " + x.url)) }
            } else if lower.hasPrefix("https://") {
                passes.append(x.ev)
            }
            if !c.endpointDeclared(x.url) {
                warns.append(Evidence(x.ev.path, x.ev.line, "endpoint not declared by the profile: " + CheckContext.host(ofURL: x.url)))
            }
        }
        if !fails.isEmpty { return .fail("update transport is not protected", fails + warns) }
        if !warns.isEmpty { return .warn("update transport relies on payload signatures or undeclared endpoints", warns) }
        return .pass("\(urls.count) update source(s), all over verified TLS", passes)
    }

    /// UPD-07: the device checks for updates by itself.
    public static func automatic(_ c: CheckContext) -> Outcome {
        let u = c.facts.update
        if u.mechanisms.isEmpty { return .skip("no update mechanism") }
        var ev: [Evidence] = []
        if let m = u.mender, let d = m.daemonEnabled {
            let poll = m.pollSeconds.map { "every \($0.0) s" } ?? "default interval (30 min)"
            ev.append(Evidence(d.path, d.line, "Mender daemon enabled, polls " + poll))
        }
        if let s = u.swupdate, let e = s.suricattaEnabled {
            let poll = s.pollDelay.map { ", polldelay \($0.0) s" } ?? ""
            ev.append(Evidence(e.path, e.line, "SWUpdate suricatta enabled" + poll))
        }
        if let r = u.rauc, let e = r.hawkbitEnabled { ev.append(Evidence(e.path, e.line, "rauc-hawkbit-updater enabled")) }
        for p in [u.opkg, u.apk, u.apt] { if let p = p { ev += p.automatic } }
        ev += u.timers
        if ev.isEmpty { return .warn("nothing checks for updates automatically (no polling daemon, cron job or timer)") }
        return .pass("updates are checked automatically", ev)
    }
}
