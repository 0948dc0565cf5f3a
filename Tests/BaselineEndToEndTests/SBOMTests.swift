// `baseline sbom`: CycloneDX 1.6 JSON validated with cyclonedx-python-lib (out/py, made by `make pyvenv`), the same
// components from a directory and from its image, every installed package listed, real binaries identified.
import Foundation
import Testing

func sbom(_ image: String, _ extra: [String] = []) throws -> (RunResult, [String: Any]?) {
    let r = try baseline(["sbom", image] + extra)
    return (r, (try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8))) as? [String: Any])
}

/// cyclonedx-python-lib's strict validator on a file; the message when invalid.
func validateCycloneDX(_ path: String) throws -> RunResult {
    try run(Repo.path("out/py/bin/python"), [Repo.path("Tests/scripts/validate_cyclonedx.py"), path])
}

func components(_ doc: [String: Any]?) -> [[String: Any]] { (doc?["components"] as? [[String: Any]]) ?? [] }

@Suite("CycloneDX SBOM")
struct SBOMTests {
    @Test("every sample's SBOM validates and is the same from the directory and from its SquashFS image", arguments: sampleExpectations)
    func validAndSameFromImage(_ e: SampleExpectation) throws {
        let t = try TempTree()
        let dir = Repo.path("Firmware-samples/" + e.sample)
        let (r, doc) = try sbom(dir, ["--output", t.sub("sbom.json")])
        #expect(r.code == 0, "\(r.stderr)")
        let v = try validateCycloneDX(t.sub("sbom.json"))
        #expect(v.code == 0, "\(v.stdout) \(v.stderr)")
        #expect(doc == nil, "with --output nothing goes to standard output")
        let fromDir = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: t.sub("sbom.json")))) as? [String: Any]
        #expect(fromDir?["specVersion"] as? String == "1.6")
        try ImageInputTests.make("squashfs", from: dir, into: t.sub("image.squashfs"))
        let (ri, fromImage) = try sbom(t.sub("image.squashfs"))
        #expect(ri.code == 0, "\(ri.stderr)")
        let a = components(fromDir).map { NSDictionary(dictionary: $0) }, b = components(fromImage).map { NSDictionary(dictionary: $0) }
        #expect(a == b, "components differ between directory and image")
        #expect(!a.isEmpty)
    }

    /// Every installed package of the dpkg database is in the SBOM with its package URL.
    @Test func listsEveryInstalledPackage() throws {
        let dir = Repo.path("Firmware-samples/debian-11-fernwerk-legacy")
        let status = try String(contentsOfFile: dir + "/var/lib/dpkg/status", encoding: .utf8)
        var expected: [String] = []
        for stanza in status.components(separatedBy: "\n\n") {
            let fields = Dictionary(stanza.split(separator: "\n").compactMap { l -> (String, String)? in
                guard let c = l.firstIndex(of: ":") else { return nil }
                return (String(l[..<c]), l[l.index(after: c)...].trimmingCharacters(in: .whitespaces))
            }, uniquingKeysWith: { a, _ in a })
            if let n = fields["Package"], let v = fields["Version"], fields["Status"] == "install ok installed" {
                expected.append("pkg:deb/debian/\(n)@\(v.replacingOccurrences(of: ":", with: "%3A"))")
            }
        }
        #expect(expected.count >= 3)
        let (r, doc) = try sbom(dir)
        #expect(r.code == 0)
        let purls = components(doc).compactMap { $0["purl"] as? String }.filter { $0.hasPrefix("pkg:deb/") }
        #expect(purls.sorted() == expected.sorted())
    }

    /// A real Dropbear binary and libcrypto from this machine are identified with the version the tools report.
    @Test func realBinariesAreIdentified() throws {
        let t = try TempTree(["etc/os-release": "ID=test\nVERSION_ID=1\n"])
        try t.mkdir("usr/sbin")
        try FileManager.default.copyItem(atPath: "/usr/sbin/dropbear", toPath: t.sub("usr/sbin/dropbear"))
        let reported = try run("/usr/sbin/dropbear", ["-V"])
        let version = (reported.stderr + reported.stdout).components(separatedBy: "v").last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        #expect(!version.isEmpty)
        let (r, doc) = try sbom(t.path, ["--name", "Test firmware", "--supplier", "Testco"])
        #expect(r.code == 0, "\(r.stderr)")
        let dropbear = components(doc).first { $0["name"] as? String == "Dropbear" }
        #expect(dropbear?["version"] as? String == version, "\(components(doc))")
        #expect((dropbear?["cpe"] as? String)?.hasPrefix("cpe:2.3:a:dropbear_ssh_project:dropbear_ssh:\(version):") == true)
        let meta = (doc?["metadata"] as? [String: Any])?["component"] as? [String: Any]
        #expect(meta?["name"] as? String == "Test firmware")
        #expect((meta?["supplier"] as? [String: Any])?["name"] as? String == "Testco")
        try t.write("sbom.json", r.stdout)
        #expect(try validateCycloneDX(t.sub("sbom.json")).code == 0)
    }

    /// The validator is not a rubber stamp: a broken SBOM is rejected.
    @Test func validatorRejectsABrokenSBOM() throws {
        let (_, doc) = try sbom(Repo.path("Firmware-samples/debian-13-fernwerk"))
        var broken = doc ?? [:]
        var comps = components(doc)
        comps[0]["type"] = "gadget"
        broken["components"] = comps
        let t = try TempTree()
        try JSONSerialization.data(withJSONObject: broken).write(to: URL(fileURLWithPath: t.sub("bad.json")))
        let v = try validateCycloneDX(t.sub("bad.json"))
        #expect(v.code == 1 && v.stdout.contains("'gadget' is not one of"), "\(v.stdout)")
    }

    @Test func badInputs() throws {
        let t = try TempTree(["garbage.bin": String(repeating: "not an image ", count: 500)])
        let missing = try baseline(["sbom", t.sub("nope.img")])
        #expect(missing.code == 3 && missing.stderr.contains("no such file"))
        let garbage = try baseline(["sbom", t.sub("garbage.bin")])
        #expect(garbage.code == 3 && garbage.stderr.split(separator: "\n").count == 1, "\(garbage.stderr)")
        #expect(garbage.stdout.isEmpty)
    }
}
