// `baseline`: the host command-line tool.
import ArgumentParser
import BaselineCore
import Foundation

@main
struct BaselineMain {
    static func main() {
        do {
            var command = try Baseline.parseAsRoot()
            try command.run()
        } catch {
            let code = Baseline.exitCode(for: error)
            if code == .success {
                print(Baseline.fullMessage(for: error))
                exit(0)
            }
            if let e = error as? ExitCode { exit(e.rawValue) }
            // Usage errors: one clear line (plus ArgumentParser's usage hint), exit 2.
            FileHandle.standardError.write(Data((Baseline.fullMessage(for: error) + "\n").utf8))
            exit(2)
        }
    }
}

struct Baseline: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baseline",
        abstract: "Security baseline auditor for embedded Linux gateways and IoT firmware.",
        discussion: """
        Checks a firmware root filesystem against a vendor-health profile: unique credentials, secure update channel, \
        lifecycle status, exposed services and disclosure contact.

        The verdict (pass/fail in every format) is what the firmware is; --fail-on and --baseline-file set only the \
        exit code.

        Exit codes: 0 no finding at or above --fail-on; 1 findings; 2 usage or profile error; 3 input unreadable \
        (a directory that is not a root filesystem, an image without one and nothing to gate, a scan target not reached).
        """,
        version: baselineVersion,
        subcommands: [AuditCommand.self, ScanCommand.self, TrafficCommand.self, SBOMCommand.self, FingerprintCommand.self, ChecksCommand.self, ProfileCommand.self]
    )
}

/// Prints one line to stderr and exits with `code`.
/// Writes a command's output to FILE atomically (`--output`), or to standard output.
func emit(_ text: String, to output: String?, what: String = "output") throws {
    if let out = output {
        if let err = HostFile.writeAtomically(out, text) { throw die("\(out): cannot write \(what): \(err)", code: 3) }
    } else {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}

func die(_ message: String, code: Int32) -> ExitCode {
    FileHandle.standardError.write(Data(("baseline: " + message + "\n").utf8))
    return ExitCode(code)
}

/// One warning line on stderr; the command goes on.
func warn(_ message: String) { FileHandle.standardError.write(Data(("baseline: warning: " + message + "\n").utf8)) }

enum ProfileLocator {
    static func searchDirs() -> [String] {
        var dirs: [String] = []
        if let env = ProcessInfo.processInfo.environment["BASELINE_PROFILES"] { dirs.append(env) }
        dirs.append(FileManager.default.currentDirectoryPath + "/Profiles")
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        // .build/<config>/baseline → repository root; <prefix>/bin/baseline → <prefix>/share/baseline/Profiles
        dirs.append(exe.appendingPathComponent("../../Profiles").standardized.path)
        dirs.append(exe.appendingPathComponent("../../../Profiles").standardized.path)
        dirs.append(exe.appendingPathComponent("../share/baseline/Profiles").standardized.path)
        return dirs
    }

    /// Paths under the working directory are shown relative to it (shorter evidence, no host layout in reports).
    static func relative(_ path: String) -> String {
        let cwd = FileManager.default.currentDirectoryPath + "/"
        return path.hasPrefix(cwd) ? String(path.dropFirst(cwd.count)) : path
    }

    /// A profile path, or an id looked up in the profile directories.
    static func locate(_ name: String) -> String? {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: name, isDirectory: &isDir), !isDir.boolValue { return name }
        if name.contains("/") { return nil }
        let file = name.hasSuffix(".json") ? name : name + ".json"
        for d in searchDirs() {
            for sub in ["", "vendors/", "baselines/"] {
                let p = d + "/" + sub + file
                if FileManager.default.fileExists(atPath: p) { return relative(p) }
            }
        }
        return nil
    }
}
