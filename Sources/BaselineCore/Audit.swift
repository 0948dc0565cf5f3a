// The audit pipeline in one place: root view → facts → checks(profile) → report.

public struct AuditOptions {
    public var today: CivilDate
    public var generatedAt: Int64
    public var fleetKey: [UInt8]?
    public var sourceKind: String
    public var sourcePath: String
    public var deviceID: String?
    /// Wall-time budget of the default-password test (CRED-02), in milliseconds; 0: none. Stated in the finding when
    /// it cuts the test short.
    public var passwordBudgetMs: Int64 = 300_000

    public init(today: CivilDate, generatedAt: Int64, fleetKey: [UInt8]?, sourceKind: String, sourcePath: String, deviceID: String? = nil) {
        self.today = today; self.generatedAt = generatedAt; self.fleetKey = fleetKey
        self.sourceKind = sourceKind; self.sourcePath = sourcePath; self.deviceID = deviceID
    }
}

public enum Auditor {
    /// Every check the audit runs, registered next to its code (CredentialChecks.all, …), in the catalogue's order
    /// (the order of the report). BundleChecks.all run only for update bundles (`extra`). A new check is one function
    /// in one of those files, its line in that file's `all`, its definition in CheckCatalog.swift and its test;
    /// CheckRegistryTests fail when the three disagree.
    public static let checks: [(String, (CheckContext) -> Outcome)] = {
        let registered = CredentialChecks.all + LiveChecks.all + UpdateChecks.all + LifecycleChecks.all + SurfaceChecks.all + DisclosureChecks.all
        var out: [(String, (CheckContext) -> Outcome)] = []
        for d in CheckCatalog.all {
            for (id, run) in registered where id == d.id { out.append((id, run)) }
        }
        return out
    }()

    /// `extra`: checks only the host runs, after the others (BundleChecks.all for an update bundle); the agent passes
    /// none, so their code stays out of it.
    public static func run(fs: RootView, profile: Profile, options: AuditOptions,
                           extra: [(String, (CheckContext) -> Outcome)] = []) throws(ProfileError) -> Report {
        var lists: [DefaultCredential] = []
        for path in profile.credentialLists { lists += try CredentialList.load(path) }
        var eol: EOLData? = nil
        if let e = profile.eolData { eol = try EOLData.load(e) }

        let facts = DeviceFacts.gather(fs)
        let ctx = CheckContext(fs: fs, facts: facts, profile: profile, today: options.today, credentialLists: lists, eol: eol,
                               fleetKey: options.fleetKey)
        ctx.passwordBudgetMs = options.passwordBudgetMs

        var findings: [Finding] = []
        for (id, run) in checks where inForce(id, profile) {
            if let f = finding(id, run(ctx), profile: profile) { findings.append(f) }
        }
        for (id, run) in extra where inForce(id, profile) {
            if let f = finding(id, run(ctx), profile: profile) { findings.append(f) }
        }

        let r = facts.release
        var subject = Subject()
        subject.vendor = profile.vendor
        // Not `cond ? x : nil`: Swift 6.3 Embedded at -Osize for aarch64 miscompiled that into an Optional<String>
        // with a corrupt discriminator (crash in the agent's JSON writer); the differential test guards it.
        if profile.models.count == 1 { subject.model = profile.models[0] }
        subject.firmwareVersion = r.firmwareVersion
        subject.buildID = r.buildID
        subject.osID = r.distroID
        subject.osVersion = r.versionID
        subject.osName = r.prettyName
        subject.deviceID = options.deviceID ?? deviceID(facts.live, key: options.fleetKey)
        var runtime: Runtime? = nil
        let live = facts.live
        if live.isLive || live.kernel != nil {
            runtime = Runtime(kernel: live.kernel, uptimeSeconds: live.uptimeSeconds, lastUpdate: live.lastUpdate,
                              interfaces: live.interfaces.count, listeners: live.listeners)
        }

        var report = Report(reportID: newReportID(), generatedAt: isoTimestamp(options.generatedAt), auditDate: options.today,
                      sourceKind: options.sourceKind, sourcePath: options.sourcePath, profileID: profile.id,
                      profileTitle: profile.title, profileChain: profile.chain, profileDigest: profile.digest,
                      subject: subject, findings: findings, fingerprints: fingerprints(facts, key: options.fleetKey),
                      runtime: runtime, filesRead: fs.filesRead, problems: fs.problems)
        if !profile.checks.isEmpty {
            for (id, _) in checks + extra where profile.policy(id) == nil { report.checksNotInProfile.append(id) }
        }
        return report
    }

    /// Whether check `id` runs under `profile`: when any profile in the chain lists checks, only the listed and
    /// enabled ones do.
    public static func inForce(_ id: String, _ profile: Profile) -> Bool {
        if profile.checks.isEmpty { return true }
        guard let p = profile.policy(id) else { return false }
        return p.enabled
    }

    /// The finding of check `id` with outcome `o`, with the severity and provisions the profile gives it
    /// (a warning is one severity step lower than a failure).
    public static func finding(_ id: String, _ o: Outcome, profile: Profile) -> Finding? {
        guard let def = CheckCatalog.definition(id) else { return nil }
        let policy = profile.policy(id)
        var severity = policy?.severity ?? def.severity
        if o.status == .warn { severity = severity.lower }
        var f = Finding(id: id, area: def.area, title: def.title, status: o.status, severity: severity, message: o.message,
                        evidence: o.evidence, provisions: policy?.provisions ?? [], remediation: def.remediation)
        f.data = o.data
        return f
    }

    /// Fingerprints for fleet-wide uniqueness checks. Public keys are hashed plainly; secrets only with the fleet key
    /// (HMAC-SHA256), and not at all without one.
    public static func fingerprints(_ facts: DeviceFacts, key: [UInt8]?) -> Fingerprints {
        var f = Fingerprints()
        if let k = key { f.fleetKeyID = FleetKey.id(k) }
        for h in facts.ssh.hostKeys {
            if let p = h.publicKey { f.hostKeys.append(HostKeyFingerprint(path: h.path, type: p.type, sha256: p.fingerprint)) }
        }
        for a in facts.ssh.authorizedKeys {
            if let p = a.key { f.authorizedKeys.append(AuthorizedKeyFingerprint(path: a.path, line: a.line, type: p.type, sha256: p.fingerprint)) }
        }
        if let k = key {
            for a in facts.accounts.accounts {
                if case .hash(let h) = a.password {
                    f.passwordHashes.append(PasswordFingerprint(account: a.name, scheme: HashScheme.of(h).name,
                                                                hmac: FleetKey.hmacHex(k, Array(h.utf8))))
                }
            }
        }
        for p in facts.privateKeys {
            let h = key.map { FleetKey.hmacHex($0, p.digest) }
            f.privateKeys.append(PrivateKeyFingerprint(path: p.path, label: p.label, publicSHA256: p.publicKey?.fingerprint, hmac: h))
        }
        return f
    }

    /// A stable device id: HMAC-SHA256 under the fleet key of the serial number, else of the primary MAC address
    /// (eth0, else the first interface by name). Never the raw value; nil without a fleet key or an identifier.
    public static func deviceID(_ live: LiveFacts, key: [UInt8]?) -> String? {
        guard let k = key else { return nil }
        var material: String? = nil
        if let s = live.serial { material = "serial:" + s.value }
        else if let eth0 = live.interfaces.first(where: { $0.name == "eth0" }) { material = "mac:" + eth0.mac }
        else if let first = live.interfaces.sorted(by: { $0.name < $1.name }).first { material = "mac:" + first.mac }
        guard let m = material else { return nil }
        return FleetKey.fingerprint(k, Array(m.utf8))
    }

    /// A random RFC 4122 version-4 UUID.
    public static func newReportID() -> String {
        var b = HostFile.randomBytes(16)
        b[6] = (b[6] & 0x0f) | 0x40
        b[8] = (b[8] & 0x3f) | 0x80
        let h = Hex.encode(b)
        let u = Array(h.utf8)
        func part(_ a: Int, _ z: Int) -> String { String(decoding: u[a..<z], as: UTF8.self) }
        return part(0, 8) + "-" + part(8, 12) + "-" + part(12, 16) + "-" + part(16, 20) + "-" + part(20, 32)
    }
}
