// Runs the built `baseline` executable the way a user does, and builds throw-away root filesystems for it.
import Foundation
import Testing

enum Repo {
    static let root: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var binary: String {
        if let b = ProcessInfo.processInfo.environment["BASELINE_BIN"] { return b }
        return root.appendingPathComponent(".build/debug/baseline").path
    }
    static func path(_ rel: String) -> String { root.appendingPathComponent(rel).path }
    static let auditDate = "2026-11-23"
}

struct RunResult {
    let code: Int32
    let stdout: String
    let stderr: String
    var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(stdout.utf8))) as? [String: Any] }

    func finding(_ id: String) -> [String: Any]? {
        (json?["findings"] as? [[String: Any]])?.first { $0["id"] as? String == id }
    }
    func status(_ id: String) -> String? { finding(id)?["status"] as? String }
    func evidenceText(_ id: String) -> String {
        ((finding(id)?["evidence"] as? [[String: Any]]) ?? []).map { "\($0["path"] ?? ""):\($0["line"] ?? 0) \($0["detail"] ?? "")" }.joined(separator: "\n")
    }
}

/// Runs a program with a time limit; a hang is a test failure, not a stuck test run.
func run(_ program: String, _ args: [String], timeout: TimeInterval = 60, cwd: String? = nil, env extra: [String: String] = [:]) throws -> RunResult {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: program)
    p.arguments = args
    if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
    var env = ProcessInfo.processInfo.environment
    env["NO_COLOR"] = "1"
    env.merge(extra) { $1 }
    p.environment = env
    // Output goes to temporary files, not pipes: no reader threads, no pipe-buffer deadlock.
    let base = FileManager.default.temporaryDirectory.appendingPathComponent("baseline-run-" + UUID().uuidString)
    let outURL = base.appendingPathExtension("out"), errURL = base.appendingPathExtension("err")
    FileManager.default.createFile(atPath: outURL.path, contents: nil)
    FileManager.default.createFile(atPath: errURL.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: outURL); try? FileManager.default.removeItem(at: errURL) }
    let outHandle = try FileHandle(forWritingTo: outURL), errHandle = try FileHandle(forWritingTo: errURL)
    p.standardOutput = outHandle
    p.standardError = errHandle
    p.standardInput = FileHandle.nullDevice
    try p.run()
    let deadline = Date().addingTimeInterval(timeout)
    while p.isRunning && Date() < deadline { usleep(5_000) }
    if p.isRunning {
        p.terminate()
        Issue.record("\(program) \(args.joined(separator: " ")) did not finish within \(timeout) s")
        // A program that ignores SIGTERM must not hang the test run.
        let grace = Date().addingTimeInterval(5)
        while p.isRunning && Date() < grace { usleep(10_000) }
        if p.isRunning { kill(p.processIdentifier, SIGKILL) }
    }
    p.waitUntilExit()
    try? outHandle.close(); try? errHandle.close()
    let outData = (try? Data(contentsOf: outURL)) ?? Data()
    let errData = (try? Data(contentsOf: errURL)) ?? Data()
    return RunResult(code: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
}

func baseline(_ args: [String], timeout: TimeInterval = 60) throws -> RunResult {
    try run(Repo.binary, args, timeout: timeout, cwd: Repo.root.path)
}

/// audit ROOT --profile P --format json --date 2026-11-23 [extra]
func audit(_ root: String, profile: String, _ extra: [String] = []) throws -> RunResult {
    try baseline(["audit", root, "--profile", profile, "--format", "json", "--date", Repo.auditDate] + extra)
}

/// A temporary directory tree, removed when the value goes away.
final class TempTree {
    let url: URL
    var path: String { url.path }

    init(_ files: [String: String] = [:]) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("baseline-e2e-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for (rel, content) in files { try write(rel, content) }
    }

    deinit {
        // make everything removable again (tests chmod 000 some files)
        _ = try? run("/bin/chmod", ["-R", "u+rwX", url.path])
        try? FileManager.default.removeItem(at: url)
    }

    func sub(_ rel: String) -> String { url.appendingPathComponent(rel).path }

    func write(_ rel: String, _ content: String) throws {
        let u = url.appendingPathComponent(rel)
        try FileManager.default.createDirectory(at: u.deletingLastPathComponent(), withIntermediateDirectories: true)
        try content.write(to: u, atomically: false, encoding: .utf8)
    }

    func symlink(_ rel: String, to target: String) throws {
        let u = url.appendingPathComponent(rel)
        try FileManager.default.createDirectory(at: u.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: u.path, withDestinationPath: target)
    }

    func mkdir(_ rel: String) throws {
        try FileManager.default.createDirectory(at: url.appendingPathComponent(rel), withIntermediateDirectories: true)
    }
}

/// Output of a helper tool (mkpasswd, openssl, ssh-keygen…), trimmed.
func tool(_ program: String, _ args: [String]) throws -> String {
    let paths = ["/usr/bin/", "/bin/", "/usr/sbin/"]
    let exe = paths.map { $0 + program }.first { FileManager.default.isExecutableFile(atPath: $0) } ?? program
    let r = try run(exe, args)
    guard r.code == 0 else { throw ToolError(message: "\(program) \(args) failed: \(r.stderr)") }
    return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
}

struct ToolError: Error { let message: String }

/// A profile written into a tree, extending the bundled ETSI baseline with absolute paths.
func writeProfile(_ t: TempTree, _ name: String = "profile.json", body: String) throws -> String {
    try t.write(name, body)
    return t.sub(name)
}

let etsiPath = Repo.path("Profiles/baselines/etsi-en-303-645.json")

/// A vendor profile extending ETSI with everything DISC/LIFE need, plus `extra` JSON members.
func vendorProfile(_ t: TempTree, extra: String = "") throws -> String {
    try writeProfile(t, body: """
    {
      "schema": "baseline.profile/1",
      "id": "test-vendor",
      "extends": "\(etsiPath)",
      "vendor": {"name": "Testco", "models": ["TC-1"]},
      "support": {"end": "2030-01-31", "url": "https://testco.example/support"},
      "disclosure": {"contact": "mailto:security@testco.example"}\(extra.isEmpty ? "" : ",\n  " + extra)
    }
    """)
}

/// Debian's python3 (with python3-jsonschema and python3-junitparser from `make deps`), else the one on PATH.
func python(_ args: [String]) throws -> RunResult {
    if FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") { return try run("/usr/bin/python3", args) }
    return try run("/usr/bin/env", ["python3"] + args)
}

/// Validates a JSON report (its stdout) against Profiles/schema/report.schema.json with Python's jsonschema.
func validateReport(_ r: RunResult) throws -> Bool {
    let t = try TempTree(["report.json": r.stdout])
    let v = try python([Repo.path("Tests/scripts/validate_json.py"), Repo.path("Profiles/schema/report.schema.json"), t.sub("report.json")])
    if v.code != 0 { Issue.record("report.schema.json: \(v.stdout) \(v.stderr)") }
    return v.code == 0
}
