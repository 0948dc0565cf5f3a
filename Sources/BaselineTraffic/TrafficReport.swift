// Traffic facts → the audit report (`baseline.report/1`, source kind "capture"): the capture checks as findings, the
// capture's shortcomings in `coverage`, and a `traffic` section with what was seen (bounded lists).
import BaselineCore

public enum TrafficReport {
    public static func build(_ f: TrafficFacts, profile: Profile, today: CivilDate, generatedAt: Int64) -> Report {
        var findings: [Finding] = []
        for (id, run) in TrafficChecks.checks where Auditor.inForce(id, profile) {
            if let x = Auditor.finding(id, run(f, profile), profile: profile) { findings.append(x) }
        }
        var subject = Subject()
        subject.vendor = profile.vendor
        if profile.models.count == 1 { subject.model = profile.models[0] }
        var r = Report(reportID: Auditor.newReportID(), generatedAt: isoTimestamp(generatedAt), auditDate: today, sourceKind: "capture",
                       sourcePath: f.capture, profileID: profile.id, profileTitle: profile.title, profileChain: profile.chain,
                       profileDigest: profile.digest, subject: subject, findings: findings, fingerprints: Fingerprints(), runtime: nil,
                       filesRead: f.capture.hasPrefix("live:") ? 0 : 1, problems: f.problems)
        r.sections = [("traffic", section(f))]
        return r
    }

    static let listLimit = 200

    static func int64(_ v: Int64) -> JSONNode { .num(Int(v)) }

    static func flow(_ r: FlowRef) -> JSONNode {
        .obj([("transport", .str(r.transport == .tcp ? "tcp" : "udp")), ("client", .str(r.client)), ("server", .str(r.server)),
              ("first_packet", .num(r.firstPacket)), ("last_packet", .num(r.lastPacket))])
    }

    public static func section(_ f: TrafficFacts) -> JSONNode {
        let c = f.counts
        var duration = 0.0
        if let a = c.firstTime, let b = c.lastTime { duration = b - a }
        var http: [JSONNode] = []
        for x in f.http.prefix(listLimit) {
            http.append(.obj([("packet", .num(x.requestPacket)), ("flow", flow(x.flow)), ("method", .str(x.method)),
                              ("host", .optStr(x.host)), ("target", .str(x.target)), ("status", x.status.map { .num($0) } ?? .null),
                              ("content_type", .optStr(x.contentType)), ("body_bytes", int64(x.bodyBytes)),
                              ("authorization", .optStr(x.authScheme)), ("update_like", .flag(TrafficChecks.isUpdateLike(x)))]))
        }
        var tls: [JSONNode] = []
        for t in f.tls.prefix(listLimit) {
            tls.append(.obj([("packet", .num(t.clientHelloPacket)), ("flow", flow(t.flow)), ("sni", .optStr(t.sni)),
                             ("offered", .arr(t.offered.map { .str(TLSHandshake.versionName($0)) })),
                             ("chosen", .optStr(t.chosen.map(TLSHandshake.versionName))), ("alpn", .arr(t.alpn.map { .str($0) })),
                             ("server_hello_packet", t.serverHelloPacket.map { .num($0) } ?? .null)]))
        }
        var logins: [JSONNode] = []
        for l in f.logins.prefix(listLimit) {
            logins.append(.obj([("packet", .num(l.packet)), ("flow", flow(l.flow)), ("protocol", .str(l.proto.rawValue)),
                                ("user", .optStr(l.user)), ("password_seen", .flag(l.passwordSeen)),
                                ("accepted", l.accepted.map { .flag($0) } ?? .null)]))
        }
        var sessions: [JSONNode] = []
        for s in f.sessions.prefix(listLimit) {
            sessions.append(.obj([("flow", flow(s.flow)), ("protocol", .str(s.proto.rawValue)), ("detail", .str(s.detail))]))
        }
        var tftp: [JSONNode] = []
        for t in f.tftp.prefix(listLimit) {
            tftp.append(.obj([("flow", flow(t.flow)), ("write", .flag(t.write)), ("filename", .str(t.filename))]))
        }
        var names: [JSONNode] = []
        for (a, n) in f.names.sorted(by: { $0.key < $1.key }).prefix(listLimit) {
            names.append(.obj([("address", .str(a.description)), ("name", .str(n))]))
        }
        var queries: [JSONNode] = []
        for (n, k) in f.dnsQueries.sorted(by: { $0.key < $1.key }).prefix(listLimit) {
            queries.append(.obj([("name", .str(n)), ("count", .num(k))]))
        }
        let counts: JSONNode = .obj([
            ("packets", .num(c.packets)), ("captured_bytes", int64(c.bytes)), ("wire_bytes", int64(c.wireBytes)),
            ("duration_seconds", .num(Int(duration.rounded()))),
            ("tcp_segments", .num(c.tcpSegments)), ("udp_datagrams", .num(c.udpDatagrams)), ("tcp_connections", .num(c.flows)),
            ("connections_evicted", .num(c.flowsEvicted)), ("retransmitted_segments", .num(c.retransmitted)),
            ("out_of_order_segments", .num(c.outOfOrder)), ("missing_bytes", int64(c.gapBytes)),
            ("reassembly_refused", .num(c.reassemblyRefused)), ("cut_by_snaplen", .num(c.cutPayload + c.cutHeaders)),
            ("non_ip", .num(c.nonIP)), ("other_ip", .num(c.otherIP)), ("ip_fragments", .num(c.fragments)),
            ("malformed", .num(c.malformed)), ("dns_messages", .num(c.dnsMessages)),
            ("http_requests", .num(f.http.count + (f.dropped["http"] ?? 0))),
            ("tls_client_hellos", .num(f.tls.count + (f.dropped["tls"] ?? 0))),
        ])
        return .obj([
            ("link_types", .arr(f.linkTypes.map { .str($0) })), ("complete", .flag(!f.truncated)), ("counts", counts),
            ("http", .arr(http)), ("tls", .arr(tls)), ("logins", .arr(logins)), ("sessions", .arr(sessions)),
            ("tftp", .arr(tftp)), ("dns_names", .arr(names)), ("dns_queries", .arr(queries)),
            ("listed_limit", .num(listLimit)),
        ])
    }

    /// One line for the text output.
    public static func summaryLine(_ f: TrafficFacts) -> String {
        let c = f.counts
        let mb = Double(c.bytes) / 1_000_000
        var s = "Capture: \(c.packets) packets (\(Text.joinWith(f.linkTypes, ", "))), \(fmt(mb)) MB, \(c.flows) TCP connection(s): "
        s += "\(f.http.count) HTTP exchange(s), \(f.tls.count) TLS handshake(s), \(f.sessions.count) Telnet/FTP session(s); \(c.dnsMessages) DNS message(s)"
        if f.truncated { s += "; INCOMPLETE (the file ends early)" }
        return s
    }

    static func fmt(_ v: Double) -> String {
        let r = (v * 10).rounded() / 10
        return String(Int(r)) + "." + String(Int((r * 10).rounded()) % 10)
    }
}
