// SARIF 2.1.0 for code-scanning dashboards: one rule per check in force, one result per failing, warning or
// errored check, located at its first piece of evidence (the others as relatedLocations).
import BaselineCore
import Foundation

public enum SARIFRenderer {
    static func level(_ f: Finding) -> String {
        if f.status == .warn { return f.severity >= .high ? "warning" : "note" }
        switch f.severity {
        case .critical, .high: return "error"
        case .medium: return "warning"
        default: return "note"
        }
    }

    /// GitHub code scanning reads `security-severity` (0.0–10.0) to rank security results.
    static func securitySeverity(_ s: Severity) -> String {
        switch s {
        case .critical: return "9.5"
        case .high: return "8.0"
        case .medium: return "5.5"
        case .low: return "3.0"
        case .info: return "0.0"
        }
    }

    static func ruleName(_ title: String) -> String {
        title.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// A firmware image: the image file is artifact 0 (the analysis target) and every file inside it that evidence
    /// names is an artifact nested in it (parentIndex 0, uri relative to the image's root file system).
    final class ImageArtifacts {
        let image: String
        var artifacts: [JSONNode]
        var index: [String: Int] = [:]
        init(image: String, container: Report.Container?) {
            self.image = image
            var top: [(String, JSONNode)] = [("location", .obj([("uri", .str(image))])), ("roles", .arr([.str("analysisTarget")]))]
            if let c = container { top.append(("properties", .obj([("rootContainer", .str(c.format)), ("rootOffset", .num(c.offset))]))) }
            artifacts = [.obj(top)]
        }
        func nested(_ path: String) -> Int {
            if let i = index[path] { return i }
            index[path] = artifacts.count
            artifacts.append(.obj([("location", .obj([("uri", .str(path))])), ("parentIndex", .num(0))]))
            return artifacts.count - 1
        }
    }

    static func location(_ e: Evidence, image: ImageArtifacts? = nil, id: Int? = nil) -> JSONNode {
        var physical: [(String, JSONNode)] = []
        if e.path.hasPrefix("/"), let img = image {
            let rel = String(e.path.dropFirst())
            physical.append(("artifactLocation", .obj([("uri", .str(rel)), ("index", .num(img.nested(rel)))])))
        } else if e.path.hasPrefix("/") {
            physical.append(("artifactLocation", .obj([("uri", .str(String(e.path.dropFirst()))), ("uriBaseId", .str("ROOTFS"))])))
        } else {
            physical.append(("artifactLocation", .obj([("uri", .str(e.path))])))   // profile and data files, relative to the working directory
        }
        if e.line > 0 { physical.append(("region", .obj([("startLine", .num(e.line))]))) }
        var l: [(String, JSONNode)] = [("physicalLocation", .obj(physical)), ("message", .obj([("text", .str(e.detail))]))]
        if let id { l.append(("id", .num(id))) }
        return .obj(l)
    }

    /// `image`: the firmware file as given on the command line, for a report whose source is an image or bundle: its
    /// files become artifacts nested in it instead of paths under ROOTFS.
    /// `accepted`: the justification of a finding accepted in a baseline file (an external suppression), or nil.
    public static func render(_ r: Report, failOn: Severity?, rootURI: String, previous: PreviousReport? = nil, image: String? = nil,
                              accepted: (Finding) -> String? = { _ in nil }) -> String {
        let img = image.map { ImageArtifacts(image: $0, container: r.sourceContainer) }
        var rules: [JSONNode] = []
        var ruleIndex: [String: Int] = [:]
        for f in r.findings {
            guard let def = CheckCatalog.definition(f.id) else { continue }
            ruleIndex[f.id] = rules.count
            rules.append(.obj([
                ("id", .str(f.id)),
                ("name", .str(ruleName(def.title))),
                ("shortDescription", .obj([("text", .str(def.title))])),
                ("fullDescription", .obj([("text", .str(def.rule))])),
                ("help", .obj([("text", .str(def.remediation))])),
                ("defaultConfiguration", .obj([("level", .str(level(f)))])),
                ("properties", .obj([("tags", .arr((["security", def.area.name] + f.provisions).map { .str($0) })),
                                     ("security-severity", .str(securitySeverity(f.severity)))])),
            ]))
        }
        var results: [JSONNode] = []
        for f in r.findings where f.status.isFinding {
            var result: [(String, JSONNode)] = [
                ("ruleId", .str(f.id)),
                ("ruleIndex", .num(ruleIndex[f.id] ?? 0)),
                ("level", .str(level(f))),
                ("kind", .str("fail")),
                ("message", .obj([("text", .str(f.message + (f.evidence.isEmpty ? "" : ": " + f.evidence.map { $0.detail }.joined(separator: "; "))))])),
                ("properties", .obj([("status", .str(f.status.name)), ("severity", .str(f.severity.name)), ("provisions", .arr(f.provisions.map { .str($0) })),
                                     ("remediation", .str(f.remediation))])),
            ]
            if let first = f.evidence.first {
                result.append(("locations", .arr([location(first, image: img)])))
                if f.evidence.count > 1 {
                    result.append(("relatedLocations", .arr(f.evidence.dropFirst().enumerated().map { i, e in location(e, image: img, id: i + 1) })))
                }
            }
            // Stable across runs and line shifts: check id + paths + details.
            let key = ([f.id] + f.evidence.map { $0.path + "|" + $0.detail }).joined(separator: "\n")
            result.append(("partialFingerprints", .obj([("baselineFinding/v1", .str(Hex.encode(BaselineCore.SHA256.hash(Array(key.utf8)))))])))
            if let prev = previous { result.append(("baselineState", .str(prev.isNew(f) ? "new" : "unchanged"))) }
            if let why = accepted(f) {
                result.append(("suppressions", .arr([.obj([("kind", .str("external")), ("status", .str("accepted")), ("justification", .str(why))])])))
            }
            results.append(.obj(result))
        }
        var run: [(String, JSONNode)] = [
            ("tool", .obj([("driver", .obj([("name", .str("Baseline")), ("semanticVersion", .str(r.toolVersion)), ("version", .str(r.toolVersion)),
                                            ("informationUri", .str("https://baseline.invalid/docs")), ("rules", .arr(rules))]))])),
            ("invocations", .arr([.obj([("executionSuccessful", .flag(true)), ("endTimeUtc", .str(r.generatedAt)),
                                        ("properties", .obj([("profile", .str(r.profileID)), ("profileDigest", .str(r.profileDigest)),
                                                             ("failOn", .str(failOn?.name ?? "never")), ("verdict", .str(r.verdict)),
                                                             ("reportId", .str(r.reportID))]))])])),
            ("results", .arr(results)),
            ("columnKind", .str("unicodeCodePoints")),
        ]
        // An image's files are artifacts nested in it; a directory's are under the ROOTFS base.
        if let img {
            run.append(("artifacts", .arr(img.artifacts)))
        } else {
            run.append(("originalUriBaseIds", .obj([("ROOTFS", .obj([("uri", .str(rootURI)), ("description", .obj([("text", .str("The audited root filesystem"))]))]))])))
        }
        let doc: JSONNode = .obj([("$schema", .str("https://json.schemastore.org/sarif-2.1.0.json")), ("version", .str("2.1.0")), ("runs", .arr([.obj(run)]))])
        return JSONWriter.write(doc, sortKeys: true)
    }
}
