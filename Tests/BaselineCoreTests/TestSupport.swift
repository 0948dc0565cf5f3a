// Shared helpers for the BaselineCore unit tests: temporary directories and running host tools.
import Foundation
import Testing

/// A fresh temporary directory, removed when the value is released.
final class TempDir {
    let url: URL
    var path: String { url.path }

    init(_ label: String = "baseline-unit") throws {
        let base = URL(fileURLWithPath: NSTemporaryDirectory(), isDirectory: true)
        url = base.appendingPathComponent("\(label)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        // Restore permissions that tests may have removed so the tree can be deleted.
        if let e = FileManager.default.enumerator(atPath: path) {
            for case let rel as String in e { _ = chmod(path + "/" + rel, 0o755) }
        }
        try? FileManager.default.removeItem(at: url)
    }

    /// Absolute host path of `rel` inside this directory.
    func sub(_ rel: String) -> String { rel.isEmpty ? path : path + "/" + rel }

    func mkdir(_ rel: String) throws {
        try FileManager.default.createDirectory(atPath: sub(rel), withIntermediateDirectories: true)
    }

    func write(_ rel: String, _ text: String) throws { try write(rel, Array(text.utf8)) }

    func write(_ rel: String, _ bytes: [UInt8]) throws {
        let full = sub(rel)
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: full))
    }

    /// Creates a symbolic link at `rel` whose target text is exactly `target`.
    func symlink(_ rel: String, to target: String) throws {
        let full = sub(rel)
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: full, withDestinationPath: target)
    }

    func read(_ rel: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: sub(rel)))) }
    func readText(_ rel: String) throws -> String { String(decoding: try read(rel), as: UTF8.self) }
}

struct ToolResult {
    let status: Int32
    let stdout: String
    let stderr: String
}

enum ToolError: Error, CustomStringConvertible {
    case notFound(String)
    case failed(String, ToolResult)
    var description: String {
        switch self {
        case .notFound(let t): return "tool not found: \(t)"
        case .failed(let cmd, let r): return "\(cmd) exited \(r.status): \(r.stderr)"
        }
    }
}

enum Tool {
    static func find(_ name: String) -> String? {
        for dir in ["/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin"] {
            let p = dir + "/" + name
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    static func available(_ name: String) -> Bool { find(name) != nil }

    /// Runs a host tool and returns its output; throws when it is missing or exits non-zero (unless allowed).
    @discardableResult
    static func run(_ name: String, _ args: [String], stdin: String? = nil, allowFailure: Bool = false) throws -> ToolResult {
        guard let exe = find(name) else { throw ToolError.notFound(name) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        // Output goes to temporary files, so a chatty tool can never block on a full pipe.
        let scratch = try TempDir("tool")
        let outPath = scratch.sub("stdout"), errPath = scratch.sub("stderr"), inPath = scratch.sub("stdin")
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        _ = FileManager.default.createFile(atPath: inPath, contents: Data((stdin ?? "").utf8))
        let outFH = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let errFH = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        let inFH = try FileHandle(forReadingFrom: URL(fileURLWithPath: inPath))
        p.standardOutput = outFH
        p.standardError = errFH
        p.standardInput = inFH
        try p.run()
        p.waitUntilExit()
        try? outFH.close(); try? errFH.close(); try? inFH.close()
        let outData = FileManager.default.contents(atPath: outPath) ?? Data()
        let errData = FileManager.default.contents(atPath: errPath) ?? Data()
        let r = ToolResult(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                           stderr: String(decoding: errData, as: UTF8.self))
        if r.status != 0 && !allowFailure { throw ToolError.failed(([name] + args).joined(separator: " "), r) }
        return r
    }
}

func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

/// Deterministic pseudo-random bytes (xorshift64*), so failures are reproducible.
func pseudoRandomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
    var x = seed == 0 ? 0x9E3779B97F4A7C15 : seed
    var out = [UInt8](repeating: 0, count: count)
    for i in 0..<count {
        x ^= x >> 12; x ^= x << 25; x ^= x >> 27
        out[i] = UInt8(truncatingIfNeeded: (x &* 0x2545F4914F6CDD1D) >> 56)
    }
    return out
}
