// Lifecycle status: LIFE-01 (machine-readable version), LIFE-02 (support period declared and not over),
// LIFE-04 (base OS release cycle still supported upstream), LIFE-05 (components on supported versions),
// LIFE-06 (component inventory).

public enum LifecycleChecks {
    /// The checks this file holds, by catalogue id (CheckCatalog.swift has their titles, rules and severities).
    public static let all: [(String, (CheckContext) -> Outcome)] = [
        ("LIFE-01", version),
        ("LIFE-02", supportPeriod),
        ("LIFE-04", baseOS),
        ("LIFE-05", components),
        ("LIFE-06", inventory),
    ]

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
        if left < 0 { return Outcome.fail("support ended on \(end.date.iso) (\(-left) days ago)", [end.ev]).with("support_end", end.date.iso) }
        if left <= c.profile.supportWarnDays { return Outcome.warn("support ends on \(end.date.iso), in \(left) days", [end.ev]).with("support_end", end.date.iso) }
        return Outcome.pass("supported until \(end.date.iso) (\(left) days left)", [end.ev]).with("support_end", end.date.iso)
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
            return Outcome.fail("\(product.title) \(cycle.cycle) reached end of life on \((upstreamEnd ?? e).iso)", ev).with("eol", (upstreamEnd ?? e).iso)
        }
        if let vendorEnd = supportEnd(c), let up = upstreamEnd, up < vendorEnd.date {
            return .warn("support gap: vendor support runs to \(vendorEnd.date.iso) but \(product.title) \(cycle.cycle) ends on \(up.iso)", ev + [vendorEnd.ev])
        }
        return .pass("\(product.title) \(cycle.cycle) is supported upstream" + (upstreamEnd.map { " until \($0.iso)" } ?? ""), ev)
    }

    /// LIFE-05: every detected component (kernel, OpenSSL, BusyBox, Dropbear, OpenSSH, dnsmasq, lighttpd, uClibc) is on a release cycle
    /// that is still supported, and was released within the profile's limit (lifecycle.component_max_age_years).
    public static func components(_ c: CheckContext) -> Outcome {
        let found = c.facts.components.detected
        if found.isEmpty {
            return .skip("no component version found (kernel modules directory; version strings in the BusyBox, OpenSSL, Dropbear, OpenSSH, dnsmasq or lighttpd binaries; uClibc library file names; package database)")
        }
        guard let eol = c.eol else { return .skip("the profile names no end-of-life data (lifecycle.eol_data)") }
        let years = c.profile.componentMaxAgeYears
        var groups: [(status: Status, title: String, items: [String])] = [
            (.fail, "end of life", []), (.warn, "in extended support only", []), (.warn, "released more than \(years) years ago", []),
            (.pass, "supported", []), (.info, "not in the end-of-life data", []),
        ]
        var ev: [Evidence] = []
        for comp in found {
            for e in comp.evidence { ev.append(Evidence(e.path, e.line, e.detail)) }
            let j = judge(comp, eol, today: c.today, years: years)
            for e in j.evidence where !ev.contains(e) { ev.append(e) }
            groups[j.group].items.append(comp.name + " " + comp.version + (j.note.isEmpty ? "" : " (" + j.note + ")"))
        }
        var status: Status = .info
        var parts: [String] = []
        for g in groups where !g.items.isEmpty {
            if g.status.rank > status.rank { status = g.status }
            parts.append(g.title + ": " + Text.joinWith(g.items, ", "))
        }
        return Outcome(status: status, message: Text.joinWith(parts, "; "), evidence: ev)
    }

    /// One component against the EOL data: the group of LIFE-05's message it belongs to (0 end of life, 1 extended
    /// support only, 2 released too long ago, 3 supported, 4 not in the data), a short note, and the data's evidence.
    static func judge(_ comp: DetectedComponent, _ eol: EOLData, today: CivilDate, years: Int) -> (group: Int, note: String, evidence: [Evidence]) {
        guard let p = eol.product(component: comp.product) else { return (4, "", []) }
        let src = " (source: \(p.source ?? eol.source), snapshot \(eol.snapshot))"
        let v = ComponentFacts.numericVersion(comp.version)
        var ev: [Evidence] = []
        var supported: String? = nil
        if let cy = p.cycle(version: v, codename: nil) {
            ev.append(Evidence(eol.path, cy.line, "\(p.title) \(cy.cycle): end of life \(cy.eol?.iso ?? "not announced")" +
                               (cy.extended.map { ", extended support until \($0.iso)" } ?? "") + src))
            if let e = cy.eol, e < today {
                if let x = cy.extended, !(x < today) { return (1, "regular support ended \(e.iso), extended support until \(x.iso)", ev) }
                return (0, "cycle \(cy.cycle) ended \((cy.extended ?? e).iso)", ev)
            }
            supported = cy.eol.map { "cycle \(cy.cycle) until \($0.iso)" } ?? "cycle \(cy.cycle) supported"
        } else if !v.isEmpty, let oldest = p.cycles.min(by: { ComponentFacts.compareVersions($0.cycle, $1.cycle) < 0 }),
                  ComponentFacts.compareVersions(v, oldest.cycle) < 0, let end = oldest.extended ?? oldest.eol, end < today {
            // Older than every cycle listed, and the oldest listed has ended: older branches ended before it.
            ev.append(Evidence(eol.path, oldest.line, "\(p.title) \(comp.version) predates every cycle listed; the oldest, \(oldest.cycle), ended on \(end.iso)" + src))
            return (0, "older than cycle \(oldest.cycle), which ended \(end.iso)", ev)
        }
        var released: (date: CivilDate, note: String)? = nil
        if let r = p.release(version: v) {
            released = (r.date, "released \(r.date.iso)")
            ev.append(Evidence(eol.path, r.line, "\(p.title) \(r.version) released on \(r.date.iso)" + src))
        } else if p.yearVersions, let y = Text.int(Text.split(v, 46)[0]), let d = CivilDate(year: y, month: 12, day: 31) {
            released = (d, "released in \(y)")
            ev.append(Evidence(eol.path, p.line, "\(p.title) \(comp.version): release date not in the data; its version's year is taken as \(d.iso), the latest it can be" + src))
        }
        if let r = released {
            if r.date.adding(years: years) < today { return (2, r.note, ev) }
            return (3, supported ?? r.note, ev)
        }
        if let s = supported { return (3, s, ev) }
        return (4, "", ev)
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
