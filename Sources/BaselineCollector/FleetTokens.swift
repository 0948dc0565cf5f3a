// Per-fleet bearer tokens for the ingest API, from a file of lines `FLEET TOKEN [FLEET_KEY_ID]` (`#` starts a
// comment). TOKEN is the token itself or `sha256:` and the hex SHA-256 of it, so the file need not hold the secret.
// FLEET_KEY_ID (`sha256:` + 16 hex digits, as reports carry it) pins the fleet key: a report whose fingerprints were
// keyed with another fleet's key is refused (403) rather than mixed into this fleet's clusters.
// `serve` holds them in `FleetTokens`, which re-reads the file on SIGHUP (all tokens replaced, or none).
import ArgumentParser
import Crypto
import Foundation

struct FleetToken: Sendable {
    let fleet: String
    let digest: [UInt8]         // SHA-256 of the token
    let fleetKeyID: String?
}

struct FleetTokenFile: Sendable {
    let tokens: [FleetToken]

    /// Reads and checks the whole file; throws a `TokenFileError` (file, line, what was expected) and keeps nothing
    /// from a bad file.
    init(path: String) throws(TokenFileError) {
        guard let data = FileManager.default.contents(atPath: path) else { throw TokenFileError(path, 0, "cannot read the token file") }
        guard let text = String(data: data, encoding: .utf8) else { throw TokenFileError(path, 0, "expected UTF-8 text") }
        var list: [FleetToken] = []
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            let f = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
            if f.isEmpty { continue }
            guard f.count == 2 || f.count == 3 else { throw TokenFileError(path, i + 1, "expected FLEET TOKEN [FLEET_KEY_ID]") }
            let digest: [UInt8]
            if f[1].hasPrefix("sha256:") {
                let hex = Array(f[1].dropFirst(7).utf8)
                guard hex.count == 64, let bytes = FleetTokenFile.unhex(hex) else { throw TokenFileError(path, i + 1, "expected sha256: and 64 hex digits") }
                digest = bytes
            } else {
                guard f[1].utf8.count >= 16 else { throw TokenFileError(path, i + 1, "a token of at least 16 characters") }
                digest = Array(SHA256.hash(data: Array(f[1].utf8)))
            }
            if f.count == 3 {
                let k = f[2]
                guard k.hasPrefix("sha256:"), k.utf8.count == 23, FleetTokenFile.unhex(Array(k.dropFirst(7).utf8)) != nil else {
                    throw TokenFileError(path, i + 1, "expected a fleet key id sha256: and 16 hex digits")
                }
            }
            guard !list.contains(where: { $0.digest == digest }) else { throw TokenFileError(path, i + 1, "this token is already given to a fleet") }
            list.append(FleetToken(fleet: f[0], digest: digest, fleetKeyID: f.count == 3 ? f[2] : nil))
        }
        guard !list.isEmpty else { throw TokenFileError(path, 0, "no token: expected lines FLEET TOKEN [FLEET_KEY_ID]") }
        tokens = list
    }

    /// How many fleets the file names (a fleet may have several tokens).
    var fleetCount: Int { Set(tokens.map(\.fleet)).count }

    static func unhex(_ h: [UInt8]) -> [UInt8]? {
        guard h.count % 2 == 0 else { return nil }
        func v(_ c: UInt8) -> UInt8? {
            switch c { case 48...57: c - 48; case 97...102: c - 87; case 65...70: c - 55; default: nil }
        }
        var out: [UInt8] = []
        var i = 0
        while i < h.count { guard let a = v(h[i]), let b = v(h[i + 1]) else { return nil }; out.append(a << 4 | b); i += 2 }
        return out
    }

    /// The fleet a presented token belongs to (digests compared without an early exit).
    func fleet(for token: String) -> FleetToken? {
        let d = Array(SHA256.hash(data: Array(token.utf8)))
        var found: FleetToken?
        for t in tokens {
            var diff: UInt8 = 0
            for (a, b) in zip(t.digest, d) { diff |= a ^ b }
            if diff == 0 { found = t }
        }
        return found
    }
}

/// A token file's bad line: `PATH:LINE: what was expected` (line 0: the file as a whole).
struct TokenFileError: Error, CustomStringConvertible {
    let path: String, line: Int, what: String
    init(_ path: String, _ line: Int, _ what: String) { self.path = path; self.line = line; self.what = what }
    var description: String { line > 0 ? "\(path):\(line): \(what)" : "\(path): \(what)" }
}

/// The tokens `serve` checks, re-read from the same file on SIGHUP (`reload()`), so tokens rotate without a restart.
/// A reload replaces every token at once or, when the file is bad, none of them: the previous tokens stay in force.
/// Each lookup reads one consistent list under the lock.
final class FleetTokens: @unchecked Sendable {
    let path: String
    private let lock = NSLock()
    private var current: FleetTokenFile

    /// At start-up a bad file is a usage error (exit code 2) with one line naming the file and line.
    init(path: String) throws {
        self.path = path
        do { current = try FleetTokenFile(path: path) } catch { throw fail(error.description, code: 2) }
    }

    var fleetCount: Int { lock.lock(); defer { lock.unlock() }; return current.fleetCount }

    /// Re-reads the file: the new tokens replace the old ones only when the whole file is good.
    func reload() -> Result<Int, TokenFileError> {
        let file: FleetTokenFile
        do { file = try FleetTokenFile(path: path) } catch { return .failure(error) }
lock.lock(); current = file; lock.unlock()
        return .success(file.fleetCount)
    }

    /// The fleet a presented token belongs to, in the tokens in force now.
    func fleet(for token: String) -> FleetToken? {
        lock.lock(); let file = current; lock.unlock()
        return file.fleet(for: token)
    }
}
