// What the report-writing commands (audit, traffic) share: --fail-on, --date and --profile parsing, and rendering a
// report in the chosen format.
import ArgumentParser
import BaselineCore
import BaselineOutputs
import Foundation

/// How far an image may expand (archive and decompression bombs): every command that opens images.
struct ImageLimitOptions: ParsableArguments {
    @Option(name: .customLong("max-image-bytes"), help: "Refuse an image that expands to more than this many bytes (archive bombs). Default 8 GiB.")
    var maxImageBytes: Int64 = 8 << 30
}

/// `--output FILE` of the commands that write one document other than a report (sbom, fingerprint).
struct OutputFileOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "Write to FILE (atomically) instead of standard output.")
    var output: String?
}

/// The options every report-writing command takes.
struct ReportOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "Profile file or id (looked up in Profiles/, vendors/, baselines/).")
    var profile: String = "etsi-en-303-645"

    @Option(name: .shortAndLong, help: "Output format: text, json, sarif (SARIF 2.1.0), junit (JUnit XML) or html (standalone page).")
    var format: OutputFormat = .text

    @Option(name: .shortAndLong, help: "Write the report to FILE (atomically) instead of standard output.")
    var output: String?

    @Option(name: .customLong("fail-on"), help: "Exit 1 when a finding has at least this severity: info, low, medium, high, critical, or never; `audit` also takes per-area thresholds after it (high,lifecycle=never,credentials=low).")
    var failOn: String = "low"

    @Option(name: .customLong("date"), help: "Judge as of this day (YYYY-MM-DD) instead of today.")
    var date: String?

    @Flag(name: .shortAndLong, help: "Show evidence for passing checks too.")
    var verbose = false

    @Flag(name: .customLong("no-color"), help: "Never colour the text output.")
    var noColor = false
}

enum CommandSupport {
    /// `--fail-on`: a severity, or nil for never.
    static func threshold(_ failOn: String) throws -> Severity? {
        let (def, areas) = try ReleaseGate.parseFailOn(failOn)
        if !areas.isEmpty { throw die("--fail-on: per-area thresholds are for `baseline audit`; expected one severity here", code: 2) }
        return def
    }

    /// `--date`, or today.
    static func today(_ date: String?) throws -> CivilDate {
        guard let d = date else { return CivilDate.fromEpochSeconds(Int64(Date().timeIntervalSince1970)) }
        guard let parsed = CivilDate.parse(d) else { throw die("--date: expected YYYY-MM-DD, found '\(d)'", code: 2) }
        return parsed
    }

    /// `--profile`: a file or an id, loaded with `extends` resolved.
    static func profile(_ name: String) throws -> Profile {
        try ProfileLocator.load(name)
    }

    /// The report in `format`. `rootURI` anchors SARIF locations.
    static func render(_ report: Report, format: OutputFormat, threshold: Severity?, rootURI: String, previous: PreviousReport?,
                       output: String?, noColor: Bool, verbose: Bool, image: String? = nil,
                       accepted: (Finding) -> String? = { _ in nil }, sbom: HTMLRenderer.SBOMSummary? = nil) -> String {
        switch format {
        case .json: return ReportJSON.encode(report, failOn: threshold)
        case .sarif: return SARIFRenderer.render(report, failOn: threshold, rootURI: rootURI, previous: previous, image: image, accepted: accepted)
        case .junit: return JUnitRenderer.render(report, failOn: threshold)
        case .html: return HTMLRenderer.render(report, failOn: threshold, sbom: sbom)
        case .text:
            let color = output == nil && !noColor && isatty(1) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
            return TextSummary.render(report, failOn: threshold, color: color, verbose: verbose)
        }
    }
}
