// FactSources is the one list of places the facts read (the SSH host-side audit fetches it, the fuzzer fills part of
// it). These tests read the facts' and checks' own source text: every absolute path they name must be covered, so
// a fact that starts reading a new place without listing it fails here instead of silently missing it over SSH.
import Foundation
import Testing
@testable import BaselineCore

@Suite struct FactSourcesTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Absolute paths in the sources that are not places read: values compared against (login shells, redirection
    /// targets a boot script copies to), fragments joined to a listed directory, and "/" itself.
    static let notRead: Set<String> = [
        "/", "//", "/bin/sh", "/bin/ash", "/tmp", "/var", "/tmp/etc", "/var/etc", "/tmp/b", "/tmp/x", "/etc/../tmp//x",
        "/address", "/.ssh/authorized_keys", "/security.txt", "/.well-known/security.txt", "/wlan/", "/cgi-bin",
        "/bin", "/sbin", "/usr/bin", "/usr/sbin",     // RootShape: a root has programs somewhere (listed, not read)
    ]

    func literals() throws -> [(file: String, path: String)] {
        var out: [(String, String)] = []
        for dir in ["Facts", "Checks", "RootFS"] {
            let d = Self.repo.appendingPathComponent("Sources/BaselineCore/" + dir)
            for f in try FileManager.default.contentsOfDirectory(atPath: d.path) where f.hasSuffix(".swift") && f != "FactSources.swift" {
                let text = try String(contentsOf: d.appendingPathComponent(f), encoding: .utf8)
                let re = try NSRegularExpression(pattern: #""(/[A-Za-z0-9_.+/-]*)""#)
                for m in re.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                    out.append((dir + "/" + f, String(text[Range(m.range(at: 1), in: text)!])))
                }
            }
        }
        return out
    }

    @Test func everyPathTheFactsNameIsInFactSources() throws {
        let found = try literals()
        #expect(found.count > 150, "the source scan found only \(found.count) paths")
        for (file, path) in found where !Self.notRead.contains(path) {
            // "/etc/init.d/" and "/proc/net/" are prefixes the facts join names to.
            let covered = FactSources.covers(path.hasSuffix("/") ? String(path.dropLast()) : path)
                || (path.hasSuffix("/") && FactSources.live.contains { $0.hasPrefix(path) })
            #expect(covered, "\(file) reads \(path), which FactSources does not list: add it there (the SSH audit fetches that list)")
        }
    }

    @Test func theListsAreWhatTheFactsUse() {
        for dir in WebCredentialFacts.scanDirs + PackageFacts.sbomDirs { #expect(FactSources.covers(dir), "\(dir)") }
        for (path, _) in PackageFacts.statusFiles { #expect(FactSources.covers(path), "\(path)") }
        // The fuzzer fills only places the facts read, and each once.
        for p in FactSources.fuzzed { #expect(FactSources.covers(p), "\(p)") }
        #expect(Set(FactSources.fuzzed).count == FactSources.fuzzed.count)
    }

    @Test func coversIsExact() {
        #expect(FactSources.covers("/etc/shadow"))
        #expect(FactSources.covers("/var/lib/dpkg/status"))
        #expect(!FactSources.covers("/var/lib/dpkg/info/x.list") || FactSources.keyDirs.contains("/var/lib"))
        #expect(!FactSources.covers("/etcetera/passwd"), "a sibling with the same prefix is not inside /etc")
        #expect(!FactSources.covers("/usr/share/doc/README"))
        #expect(FactSources.covers("/proc/net/tcp6") && !FactSources.covers("/proc/kcore"))
    }
}
