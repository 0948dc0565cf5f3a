// `baseline-agent --push`: the agent's config file, the spool and the delivery policy (which reports go, in which
// order, how often to retry, what to keep). One request is sent by C (Sources/CBaselineSys/static/agent_push.c,
// BearSSL), linked only into the static agent; the SwiftPM build of the agent refuses --push.
import BaselineCore
import CBaselineSys

/// Exit code of a run whose report (or an older one) is spooled but not delivered.
let exitNotDelivered: Int32 = 4

struct PushOptions {
    var url: String?
    var tokenFile: String?
    var caFile: String?
    var pin: String?            // 64 lowercase hex digits
    var spool = "/var/lib/baseline/spool"
    var insecureHTTP = false
    var timeoutSeconds = 30
    var spoolMax = 64
}

/// The keys of the config file (`key = value`, `#` comments); the command line wins over the file.
let configKeys = ["push", "token-file", "ca-file", "pin", "spool", "spool-max", "push-timeout", "insecure-http",
                  "profile", "fleet-key-file", "fail-on"]
let defaultConfigFile = "/etc/baseline/agent.conf"

enum PushSetting {
    /// `sha256:HEX` (64 hex digits, any case) → the lowercase hex, or nil.
    static func pin(_ s: String) -> String? {
        guard s.hasPrefix("sha256:") else { return nil }
        let hex = Array(s.utf8.dropFirst(7))
        guard hex.count == 64 else { return nil }
        var out: [UInt8] = []
        for c in hex {
            switch c {
            case 48...57, 97...102: out.append(c)
            case 65...70: out.append(c + 32)
            default: return nil
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func wholeNumber(_ s: String, _ lo: Int, _ hi: Int) -> Int? {
        guard !s.isEmpty, s.utf8.count <= 9, s.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let n = Int(s), n >= lo, n <= hi else { return nil }
        return n
    }

    static func flag(_ s: String) -> Bool? {
        switch s { case "true", "yes", "on", "1": return true; case "false", "no", "off", "0": return false; default: return nil }
    }
}

/// One `key = value` setting, with where it came from for error lines.
struct ConfigEntry {
    let key: String
    let value: String
    let place: String   // "FILE:LINE"
}

enum AgentConfig {
    /// The entries of a config file; nil when `path` is the default file and absent.
    static func load(_ path: String, explicit: Bool) throws(AgentExit) -> [ConfigEntry]? {
        let fd = path.withCString { bl_open_host_file($0) }
        if fd == -2 && !explicit { return nil }   // ENOENT: no default config
        if fd >= 0 { _ = bl_close(fd) }
        let bytes: [UInt8]
        switch HostFile.read(path, limit: 64 * 1024) {
        case .ok(let b): bytes = b
        case .failed(let why): throw fail("\(path): cannot read config: \(why)", 2)
        }
        var out: [ConfigEntry] = []
        var lineNo = 0
        for raw in bytes.split(separator: 10, omittingEmptySubsequences: false) {
            lineNo += 1
            let line = Text.trim(String(decoding: raw, as: UTF8.self))
            if line.isEmpty || line.hasPrefix("#") { continue }
            let u = Array(line.utf8)
            guard let eq = u.firstIndex(of: 61) else {
                throw fail("\(path):\(lineNo): expected 'key = value', found '\(line)'", 2)
            }
            let key = Text.trim(String(decoding: u[0..<eq], as: UTF8.self))
            let value = Text.trim(String(decoding: u[(eq + 1)...], as: UTF8.self))
            guard configKeys.contains(key) else {
                throw fail("\(path):\(lineNo): unknown key '\(key)' (expected one of: \(configKeys.joined(separator: ", ")))", 2)
            }
            guard !value.isEmpty else { throw fail("\(path):\(lineNo): \(key): expected a value after '='", 2) }
            out.append(ConfigEntry(key: key, value: value, place: "\(path):\(lineNo)"))
        }
        return out
    }
}

/// Where reports go: http(s)://host[:port][/path]; the path defaults to /v1/reports.
struct PushTarget {
    var tls: Bool
    var host: String
    var port: Int
    var path: String

    static func parse(_ url: String) -> PushTarget? {
        var rest: [UInt8]
        var tls: Bool
        if url.hasPrefix("https://") { tls = true; rest = Array(url.utf8.dropFirst(8)) }
        else if url.hasPrefix("http://") { tls = false; rest = Array(url.utf8.dropFirst(7)) }
        else { return nil }
        var path = "/v1/reports"
        if let slash = rest.firstIndex(of: 47) {
            path = String(decoding: rest[slash...], as: UTF8.self)
            rest = Array(rest[0..<slash])
        }
        if path.utf8.contains(where: { $0 <= 32 || $0 == 127 }) { return nil }
        var host: String
        var portText: String? = nil
        if rest.first == 91 {   // [IPv6]
            guard let close = rest.firstIndex(of: 93) else { return nil }
            host = String(decoding: rest[1..<close], as: UTF8.self)
            let after = rest[(close + 1)...]
            if !after.isEmpty {
                guard after.first == 58 else { return nil }
                portText = String(decoding: after.dropFirst(), as: UTF8.self)
            }
        } else if let colon = rest.firstIndex(of: 58) {
            host = String(decoding: rest[0..<colon], as: UTF8.self)
            portText = String(decoding: rest[(colon + 1)...], as: UTF8.self)
        } else {
            host = String(decoding: rest, as: UTF8.self)
        }
        if host.isEmpty || host.utf8.contains(where: { $0 <= 32 || $0 == 64 || $0 == 127 }) { return nil }
        var port = tls ? 443 : 80
        if let p = portText {
            guard let n = PushSetting.wholeNumber(p, 1, 65535) else { return nil }
            port = n
        }
        return PushTarget(tls: tls, host: host, port: port, path: path)
    }
}

/// The checked push settings of one run.
struct PushPlan {
    let target: PushTarget
    let token: String
    let options: PushOptions

    static func make(_ p: PushOptions, url: String) throws(AgentExit) -> PushPlan {
        guard let target = PushTarget.parse(url) else {
            throw fail("--push: expected http(s)://HOST[:PORT][/PATH], found '\(url)'", 2)
        }
        if !target.tls && !p.insecureHTTP {
            throw fail("--push: \(url) would send reports in clear text: use https:// (or --insecure-http on a trusted network)", 2)
        }
        if target.tls {
            if p.caFile == nil && p.pin == nil { throw fail("--push: https needs --ca-file PEM or --pin sha256:HEX", 2) }
            if p.caFile != nil && p.pin != nil { throw fail("--push: give --ca-file or --pin, not both", 2) }
        }
        guard let tf = p.tokenFile else { throw fail("--push needs --token-file FILE (the collector's bearer token)", 2) }
        let token: String
        switch HostFile.read(tf, limit: 4096) {
        case .ok(let b): token = Text.trim(String(decoding: b, as: UTF8.self))
        case .failed(let why): throw fail("\(tf): cannot read token: \(why)", 2)
        }
        if token.isEmpty || token.utf8.contains(where: { $0 < 33 || $0 > 126 }) {
            throw fail("\(tf): expected one token (printable ASCII, no spaces)", 2)
        }
        #if BASELINE_C_MAIN
        if target.tls, let ca = p.caFile {
            var err = [CChar](repeating: 0, count: 512)
            let n = err.withUnsafeMutableBufferPointer { e in ca.withCString { bl_push_check_ca($0, e.baseAddress, 512) } }
            if n <= 0 { throw fail(err.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }, 2) }
        }
        #endif
        return PushPlan(target: target, token: token, options: p)
    }
}

#if BASELINE_C_MAIN
/// The spool: one file per report, `SEQUENCE-REPORTID.json` (the sequence zero-padded, so names sort oldest first),
/// written atomically; `dropped` counts reports that left it undelivered (bound, or refused by the collector);
/// `last-rejected.json` keeps the last report the collector refused for good; `.lock` keeps two agents apart.
struct Spool {
    let dir: String

    func path(_ name: String) -> String { dir + "/" + name }

    static func isReport(_ name: String) -> Bool {
        let u = Array(name.utf8)
        guard u.count > 16, name.hasSuffix(".json"), u[10] == 45 else { return false }
        return u[0..<10].allSatisfy { $0 >= 48 && $0 <= 57 }
    }

    /// Creates the directory and its parents (0700).
    func create() -> String? {
        var prefix = dir.hasPrefix("/") ? "" : "."
        for part in dir.split(separator: "/") {
            prefix += "/" + String(part)
            let rc = prefix.withCString { bl_mkdir($0, 0o700) }
            if rc != 0 { return "\(prefix): cannot create: \(String(cString: bl_strerror(rc)))" }
        }
        return nil
    }

    func names() -> [String] {
        let fd = dir.withCString { bl_open_root($0) }
        if fd < 0 { return [] }
        defer { _ = bl_close(fd) }
        var cap = 16 * 1024
        while cap <= 16 * 1024 * 1024 {
            var buf = [CChar](repeating: 0, count: cap)
            var needed = 0
            let n = buf.withUnsafeMutableBufferPointer { bl_list_dir(fd, $0.baseAddress, cap, &needed) }
            if n == -105 { cap = needed + 1024; continue }
            if n < 0 { return [] }
            var names: [String] = []
            var start = 0
            buf.withUnsafeBufferPointer { p in
                for i in 0..<n where p[i] == 0 {
                    names.append(String(decoding: UnsafeRawBufferPointer(start: p.baseAddress! + start, count: i - start), as: UTF8.self))
                    start = i + 1
                }
            }
            return names
        }
        return []
    }

    func reports() -> [String] { names().filter { Spool.isReport($0) }.sorted() }

    func syncDir() { _ = dir.withCString { bl_fsync_dir($0) } }

    var dropped: Int {
        guard case .ok(let b) = HostFile.read(path("dropped"), limit: 64) else { return 0 }
        return PushSetting.wholeNumber(Text.trim(String(decoding: b, as: UTF8.self)), 0, 999_999_999) ?? 0
    }

    func setDropped(_ n: Int) {
        _ = HostFile.writeAtomically(path("dropped"), "\(n)\n")
        syncDir()
    }

    /// Leftovers of a run killed while writing (`NAME.tmp.PID`).
    func removeTemporaries() {
        for n in names() where n.split(separator: ".").contains("tmp") { _ = path(n).withCString { bl_unlink($0) } }
    }

    /// Writes a report as the newest file: temp file, fsync, rename, fsync of the directory.
    func add(_ text: String, reportID: String) -> String? {
        var seq = 0
        for n in reports() { seq = max(seq, Int(String(decoding: Array(n.utf8)[0..<10], as: UTF8.self)) ?? 0) }
        var digits = Array(String(seq + 1).utf8)
        while digits.count < 10 { digits.insert(48, at: 0) }
        let safeID = String(decoding: reportID.utf8.filter { ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 45 }.prefix(64), as: UTF8.self)
        let name = String(decoding: digits, as: UTF8.self) + "-" + (safeID.isEmpty ? "report" : safeID) + ".json"
        if let err = HostFile.writeAtomically(path(name), text) { return "\(path(name)): cannot write: \(err)" }
        syncDir()
        return nil
    }

    /// Drops the oldest reports over `max`; returns how many.
    func bound(_ max: Int) -> Int {
        let all = reports()
        guard all.count > max else { return 0 }
        let extra = all.count - max
        for n in all[0..<extra] { _ = path(n).withCString { bl_unlink($0) } }
        syncDir()
        return extra
    }
}

enum Delivery {
    /// Sends every spooled report, oldest first, within the plan's time budget. Returns nil when the spool is empty
    /// afterwards, else the line to print.
    static func run(_ plan: PushPlan, _ spool: Spool) -> String? {
        let o = plan.options
        let deadline = bl_monotonic_ms() + Int64(o.timeoutSeconds) * 1000
        var attempt = 0
        var lastError = ""
        var rejected = 0
        var stop = false
        // C strings made once (arrays pass as const pointers without nested closures: less code in the agent)
        let t = plan.target
        let host = Array(t.host.utf8CString), path = Array(t.path.utf8CString), token = Array(plan.token.utf8CString)
        let ca = Array((o.caFile ?? "").utf8CString), pin = Array((o.pin ?? "").utf8CString)
        var err = [CChar](repeating: 0, count: 512)
        for name in spool.reports() {
            if stop { break }
            let file = spool.path(name)
            guard case .ok(let body) = HostFile.read(file, limit: 16 * 1024 * 1024) else { continue }
            while true {
                let left = deadline - bl_monotonic_ms()
                if left <= 0 { stop = true; break }
                let status = bl_push_post(host, Int32(t.port), path, t.tls ? 1 : 0, ca, pin, token, body, body.count,
                                          Int32(min(left, 20_000)), &err, 512)
                if status >= 200 && status <= 299 {
                    _ = file.withCString { bl_unlink($0) }
                    spool.syncDir()
                    attempt = 0
                    break
                }
                lastError = String(decoding: err.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                if status == BL_PUSH_FATAL || status == 401 || status == 403 {
                    stop = true   // the same answer again: certificate, pin or token is wrong
                    break
                }
                if status >= 400 && status <= 499 && status != 408 && status != 429 {
                    // refused for good (malformed, not a report, too large): keep the last one for a look, go on
                    _ = file.withCString { f in spool.path("last-rejected.json").withCString { bl_rename(f, $0) } }
                    spool.syncDir()
                    rejected += 1
                    HostFile.writeStderr("baseline-agent: \(name): refused by the collector (\(lastError)); kept as \(spool.path("last-rejected.json"))\n")
                    break
                }
                attempt += 1
                let base = min(500 << min(attempt - 1, 5), 8000)          // 0.5 s, 1 s, 2 s … 8 s
                let r = HostFile.randomBytes(2)
                let delay = base / 2 + (Int(r[0]) << 8 | Int(r[1])) % (base / 2 + 1)   // jitter: 50–100 %
                if bl_monotonic_ms() + Int64(delay) >= deadline { stop = true; break }
                bl_sleep_ms(Int32(delay))
            }
        }
        if rejected > 0 { spool.setDropped(spool.dropped + rejected) }
        let left = spool.reports().count
        if left == 0 && rejected == 0 { return nil }
        if left == 0 { return "not delivered: the collector refused \(rejected) report(s) (\(lastError))" }
        return "report spooled, not delivered: \(left) report(s) in \(spool.dir) (\(lastError.isEmpty ? "no time left to send" : lastError))"
    }

}
#endif
