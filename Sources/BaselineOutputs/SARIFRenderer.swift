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
        var artifacts: [[String: Any]]
        var index: [String: Int] = [:]
        init(image: String, container: Report.Container?) {
            self.image = image
            var top: [String: Any] = ["location": ["uri": image], "roles": ["analysisTarget"]]
            if let c = container { top["properties"] = ["rootContainer": c.format, "rootOffset": c.offset] }
            artifacts = [top]
        }
        func nested(_ path: String) -> Int {
            if let i = index[path] { return i }
            index[path] = artifacts.count
            artifacts.append(["location": ["uri": path], "parentIndex": 0])
            return artifacts.count - 1
        }
    }

    static func location(_ e: Evidence, image: ImageArtifacts? = nil) -> [String: Any] {
        var physical: [String: Any] = [:]
        if e.path.hasPrefix("/"), let img = image {
            let rel = String(e.path.dropFirst())
            physical["artifactLocation"] = ["uri": rel, "index": img.nested(rel)]
        } else if e.path.hasPrefix("/") {
            physical["artifactLocation"] = ["uri": String(e.path.dropFirst()), "uriBaseId": "ROOTFS"]
        } else {
            physical["artifactLocation"] = ["uri": e.path]   // profile and data files, relative to the working directory
        }
        if e.line > 0 { physical["region"] = ["startLine": e.line] }
        return ["physicalLocation": physical, "message": ["text": e.detail]]
    }

    /// `image`: the firmware file as given on the command line, for a report whose source is an image or bundle: its
    /// files become artifacts nested in it instead of paths under ROOTFS.
    /// `accepted`: the justification of a finding accepted in a baseline file (an external suppression), or nil.
    public static func render(_ r: Report, failOn: Severity?, rootURI: String, previous: PreviousReport? = nil, image: String? = nil,
                              accepted: (Finding) -> String? = { _ in nil }) -> String {
        let img = image.map { ImageArtifacts(image: $0, container: r.sourceContainer) }
        var rules: [[String: Any]] = []
        var ruleIndex: [String: Int] = [:]
        for f in r.findings {
            guard let def = CheckCatalog.definition(f.id) else { continue }
            ruleIndex[f.id] = rules.count
            rules.append([
                "id": f.id,
                "name": ruleName(def.title),
                "shortDescription": ["text": def.title],
                "fullDescription": ["text": def.rule],
                "help": ["text": def.remediation],
                "defaultConfiguration": ["level": level(f)],
                "properties": ["tags": ["security", def.area.name] + f.provisions, "security-severity": securitySeverity(f.severity)],
            ])
        }
        var results: [[String: Any]] = []
        for f in r.findings where f.status.isFinding {
            var result: [String: Any] = [
                "ruleId": f.id,
                "ruleIndex": ruleIndex[f.id] ?? 0,
                "level": level(f),
                "kind": "fail",
                "message": ["text": f.message + (f.evidence.isEmpty ? "" : ": " + f.evidence.map { $0.detail }.joined(separator: "; "))],
                "properties": ["status": f.status.name, "severity": f.severity.name, "provisions": f.provisions,
                               "remediation": f.remediation],
            ]
            if let first = f.evidence.first {
                result["locations"] = [location(first, image: img)]
                if f.evidence.count > 1 { result["relatedLocations"] = f.evidence.dropFirst().enumerated().map { i, e -> [String: Any] in
                    var l = location(e, image: img); l["id"] = i + 1; return l } }
            }
            // Stable across runs and line shifts: check id + paths + details.
            let key = ([f.id] + f.evidence.map { $0.path + "|" + $0.detail }).joined(separator: "\n")
            result["partialFingerprints"] = ["baselineFinding/v1": Hex.encode(BaselineCore.SHA256.hash(Array(key.utf8)))]
            if let prev = previous { result["baselineState"] = prev.isNew(f) ? "new" : "unchanged" }
            if let why = accepted(f) { result["suppressions"] = [["kind": "external", "status": "accepted", "justification": why]] }
            results.append(result)
        }
        var run: [String: Any] = [
            "tool": ["driver": ["name": "Baseline", "semanticVersion": r.toolVersion, "version": r.toolVersion,
                                "informationUri": "https://baseline.invalid/docs", "rules": rules]],
            "originalUriBaseIds": ["ROOTFS": ["uri": rootURI, "description": ["text": "The audited root filesystem"]]],
            "invocations": [["executionSuccessful": true, "endTimeUtc": r.generatedAt,
                             "properties": ["profile": r.profileID, "profileDigest": r.profileDigest, "failOn": failOn?.name ?? "never",
                                            "verdict": r.verdict, "reportId": r.reportID]]],
            "results": results,
            "columnKind": "unicodeCodePoints",
        ]
        if let img { run["artifacts"] = img.artifacts; run["originalUriBaseIds"] = nil }
        let doc: [String: Any] = ["$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": [run]]
        let data = try! JSONSerialization.data(withJSONObject: doc, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
