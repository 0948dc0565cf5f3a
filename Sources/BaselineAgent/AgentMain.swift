// baseline-agent: audits the live system it runs on (or --root DIR) and writes a report.
// Embedded-safe like BaselineCore: the Makefile builds it as a fully static binary for aarch64, armv7 and x86_64.
import BaselineCore
import CBaselineSys

let agentUsage = """
usage: baseline-agent [--root DIR] [--profile FILE|ID] [--format json|text] [--output FILE]
                      [--fleet-key-file FILE] [--fail-on SEVERITY] [--date YYYY-MM-DD] [--version] [--help]
                      [--config FILE] [--push URL --token-file FILE [--ca-file PEM | --pin sha256:HEX]
                       [--spool DIR] [--spool-max N] [--push-timeout SECONDS] [--insecure-http]]

Audits this device (or the root filesystem DIR) against a vendor-health profile and writes a report.

  --root DIR             root to audit (default /)
  --profile FILE|ID      profile JSON, or a profile id (default /etc/baseline/profile.json)
  --format json|text     report format (default json)
  --output FILE          write the report to FILE atomically (default: standard output)
  --fleet-key-file FILE  HMAC key for fingerprints and the device id; without it no password
                         fingerprint and no device id is emitted
  --fail-on SEVERITY     info, low, medium, high, critical or never (default low)
  --date YYYY-MM-DD      audit as of this day (default: today, from the clock)
  --config FILE          settings as `key = value` lines (default /etc/baseline/agent.conf if present);
                         keys: push, token-file, ca-file, pin, spool, spool-max, push-timeout,
                         insecure-http, profile, fleet-key-file, fail-on; the command line wins
  --push URL             send the JSON report to the collector (https://HOST[:PORT][/PATH], path
                         default /v1/reports): spooled first, then every spooled report, oldest first
  --token-file FILE      the collector's bearer token
  --ca-file PEM          trust the CA certificate(s) in PEM (chain, host name, dates by this clock)
  --pin sha256:HEX       trust only this server key: SHA-256 of its SubjectPublicKeyInfo (DER)
  --spool DIR            undelivered reports (default /var/lib/baseline/spool)
  --spool-max N          keep at most N reports; the oldest are dropped and counted (default 64)
  --push-timeout SECONDS time for all sends and retries of this run (default 30)
  --insecure-http        allow http:// (reports in clear text)
  --version, --help

Exit codes: 0 no finding at or above --fail-on; 1 findings; 2 usage, config or profile error;
3 input unreadable; 4 report spooled, not delivered (it goes with the next run).

"""

struct AgentOptions {
    var root = "/"
    var profile = "/etc/baseline/profile.json"
    var json = true
    var output: String?
    var keyFile: String?
    var failOn: Severity? = .low
    var date: CivilDate?
    var push = PushOptions()
}

enum AgentExit: Error {
    case done(Int32)
}

func fail(_ message: String, _ code: Int32) -> AgentExit {
    HostFile.writeStderr("baseline-agent: " + message + "\n")
    return .done(code)
}

func parseArguments() throws(AgentExit) -> AgentOptions {
    var o = AgentOptions()
    var args: [String] = []
    let n = Int(bl_arg_count())
    if n > 1 { for i in 1..<n { if let p = bl_arg(Int32(i)) { args.append(String(cString: p)) } } }
    // The config file first (named by --config, or the default one if present); the command line then wins.
    var configPath: String? = nil
    for (k, a) in args.enumerated() {
        if a == "--config", k + 1 < args.count { configPath = args[k + 1] }
        if a.hasPrefix("--config=") { configPath = String(decoding: Array(a.utf8).dropFirst(9), as: UTF8.self) }
    }
    if let entries = try AgentConfig.load(configPath ?? defaultConfigFile, explicit: configPath != nil) {
        for e in entries {
            if let why = apply(&o, e.key, e.value) { throw fail("\(e.place): \(e.key): \(why)", 2) }
        }
    }
    var i = 0
    func value(_ flag: String) throws(AgentExit) -> String {
        i += 1
        guard i < args.count else { throw fail("\(flag): missing value", 2) }
        return args[i]
    }
    while i < args.count {
        var a = args[i]
        var inline: String? = nil
        if a.hasPrefix("--"), let eq = Array(a.utf8).firstIndex(of: 61) {
            let u = Array(a.utf8)
            inline = String(decoding: u[(eq + 1)...], as: UTF8.self)
            a = String(decoding: u[0..<eq], as: UTF8.self)
        }
        func v() throws(AgentExit) -> String { if let x = inline { return x }; return try value(a) }
        switch a {
        case "--help", "-h": HostFile.writeStdout(agentUsage); throw AgentExit.done(0)
        case "--version": HostFile.writeStdout("baseline-agent " + baselineVersion + "\n"); throw AgentExit.done(0)
        case "--root": o.root = try v()
        case "--profile", "-p": o.profile = try v()
        case "--format", "-f":
            let f = try v()
            if f == "json" { o.json = true } else if f == "text" { o.json = false } else { throw fail("--format: expected json or text, found '\(f)'", 2) }
        case "--output", "-o": o.output = try v()
        case "--config": _ = try v()   // read above
        case "--insecure-http": o.push.insecureHTTP = true
        case "--fleet-key-file", "--fail-on", "--push", "--token-file", "--ca-file", "--pin", "--spool", "--spool-max", "--push-timeout":
            let key = String(decoding: Array(a.utf8).dropFirst(2), as: UTF8.self)
            if let why = apply(&o, key, try v()) { throw fail("\(a): \(why)", 2) }
        case "--date":
            let s = try v()
            guard let d = CivilDate.parse(s) else { throw fail("--date: expected YYYY-MM-DD, found '\(s)'", 2) }
            o.date = d
        default:
            throw fail("unknown argument '\(a)' (see --help)", 2)
        }
        i += 1
    }
    return o
}

/// One setting from the command line or the config file; nil, or what was expected.
func apply(_ o: inout AgentOptions, _ key: String, _ value: String) -> String? {
    switch key {
    case "profile": o.profile = value
    case "fleet-key-file": o.keyFile = value
    case "fail-on":
        if value == "never" || value == "none" { o.failOn = nil } else {
            guard let sev = Severity.parse(value) else { return "expected info, low, medium, high, critical or never, found '\(value)'" }
            o.failOn = sev
        }
    case "push": o.push.url = value
    case "token-file": o.push.tokenFile = value
    case "ca-file": o.push.caFile = value
    case "pin":
        guard let p = PushSetting.pin(value) else { return "expected sha256: and 64 hex digits, found '\(value)'" }
        o.push.pin = p
    case "spool": o.push.spool = value
    case "spool-max":
        guard let n = PushSetting.wholeNumber(value, 1, 100_000) else { return "expected a whole number from 1 to 100000, found '\(value)'" }
        o.push.spoolMax = n
    case "push-timeout":
        guard let n = PushSetting.wholeNumber(value, 1, 86_400) else { return "expected seconds from 1 to 86400, found '\(value)'" }
        o.push.timeoutSeconds = n
    case "insecure-http":
        guard let b = PushSetting.flag(value) else { return "expected true or false, found '\(value)'" }
        o.push.insecureHTTP = b
    default: return "unknown setting"
    }
    return nil
}

func runAgent() throws(AgentExit) -> Int32 {
    let o = try parseArguments()
    var plan: PushPlan? = nil
    if let url = o.push.url {
        if !o.json { throw fail("--push sends the JSON report: drop --format text", 2) }
        #if BASELINE_C_MAIN
        plan = try PushPlan.make(o.push, url: url)
        #else
        throw fail("--push needs the static agent (make agent): this build has no TLS client", 2)
        #endif
    }
    // --profile takes a file or an id: an id is looked up in $BASELINE_PROFILES, /etc/baseline/profiles and
    // /usr/share/baseline/Profiles (where `make install` puts them), as is an id in `extends`.
    var dirs: [String] = []
    if let env = HostFile.environment("BASELINE_PROFILES") { dirs.append(env) }
    dirs += ["/etc/baseline/profiles", "/usr/share/baseline/Profiles", "/usr/local/share/baseline/Profiles"]
    var profilePath = o.profile
    if HostFile.unreadableReason(profilePath) != nil, !Text.contains(profilePath, "/"), !profilePath.hasSuffix(".json") {
        guard let found = ProfileLoader.locate(id: profilePath, in: dirs) else {
            throw fail("--profile '\(profilePath)': no such file, and no profile with that id in \(Text.joinWith(dirs, ", ")) (BASELINE_PROFILES adds a directory)", 2)
        }
        profilePath = found
    }
    let profile: Profile
    do throws(ProfileError) { profile = try ProfileLoader.load(profilePath, searchDirs: dirs) } catch { throw fail(error.text, 2) }
    var key: [UInt8]? = nil
    if let kf = o.keyFile {
        do throws(ProfileError) { key = try FleetKey.load(kf) } catch { throw fail(error.text, 2) }
    }
    let fs: RootView
    do throws(RootError) { fs = try RootView(root: o.root) } catch { throw fail(error.message, 3) }
    let now = HostFile.now()
    let options = AuditOptions(today: o.date ?? CivilDate.fromEpochSeconds(now), generatedAt: now, fleetKey: key,
                               sourceKind: o.root == "/" ? "live" : "rootfs", sourcePath: o.root)
    var report: Report
    do throws(ProfileError) { report = try Auditor.run(fs: fs, profile: profile, options: options) } catch { throw fail(error.text, 2) }
    report.tool = "baseline-agent"
    // --root DIR is an offline root: its tree identifies it, so auditing it again is the same fleet unit
    if o.root != "/" { report.subject.imageID = RootIdentity.digest(fs) }
    let code: Int32 = report.findingsAtOrAbove(o.failOn).isEmpty ? 0 : 1
    #if BASELINE_C_MAIN
    if let plan { return try push(plan, &report, o, code) }
    #endif
    let text = o.json ? ReportJSON.encode(report, failOn: o.failOn) : TextSummary.render(report, failOn: o.failOn, color: false)
    if let out = o.output {
        if let err = HostFile.writeAtomically(out, text) { throw fail("\(out): cannot write report: \(err)", 3) }
    } else {
        HostFile.writeStdout(text)
    }
    return code
}

#if BASELINE_C_MAIN
/// Spools the report (carrying how many reports the spool dropped since the last one), then delivers the spool.
func push(_ plan: PushPlan, _ report: inout Report, _ o: AgentOptions, _ code: Int32) throws(AgentExit) -> Int32 {
    let spool = Spool(dir: o.push.spool)
    if let err = spool.create() { throw fail(err, 3) }
    let lock = spool.path(".lock").withCString { bl_lock_file($0) }
    let dropped = lock >= 0 ? spool.dropped : 0
    report.sections.append(("delivery", .obj([("spool_dropped", .num(dropped))])))
    let text = ReportJSON.encode(report, failOn: o.failOn)
    if let out = o.output, let err = HostFile.writeAtomically(out, text) { throw fail("\(out): cannot write report: \(err)", 3) }
    if lock >= 0 { spool.removeTemporaries() }
    if let err = spool.add(text, reportID: report.reportID) { throw fail(err, 3) }
    guard lock >= 0 else {
        HostFile.writeStderr("baseline-agent: report spooled, not delivered: another baseline-agent is sending \(spool.dir)\n")
        return exitNotDelivered
    }
    let newlyDropped = spool.bound(o.push.spoolMax)
    if newlyDropped > 0 || dropped > 0 { spool.setDropped(newlyDropped) }   // the count now travels in this report
    if newlyDropped > 0 {
        HostFile.writeStderr("baseline-agent: spool over \(o.push.spoolMax) reports: dropped the \(newlyDropped) oldest\n")
    }
    if let line = Delivery.run(plan, spool) {
        HostFile.writeStderr("baseline-agent: " + line + "\n")
        return exitNotDelivered
    }
    return code
}
#endif

func agentExitCode() -> Int32 {
    var code: Int32 = 0
    do throws(AgentExit) { code = try runAgent() } catch {
        switch error { case .done(let c): code = c }
    }
    return code
}

#if BASELINE_C_MAIN
// Static builds: C's main (Sources/CBaselineSys/static/agent_main.c) records argv and calls this.
@_cdecl("baseline_agent_main")
func baselineAgentMain() -> Int32 {
    let code = agentExitCode()
    bl_exit(code)
    return code
}
#else
@main
struct BaselineAgent {
    static func main() { bl_exit(agentExitCode()) }
}
#endif
