// baseline-agent: audits the live system it runs on (or --root DIR) and writes a report.
// Embedded-safe like BaselineCore: the Makefile builds it as a fully static binary for aarch64, armv7 and x86_64.
import BaselineCore
import CBaselineSys

let agentUsage = """
usage: baseline-agent [--root DIR] [--profile FILE] [--format json|text] [--output FILE]
                      [--fleet-key-file FILE] [--fail-on SEVERITY] [--date YYYY-MM-DD] [--version] [--help]

Audits this device (or the root filesystem DIR) against a vendor-health profile and writes a report.

  --root DIR             root to audit (default /)
  --profile FILE         profile JSON (default /etc/baseline/profile.json)
  --format json|text     report format (default json)
  --output FILE          write the report to FILE atomically (default: standard output)
  --fleet-key-file FILE  HMAC key for fingerprints and the device id; without it no password
                         fingerprint and no device id is emitted
  --fail-on SEVERITY     info, low, medium, high, critical or never (default low)
  --date YYYY-MM-DD      audit as of this day (default: today, from the clock)
  --version, --help

Exit codes: 0 no finding at or above --fail-on; 1 findings; 2 usage or profile error; 3 input unreadable.

"""

struct AgentOptions {
    var root = "/"
    var profile = "/etc/baseline/profile.json"
    var json = true
    var output: String?
    var keyFile: String?
    var failOn: Severity? = .low
    var date: CivilDate?
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
        case "--fleet-key-file": o.keyFile = try v()
        case "--fail-on":
            let s = try v()
            if s == "never" || s == "none" { o.failOn = nil } else {
                guard let sev = Severity.parse(s) else { throw fail("--fail-on: expected info, low, medium, high, critical or never, found '\(s)'", 2) }
                o.failOn = sev
            }
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

func runAgent() throws(AgentExit) -> Int32 {
    let o = try parseArguments()
    let profile: Profile
    do throws(ProfileError) { profile = try ProfileLoader.load(o.profile) } catch { throw fail(error.text, 2) }
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
    let text = o.json ? ReportJSON.encode(report, failOn: o.failOn) : TextSummary.render(report, failOn: o.failOn, color: false)
    if let out = o.output {
        if let err = HostFile.writeAtomically(out, text) { throw fail("\(out): cannot write report: \(err)", 3) }
    } else {
        HostFile.writeStdout(text)
    }
    return report.findingsAtOrAbove(o.failOn).isEmpty ? 0 : 1
}

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
