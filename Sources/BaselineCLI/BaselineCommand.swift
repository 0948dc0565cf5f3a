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
        subcommands: [AuditCommand.self, ScanCommand.self, TrafficCommand.self, SBOMCommand.self, FingerprintCommand.self, ChecksCommand.self, ProfileCommand.self, ProfilesCommand.self]
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
