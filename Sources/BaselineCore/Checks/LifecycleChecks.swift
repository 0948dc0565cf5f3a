// Lifecycle status: LIFE-01 (machine-readable version), LIFE-02 (support period declared and not over),
// LIFE-04 (base OS release cycle still supported upstream).

public enum LifecycleChecks {
    /// LIFE-01
    public static func version(_ c: CheckContext) -> Outcome {
        if let v = c.facts.release.versionEvidence {
            return .pass("firmware version: " + (c.facts.release.firmwareVersion ?? v.detail), [Evidence(v.path, v.line, v.detail)])
        }
        return .fail("no machine-readable version (os-release VERSION_ID/IMAGE_VERSION, /etc/openwrt_release, /etc/version, /etc/timestamp)")
    }

    /// The support end that applies: os-release SUPPORT_END, else the profile's.
    static func supportEnd(_ c: CheckContext) -> (date: CivilDate, ev: Evidence)? {
        if let s = c.facts.release.supportEnd, let d = CivilDate.parse(s.value) {
            return (d, Evidence(s.path, s.line, "SUPPORT_END=\(s.value)"))
        }
        if let d = c.profile.supportEnd {
            return (d, Evidence(c.profile.supportSource ?? c.profile.id, 0, "profile support.end \(d.iso)"))
        }
        return nil
    }

    /// LIFE-02
    public static func supportPeriod(_ c: CheckContext) -> Outcome {
        if let s = c.facts.release.supportEnd, CivilDate.parse(s.value) == nil {
            return .fail("SUPPORT_END is not a date YYYY-MM-DD", [Evidence(s.path, s.line, "SUPPORT_END=\(s.value)")])
        }
        guard let end = supportEnd(c) else {
            return .fail("no support period declared (no SUPPORT_END in os-release, no support.end in the profile)")
        }
        let left = c.today.days(until: end.date)
        if left < 0 { return .fail("support ended on \(end.date.iso) (\(-left) days ago)", [end.ev]) }
        if left <= c.profile.supportWarnDays { return .warn("support ends on \(end.date.iso), in \(left) days", [end.ev]) }
        return .pass("supported until \(end.date.iso) (\(left) days left)", [end.ev])
    }

    /// LIFE-04
    public static func baseOS(_ c: CheckContext) -> Outcome {
        guard let eol = c.eol else { return .skip("the profile names no end-of-life data (lifecycle.eol_data)") }
        let r = c.facts.release
        guard let osID = c.profile.baseOS ?? r.distroID else { return .info("base OS not identified (no os-release ID)") }
        var osEv: [Evidence] = []
        if let os = r.osRelease { osEv.append(Evidence(os.path, os.lines["VERSION_ID"] ?? os.lines["ID"] ?? 0, "ID=\(r.distroID ?? "?") VERSION_ID=\(r.versionID ?? "?")")) }
        else if let o = r.openwrt { osEv.append(Evidence(o.path, o.lines["DISTRIB_RELEASE"] ?? 0, "DISTRIB_RELEASE=\(r.versionID ?? "?")")) }
        guard let product = eol.product(osID: osID) else {
            return .info("no end-of-life data for base OS '\(osID)' (\(eol.path), snapshot \(eol.snapshot))", osEv)
        }
        guard let cycle = product.cycle(version: r.versionID, codename: r.codename) else {
            return .warn("\(product.title) release '\(r.versionID ?? r.codename ?? "?")' is not in the end-of-life data (\(eol.source), snapshot \(eol.snapshot))", osEv)
        }
        let ev = osEv + [Evidence(eol.path, cycle.line, "\(product.title) \(cycle.cycle): end of life \(cycle.eol?.iso ?? "not announced")" + (cycle.extended.map { ", extended support until \($0.iso)" } ?? "") + " (source: \(eol.source), snapshot \(eol.snapshot))")]
        let upstreamEnd = cycle.extended ?? cycle.eol
        if let e = cycle.eol, e < c.today {
            if let x = cycle.extended, !(x < c.today) {
                return .warn("\(product.title) \(cycle.cycle) left regular security support on \(e.iso); extended support until \(x.iso)", ev)
            }
            return .fail("\(product.title) \(cycle.cycle) reached end of life on \((upstreamEnd ?? e).iso)", ev)
        }
        if let vendorEnd = supportEnd(c), let up = upstreamEnd, up < vendorEnd.date {
            return .warn("support gap: vendor support runs to \(vendorEnd.date.iso) but \(product.title) \(cycle.cycle) ends on \(up.iso)", ev + [vendorEnd.ev])
        }
        return .pass("\(product.title) \(cycle.cycle) is supported upstream" + (upstreamEnd.map { " until \($0.iso)" } ?? ""), ev)
    }

    /// LIFE-06: a package database or an SBOM tells what the image contains (CRA Annex I Part II(1)).
    public static func inventory(_ c: CheckContext) -> Outcome {
        let p = c.facts.packages
        var ev: [Evidence] = []
        for d in p.databases { ev.append(Evidence(d.path, 0, "\(d.manager) database, \(d.count) installed package(s)")) }
        for s in p.sbomFiles { ev.append(Evidence(s, 0, "SBOM file")) }
        if ev.isEmpty {
            return .warn("no package database (opkg, dpkg, apk) and no SBOM in the image: its components cannot be inventoried")
        }
        return .pass("component inventory: " + Text.joinWith(ev.map { $0.detail }, "; "), ev)
    }
}
