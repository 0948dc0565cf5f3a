// One audit's result: the versioned report document of DESIGN.md (`baseline.report/1`).

public let baselineVersion = "0.1.0"
public let reportSchemaID = "baseline.report/1"

public struct Subject {
    public var vendor: String?
    public var model: String?
    public var firmwareVersion: String?
    public var buildID: String?
    public var osID: String?
    public var osVersion: String?
    public var osName: String?
    public var deviceID: String?
    /// An offline root's identity (RootIdentity: "sha256:…"), so the same image audited twice is the same unit.
    public var imageID: String?
    public init() {}
}

public struct HostKeyFingerprint {
    public let path: String; public let type: String; public let sha256: String
    public init(path: String, type: String, sha256: String) { self.path = path; self.type = type; self.sha256 = sha256 }
}
public struct AuthorizedKeyFingerprint { public let path: String; public let line: Int; public let type: String; public let sha256: String }
public struct PasswordFingerprint { public let account: String; public let scheme: String; public let hmac: String }
public struct PrivateKeyFingerprint { public let path: String; public let label: String; public let publicSHA256: String?; public let hmac: String? }

public struct Fingerprints {
    public var fleetKeyID: String?
    public var hostKeys: [HostKeyFingerprint] = []
    public var authorizedKeys: [AuthorizedKeyFingerprint] = []
    public var passwordHashes: [PasswordFingerprint] = []
    public var privateKeys: [PrivateKeyFingerprint] = []
    public init() {}
}

/// What a live device showed about itself (absent for an offline root filesystem).
public struct Runtime {
    public var kernel: String?
    public var uptimeSeconds: Int?
    public var lastUpdate: LastUpdate?
    public var interfaces: Int
    public var listeners: [Listener]
}

public struct Report {
    public var reportID: String
    public var tool = "baseline"
    public var toolVersion = baselineVersion
    public var generatedAt: String
    public var auditDate: CivilDate
    public var sourceKind: String
    public var sourcePath: String
    public var sourceFormat: String? = nil     // images: how the audited root was reached ("RAUC bundle (…) › rootfs.img › ext2/3/4")
    /// A firmware file: the part that holds the audited root and its byte offset in the file; evidence paths are
    /// paths inside it.
    public struct Container {
        public var format: String
        public var offset: Int
        public init(format: String, offset: Int) { self.format = format; self.offset = offset }
    }
    public var sourceContainer: Container? = nil
    public var profileID: String
    public var profileTitle: String
    public var profileChain: [String]
    public var profileDigest: String
    public var subject: Subject
    public var findings: [Finding]
    public var fingerprints: Fingerprints
    public var runtime: Runtime?
    public var filesRead: Int
    public var problems: [FSProblem]
    /// Why the audit covers only part of its source (a firmware image partly readable); empty when it covers all of it.
    public var incomplete: [String] = []
    /// Checks the audit knows but the profile's chain does not list (they did not run; a profile that disables a check
    /// with `"enabled": false` is not counted here).
    public var checksNotInProfile: [String] = []
    /// Findings a `--baseline-file` accepts (check id and justification): they do not gate, and do not change the
    /// verdict either; the report lists them beside it.
    public var accepted: [(id: String, justification: String)] = []
    /// `--since PREVIOUS.json`: that report's path and the ids of the findings that are new since it (a check failing
    /// now that did not then, or failing with new evidence). nil without --since.
    public var since: (path: String, new: [String])? = nil

    /// "new" or "unchanged" for a finding when the report is compared with a previous one; nil otherwise.
    public func sinceState(_ f: Finding) -> String? {
        guard let s = since, f.status.isFinding else { return nil }
        return s.new.contains(f.id) ? "new" : "unchanged"
    }
    /// Sections a source adds after `coverage` (a capture's `traffic` summary), already in JSON form.
    public var sections: [(String, JSONNode)] = []

    public init(reportID: String, generatedAt: String, auditDate: CivilDate, sourceKind: String, sourcePath: String, profileID: String,
                profileTitle: String, profileChain: [String], profileDigest: String, subject: Subject, findings: [Finding],
                fingerprints: Fingerprints, runtime: Runtime?, filesRead: Int, problems: [FSProblem]) {
        self.reportID = reportID; self.generatedAt = generatedAt; self.auditDate = auditDate; self.sourceKind = sourceKind
        self.sourcePath = sourcePath; self.profileID = profileID; self.profileTitle = profileTitle; self.profileChain = profileChain
        self.profileDigest = profileDigest; self.subject = subject; self.findings = findings; self.fingerprints = fingerprints
        self.runtime = runtime; self.filesRead = filesRead; self.problems = problems
    }

    public func counts(_ area: Area?) -> [Status: Int] {
        var out: [Status: Int] = [:]
        for f in findings where area == nil || f.area == area! { out[f.status, default: 0] += 1 }
        return out
    }

    /// Findings (fail, warn, error) at or above `threshold`; nil threshold means never.
    public func findingsAtOrAbove(_ threshold: Severity?) -> [Finding] {
        guard let t = threshold else { return [] }
        return findings.filter { $0.status.isFinding && $0.severity >= t }
    }

    /// The findings that make the verdict "fail": every finding (fail, warn or error) of severity low or above —
    /// the profile's severities decide (a check a profile rates `info` is informational), `--fail-on` does not.
    public var verdictFindings: [Finding] { findingsAtOrAbove(Report.verdictSeverity) }
    public static let verdictSeverity: Severity = .low

    /// What the firmware is: "fail" when any finding counts against it, else "pass". `--fail-on` and accepted
    /// findings set only the exit code, never the verdict.
    public var verdict: String { verdictFindings.isEmpty ? "pass" : "fail" }
}

extension Status: Hashable {}
