// The vocabulary of results: areas, statuses, severities, and a finding.

public enum Area: Equatable, CaseIterable {
    case credentials, update, lifecycle, surface, disclosure

    public var name: String {
        switch self {
        case .credentials: return "credentials"
        case .update: return "update"
        case .lifecycle: return "lifecycle"
        case .surface: return "surface"
        case .disclosure: return "disclosure"
        }
    }

    public var title: String {
        switch self {
        case .credentials: return "Unique credentials"
        case .update: return "Secure update channel"
        case .lifecycle: return "Lifecycle status"
        case .surface: return "Exposed services"
        case .disclosure: return "Vulnerability disclosure"
        }
    }
}

public enum Status: Equatable {
    case pass, fail, warn, info, skip, error

    public var name: String {
        switch self {
        case .pass: return "pass"
        case .fail: return "fail"
        case .warn: return "warn"
        case .info: return "info"
        case .skip: return "skip"
        case .error: return "error"
        }
    }

    /// Ordering used when one check sees several pieces of evidence: the worst wins.
    var rank: Int {
        switch self {
        case .skip: return 0
        case .info: return 1
        case .pass: return 2
        case .warn: return 3
        case .error: return 4
        case .fail: return 5
        }
    }

    public var isFinding: Bool { self == .fail || self == .warn || self == .error }
}

public enum Severity: Int, Comparable {
    case info = 0, low, medium, high, critical

    public static func < (a: Severity, b: Severity) -> Bool { a.rawValue < b.rawValue }

    public var name: String {
        switch self {
        case .info: return "info"
        case .low: return "low"
        case .medium: return "medium"
        case .high: return "high"
        case .critical: return "critical"
        }
    }

    public static func parse(_ s: String) -> Severity? {
        switch Text.lower(s) {
        case "info": return .info
        case "low": return .low
        case "medium": return .medium
        case "high": return .high
        case "critical": return .critical
        default: return nil
        }
    }

    var lower: Severity { Severity(rawValue: max(rawValue - 1, 1)) ?? .low }
}

public struct Finding {
    public let id: String
    public let area: Area
    public let title: String
    public var status: Status
    public var severity: Severity
    public var message: String
    public var evidence: [Evidence]
    public var provisions: [String]
    public var remediation: String
    /// The outcome's machine-readable facts (`support_end`, `eol`: YYYY-MM-DD), as the JSON report's `data` object.
    public var data: [(String, String)] = []
}
