// baseline-agent: the static embedded builds (x86_64 natively, aarch64 and armv7 under qemu-user) produce the same
// JSON as the host (SwiftPM) build on every sample, and the live-only checks work on fixture /proc and /sys trees.
import Foundation
import Testing

enum Agent {
    static var hostBinary: String { Repo.path(".build/debug/baseline-agent") }
    static let arches = ["x86_64", "aarch64", "armv7"]
    static func staticBinary(_ arch: String) -> String { Repo.path("out/agent/\(arch)/baseline-agent") }

    /// Runs an agent build; ARM builds go through qemu-user.
    static func run(_ arch: String?, _ args: [String]) throws -> RunResult {
        guard let arch else { return try BaselineEndToEndTests.run(hostBinary, args, cwd: Repo.root.path) }
        let bin = staticBinary(arch)
        switch arch {
        case "aarch64": return try BaselineEndToEndTests.run("/usr/bin/qemu-aarch64-static", [bin] + args, timeout: 120, cwd: Repo.root.path)
        case "armv7": return try BaselineEndToEndTests.run("/usr/bin/qemu-arm-static", [bin] + args, timeout: 120, cwd: Repo.root.path)
        default: return try BaselineEndToEndTests.run(bin, args, timeout: 60, cwd: Repo.root.path)
        }
    }

    /// The report with the fields that legitimately differ between two runs removed.
    static func normalized(_ json: String) -> String {
        json.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.contains("\"report_id\":") && !$0.contains("\"generated_at\":") }
            .joined(separator: "\n")
    }
}

struct AgentCase: CustomTestStringConvertible, Sendable {
    let arch: String
    let sample: SampleExpectation
    var testDescription: String { "\(arch) \(sample.sample)" }
}

let agentCases: [AgentCase] = Agent.arches.flatMap { a in sampleExpectations.map { AgentCase(arch: a, sample: $0) } }

@Suite("baseline-agent")
struct AgentTests {
    @Test("static builds are statically linked and stripped", arguments: Agent.arches)
    func staticBuild(_ arch: String) throws {
        let bin = Agent.staticBinary(arch)
        try #require(FileManager.default.isExecutableFile(atPath: bin), "\(bin) missing: run `make agent` (make test does)")
        let f = try tool("file", ["-b", bin])
        #expect(f.contains("statically linked"), "\(f)")
        #expect(f.contains("stripped") && !f.contains("not stripped"), "\(f)")
        let expected = ["x86_64": "x86-64", "aarch64": "ARM aarch64", "armv7": "ARM, EABI5"][arch]!
        #expect(f.contains(expected), "\(f)")
        let v = try Agent.run(arch, ["--version"])
        #expect(v.code == 0)
        #expect(v.stdout.hasPrefix("baseline-agent 0."))
        // DESIGN.md's budget for the gateway builds: ≤ 1 MiB stripped (x86_64 is not a gateway target).
        if arch != "x86_64" {
            let size = try FileManager.default.attributesOfItem(atPath: bin)[.size] as? Int ?? 0
            #expect(size <= 1 << 20, "\(arch) agent is \(size) bytes, over the 1 MiB budget")
        }
    }

    @Test("same JSON as the host build on every sample", arguments: agentCases)
    func differential(_ c: AgentCase) throws {
        let args = ["--root", "Firmware-samples/" + c.sample.sample, "--profile", "Profiles/vendors/\(c.sample.profile).json", "--date", Repo.auditDate]
        let host = try Agent.run(nil, args)
        let emb = try Agent.run(c.arch, args)
        #expect(host.code == c.sample.exit, "\(host.stderr)")
        #expect(emb.code == host.code, "\(emb.stderr)")
        #expect(!emb.stdout.isEmpty)
        #expect(Agent.normalized(emb.stdout) == Agent.normalized(host.stdout))
        #expect(emb.json?["tool"].flatMap { ($0 as? [String: Any])?["name"] as? String } == "baseline-agent")
    }

    @Test("the agent and `baseline audit` agree on every finding", arguments: sampleExpectations)
    func agreesWithCLI(_ e: SampleExpectation) throws {
        let agent = try Agent.run(nil, ["--root", "Firmware-samples/" + e.sample, "--profile", "Profiles/vendors/\(e.profile).json", "--date", Repo.auditDate])
        let cli = try audit(Repo.path("Firmware-samples/" + e.sample), profile: "Profiles/vendors/\(e.profile).json")
        let a = try #require(agent.json?["findings"] as? [[String: Any]])
        let b = try #require(cli.json?["findings"] as? [[String: Any]])
        #expect(a.map { "\($0["id"]!) \($0["status"]!) \($0["message"]!)" } == b.map { "\($0["id"]!) \($0["status"]!) \($0["message"]!)" })
    }

    @Test func usageErrors() throws {
        let bad = try Agent.run("x86_64", ["--format", "xml"])
        #expect(bad.code == 2)
        #expect(bad.stderr == "baseline-agent: --format: expected json or text, found 'xml'\n")
        let unknown = try Agent.run("x86_64", ["--frobnicate"])
        #expect(unknown.code == 2)
        let missing = try Agent.run("x86_64", ["--root"])
        #expect(missing.code == 2)
        let noProfile = try Agent.run("x86_64", ["--profile", "/nonexistent/profile.json"])
        #expect(noProfile.code == 2)
        #expect(noProfile.stderr.contains("/nonexistent/profile.json"))
        let noRoot = try Agent.run("x86_64", ["--root", "/nonexistent/root", "--profile", etsiPath])
        #expect(noRoot.code == 3)
        let help = try Agent.run("x86_64", ["--help"])
        #expect(help.code == 0)
        #expect(help.stdout.contains("--fleet-key-file"))
    }

    @Test func outputFileAndTextFormat() throws {
        let t = try TempTree()
        let r = try Agent.run("x86_64", ["--root", "Firmware-samples/debian-13-fernwerk", "--profile", "Profiles/vendors/fernwerk-edge.json",
                                         "--date", Repo.auditDate, "--output", t.sub("r.json")])
        #expect(r.code == 0)
        #expect(r.stdout.isEmpty)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: t.sub("r.json")))) as? [String: Any]
        #expect((json?["summary"] as? [String: Any])?["verdict"] as? String == "pass")
        let text = try Agent.run("x86_64", ["--root", "Firmware-samples/debian-13-fernwerk", "--profile", "Profiles/vendors/fernwerk-edge.json",
                                            "--date", Repo.auditDate, "--format", "text"])
        #expect(text.stdout.contains("Verdict: PASS"))
    }
}

@Suite("baseline-agent deployment")
struct AgentDeploymentTests {
    @Test("the static agent runs in an empty chroot")
    func emptyChroot() throws {
        guard getuid() == 0 else { return }   // chroot(2) needs root; CI runs as root
        let t = try TempTree()
        try FileManager.default.copyItem(atPath: Agent.staticBinary("x86_64"), toPath: t.sub("baseline-agent"))
        try FileManager.default.copyItem(atPath: etsiPath, toPath: t.sub("profile.json"))
        // the ETSI profile names its data files relative to itself
        try t.mkdir("data/credentials")
        try FileManager.default.copyItem(atPath: Repo.path("Profiles/data/credentials/mirai.txt"), toPath: t.sub("data/credentials/mirai.txt"))
        try FileManager.default.copyItem(atPath: Repo.path("Profiles/data/eol.json"), toPath: t.sub("data/eol.json"))
        try t.write("profile.json", try String(contentsOfFile: etsiPath, encoding: .utf8).replacingOccurrences(of: "../data/", with: "data/"))
        let r = try run("/usr/sbin/chroot", [t.path, "/baseline-agent", "--profile", "/profile.json", "--date", Repo.auditDate])
        #expect(r.code == 1, "\(r.stderr)")
        let json = try #require(r.json, "a complete report from inside the chroot")
        #expect((json["source"] as? [String: Any])?["kind"] as? String == "live")
        #expect((json["findings"] as? [Any])?.count == 26)
    }

    @Test("no password hash, private key, raw serial or MAC in any agent report", arguments: sampleExpectations)
    func noSecrets(_ e: SampleExpectation) throws {
        let t = try TempTree()
        try t.write("fleet.key", "0123456789abcdef0123456789abcdef\n")
        let r = try Agent.run("x86_64", ["--root", "Firmware-samples/" + e.sample, "--profile", "Profiles/vendors/\(e.profile).json",
                                         "--date", Repo.auditDate, "--fleet-key-file", t.sub("fleet.key")])
        #expect(r.code == e.exit)
        let shadow = (try? String(contentsOfFile: Repo.path("Firmware-samples/\(e.sample)/etc/shadow"), encoding: .utf8)) ?? ""
        for line in shadow.split(separator: "\n") {
            let f = line.split(separator: ":", omittingEmptySubsequences: false)
            guard f.count > 1, f[1].count > 4 else { continue }
            #expect(!r.stdout.contains(String(f[1])), "hash of \(f[0]) leaked")
        }
        // key material: no line of any PEM body or any 16-byte window of a binary host key appears
        for key in ["etc/ssl/private/device-key.pem", "etc/ssh/ssh_host_ed25519_key"] {
            guard let pem = try? String(contentsOfFile: Repo.path("Firmware-samples/\(e.sample)/\(key)"), encoding: .utf8) else { continue }
            for line in pem.split(separator: "\n") where !line.hasPrefix("-----") && line.count >= 16 {
                #expect(!r.stdout.contains(String(line.prefix(24))), "\(key) material leaked")
            }
        }
        if let dropbear = FileManager.default.contents(atPath: Repo.path("Firmware-samples/\(e.sample)/etc/dropbear/dropbear_ed25519_host_key")) {
            #expect(!r.stdout.contains(dropbear.base64EncodedString()))
            #expect(!r.stdout.contains(dropbear.suffix(64).base64EncodedString()))
        }
        #expect(r.stdout.range(of: "\\$(1|5|6|y|2b|gy)\\$[./A-Za-z0-9]{4,}", options: .regularExpression) == nil, "no crypt hash")
        #expect(r.stdout.range(of: "([0-9a-f]{2}:){5}[0-9a-f]{2}", options: .regularExpression) == nil)
    }
}
