// The capture checks: traffic facts + profile → outcomes. UPD-10 (update traffic protected on the wire), CRED-10
// (no credentials in plaintext), SURF-04 (no plaintext remote-access protocol). Evidence: the capture file, the first
// packet number as the "line", and the flow, packets and what was seen as the detail.
import BaselineCore

public enum TrafficChecks {
    public static let checks: [(String, @Sendable (TrafficFacts, Profile) -> Outcome)] = [
        ("CRED-10", plaintextCredentials),
        ("UPD-10", updateTraffic),
        ("SURF-04", plaintextSessions),
    ]

    static let maxEvidence = 50

    // MARK: what looks like update traffic

    static let firmwareExtensions = [".bin", ".img", ".swu", ".raucb", ".mender", ".ipk", ".deb", ".apk", ".rpm", ".trx", ".chk",
                                     ".fw", ".itb", ".fit", ".ubi", ".ubifs", ".squashfs", ".sqsh", ".tar", ".tgz", ".gz", ".xz",
                                     ".zst", ".bz2", ".zip", ".hex", ".ota", ".pkg", ".upd", ".dfu", ".elf", ".uimage", ".cpio"]
    static let updateWords = ["firmware", "/fw/", "update", "upgrade", "/ota", "ota/", "sysupgrade", "swupdate", "rauc", "mender",
                              "hawkbit", "/packages/", "/feeds/", "/releases/", "/download", "/images/", "packages.gz", "/dists/",
                              "/repo"]
    static let updateHostWords = ["update", "firmware", "fw.", "ota.", "ota-", "upgrade", "download", "mender", "hawkbit", "feeds",
                                  "repo.", "packages.", "dl."]

    static func path(_ target: String) -> String {
        var t = Text.lower(target)
        if let q = t.firstIndex(where: { $0 == "?" || $0 == "#" }) { t = String(t[..<q]) }
        if t.hasPrefix("http://") { t = "/" + (t.dropFirst(7).split(separator: "/", maxSplits: 1).dropFirst().first.map(String.init) ?? "") }
        return t
    }

    static func isBinaryType(_ ct: String?) -> Bool {
        guard let c = ct.map(Text.lower) else { return false }
        return c.hasPrefix("application/octet-stream") || c.hasPrefix("application/x-") || c.hasPrefix("application/vnd.")
            || c.hasPrefix("application/zip") || c.hasPrefix("application/gzip") || c.hasPrefix("application/zstd")
    }

    /// A firmware or package download: a file name that looks like one, or a binary body of 64 KiB or more.
    public static func isDownload(_ x: HTTPExchange) -> Bool {
        if let s = x.status, s >= 300 { return false }
        let p = path(x.target)
        let name = p.split(separator: "/").last.map(String.init) ?? ""
        for e in firmwareExtensions where name.hasSuffix(e) && name.count > e.count { return true }
        let size = max(x.bodyBytes, x.contentLength ?? 0)
        return isBinaryType(x.contentType) && size >= 64 * 1024
    }

    /// A download, or a request whose path or host speaks of updates.
    public static func isUpdateLike(_ x: HTTPExchange) -> Bool {
        if isDownload(x) { return true }
        let p = path(x.target)
        for w in updateWords where Text.contains(p, w) { return true }
        if let h = x.host, isUpdateHostName(h) { return true }
        return false
    }

    static func isUpdateHostName(_ h: String) -> Bool {
        let l = Text.lower(h)
        for w in updateHostWords where Text.contains(l, w) { return true }
        return false
    }

    static func hostName(_ explicit: String?, _ flow: FlowRef, _ f: TrafficFacts) -> String {
        if let e = explicit, !e.isEmpty { return e }
        return f.name(of: flow.serverAddress) ?? flow.serverAddress.description
    }

    static func declared(_ host: String, _ p: Profile) -> Bool {
        CheckContext.declares(p.updateEndpoints, url: "https://" + host + "/")
    }

    static func ev(_ f: TrafficFacts, _ packet: Int, _ detail: String) -> Evidence { Evidence(f.capture, packet, detail) }

    static func describe(_ x: HTTPExchange, host: String) -> String {
        var d = "\(x.method) http://\(host)\(x.target.hasPrefix("/") ? x.target : "/" + x.target)"
        if x.headersCut {
            d += " (headers cut by the capture: request line as far as captured"
            d += x.status.map { ", response \($0))" } ?? ")"
        } else if let s = x.status {
            d += " → \(s)"
            if let c = x.contentType { d += " " + c }
            let size = x.bodyComplete ? x.bodyBytes : max(x.bodyBytes, x.contentLength ?? 0)
            d += ", \(size) bytes" + (x.bodyComplete || x.contentLength == nil ? "" : " (\(x.bodyBytes) seen)")
        } else {
            d += " (no response in the capture)"
        }
        return d + "; " + x.flow.text
    }

    static func describe(_ t: TLSHandshake, host: String) -> String {
        var d = TLSHandshake.versionName(t.effectiveVersion)
        d += t.chosen != nil ? " negotiated" : " offered at most (no ServerHello in the capture)"
        if t.alert { d += ", the server answered with an alert" }
        d += " with \(host)"
        d += t.sni != nil ? " (SNI)" : " (no SNI)"
        if !t.alpn.isEmpty { d += ", ALPN " + t.alpn.joined(separator: ",") }
        return d + "; " + t.flow.text
    }

    // MARK: the checks

    /// UPD-10.
    public static func updateTraffic(_ f: TrafficFacts, _ p: Profile) -> Outcome {
        var fails: [Evidence] = [], warns: [Evidence] = [], passes: [Evidence] = []
        let haveEndpoints = !p.updateEndpoints.isEmpty
        var undeclaredHosts: Set<String> = []
        var updateFlows = 0, downloads = 0, plainRequests = 0, oldTLS = 0
        // Evidence lists are capped; the counts in the message are not.
        func add(_ list: inout [Evidence], _ e: Evidence) { if list.count < maxEvidence { list.append(e) } }

        for x in f.http {
            let host = hostName(x.host, x.flow, f)
            let isDeclared = haveEndpoints && declared(host, p)
            guard isDeclared || isUpdateLike(x) else { continue }
            updateFlows += 1
            let download = isDownload(x)
            if download { downloads += 1 } else { plainRequests += 1 }
            let what = download ? "firmware or package download over plain HTTP: " : "update endpoint contacted over plain HTTP: "
            add(&fails, ev(f, x.requestPacket > 0 ? x.requestPacket : x.flow.firstPacket, what + describe(x, host: host)))
            if haveEndpoints && !isDeclared { undeclaredHosts.insert(host) }
        }
        for t in f.tftp {
            updateFlows += 1
            downloads += 1
            add(&fails, ev(f, t.flow.firstPacket, "TFTP \(t.write ? "write" : "read") request for '\(t.filename)' (plaintext, unauthenticated); \(t.flow.text)"))
        }
        for t in f.tls {
            let host = hostName(t.sni, t.flow, f)
            let isDeclared = haveEndpoints && declared(host, p)
            let isUpdate = isDeclared || isUpdateHostName(host)
            let v = t.effectiveVersion
            if isUpdate { updateFlows += 1 }
            if isUpdate && haveEndpoints && !isDeclared { undeclaredHosts.insert(host) }
            if v != 0 && v < 0x0303 {
                let packet = t.serverHelloPacket ?? t.clientHelloPacket
                if isUpdate || !haveEndpoints { oldTLS += 1; add(&fails, ev(f, packet, "TLS below 1.2 to an update endpoint: " + describe(t, host: host))) }
                else { add(&warns, ev(f, packet, "TLS below 1.2: " + describe(t, host: host))) }
            } else if isUpdate && v != 0 {
                add(&passes, ev(f, t.clientHelloPacket, describe(t, host: host)))
            }
        }
        // The undeclared hosts come first: one line each, whatever the cap left of the rest.
        let hostLines = undeclaredHosts.sorted().prefix(maxEvidence).map {
            Evidence(f.capture, 0, "update traffic to \($0), which the profile's update.endpoints do not declare (\(p.updateEndpoints.joined(separator: ", ")))")
        }
        if !fails.isEmpty || !hostLines.isEmpty {
            var parts: [String] = []
            if downloads > 0 { parts.append("\(downloads) plaintext download(s)") }
            if plainRequests > 0 { parts.append("\(plainRequests) plain-HTTP update request(s)") }
            if oldTLS > 0 { parts.append("\(oldTLS) TLS session(s) below 1.2") }
            if !undeclaredHosts.isEmpty { parts.append("\(undeclaredHosts.count) undeclared update host(s)") }
            return .fail("update traffic is not protected: " + Text.joinWith(parts, ", "), fails + hostLines + warns)
        }
        if !warns.isEmpty { return .warn("TLS below 1.2 in use (not to an update endpoint)", warns + passes) }
        if updateFlows == 0 {
            return .info("no update traffic recognised in the capture (\(f.counts.packets) packets, \(f.http.count) HTTP exchange(s), \(f.tls.count) TLS handshake(s)); capture during an update check")
        }
        if !haveEndpoints {
            return .warn("update traffic over TLS 1.2+, but the profile declares no update endpoints to compare the hosts with", passes)
        }
        return .pass("\(updateFlows) update connection(s), all over TLS 1.2 or later to declared endpoints", passes)
    }

    /// CRED-10.
    public static func plaintextCredentials(_ f: TrafficFacts, _ p: Profile) -> Outcome {
        var fails: [Evidence] = []
        for l in f.logins where fails.count < maxEvidence {
            var d = l.proto.rawValue
            switch l.proto {
            case .telnet: d += " login" + (l.user.map { " as '\($0)'" } ?? "") + (l.passwordSeen ? ", password typed in clear (not shown)" : ", no password prompt seen")
            case .ftp: d += " login" + (l.user.map { " as '\($0)'" } ?? "") + (l.passwordSeen ? ", PASS sent in clear (not shown)" : "")
            case .httpBasic: d += " credentials" + (l.user.map { " for '\($0)'" } ?? "") + " over plain HTTP" + (l.host.map { " to \($0)" } ?? "")
            }
            if let a = l.accepted { d += a ? "; accepted by the server" : "; refused by the server" }
            fails.append(ev(f, l.packet, d + "; " + l.flow.text))
        }
        if !fails.isEmpty { return .fail("\(f.logins.count) login(s) with credentials in plaintext", fails) }
        if f.counts.tcpSegments == 0 { return .skip("no TCP traffic in the capture") }
        return .pass("no plaintext login in \(f.counts.flows) TCP connection(s)")
    }

    /// SURF-04.
    public static func plaintextSessions(_ f: TrafficFacts, _ p: Profile) -> Outcome {
        var fails: [Evidence] = []
        for s in f.sessions where fails.count < maxEvidence { fails.append(ev(f, s.flow.firstPacket, s.detail + "; " + s.flow.text)) }
        if !fails.isEmpty {
            let telnet = f.sessions.filter { $0.proto == .telnet }.count, ftp = f.sessions.filter { $0.proto == .ftp }.count
            var parts: [String] = []
            if telnet > 0 { parts.append("\(telnet) Telnet session(s)") }
            if ftp > 0 { parts.append("\(ftp) FTP control connection(s)") }
            return .fail("plaintext remote access in use: " + Text.joinWith(parts, ", "), fails)
        }
        if f.counts.tcpSegments == 0 { return .skip("no TCP traffic in the capture") }
        return .pass("no Telnet or FTP session in \(f.counts.flows) TCP connection(s)")
    }
}
