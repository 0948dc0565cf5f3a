// The report as JSON (schema: Profiles/schema/report.schema.json).

public enum ReportJSON {
    static func evidence(_ e: Evidence) -> JSONNode {
        var pairs: [(String, JSONNode)] = [("path", .str(e.path))]
        if e.line > 0 { pairs.append(("line", .num(e.line))) }
        pairs.append(("detail", .str(e.detail)))
        return .obj(pairs)
    }

    public static func node(_ r: Report, failOn: Severity?) -> JSONNode {
        var areas: [(String, JSONNode)] = []
        for a in Area.allCases {
            let c = r.counts(a)
            var counts: [(String, JSONNode)] = []
            for st in [Status.pass, .fail, .warn, .info, .skip, .error] { counts.append((st.name, .num(c[st] ?? 0))) }
            areas.append((a.name, .obj(counts)))
        }
        let total = r.counts(nil)
        var findings: [JSONNode] = []
        for f in r.findings {
            var o: [(String, JSONNode)] = []
            o.append(("id", .str(f.id)))
            o.append(("area", .str(f.area.name)))
            o.append(("title", .str(f.title)))
            o.append(("status", .str(f.status.name)))
            o.append(("severity", .str(f.severity.name)))
            o.append(("message", .str(f.message)))
            let ev: [JSONNode] = f.evidence.map { evidence($0) }
            o.append(("evidence", .arr(ev)))
            let pv: [JSONNode] = f.provisions.map { .str($0) }
            o.append(("provisions", .arr(pv)))
            o.append(("remediation", .str(f.remediation)))
            if !f.data.isEmpty {
                var d: [(String, JSONNode)] = []
                for (k, v) in f.data { d.append((k, .str(v))) }
                o.append(("data", .obj(d)))
            }
            if let st = r.sinceState(f) { o.append(("since", .str(st))) }
            findings.append(.obj(o))
        }
        let fp = r.fingerprints
        var hk: [JSONNode] = []
        for k in fp.hostKeys { hk.append(.obj([("path", .str(k.path)), ("type", .str(k.type)), ("sha256", .str(k.sha256))])) }
        var ak: [JSONNode] = []
        for k in fp.authorizedKeys { ak.append(.obj([("path", .str(k.path)), ("line", .num(k.line)), ("type", .str(k.type)), ("sha256", .str(k.sha256))])) }
        var ph: [JSONNode] = []
        for h in fp.passwordHashes { ph.append(.obj([("account", .str(h.account)), ("scheme", .str(h.scheme)), ("hmac_sha256", .str(h.hmac))])) }
        var pk: [JSONNode] = []
        for k in fp.privateKeys { pk.append(.obj([("path", .str(k.path)), ("label", .str(k.label)), ("public_sha256", .optStr(k.publicSHA256)), ("hmac_sha256", .optStr(k.hmac))])) }
        let fps: JSONNode = .obj([("fleet_key_id", .optStr(fp.fleetKeyID)), ("host_keys", .arr(hk)), ("authorized_keys", .arr(ak)),
                                  ("password_hashes", .arr(ph)), ("private_keys", .arr(pk))])
        let s = r.subject
        let failing = r.findingsAtOrAbove(failOn)
        let tool: JSONNode = .obj([("name", .str(r.tool)), ("version", .str(r.toolVersion))])
        var sourceFields: [(String, JSONNode)] = [("kind", .str(r.sourceKind)), ("path", .str(r.sourcePath))]
        if let f = r.sourceFormat { sourceFields.append(("format", .str(f))) }
        if let c = r.sourceContainer { sourceFields.append(("container", .obj([("format", .str(c.format)), ("offset", .num(c.offset))]))) }
        let source: JSONNode = .obj(sourceFields)
        let chain: [JSONNode] = r.profileChain.map { .str($0) }
        let profile: JSONNode = .obj([("id", .str(r.profileID)), ("title", .str(r.profileTitle)), ("chain", .arr(chain)), ("digest", .str(r.profileDigest))])
        var subj: [(String, JSONNode)] = []
        subj.append(("vendor", .optStr(s.vendor)))
        subj.append(("model", .optStr(s.model)))
        subj.append(("firmware_version", .optStr(s.firmwareVersion)))
        subj.append(("build_id", .optStr(s.buildID)))
        subj.append(("os_id", .optStr(s.osID)))
        subj.append(("os_version", .optStr(s.osVersion)))
        subj.append(("os_name", .optStr(s.osName)))
        subj.append(("device_id", .optStr(s.deviceID)))
        if let i = s.imageID { subj.append(("image_id", .str(i))) }
        var tot: [(String, JSONNode)] = []
        for st in [Status.pass, .fail, .warn, .info, .skip, .error] { tot.append((st.name, .num(total[st] ?? 0))) }
        var summary: [(String, JSONNode)] = []
        summary.append(("verdict", .str(r.verdict)))
        summary.append(("fail_on", .str(failOn?.name ?? "never")))
        summary.append(("failing", .num(failing.count)))
        if !r.accepted.isEmpty {
            var acc: [JSONNode] = []
            for a in r.accepted { acc.append(.obj([("id", .str(a.id)), ("justification", .str(a.justification))])) }
            summary.append(("accepted", .arr(acc)))
        }
        if let since = r.since {
            var ids: [JSONNode] = []
            for i in since.new { ids.append(.str(i)) }
            summary.append(("since", .obj([("previous", .str(since.path)), ("new", .arr(ids))])))
        }
        summary.append(("totals", .obj(tot)))
        summary.append(("areas", .obj(areas)))
        var unreadable: [JSONNode] = []
        for p in r.problems { unreadable.append(.obj([("path", .str(p.path)), ("reason", .str(p.reason))])) }
        var cov: [(String, JSONNode)] = [("files_read", .num(r.filesRead)), ("unreadable", .arr(unreadable))]
        if !r.incomplete.isEmpty {
            var why: [JSONNode] = []
            for w in r.incomplete { why.append(.str(w)) }
            cov.append(("complete", .flag(false)))
            cov.append(("incomplete", .arr(why)))
        }
        if !r.checksNotInProfile.isEmpty {
            var ids: [JSONNode] = []
            for i in r.checksNotInProfile { ids.append(.str(i)) }
            cov.append(("checks_not_in_profile", .arr(ids)))
        }
        let coverage: JSONNode = .obj(cov)
        var runtime: JSONNode = .null
        if let rt = r.runtime {
            var lu: JSONNode = .null
            if let u = rt.lastUpdate { lu = .obj([("source", .str(u.source)), ("date", .str(u.date)), ("path", .str(u.path))]) }
            var ls: [JSONNode] = []
            for l in rt.listeners {
                ls.append(.obj([("proto", .str(l.proto)), ("address", .str(l.address)), ("port", .num(l.port)), ("loopback", .flag(l.loopback)),
                                ("path", .str(l.path)), ("line", .num(l.line))]))
            }
            runtime = .obj([("kernel", .optStr(rt.kernel)), ("uptime_seconds", rt.uptimeSeconds.map { .num($0) } ?? .null),
                            ("last_update", lu), ("interfaces", .num(rt.interfaces)), ("listeners", .arr(ls))])
        }
        var top: [(String, JSONNode)] = []
        top.append(("schema", .str(reportSchemaID)))
        top.append(("report_id", .str(r.reportID)))
        top.append(("tool", tool))
        top.append(("generated_at", .str(r.generatedAt)))
        top.append(("audit_date", .str(r.auditDate.iso)))
        top.append(("source", source))
        top.append(("profile", profile))
        top.append(("subject", .obj(subj)))
        top.append(("summary", .obj(summary)))
        top.append(("findings", .arr(findings)))
        top.append(("fingerprints", fps))
        top.append(("runtime", runtime))
        top.append(("coverage", coverage))
        for (k, v) in r.sections { top.append((k, v)) }
        return .obj(top)
    }

    public static func encode(_ r: Report, failOn: Severity?) -> String { JSONWriter.write(node(r, failOn: failOn)) }
}
