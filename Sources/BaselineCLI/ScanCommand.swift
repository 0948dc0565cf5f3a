// `baseline scan`: devices over SSH (libssh) — banner, host keys, authentication methods; the opt-in, polite
// default-credential probe; a login with given credentials. Only the devices listed are scanned.
import ArgumentParser
import BaselineCore
import BaselineOutputs
import BaselineScan
import Foundation

struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Scan devices over SSH: banner, host keys, auth methods, and (opt-in) whether a default credential opens them.",
        discussion: """
        Only the devices listed are contacted (host, host:port, [IPv6]:port, or --inventory FILE); address ranges are \
        never expanded. Host keys are recorded, never trusted; --known-hosts verifies them against a file.

        --try-default-credentials tries the profile's default credentials and the lists it names, one device at a time \
        and one attempt at a time per device: at most --max-attempts (default 10) per device, --attempt-delay seconds \
        apart (default 1), each on a fresh connection, stopping at the first that works.

        Every device reached gets a baseline.report/1 (source kind ssh): the agent's audit where one ran, plus CRED-12 \
        (a default credential opens it) and CRED-13 (another scanned device serves the same host key). JSON output \
        (baseline.scan/1) holds them at devices[i].report, for the collector; --reports-dir writes each in any report \
        format. A device not reached has no report.

        Exit codes: 0 every device reached and no finding at or above --fail-on; 1 a device report has a finding at or \
        above --fail-on (new since --since, with it); 2 usage, profile or inventory error; 3 nothing gates, but a device \
        was not reached (refused, unreachable, timed out, not SSH, dropped…): that is not a pass. Each device gets a \
        status and the scan carries on.
        """)

    @Argument(help: "Devices: host, host:port or [IPv6]:port.")
    var targets: [String] = []

    @Option(help: "Inventory file: CSV with a header (address,port,user,password_file,password_env,key_file,profile,vendor,model) or JSON.")
    var inventory: String?

    @Option(name: .shortAndLong, help: "Profile whose default credentials (and credential lists) the probe tries.")
    var profile: String = "etsi-en-303-645"

    @Flag(name: .customLong("try-default-credentials"), help: "Try the profile's default credentials (polite: see the limits above).")
    var tryDefaults = false

    @Option(name: .customLong("max-attempts"), help: "Default-credential attempts per device (1-100).")
    var maxAttempts = 10

    @Option(name: .customLong("attempt-delay"), help: "Seconds between two attempts on one device.")
    var attemptDelay = 1.0

    @Option(help: "Devices scanned at once (1-256).")
    var concurrency = 8

    @Option(help: "Seconds allowed for each connection step (TCP connect, banner, key exchange, authentication).")
    var timeout = 10.0

    @Flag(name: .customLong("ssh-agent"), help: "Log in to the devices given on the command line with the SSH agent's keys ($SSH_AUTH_SOCK), as --user.")
    var sshAgent = false

    @Option(help: "User for devices whose inventory entry names none.")
    var user = "root"

    @Option(name: .customLong("known-hosts"), help: "Verify host keys against this known_hosts file (status per device).")
    var knownHosts: String?

    @Flag(name: .customLong("no-audit"), help: "With credentials, only log in; do not run the agent's audit on the device.")
    var noAudit = false

    @Flag(name: .customLong("host-side"), help: "Read the device's files over SSH and audit them here instead of running the agent there (automatic when no agent build fits).")
    var hostSide = false

    @Option(name: .customLong("agent-dir"), help: "Directory of static agents, <arch>/baseline-agent (default: out/agent, from `make agent`).")
    var agentDir: String?

    @Option(name: .customLong("fleet-key-file"), help: "File holding the fleet HMAC key: audited devices' reports carry their keyed device id (the collector's unit) and secret fingerprints; the agent gets a copy for its run only.")
    var fleetKeyFile: String?

    @Option(name: .customLong("date"), help: "The agent audits as of this day (YYYY-MM-DD).")
    var date: String?

    @Option(name: .shortAndLong, help: "Output format: text or json (baseline.scan/1 with each device's baseline.report/1, for the collector).")
    var format: String = "text"

    @Option(name: .customLong("fail-on"), help: "Exit 1 when a device report has a finding of at least this severity: info, low, medium, high, critical, or never.")
    var failOn: String = "low"

    @Option(name: .customLong("since"), help: "A previous scan's JSON (baseline.scan/1): exit 1 only for findings new since it, device by device (address:port).")
    var since: String?

    @Option(name: .customLong("reports-dir"), help: "Also write each reached device's report to DIR/<address>_<port>.<ext>, in --report-format.")
    var reportsDir: String?

    @Option(name: .customLong("report-format"), help: "Format of the files in --reports-dir: json, sarif, junit, html or text.")
    var reportFormat: OutputFormat = .json

    @OptionGroup var out: OutputFileOptions

    func run() throws {
        guard format == "text" || format == "json" else { throw die("--format: expected text or json, found '\(format)' (--reports-dir writes each device's report as sarif, junit, html…)", code: 2) }
        let threshold = try CommandSupport.threshold(failOn)
        let today = try CommandSupport.today(date)
        var previous: [String: PreviousReport]? = nil
        if let p = since {
            do { previous = try PreviousReport.loadScan(p) } catch let e as PreviousReport.LoadError { throw die(e.message, code: 2) }
        }
        guard (1...100).contains(maxAttempts) else { throw die("--max-attempts: expected 1-100, found \(maxAttempts)", code: 2) }
        guard (1...256).contains(concurrency) else { throw die("--concurrency: expected 1-256, found \(concurrency)", code: 2) }
        guard attemptDelay >= 0, attemptDelay <= 600 else { throw die("--attempt-delay: expected 0-600 seconds", code: 2) }
        guard timeout > 0, timeout <= 600 else { throw die("--timeout: expected 0-600 seconds", code: 2) }
        var list: [ScanTarget] = []
        do {
            for t in targets {
                var target = try ScanTargets.parse(t)
                if sshAgent { target.keyFile = "agent" }
                list.append(target)
            }
            if let inv = inventory { list += try ScanTargets.load(inv) }
        } catch { throw die(error.message, code: 2) }
        guard !list.isEmpty else { throw die("no devices: give host[:port] arguments or --inventory FILE", code: 2) }

        var options = ScanOptions()
        options.timeout = timeout
        options.defaultUser = user
        options.tryDefaultCredentials = tryDefaults
        options.maxAttempts = maxAttempts
        options.attemptDelay = attemptDelay
        options.knownHosts = knownHosts
        if tryDefaults { options.candidates = try candidates(profile) }
        // Every device's profile (its inventory entry's, else --profile): the scan's checks are judged against it.
        var profiles: [String: Profile] = [:]
        for t in list where profiles[t.profile ?? profile] == nil {
            let id = t.profile ?? profile
            profiles[id] = try ProfileLocator.load(id, context: t.profile != nil ? t.source + ": " : "")
        }
        if !noAudit {
            let agents = agentDir ?? ScanCommand.defaultAgentDir()
            let fallback = profile, day = date, host = hostSide
            var key: [UInt8]? = nil
            if let kf = fleetKeyFile {
                do { key = try FleetKey.load(kf) } catch { throw die(error.text, code: 2) }
            }
            var located: [String: String] = [:]
            for t in list where t.hasCredentials {
                let id = t.profile ?? fallback
                guard let path = ProfileLocator.locate(id) else { throw die("\(t.source): " + ProfileLocator.notFound(id), code: 2) }
                located[id] = path
            }
            options.agent = { t in
                guard let path = located[t.profile ?? fallback] else { return nil }
                var s = AgentSetup(agentDir: agents, profilesRoot: ScanCommand.profilesRoot(path), profile: path)
                s.date = day
                s.hostSide = host
                s.fleetKey = key
                return s
            }
        }

        let tty = isatty(2) == 1
        let results = Scanner.run(list, options, concurrency: concurrency) { done, total, r in
            let line = "\(done)/\(total) \(r.target.label) \(r.status.rawValue)" + (r.defaultCredential != nil ? " (default credential works)" : "")
            if tty {   // one updating bar on a terminal
                let width = 24, filled = done * width / max(total, 1)
                let bar = "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] "
                FileHandle.standardError.write(Data(("\r\u{1B}[K" + bar + line).utf8))
            } else {   // plain lines in logs and pipes
                FileHandle.standardError.write(Data(("scan: " + line + "\n").utf8))
            }
        }
        if tty { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        let context = ScanContext(results, defaultCredentialsTried: tryDefaults)
        let now = Int64(Date().timeIntervalSince1970)
        var gating: [String] = []
        let devices: [(result: DeviceResult, report: Report?)] = results.map { r in
            var report = ScanDeviceReport.build(r, context: context, profile: profiles[r.target.profile ?? profile]!, today: today, generatedAt: now)
            if var rep = report {
                var failing = rep.findingsAtOrAbove(threshold)
                if let prev = previous?[r.target.label] {
                    failing = failing.filter { prev.isNew($0) }
                    rep.since = (prev.path, rep.findings.filter { $0.status.isFinding && prev.isNew($0) }.map { $0.id })
                    for w in prev.mismatches(rep) { warn("--since \(prev.path): \(r.target.label): \(w); compared anyway") }
                } else if let p = since {
                    rep.since = (p, rep.findings.filter { $0.status.isFinding }.map { $0.id })   // not in the previous scan: all new
                }
                if !failing.isEmpty { gating.append(r.target.label) }
                report = rep
            }
            return (r, report)
        }
        let scan = ScanResult(devices: devices, failOn: threshold)
        if let dir = reportsDir { try writeReports(scan, to: dir, threshold: threshold) }
        let text = format == "json" ? ScanReportWriter.json(scan, generatedAt: now) : ScanReportWriter.text(scan)
        try emit(text, to: out.output, what: "scan result")
        let s = ScanSummary(results)
        if !gating.isEmpty { throw ExitCode(1) }
        if !s.notReached.isEmpty {
            throw die("\(s.notReached.count) of \(results.count) device(s) not reached (" + s.byStatus.filter { $0.0 != "ok" && $0.0 != "auth-failed" }.map { "\($0.1) \($0.0)" }.joined(separator: ", ") + "): not a pass", code: 3)
        }
    }

    /// --reports-dir: each reached device's report, rendered as `baseline audit` renders one.
    func writeReports(_ scan: ScanResult, to dir: String, threshold: Severity?) throws {
        do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
            throw die("--reports-dir \(dir): cannot create the directory: \(error.localizedDescription)", code: 2)
        }
        let ext = reportFormat == .junit ? "xml" : reportFormat == .text ? "txt" : reportFormat.rawValue
        for (r, report) in scan.devices {
            guard let rep = report else { continue }
            let name = r.target.label.replacingOccurrences(of: "[", with: "").replacingOccurrences(of: "]:", with: "_")
                .replacingOccurrences(of: ":", with: "_").replacingOccurrences(of: "/", with: "_")
            let file = dir + "/" + name + "." + ext
            let text = CommandSupport.render(rep, format: reportFormat, threshold: threshold, rootURI: ScanChecks.location(r.target) + "/",
                                             previous: nil, output: file, noColor: true, verbose: false)
            try emit(text, to: file, what: "report")
        }
    }

    static func defaultAgentDir() -> String {
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for d in [FileManager.default.currentDirectoryPath + "/out/agent", exe.appendingPathComponent("../../../out/agent").standardized.path,
                  exe.appendingPathComponent("../../out/agent").standardized.path, exe.appendingPathComponent("../share/baseline/agent").standardized.path]
        where FileManager.default.fileExists(atPath: d) { return d }
        return "out/agent"
    }

    /// The Profiles tree a profile file lives in (the directory holding baselines/), copied whole to the device.
    static func profilesRoot(_ profile: String) -> String {
        var dir = URL(fileURLWithPath: profile).standardizedFileURL.deletingLastPathComponent()
        for _ in 0..<3 {
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent("baselines").path) { return dir.path }
            dir = dir.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: profile).standardizedFileURL.deletingLastPathComponent().path
    }

    /// The profile's own default credentials first, then each list it names; duplicates dropped.
    func candidates(_ id: String) throws -> [DefaultCredential] {
        guard let path = ProfileLocator.locate(id) else { throw die(ProfileLocator.notFound(id), code: 2) }
        var out: [DefaultCredential] = []
        var seen: Set<String> = []
        do {
            let p = try ProfileLoader.load(path, searchDirs: ProfileLocator.searchDirs())
            var all = p.defaultCredentials
            for l in p.credentialLists { all += try CredentialList.load(l) }
            for c in all where seen.insert(c.user + "\u{0}" + c.password).inserted { out.append(c) }
        } catch { throw die(error.text, code: 2) }
        return out
    }
}
