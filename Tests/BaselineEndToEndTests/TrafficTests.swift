// `baseline traffic` on captures of real traffic between real programs on 127.0.0.1 (recorded by
// Tests/scripts/record-captures.sh into out/captures: curl → python http.server, openssl s_client → s_server with
// TLS 1.0/1.2/1.3, dig → dnsmasq, telnetlib → busybox telnetd, ftplib → busybox ftpd), on derived captures (raw IP,
// reordered and retransmitted segments, snap length 96, truncated) and on broken files. Packet numbers in the
// evidence are checked against tshark's numbering of the same files.
import Foundation
import Testing

enum Captures {
    static let dir = Repo.path("out/captures")
    static func path(_ name: String) throws -> String {
        let p = dir + "/" + name
        guard FileManager.default.fileExists(atPath: p) else {
            throw ToolError(message: "\(p) missing: run `make captures` (Tests/scripts/record-captures.sh out/captures)")
        }
        return p
    }
}

func traffic(_ name: String, profile: String = "acme-gateway", _ extra: [String] = []) throws -> RunResult {
    try baseline(["traffic", try Captures.path(name), "--profile", profile, "--format", "json", "--date", Repo.auditDate] + extra)
}

/// tshark's frame numbers for a display filter (the reference for our packet numbers).
func tsharkFrames(_ file: String, _ filter: String, decodeAs: [String] = []) throws -> [Int] {
    let d = decodeAs.flatMap { ["-d", $0] }
    let out = try tool("tshark", ["-n", "-r", file] + d + ["-Y", filter, "-T", "fields", "-e", "frame.number"])
    return out.split(separator: "\n").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
}

extension RunResult {
    var trafficSection: [String: Any] { json?["traffic"] as? [String: Any] ?? [:] }
    var trafficCounts: [String: Int] { trafficSection["counts"] as? [String: Int] ?? [:] }
    func trafficList(_ key: String) -> [[String: Any]] { trafficSection[key] as? [[String: Any]] ?? [] }
    func evidence(_ id: String) -> [(line: Int, detail: String)] {
        ((finding(id)?["evidence"] as? [[String: Any]]) ?? []).map { (($0["line"] as? Int) ?? 0, ($0["detail"] as? String) ?? "") }
    }
}

@Suite(.serialized) struct TrafficCaptureTests {
    @Test func plaintextFirmwareDownloadAndUndeclaredMirror() throws {
        let r = try traffic("http-update.pcap")
        #expect(r.code == 1)
        #expect(try validateReport(r))
        #expect(r.json?["source"] as? [String: String] == ["kind": "capture", "path": try Captures.path("http-update.pcap")])
        #expect(r.status("UPD-10") == "fail")
        let ev = r.evidence("UPD-10")
        let downloads = ev.filter { $0.detail.hasPrefix("firmware or package download over plain HTTP: GET http://") }
        #expect(downloads.count == 2)
        #expect(downloads.contains { $0.detail.contains("updates.acme-networks.example/firmware/gw7100-2.1.0.bin → 200 application/octet-stream, 2097152 bytes") })
        #expect(downloads.contains { $0.detail.contains("cdn.untrusted-mirror.example/firmware/gw7100-2.1.0.bin") })
        // The manifest and index requests went to the declared host, but over plain HTTP.
        #expect(ev.contains { $0.detail.hasPrefix("update endpoint contacted over plain HTTP: GET http://updates.acme-networks.example/update/manifest.json → 200") })
        #expect(ev.contains { $0.detail.contains("update traffic to cdn.untrusted-mirror.example, which the profile's update.endpoints do not declare") })
        #expect(!ev.contains { $0.detail.contains("update traffic to updates.acme-networks.example,") })
        // Evidence lines are the request packets, numbered as tshark numbers them.
        let frames = try tsharkFrames(try Captures.path("http-update.pcap"), "http.request.uri contains \"gw7100\"")
        #expect(Set(downloads.map { $0.line }) == Set(frames))
        // DNS: names asked and answered, in the traffic section.
        let names = r.trafficList("dns_queries").compactMap { $0["name"] as? String }
        #expect(names.contains("updates.acme-networks.example") && names.contains("cdn.untrusted-mirror.example"))
        let http = r.trafficList("http")
        #expect(http.count == 4)
        #expect(http.allSatisfy { ($0["status"] as? Int) == 200 })
        #expect(r.trafficCounts["dns_messages"] == (try tsharkFrames(try Captures.path("http-update.pcap"), "dns").count))
        #expect(r.status("CRED-10") == "pass")
        #expect(r.status("SURF-04") == "pass")
    }

    @Test func packetAndConnectionCountsMatchTshark() throws {
        let file = try Captures.path("http-update.pcap")
        let r = try traffic("http-update.pcap")
        #expect(r.trafficCounts["packets"] == (try tsharkFrames(file, "frame").count))
        #expect(r.trafficCounts["tcp_segments"] == (try tsharkFrames(file, "tcp").count))
        let conns = try tool("tshark", ["-n", "-r", file, "-Y", "tcp.flags.syn==1 && tcp.flags.ack==0", "-T", "fields", "-e", "tcp.stream"])
        #expect(r.trafficCounts["tcp_connections"] == Set(conns.split(separator: "\n")).count)
    }

    @Test func basicAuthIsReportedWithoutThePassword() throws {
        let r = try traffic("http-basic.pcap")
        #expect(r.code == 1)
        #expect(r.status("CRED-10") == "fail")
        let ev = r.evidence("CRED-10")
        #expect(ev.count == 1)
        #expect(ev.first?.detail.hasPrefix("HTTP Basic credentials for 'admin' over plain HTTP to 127.0.0.1; accepted by the server") == true)
        #expect(ev.first?.line == (try tsharkFrames(try Captures.path("http-basic.pcap"), "http.authorization")).first)
        for secret in ["S3cret-Pa55", "YWRtaW46UzNjcmV0LVBhNTU="] { #expect(!r.stdout.contains(secret)) }
        #expect(r.trafficList("http").first?["authorization"] as? String == "Basic")
    }

    @Test(arguments: [("tls12.pcap", "TLS 1.2", "pass"), ("tls13.pcap", "TLS 1.3", "pass"), ("tls10.pcap", "TLS 1.0", "fail")])
    func tlsVersionToTheUpdateEndpoint(file: String, version: String, verdict: String) throws {
        let r = try traffic(file)
        #expect(try validateReport(r))
        let tls = r.trafficList("tls")
        #expect(tls.count == 1)
        #expect(tls.first?["sni"] as? String == "updates.acme-networks.example")
        #expect(tls.first?["chosen"] as? String == version)
        #expect(tls.first?["alpn"] as? [String] == ["http/1.1"])
        #expect(tls.first?["packet"] as? Int == (try tsharkFrames(try Captures.path(file), "tls.handshake.type == 1")).first)
        #expect(tls.first?["server_hello_packet"] as? Int == (try tsharkFrames(try Captures.path(file), "tls.handshake.type == 2")).first)
        #expect(r.status("UPD-10") == verdict)
        if verdict == "fail" {
            #expect(r.code == 1)
            #expect(r.evidence("UPD-10").first?.detail.hasPrefix("TLS below 1.2 to an update endpoint: TLS 1.0 negotiated with updates.acme-networks.example (SNI)") == true)
        } else {
            #expect(r.code == 0)
            #expect(r.json.flatMap { ($0["findings"] as? [[String: Any]])?.first { $0["id"] as? String == "UPD-10" }?["message"] as? String }?.contains("all over TLS 1.2 or later to declared endpoints") == true)
        }
        if version == "TLS 1.3" { #expect((tls.first?["offered"] as? [String])?.contains("TLS 1.3") == true) }
    }

    @Test func tlsToAnUndeclaredUpdateHostFailsWithAnotherProfile() throws {
        // The same TLS 1.3 session, judged against a vendor whose update endpoints are elsewhere.
        let r = try traffic("tls13.pcap", profile: "nordlicht-router")
        #expect(r.status("UPD-10") == "fail")
        #expect(r.evidence("UPD-10").contains { $0.detail.hasPrefix("update traffic to updates.acme-networks.example, which the profile's update.endpoints do not declare") })
    }

    @Test func dnsNamesAndTCPQueries() throws {
        let file = try Captures.path("dns.pcap")
        let r = try traffic("dns.pcap")
        #expect(r.code == 0)
        #expect(r.status("UPD-10") == "info")
        let names = Dictionary(uniqueKeysWithValues: r.trafficList("dns_names").compactMap { e -> (String, String)? in
            guard let a = e["address"] as? String, let n = e["name"] as? String else { return nil }
            return (a, n)
        })
        #expect(names["127.0.0.1"] == "updates.acme-networks.example")
        #expect(names["::1"] == "updates.acme-networks.example")
        let queries = r.trafficList("dns_queries").compactMap { $0["name"] as? String }
        #expect(queries.contains("nosuch.example"))
        // Every DNS message tshark sees, UDP and TCP, was parsed.
        #expect(r.trafficCounts["dns_messages"] == (try tsharkFrames(file, "dns").count))
    }

    @Test func telnetLoginIsPlaintext() throws {
        let r = try traffic("telnet.pcap")
        #expect(r.code == 1)
        #expect(r.status("CRED-10") == "fail")
        #expect(r.evidence("CRED-10").first?.detail.hasPrefix("Telnet login as 'root', password typed in clear (not shown)") == true)
        #expect(r.status("SURF-04") == "fail")
        #expect(r.evidence("SURF-04").first?.detail.hasPrefix("Telnet session, login as 'root'") == true)
        #expect(!r.stdout.contains("Telnet-Pa55"))
        #expect(try validateReport(r))
    }

    @Test func ftpLoginIsPlaintext() throws {
        let r = try traffic("ftp.pcap")
        #expect(r.code == 1)
        #expect(r.status("CRED-10") == "fail")
        let ev = r.evidence("CRED-10").first
        #expect(ev?.detail.hasPrefix("FTP login as 'ftpuser', PASS sent in clear (not shown); accepted by the server") == true)
        #expect(ev?.line == (try tsharkFrames(try Captures.path("ftp.pcap"), "ftp.request.command == \"PASS\"", decodeAs: ["tcp.port==2121,ftp"])).first)
        #expect(r.status("SURF-04") == "fail")
        #expect(r.evidence("SURF-04").first?.detail.contains("RETR firmware.bin") == true)
        #expect(!r.stdout.contains("Ftp-Pa55"))
    }

    @Test func ipv6Download() throws {
        let r = try traffic("ipv6-http.pcap")
        #expect(r.status("UPD-10") == "fail")
        #expect(r.evidence("UPD-10").contains { $0.detail.contains("GET http://::1/firmware/gw7100-2.1.0.bin → 200 application/octet-stream, 2097152 bytes") && $0.detail.contains("→ [::1]:8081") })
    }

    /// The same download seen through other link layers and file formats gives the same finding.
    @Test(arguments: ["sll.pcap", "sll2.pcap", "rawip.pcap", "multi-if.pcapng", "reordered.pcap"])
    func sameDownloadOtherLinkLayers(file: String) throws {
        let r = try traffic(file)
        #expect(r.code == 1)
        #expect(try validateReport(r))
        let downloads = r.evidence("UPD-10").filter { $0.detail.hasPrefix("firmware or package download over plain HTTP") }
        #expect(downloads.count == 1)
        #expect(downloads.first?.detail.contains("gw7100-2.1.0.bin → 200 application/octet-stream, 2097152 bytes;") == true)
        #expect(downloads.first?.line == (try tsharkFrames(try Captures.path(file), "http.request")).first)
    }

    @Test func reorderedAndRetransmittedSegmentsAreReassembled() throws {
        let r = try traffic("reordered.pcap")
        #expect((r.trafficCounts["out_of_order_segments"] ?? 0) > 0)
        #expect((r.trafficCounts["retransmitted_segments"] ?? 0) > 0)
        #expect(r.trafficCounts["missing_bytes"] == 0)
        let http = r.trafficList("http")
        #expect(http.first?["body_bytes"] as? Int == 2_097_152)
    }

    @Test func snaplenCutCaptureIsReportedAsSuch() throws {
        // Snap length 96: 30 bytes of each payload. The request line survives, cut before its HTTP version.
        let r = try traffic("snaplen.pcap")
        #expect(r.code == 1)
        let ev = r.evidence("UPD-10").first { $0.detail.hasPrefix("firmware or package download over plain HTTP: GET http://127.0.0.1/firmware/gw7100-2.1.0.bin (headers cut by the capture") }
        #expect(ev?.line == (try tsharkFrames(try Captures.path("snaplen.pcap"), "tcp.payload && tcp.srcport != 8080")).first)
        #expect((r.trafficCounts["cut_by_snaplen"] ?? 0) > 0)
        #expect(r.trafficCounts["packets"] == (try tsharkFrames(try Captures.path("snaplen.pcap"), "frame").count))
        let unreadable = (r.json?["coverage"] as? [String: Any])?["unreadable"] as? [[String: String]] ?? []
        #expect(unreadable.contains { $0["reason"]?.contains("cut by the capture's snap length") == true })
    }

    @Test func truncatedCaptureGetsAnIncompleteReport() throws {
        let r = try traffic("truncated.pcap")
        #expect(r.json != nil)
        #expect(r.trafficSection["complete"] as? Bool == false)
        let failing = ((r.json?["summary"] as? [String: Any])?["failing"] as? Int) ?? 0
        #expect(r.code == (failing > 0 ? 1 : 3))
        #expect(r.stderr.hasPrefix("baseline: " + (try Captures.path("truncated.pcap")) + ": capture ends early after packet "))
        let unreadable = (r.json?["coverage"] as? [String: Any])?["unreadable"] as? [[String: String]] ?? []
        #expect(unreadable.contains { $0["reason"]?.hasPrefix("capture ends early after packet") == true })
    }

    @Test func mixedLinkTypesInOnePcapng() throws {
        // libpcap refuses a pcapng whose interfaces have different link types (here Ethernet and SLL): one line, exit 3.
        let r = try traffic("mixed-linktypes.pcapng")
        #expect(r.code == 3)
        #expect(r.stdout.isEmpty)
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("baseline: " + (try Captures.path("mixed-linktypes.pcapng")) + ": libpcap cannot read the capture: ") == true)
        #expect(r.stderr.contains("different from the type of the first interface"))
    }

    @Test func emptyCaptureHasNothingToJudge() throws {
        let r = try traffic("empty.pcap")
        #expect(r.code == 0)
        #expect(r.trafficCounts["packets"] == 0)
        #expect(r.status("UPD-10") == "info")
        #expect(r.status("CRED-10") == "skip")
    }

    @Test(arguments: [("garbage.pcap", "not a readable pcap or pcapng capture"), ("zero.pcap", "empty file"),
                      ("unknown-linktype.pcap", "is not decoded")])
    func brokenCapturesGetOneLine(file: String, message: String) throws {
        let r = try traffic(file)
        #expect(r.code == 3)
        #expect(r.stdout.isEmpty)
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("baseline: " + (try Captures.path(file))) == true)
        #expect(r.stderr.contains(message))
    }

    @Test func notACaptureFile() throws {
        let t = try TempTree()
        try t.mkdir("dir")
        #expect(mkfifo(t.sub("fifo"), 0o600) == 0)
        for (p, why) in [(t.sub("dir"), "is a directory"), (t.sub("fifo"), "not a regular file"), (t.sub("missing"), "No such file")] {
            let r = try baseline(["traffic", p], timeout: 20)
            #expect(r.code == 3)
            #expect(r.stderr.contains(why))
        }
        let usage = try baseline(["traffic"])
        #expect(usage.code == 2)
        let both = try baseline(["traffic", "x.pcap", "--interface", "lo"])
        #expect(both.code == 2)
    }

    @Test(arguments: ["sarif", "junit", "html", "text"])
    func otherFormats(format: String) throws {
        let r = try baseline(["traffic", try Captures.path("http-update.pcap"), "--profile", "acme-gateway", "--format", format, "--date", Repo.auditDate])
        #expect(r.code == 1)
        #expect(r.stdout.contains("UPD-10"))
        if format == "text" {
            #expect(r.stdout.contains("Capture: "))
            #expect(r.stdout.contains("FAIL  UPD-10"))
        }
    }
}

@Suite struct LiveTrafficTests {
    /// A live capture on loopback (libpcap, BPF filter) while curl downloads from a real http.server; the saved capture
    /// read back gives the same finding.
    @Test func liveCaptureOnLoopbackAndSave() throws {
        let lab = try SSHLab()
        try lab.dir.mkdir("www/firmware")
        try lab.dir.write("www/firmware/live-1.0.bin", String(repeating: "\u{7f}ELF firmware ", count: 20_000))
        let port = SSHLab.freePort()
        try lab.start("/usr/bin/python3", ["-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", lab.dir.sub("www")], log: "http.log")
        try lab.waitForPort(port)
        try lab.start("/bin/sh", ["-c", "sleep 2; curl -s -o /dev/null http://127.0.0.1:\(port)/firmware/live-1.0.bin"], log: "curl.log")
        let saved = lab.dir.sub("saved.pcap")
        let r = try baseline(["traffic", "--interface", "lo", "--filter", "tcp port \(port)", "--duration", "5", "--save", saved,
                              "--profile", "acme-gateway", "--format", "json", "--date", Repo.auditDate], timeout: 30)
        #expect(r.code == 1, "stderr: \(r.stderr)")
        #expect((r.json?["source"] as? [String: String])?["path"] == "live:lo")
        let live = r.evidence("UPD-10").filter { $0.detail.hasPrefix("firmware or package download over plain HTTP: GET http://127.0.0.1/firmware/live-1.0.bin") }
        #expect(live.count == 1)
        let again = try baseline(["traffic", saved, "--profile", "acme-gateway", "--format", "json", "--date", Repo.auditDate])
        let replay = again.evidence("UPD-10").filter { $0.detail.hasPrefix("firmware or package download over plain HTTP: GET http://127.0.0.1/firmware/live-1.0.bin") }
        #expect(replay.count == 1)
        #expect(replay.first?.line == live.first?.line)
    }

    @Test func badFilterAndInterface() throws {
        let f = try baseline(["traffic", "--interface", "lo", "--filter", "tcp port banana", "--duration", "1"])
        #expect(f.code == 3)
        #expect(f.stderr.contains("--filter 'tcp port banana'"))
        let i = try baseline(["traffic", "--interface", "nosuch0", "--duration", "1"])
        #expect(i.code == 3)
        #expect(i.stderr.contains("nosuch0"))
    }
}
