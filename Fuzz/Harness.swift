// libFuzzer harnesses for every parser that reads untrusted bytes. One binary, one target per run, chosen by
// BASELINE_FUZZ_TARGET (Fuzz/run.sh sets it). Built by Fuzz/build.sh with `-sanitize=fuzzer,address`: the Swift
// runtime traps on overflow and out-of-bounds, AddressSanitizer catches the C readers, libFuzzer keeps the inputs
// that crash or time out. A harness asserts nothing but "returns": the regressions replay in `make test`.
import BaselineCore
import BaselineFleet
import BaselineImages
import BaselineTraffic
import Foundation

enum Target: String, CaseIterable {
    case json, profile, audit, pem, sshkey, version, report, traffic, image
}

nonisolated(unsafe) var target = Target.json
nonisolated(unsafe) var profile: Profile?
nonisolated(unsafe) var validator: SchemaValidator?
let scratch = "/dev/shm/baseline-fuzz-\(getpid())"

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
    let env = ProcessInfo.processInfo.environment
    guard let name = env["BASELINE_FUZZ_TARGET"], let t = Target(rawValue: name) else {
        fputs("baseline-fuzz: set BASELINE_FUZZ_TARGET to one of \(Target.allCases.map(\.rawValue).joined(separator: ", "))\n", stderr)
        exit(2)
    }
    target = t
    let repo = env["BASELINE_REPO"] ?? FileManager.default.currentDirectoryPath
    do throws(ProfileError) { profile = try ProfileLoader.load(repo + "/Profiles/vendors/acme-gateway.json") } catch {
        fputs("baseline-fuzz: cannot load the acme-gateway profile from \(repo): \(error.text)\n", stderr); exit(2)
    }
    do { validator = try SchemaValidator(path: repo + "/Profiles/schema/report.schema.json") } catch {
        fputs("baseline-fuzz: \(error)\n", stderr); exit(2)
    }
    auditPaths = FactSources.fuzzed
    atexit { try? FileManager.default.removeItem(atPath: scratch) }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = size == 0 || data == nil ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    switch target {
    case .json:
        _ = try? JSONParser.parse(bytes)
        if let validator, !IngestFastPathCheck.agrees(bytes, validator: validator) { fatalError("the tape parser and JSONParser disagree") }
    case .profile: withFile(bytes, "profile.json") { p in _ = try? ProfileLoader.load(p) }
    case .audit: audit(bytes)
    case .pem:
        for b in PEM.blocks(bytes) { if let der = b.der { _ = CertificateInfo.parse(der: der); _ = SSHKeys.publicKey(fromPrivate: der) } }
        _ = CertificateInfo.parse(der: bytes)
        _ = DER.read(bytes[...], at: 0)
    case .sshkey:
        _ = SSHKeys.publicKey(fromPrivate: bytes)
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") { _ = SSHKeys.parsePublicLine(String(line)) }
    case .version:
        for p in ["busybox", "openssl", "dropbear", "openssh", "linux", "glibc", "curl"] { _ = ComponentFacts.versionString(bytes, product: p) }
        let text = String(decoding: bytes, as: UTF8.self)
        let parts = text.split(separator: " ", maxSplits: 1).map(String.init)
        if parts.count == 2 {
            _ = ComponentFacts.compareVersions(parts[0], parts[1])
            _ = ComponentFacts.upstreamVersion(parts[0]); _ = ComponentFacts.numericVersion(parts[1])
        }
    case .report:
        _ = try? ReportDocument.parse(Data(bytes), source: "fuzz", validator: validator)
        // Ingest's fast path (no tree) must never accept what the tree way refuses, nor read it differently.
        if let validator, !IngestFastPathCheck.agrees(bytes, validator: validator) { fatalError("ingest's fast path and the tree way disagree") }
        _ = try? ReportReader.read(bytes)    // unvalidated, as `--since` and the scan read agent reports
    case .traffic: traffic(bytes)
    case .image: withFile(bytes, "image.bin") { p in _ = try? ImageLoader.load(p) }
    }
    return 0
}

func withFile(_ bytes: [UInt8], _ name: String, _ body: (String) -> Void) {
    try? FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    let path = scratch + "/" + name
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    body(path)
    try? FileManager.default.removeItem(atPath: path)
}

/// The files an audit reads most, filled from the input: the chunks between "\n%%\n" separators go to these paths
/// in turn (FactSources.fuzzed, which Fuzz/seeds.py joins the samples' own files by), so the fuzzer mutates real
/// configurations. Files under /bin are made executable.
nonisolated(unsafe) var auditPaths: [String] = []

func audit(_ bytes: [UInt8]) {
    guard let profile else { return }
    let tree = ImageTree()
    var chunk: [UInt8] = [], index = 0
    let sep: [UInt8] = Array("\n%%\n".utf8)
    var i = 0
    func flush() {
        if index < auditPaths.count {
            tree.add(auditPaths[index], .file(content: chunk, size: chunk.count, mode: auditPaths[index].hasPrefix("/bin/") ? 0o755 : 0o644, complete: true))
        }
        index += 1; chunk = []
    }
    while i < bytes.count {
        if bytes[i] == 10, i + sep.count <= bytes.count, Array(bytes[i..<i + sep.count]) == sep { flush(); i += sep.count; continue }
        chunk.append(bytes[i]); i += 1
    }
    flush()
    tree.add("/etc/ssh/ssh_host_rsa_key", .symlink("../../../../etc/shadow"))      // a link that must stay inside
    let fs = RootView(image: tree, label: "fuzz")
    let options = AuditOptions(today: CivilDate(year: 2026, month: 12, day: 1)!, generatedAt: 1_796_000_000,
                               fleetKey: Array("fuzz-fleet-key-0123456789abcdef".utf8), sourceKind: "rootfs", sourcePath: "fuzz")
    if let r = try? Auditor.run(fs: fs, profile: profile, options: options) { _ = ReportJSON.encode(r, failOn: nil) }
}

/// Frames for the capture analyzer: the first byte picks the link type, then each frame is a 2-byte big-endian
/// length and its bytes, one time step apart.
func traffic(_ bytes: [UInt8]) {
    guard let first = bytes.first else { return }
    let links: [LinkType] = [.ethernet, .linuxSLL, .linuxSLL2, .rawIP, .bsdNull, .bsdLoop, .ipv4, .ipv6]
    let a = TrafficAnalyzer(capture: "fuzz", link: links[Int(first) % links.count])
    var i = 1, t = 1_700_000_000.0
    while i + 2 <= bytes.count {
        let n = Int(bytes[i]) << 8 | Int(bytes[i + 1])
        i += 2
        let end = min(bytes.count, i + n)
        bytes[i..<end].withUnsafeBytes { a.process($0, wireLength: n, time: t) }
        i = end; t += 0.01
    }
    _ = a.finish()
}
