// Vulnerability disclosure and published support period: DISC-01, DISC-02.

public enum DisclosureChecks {
    /// The checks this file holds, by catalogue id (CheckCatalog.swift has their titles, rules and severities).
    public static let all: [(String, (CheckContext) -> Outcome)] = [
        ("DISC-01", contact),
        ("DISC-02", supportPeriod),
    ]

    /// DISC-01
    public static func contact(_ c: CheckContext) -> Outcome {
        let p = c.profile
        var ev: [Evidence] = []
        if let contact = p.disclosureContact { ev.append(Evidence(p.files.last ?? p.id, 0, "profile disclosure contact: " + contact)) }
        if let url = p.disclosurePolicyURL { ev.append(Evidence(p.files.last ?? p.id, 0, "profile disclosure policy: " + url)) }
        if ev.isEmpty { return .fail("the profile declares no vulnerability disclosure contact or policy") }
        var device: [Evidence] = []
        for u in c.facts.release.disclosureURLs { device.append(Evidence(u.path, u.line, "\(u.key)=\(u.value)")) }
        device += c.facts.securityTxt
        if device.isEmpty { return .warn("the device itself exposes no disclosure contact (BUG_REPORT_URL, SUPPORT_URL, security.txt)", ev) }
        return .pass("disclosure contact published and exposed on the device", ev + device)
    }

    /// DISC-02
    public static func supportPeriod(_ c: CheckContext) -> Outcome {
        let p = c.profile
        var missing: [String] = []
        if p.supportURL == nil { missing.append("support.url") }
        if p.supportEnd == nil { missing.append("support.end") }
        if !missing.isEmpty { return .fail("the profile does not publish a support period: missing " + Text.joinWith(missing, " and ")) }
        let pe = Evidence(p.supportSource ?? p.id, 0, "published at \(p.supportURL!), end \(p.supportEnd!.iso)")
        if let s = c.facts.release.supportEnd, s.value != p.supportEnd!.iso {
            return .warn("os-release SUPPORT_END=\(s.value) disagrees with the published end \(p.supportEnd!.iso)", [pe, Evidence(s.path, s.line, "SUPPORT_END=\(s.value)")])
        }
        return .pass("support period published: \(p.supportURL!) (until \(p.supportEnd!.iso))", [pe])
    }
}
