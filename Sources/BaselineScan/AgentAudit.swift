// The full audit of a device reached with credentials: the matching static baseline-agent and the profile tree are
// copied to a private directory on the device, the agent audits the running system (`--root /`), its JSON report is
// read back, and the directory is removed whatever happened.
import Foundation

public struct AgentSetup {
    public var agentDir: String            // holds <arch>/baseline-agent (make agent: out/agent)
    public var profilesRoot: String        // the Profiles tree the profile lives in
    public var profile: String             // the profile file, inside profilesRoot
    public var date: String? = nil         // --date for the agent
    public var hostSide = false            // read the files over SSH and audit on the host even when an agent fits
    /// The fleet HMAC key (`--fleet-key-file`): the device id and secret fingerprints. The agent gets a copy in its
    /// private directory for the run (removed with it); a host-side audit keeps it on the host.
    public var fleetKey: [UInt8]? = nil
    public init(agentDir: String, profilesRoot: String, profile: String) {
        self.agentDir = agentDir; self.profilesRoot = profilesRoot; self.profile = profile
    }
}

public enum AgentAudit {
    /// `uname -m` → the agent build that runs there.
    public static func agentArch(_ machine: String) -> String? {
        switch machine {
        case "x86_64", "amd64": return "x86_64"
        case "aarch64", "arm64", "armv8b", "aarch64_be": return machine.hasSuffix("be") || machine == "armv8b" ? nil : "aarch64"
        case let m where m.hasPrefix("armv7") || m == "armv8l": return "armv7"
        default: return nil
        }
    }

    /// Runs the agent on the device; returns its JSON report and how the files were copied.
    public static func run(_ c: SSHConnection, machine: String, setup: AgentSetup) throws(SSHError) -> (report: String, method: String) {
        guard let arch = agentArch(machine) else {
            throw SSHError(status: .error, message: "no baseline-agent build for architecture '\(machine)' (builds: x86_64, aarch64, armv7)")
        }
        let local = setup.agentDir + "/" + arch + "/baseline-agent"
        guard let agent = FileManager.default.contents(atPath: local) else {
            throw SSHError(status: .error, message: "\(local): no agent build (make agent)")
        }
        let remote = "/tmp/baseline-" + UUID().uuidString.prefix(8).lowercased()
        let files = RemoteFiles(c)
        try files.mkdir(remote)
        defer { _ = try? c.exec("rm -rf '\(remote)'") }
        try files.put([UInt8](agent), to: remote + "/baseline-agent", mode: 0o700)
        // The profile tree, without the JSON Schemas (the agent does not read them).
        let root = URL(fileURLWithPath: setup.profilesRoot).standardizedFileURL.path
        var dirs: Set<String> = []
        let walker = FileManager.default.enumerator(atPath: root)
        while let rel = walker?.nextObject() as? String {
            if rel.hasPrefix("schema") { continue }
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root + "/" + rel, isDirectory: &isDir), !isDir.boolValue,
                  let data = FileManager.default.contents(atPath: root + "/" + rel) else { continue }
            let dir = (remote + "/Profiles/" + rel as NSString).deletingLastPathComponent
            if dirs.insert(dir).inserted { try files.mkdir(dir) }
            try files.put([UInt8](data), to: remote + "/Profiles/" + rel, mode: 0o600)
        }
        let profileRel = String(URL(fileURLWithPath: setup.profile).standardizedFileURL.path.dropFirst(root.count + 1))
        var cmd = "'\(remote)/baseline-agent' --root / --profile '\(remote)/Profiles/\(profileRel)' --format json"
        if let key = setup.fleetKey {
            try files.put(key, to: remote + "/fleet.key", mode: 0o600)
            cmd += " --fleet-key-file '\(remote)/fleet.key'"
        }
        if let d = setup.date { cmd += " --date \(d)" }
        let r = try c.exec(cmd)
        guard r.status == 0 || r.status == 1, r.stdout.first == UInt8(ascii: "{") else {
            throw SSHError(status: .error, message: "the agent failed on the device (exit \(r.status)): \(r.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return (String(decoding: r.stdout, as: UTF8.self), files.method)
    }
}
