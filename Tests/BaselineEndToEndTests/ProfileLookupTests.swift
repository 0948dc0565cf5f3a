// Issue 18, profiles: `baseline profiles` lists what can be used; a mistyped id gets one line with "did you mean"
// and the search path (naming BASELINE_PROFILES); `extends` takes an id, so a vendor profile copied out of the tree
// keeps working; an installed layout (profiles in their own directory, the binary run from elsewhere) is found
// through BASELINE_PROFILES; the host agent takes an id too.
import Foundation
import Testing

@Suite struct ProfileLookupTests {
    let sample = Repo.path("Firmware-samples/yocto-scarthgap-acme-rauc")

    func statuses(_ r: RunResult) -> [String: String] {
        guard let doc = try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any],
              let fs = doc["findings"] as? [[String: Any]] else { return [:] }
        var out: [String: String] = [:]
        for f in fs { if let id = f["id"] as? String { out[id] = f["status"] as? String } }
        return out
    }

    @Test func profilesListsBundledProfilesWithTitleExtendsAndFile() throws {
        let r = try baseline(["profiles"])
        #expect(r.code == 0, "\(r.stderr)")
        #expect(r.stdout.contains("acme-gateway") && r.stdout.contains("Acme Networks GW-7100") && r.stdout.contains("Profiles/vendors/acme-gateway.json"))
        #expect(r.stdout.contains("extends ../baselines/etsi-en-303-645.json"))
        let j = try baseline(["profiles", "--format", "json"])
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as? [String: Any])
        let ids = (doc["profiles"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        #expect(Set(ids).isSuperset(of: ["acme-gateway", "fernwerk-edge", "nordlicht-router", "sensorix-hub", "etsi-en-303-645", "eu-cra", "uk-psti"]), "\(ids)")
    }

    @Test func aMistypedIdGetsDidYouMean() throws {
        let r = try baseline(["audit", sample, "--profile", "acme-gatway"])
        #expect(r.code == 2)
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        #expect(r.stderr.contains("did you mean 'acme-gateway'?") && r.stderr.contains("BASELINE_PROFILES"), "\(r.stderr)")
        let far = try baseline(["audit", sample, "--profile", "zzzzzzzz"])
        #expect(far.code == 2 && !far.stderr.contains("did you mean"), "\(far.stderr)")
    }

    @Test func extendsByIdKeepsACopiedVendorProfileWorking() throws {
        let t = try TempTree()
        var text = try String(contentsOfFile: Repo.path("Profiles/vendors/acme-gateway.json"), encoding: .utf8)
        text = text.replacingOccurrences(of: "\"../baselines/etsi-en-303-645.json\"", with: "\"etsi-en-303-645\"")
            .replacingOccurrences(of: "\"../baselines/uk-psti.json\"", with: "\"uk-psti\"")
        try t.write("my-acme.json", text)
        let copied = try audit(sample, profile: t.sub("my-acme.json"))
        let original = try audit(sample, profile: "acme-gateway")
        #expect(copied.code == original.code, "\(copied.stderr)")
        #expect(!statuses(original).isEmpty && statuses(copied) == statuses(original))
        // An id that names nothing: one line naming the file, the line and where it looked.
        try t.write("broken.json", text.replacingOccurrences(of: "\"uk-psti\"", with: "\"uk-pst\""))
        let broken = try audit(sample, profile: t.sub("broken.json"))
        #expect(broken.code == 2 && broken.stderr.contains("broken.json:") && broken.stderr.contains("extends 'uk-pst'"), "\(broken.stderr)")
        #expect(broken.stderr.split(separator: "\n").count == 1)
    }

    @Test func anInstalledLayoutIsFoundThroughBASELINE_PROFILES() throws {
        let t = try TempTree()
        try FileManager.default.copyItem(atPath: Repo.path("Profiles"), toPath: t.sub("share/baseline/Profiles"))
        try t.mkdir("elsewhere")
        try t.write("share/baseline/Profiles/vendors/site-gw.json", """
            {"schema": "baseline.profile/1", "id": "site-gw", "title": "Site gateway", "extends": "acme-gateway"}
            """)
        let env = ["BASELINE_PROFILES": t.sub("share/baseline/Profiles")]
        let list = try run(Repo.binary, ["profiles"], cwd: t.sub("elsewhere"), env: env)
        #expect(list.code == 0 && list.stdout.contains("site-gw") && list.stdout.contains("Site gateway"), "\(list.stdout)\(list.stderr)")
        let r = try run(Repo.binary, ["audit", sample, "--profile", "site-gw", "--format", "json", "--date", Repo.auditDate], cwd: t.sub("elsewhere"), env: env)
        let reference = try audit(sample, profile: "acme-gateway")
        #expect(r.code == reference.code, "\(r.stderr)")
        #expect(!statuses(r).isEmpty && statuses(r) == statuses(reference))
        // The host agent takes the id too.
        let a = try run(Repo.path(".build/debug/baseline-agent"), ["--root", sample, "--profile", "site-gw", "--date", Repo.auditDate], cwd: t.sub("elsewhere"), env: env)
        #expect(a.code == reference.code && a.stdout.contains("\"site-gw\""), "\(a.code) \(a.stderr)")
        let bad = try run(Repo.path(".build/debug/baseline-agent"), ["--root", sample, "--profile", "site-gx"], cwd: t.sub("elsewhere"), env: env)
        #expect(bad.code == 2 && bad.stderr.contains("BASELINE_PROFILES"), "\(bad.stderr)")
    }

    @Test func anInstalledBinaryFindsItsShareDirectory() throws {
        // The layout `make install PREFIX=…` makes: PREFIX/bin/baseline and PREFIX/share/baseline/Profiles; run from
        // a directory with no Profiles and without BASELINE_PROFILES.
        let t = try TempTree()
        try t.mkdir("prefix/bin")
        try t.mkdir("prefix/share/baseline")
        try t.mkdir("cwd")
        try FileManager.default.copyItem(atPath: Repo.binary, toPath: t.sub("prefix/bin/baseline"))
        try FileManager.default.copyItem(atPath: Repo.path("Profiles"), toPath: t.sub("prefix/share/baseline/Profiles"))
        let r = try run(t.sub("prefix/bin/baseline"), ["audit", sample, "--profile", "acme-gateway", "--format", "json", "--date", Repo.auditDate],
                        cwd: t.sub("cwd"), env: ["BASELINE_PROFILES": ""])
        let reference = try audit(sample, profile: "acme-gateway")
        #expect(!statuses(r).isEmpty && statuses(r) == statuses(reference), "\(r.stderr)")
        let list = try run(t.sub("prefix/bin/baseline"), ["profiles"], cwd: t.sub("cwd"), env: ["BASELINE_PROFILES": ""])
        #expect(list.stdout.contains("prefix/share/baseline/Profiles/vendors/acme-gateway.json"), "\(list.stdout)")
    }

    @Test func checksAsJSON() throws {
        let r = try baseline(["checks", "--format", "json"])
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let checks = doc["checks"] as? [[String: Any]] ?? []
        #expect(checks.count == (try baseline(["checks"])).stdout.split(separator: "\n").count)
        #expect(checks.first?["id"] as? String == "CRED-01" && checks.allSatisfy { ($0["rule"] as? String ?? "").count > 10 })
    }
}

/// Issue 18: shell completions from both host programs, and the agent's hand-written man page renders (the other two
/// man pages come from swift-argument-parser's generate-manual in `make install`).
@Suite struct CompletionAndManTests {
    @Test(arguments: ["bash", "zsh", "fish"]) func completionScripts(_ shell: String) throws {
        let b = try baseline(["--generate-completion-script", shell])
        #expect(b.code == 0 && b.stdout.contains("audit") && b.stdout.contains("profiles") && b.stdout.contains("fail-on"), "\(b.stdout.prefix(300))")
        let c = try collector(["--generate-completion-script", shell])
        #expect(c.code == 0 && c.stdout.contains("ingest") && c.stdout.contains("prune") && c.stdout.contains("access-log"), "\(c.stdout.prefix(300))")
    }

    @Test func theAgentManPageRendersAndListsEveryOption() throws {
        let page = Repo.path("Docs/man/baseline-agent.1")
        let text = try String(contentsOfFile: page, encoding: .utf8)
        let help = try run(Repo.path(".build/debug/baseline-agent"), ["--help"])
        // Every option the agent's --help names is in its man page.
        let options = Set(help.stdout.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "[" || $0 == "]" || $0 == "," })
            .filter { $0.hasPrefix("--") && $0.count > 3 }.map { String($0.prefix { $0 != "=" }) })
        #expect(options.count > 10)
        for o in options { #expect(text.contains(o.replacingOccurrences(of: "-", with: "\\-")), "\(o) missing from the man page") }
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/man") {
            let r = try run("/usr/bin/man", ["-l", page], env: ["MANPAGER": "cat", "MANWIDTH": "80"])
            #expect(r.code == 0 && r.stdout.contains("baseline-agent") && r.stdout.contains("EXIT STATUS"), "\(r.stderr)")
        }
    }
}
