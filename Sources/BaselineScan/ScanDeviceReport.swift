// One scanned device → its `baseline.report/1` (source kind "ssh"): the agent's or host-side audit where one ran, plus
// the scan's own checks (ScanChecks: CRED-12, CRED-13) and the host keys seen on the wire as fingerprints, so a scan
// gets the audit's renderers, --fail-on, --since and the collector. A device the scan did not speak SSH with (refused,
// unreachable, timed out, not SSH…) has no report: nothing was observed, and an empty report would read as a pass.
import BaselineCore

public enum ScanDeviceReport {
    public static func build(_ r: DeviceResult, context: ScanContext, profile: Profile, today: CivilDate, generatedAt: Int64) -> Report? {
        guard r.status.isReachable || !r.hostKeys.isEmpty else { return nil }   // a device dropped mid-audit keeps what was seen
        let location = ScanChecks.location(r.target)
        var report: Report
        if let audited = r.report?.report {
            report = audited
            report.tool = "baseline"
            report.toolVersion = baselineVersion
            if report.sourceFormat == nil {
                report.sourceFormat = (audited.tool == "baseline-agent" ? "baseline-agent \(audited.toolVersion)" : audited.tool)
                    + " on the device (" + (audited.sourceKind == "live" ? "running system" : audited.sourceKind) + "), copied with " + (r.copiedWith ?? "?")
            }
        } else {
            var subject = Subject()
            subject.vendor = profile.vendor
            if profile.models.count == 1 { subject.model = profile.models[0] }
            report = Report(reportID: Auditor.newReportID(), generatedAt: isoTimestamp(generatedAt), auditDate: today, sourceKind: "ssh",
                            sourcePath: location, profileID: profile.id, profileTitle: profile.title, profileChain: profile.chain,
                            profileDigest: profile.digest, subject: subject, findings: [], fingerprints: Fingerprints(), runtime: nil,
                            filesRead: 0, problems: [])
            report.sourceFormat = "SSH scan (banner, host keys, authentication methods" + (context.defaultCredentialsTried ? ", default credentials" : "") + ")"
            if let e = r.auditError { report.incomplete.append("the audit on the device failed: " + e) }
            else if r.status == .authFailed { report.incomplete.append("the given credentials were refused: only what SSH shows without a login was checked") }
            else { report.incomplete.append("no login: only what SSH shows without one was checked (give credentials for a full audit)") }
        }
        report.sourceKind = "ssh"
        report.sourcePath = location
        if let v = r.target.vendor { report.subject.vendor = report.subject.vendor ?? v }
        if let m = r.target.model { report.subject.model = report.subject.model ?? m }

        // The scan's checks, after the credential findings the audit made.
        var scanFindings: [Finding] = []
        for (id, run) in ScanChecks.all {
            guard Auditor.inForce(id, profile) else {
                if profile.policy(id) == nil && !report.checksNotInProfile.contains(id) { report.checksNotInProfile.append(id) }
                continue
            }
            if let f = Auditor.finding(id, run(r, context), profile: profile) { scanFindings.append(f) }
        }
        let at = (report.findings.lastIndex { $0.area == .credentials }).map { $0 + 1 } ?? 0
        report.findings.insert(contentsOf: scanFindings, at: at)

        // Host keys seen on the wire are public: plain fingerprints, as the audit writes for key files.
        for k in r.hostKeys where !report.fingerprints.hostKeys.contains(where: { $0.sha256 == k.fingerprint }) {
            report.fingerprints.hostKeys.append(HostKeyFingerprint(path: location, type: k.type, sha256: k.fingerprint))
        }
        return report
    }
}
