// `baseline audit ROOTFS`: offline audit of an extracted firmware root filesystem.
import ArgumentParser
import BaselineCore
import BaselineImages
import BaselineOutputs
import Foundation

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, sarif, junit, html
}

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Audit a firmware root filesystem against a vendor-health profile.")

    @Argument(help: "Root filesystem to audit: a directory, or a firmware image (SquashFS, ext2/3/4, tar, cpio or zip, optionally compressed; SWUpdate, RAUC or Mender bundle).")
    var root: String

    @OptionGroup var opts: ReportOptions

    @Option(name: .customLong("fleet-key-file"), help: "File holding the fleet HMAC key; without it no password or private-key fingerprint is emitted.")
    var fleetKeyFile: String?

    @Option(name: .customLong("since"), help: "A previous release's JSON report: exit 1 only for findings that are new since it.")
    var since: String?

    @OptionGroup var limits: ImageLimitOptions

    @Option(name: .customLong("baseline-file"), help: "Accepted findings (JSON: {\"accepted\": [{id, path?, owner, expires, reason}]}): they do not gate until they expire.")
    var baselineFile: String?

    @Option(name: .customLong("password-budget"), help: "Wall-time budget of the default-password test, in seconds (0: none). When it runs out, CRED-02 says how much was tested.")
    var passwordBudget: Double = 300

    @Option(name: .customLong("keyring"), help: "Update bundles: PEM CA certificate(s) (RAUC, SWUpdate CMS) or public key (Mender, SWUpdate RSA) to verify the bundle signature against; default: the keyring the image's own update client uses.")
    var keyring: String?

    func run() throws {
        let (threshold, areaThresholds) = try ReleaseGate.parseFailOn(opts.failOn)
        let today = try CommandSupport.today(opts.date)
        let gate = ReleaseGate(threshold: threshold, areas: areaThresholds,
                               accepted: try baselineFile.map { try ReleaseGate.loadAccepted($0) } ?? [], today: today)
        let loaded = try CommandSupport.profile(opts.profile)

        var key: [UInt8]? = nil
        if let kf = fleetKeyFile {
            do { key = try FleetKey.load(kf) } catch { throw die(error.text, code: 2) }
        }

        let opened = try openRoot(root, maxImageBytes: limits.maxImageBytes, keyring: keyring)

        guard passwordBudget >= 0, passwordBudget.isFinite else { throw die("--password-budget \(passwordBudget): expected seconds, 0 or more", code: 2) }
        var options = AuditOptions(today: today, generatedAt: Int64(Date().timeIntervalSince1970), fleetKey: key,
                                   sourceKind: opened.kind, sourcePath: root)
        options.passwordBudgetMs = Int64(passwordBudget * 1000)
        var previous: PreviousReport? = nil
        if let p = since {
            do { previous = try PreviousReport.load(p) } catch let e as PreviousReport.LoadError { throw die(e.message, code: 2) }
        }
        var report: Report
        let extra = opened.fs.bundleSignature != nil ? BundleChecks.all : []
        do { report = try Auditor.run(fs: opened.fs, profile: loaded, options: options, extra: extra) } catch { throw die(error.text, code: 2) }
        report.sourceFormat = opened.format
        report.sourceContainer = opened.container
        report.incomplete = opened.incomplete
        report.subject.imageID = RootIdentity.digest(opened.fs)   // after the report: its problems are the audit's
        report.accepted = report.findings.filter { $0.status.isFinding }.compactMap { f in gate.acceptance(f).map { (f.id, $0.justification) } }
        var gating = gate.gating(report)
        if let prev = previous {
            gating = gating.filter { prev.isNew($0) }
            report.since = (prev.path, report.findings.filter { $0.status.isFinding && prev.isNew($0) }.map { $0.id })
            for w in prev.mismatches(report) { warn("--since \(prev.path): \(w); compared anyway") }
        }
        if let bf = baselineFile { for w in gate.expiredWarnings(report, file: bf) { FileHandle.standardError.write(Data((w + "\n").utf8)) } }

        let rootURI = URL(fileURLWithPath: root, isDirectory: true).standardizedFileURL.absoluteString
        var text = CommandSupport.render(report, format: opts.format, threshold: threshold, rootURI: rootURI, previous: previous,
                                         output: opts.output, noColor: opts.noColor, verbose: opts.verbose,
                                         image: opened.kind == "rootfs" ? nil : root, accepted: { gate.acceptance($0)?.justification },
                                         sbom: opts.format == .html ? HTMLRenderer.sbomSummary(DeviceFacts.gather(opened.fs)) : nil)
        if opts.format == .text {
            let acc = report.findings.filter { $0.status.isFinding }.compactMap { f in gate.acceptance(f).map { (f, $0) } }
            if !acc.isEmpty {
                text += "Accepted (\(baselineFile ?? "")): " + acc.map { "\($0.0.id) — \($0.1.justification)" }.joined(separator: "; ") + "\n"
            }
        }
        if opts.format == .text, let prev = previous {
            let fresh = report.findings.filter { $0.status.isFinding && prev.isNew($0) }
            text += "Since \(prev.path): \(fresh.count) new finding(s)" + (fresh.isEmpty ? "" : ": " + fresh.map { $0.id }.joined(separator: " "))
            text += "; \(gating.count) new at or above --fail-on \(threshold?.name ?? "never")\n"
        }
        try emit(text, to: opts.output, what: "report")
        if !gating.isEmpty { throw ExitCode(1) }
        // nothing gates, but the image held no recognisable root: that is not a pass (the report says incomplete)
        if let why = opened.notARoot { throw die(why, code: 3) }
    }
}

/// A root view over a directory or a firmware image (SquashFS, ext, tar, cpio, bundles), and what the report says of
/// its source.
struct OpenedRoot {
    let fs: RootView
    let kind: String                    // rootfs, image, swupdate-bundle, …
    var format: String? = nil           // how the root was reached inside an image ("SWUpdate bundle (signed…) › rootfs.ext4 › ext2/3/4")
    var incomplete: [String] = []       // why the root is only part of what the image holds (damaged files, a truncated file system)
    var container: Report.Container? = nil   // a firmware file: the part of it that holds the root, and where
    /// An image whose root lacks /etc, programs and an init (a directory like that is refused outright): why.
    var notARoot: String? = nil
}

func openRoot(_ root: String, maxImageBytes: Int64, keyring: String? = nil) throws -> OpenedRoot {
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: root, isDirectory: &isDir) else {
        throw die("\(root): no such file or directory", code: 3)
    }
    if isDir.boolValue {
        if let k = keyring { throw die("--keyring \(k): \(root) is not an update bundle (RAUC, SWUpdate or Mender)", code: 2) }
        let fs: RootView
        do { fs = try RootView(root: root) } catch { throw die(error.message, code: 3) }
        if let missing = RootShape.missing(fs) { throw die("\(root) does not look like a root filesystem: \(missing)", code: 3) }
        return OpenedRoot(fs: fs, kind: "rootfs")
    }
    let image: LoadedImage
    do throws(ImageError) {
        var limits = ArchiveImage.Limits()
        limits.maxExpandedBytes = maxImageBytes
        image = try ImageLoader.load(root, limits: limits)
    } catch { throw die(error.message, code: 3) }
    let fs = RootView(image: image.tree, label: root)
    fs.record(image.problems)
    if let k = image.kernelRelease, let src = image.kernelSource { fs.headerKernel = (k, src) }
    if let m = image.bundle {
        do throws(ImageError) {
            fs.bundleSignature = BundleVerifier.verify(m, file: root, keyring: try BundleVerifier.keyring(for: m, given: keyring, root: fs))
        } catch { throw die(error.message, code: 2) }
    } else if let k = keyring {
        throw die("--keyring \(k): \(root) is not an update bundle (RAUC, SWUpdate or Mender)", code: 2)
    }
    var opened = OpenedRoot(fs: fs, kind: image.kind, format: image.chain.joined(separator: " › "), incomplete: image.incomplete,
                            container: image.rootContainer.map { Report.Container(format: $0.format, offset: $0.offset) })
    if let missing = RootShape.missing(fs) {
        opened.notARoot = "the root found in \(root) does not look like a root filesystem: \(missing); checks that found nothing there prove nothing"
        opened.incomplete.append(opened.notARoot!)
    }
    return opened
}

/// `baseline fingerprint IMAGE`: the fingerprints of every secret baked into a factory image, as a profile that a
/// vendor profile extends, so agents in the field can tell a unit still running with factory secrets.
struct FingerprintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fingerprint",
        abstract: "Write the factory fingerprints of an image (host keys, authorized keys, keyed password hashes and private keys) as a profile.")

    @Argument(help: "Firmware image or root filesystem directory.")
    var image: String

    @Option(name: .customLong("fleet-key-file"), help: "The fleet HMAC key (the agents' --fleet-key-file). Required: secrets are only ever fingerprinted keyed.")
    var fleetKeyFile: String

    @Option(help: "Profile id to write (default: factory-<image name>).")
    var id: String?

    @OptionGroup var out: OutputFileOptions
    @OptionGroup var limits: ImageLimitOptions

    func run() throws {
        let key: [UInt8]
        do { key = try FleetKey.load(fleetKeyFile) } catch { throw die(error.text, code: 2) }
        let opened = try openRoot(image, maxImageBytes: limits.maxImageBytes)
        if let why = opened.notARoot { warn(why) }
        let facts = DeviceFacts.gather(opened.fs)
        func hmac(_ m: [UInt8]) -> String { FleetKey.fingerprint(key, m) }
        var prints: [(String, String)] = []
        for h in facts.ssh.hostKeys { if let p = h.publicKey { prints.append((p.fingerprint, "host key " + h.path)) } }
        for a in facts.ssh.authorizedKeys { if let p = a.key { prints.append((p.fingerprint, "authorized key \(a.path):\(a.line)")) } }
        for a in facts.accounts.accounts { if case .hash(let h) = a.password { prints.append((hmac(Array(h.utf8)), "password hash of \(a.name)")) } }
        let hostPaths = facts.ssh.hostKeys.map { $0.path }
        for k in facts.privateKeys where !hostPaths.contains(k.path) { prints.append((hmac(k.digest), "private key \(k.path):\(k.line)")) }
        var seen: Set<String> = []
        prints = prints.filter { seen.insert($0.0).inserted }
        let name = URL(fileURLWithPath: image).lastPathComponent
        let notes = ["Written by baseline fingerprint \(baselineVersion) on \(CivilDate.fromEpochSeconds(Int64(Date().timeIntervalSince1970)).iso).",
                     "Fleet key id \(FleetKey.id(key))."] + prints.map { $0.0 + "  " + $0.1 }
        let doc: JSONNode = .obj([
            ("schema", .str(ProfileLoader.schemaID)),
            ("id", .str(id ?? "factory-" + name)),
            ("title", .str("Factory fingerprints of \(name)")),
            ("notes", .arr(notes.map { .str($0) })),
            ("factory_fingerprints", .arr(prints.map { .str($0.0) })),
        ])
        try emit(JSONWriter.write(doc, sortKeys: true), to: out.output, what: "profile")
    }
}

struct ChecksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "checks", abstract: "List the check catalogue.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }
    @Option(help: "text (one line a check) or json (id, area, title, severity, rule, remediation).")
    var format: Format = .text

    func run() throws {
        switch format {
        case .text:
            for d in CheckCatalog.all {
                print("\(d.id.padding(toLength: 8, withPad: " ", startingAt: 0)) \(d.area.name.padding(toLength: 12, withPad: " ", startingAt: 0)) \(d.severity.name.padding(toLength: 9, withPad: " ", startingAt: 0)) \(d.title)")
            }
        case .json:
            let list: [JSONNode] = CheckCatalog.all.map {
                .obj([("id", .str($0.id)), ("area", .str($0.area.name)), ("title", .str($0.title)), ("severity", .str($0.severity.name)),
                      ("rule", .str($0.rule)), ("remediation", .str($0.remediation))])
            }
            print(JSONWriter.write(.obj([("checks", .arr(list))]), sortKeys: true), terminator: "")
        }
    }
}

struct ProfilesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profiles",
        abstract: "List the bundled and installed profiles (id, title, what each extends, file).",
        discussion: "Profiles are looked up in $BASELINE_PROFILES, ./Profiles, the repository next to the binary and <prefix>/share/baseline/Profiles; the first profile of an id wins.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }
    @Option(help: "text or json.")
    var format: Format = .text

    func run() throws {
        let all = ProfileLocator.all()
        switch format {
        case .text:
            let w = max(4, all.map { $0.id.count }.max() ?? 0)
            print("ID".padding(toLength: w, withPad: " ", startingAt: 0) + "  TITLE / EXTENDS / FILE")
            for e in all {
                print(e.id.padding(toLength: w, withPad: " ", startingAt: 0) + "  " + e.title)
                if !e.extends.isEmpty { print(String(repeating: " ", count: w) + "  extends " + e.extends.joined(separator: ", ")) }
                print(String(repeating: " ", count: w) + "  " + e.file)
            }
            if all.isEmpty {
                throw die("no profiles in " + ProfileLocator.searchDirs().joined(separator: ", ") + " (set BASELINE_PROFILES to a directory of profiles)", code: 2)
            }
        case .json:
            let list: [JSONNode] = all.map {
                .obj([("id", .str($0.id)), ("title", .str($0.title)), ("extends", .arr($0.extends.map { .str($0) })), ("file", .str($0.file))])
            }
            let doc: JSONNode = .obj([("profiles", .arr(list)), ("search_path", .arr(ProfileLocator.searchDirs().map { .str($0) }))])
            print(JSONWriter.write(doc, sortKeys: true), terminator: "")
        }
    }
}

struct ProfileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "profile", abstract: "Validate a profile and show it after inheritance.")

    @Argument(help: "Profile file or id.")
    var profile: String

    func run() throws {
        let p = try ProfileLocator.load(profile)
        do {
            for l in p.credentialLists { _ = try CredentialList.load(l) }
            if let e = p.eolData { _ = try EOLData.load(e) }
        } catch { throw die(error.text, code: 2) }
        print("profile \(p.id): \(p.title)")
        print("  chain:    \(p.chain.joined(separator: " → "))")
        print("  digest:   \(p.digest)")
        print("  vendor:   \(p.vendor ?? "-")  models: \(p.models.joined(separator: ", "))")
        print("  support:  end \(p.supportEnd?.iso ?? "-")  url \(p.supportURL ?? "-")")
        print("  disclose: \(p.disclosureContact ?? "-")")
        print("  update:   required \(p.updateRequired)  mechanisms \(p.updateMechanisms.joined(separator: ", "))  endpoints \(p.updateEndpoints.joined(separator: ", "))")
        print("  lists:    \(p.credentialLists.joined(separator: ", "))  defaults: \(p.defaultCredentials.count)")
        print("  checks:   \(p.checkOrder.filter { p.checks[$0]!.enabled }.joined(separator: " "))")
    }
}
