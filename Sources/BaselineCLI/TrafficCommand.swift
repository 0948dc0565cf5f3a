// `baseline traffic CAPTURE`: is the update channel secure on the wire? Reads a pcap/pcapng capture (or captures
// live from an interface) with libpcap and reports UPD-10, CRED-10 and SURF-04 in the audit report format.
import ArgumentParser
import BaselineCore
import BaselineTraffic
import Foundation

nonisolated(unsafe) var trafficStopRequested: sig_atomic_t = 0

struct TrafficCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "traffic",
        abstract: "Judge a device's update channel from a network capture (pcap/pcapng) or a live capture.",
        discussion: """
        Reassembles TCP connections and reads HTTP, TLS hellos, DNS, Telnet, FTP and TFTP. Findings: UPD-10 (plaintext \
        firmware downloads, TLS below 1.2 to update endpoints, update traffic to hosts the profile does not declare), \
        CRED-10 (credentials in plaintext) and SURF-04 (Telnet or FTP in use). Evidence lines are packet numbers.

        Exit codes: 0 no finding at or above --fail-on; 1 findings; 2 usage or profile error; 3 capture unreadable \
        (a capture that ends early still gets its report, marked incomplete, and exits 3 unless it has findings).
        """)

    @Argument(help: "Capture file (pcap or pcapng). Omit with --interface.")
    var capture: String?

    @Option(name: .shortAndLong, help: "Capture live from this interface (needs root or CAP_NET_RAW) instead of reading a file.")
    var interface: String?

    @Option(help: "BPF filter for the live capture (tcpdump syntax), e.g. 'host 192.168.1.20'.")
    var filter: String?

    @Option(help: "Seconds to capture live (Ctrl-C stops early).")
    var duration: Double = 60

    @Option(help: "Also write the live capture to FILE (pcap), so the evidence can be kept and re-read.")
    var save: String?

    @OptionGroup var opts: ReportOptions

    @Option(name: .customLong("max-flows"), help: "Most TCP connections tracked at once; beyond it the longest-idle are closed early (default 100000).")
    var maxFlows: Int = 100_000


    func validate() throws {
        if capture == nil && interface == nil { throw ValidationError("give a capture file, or --interface to capture live") }
        if capture != nil && interface != nil { throw ValidationError("give a capture file or --interface, not both") }
        if interface == nil && (filter != nil || save != nil) { throw ValidationError("--filter and --save need --interface") }
        if !(duration > 0 && duration <= 86_400) { throw ValidationError("--duration: expected seconds between 0 and 86400") }
        if maxFlows < 16 { throw ValidationError("--max-flows: expected at least 16") }
    }

    func run() throws {
        let threshold = try CommandSupport.threshold(opts.failOn)
        let today = try CommandSupport.today(opts.date)
        let loaded = try CommandSupport.profile(opts.profile)

        let source: CaptureSource
        do throws(CaptureError) {
            if let iface = interface {
                source = try CaptureSource.open(interface: iface, filter: filter)
                if let s = save { try source.save(to: s) }
            } else {
                source = try CaptureSource.open(file: capture!)
            }
        } catch { throw die(error.message, code: 3) }
        guard source.linkType != nil else {
            throw die("\(source.label): link type \(source.linkTypeName) is not decoded (expected Ethernet, Linux cooked SLL/SLL2, raw IP or BSD loopback)", code: 3)
        }

        var limits = TrafficLimits()
        limits.maxFlows = maxFlows
        let facts: TrafficFacts
        if interface != nil {
            trafficStopRequested = 0
            signal(SIGINT) { _ in trafficStopRequested = 1 }
            signal(SIGTERM) { _ in trafficStopRequested = 1 }
            let deadline = Date().addingTimeInterval(duration)
            if isatty(2) == 1 { FileHandle.standardError.write(Data("capturing on \(interface!) for \(Int(duration)) s (Ctrl-C to stop)…\n".utf8)) }
            facts = TrafficAnalyzer.run(source, limits: limits) { trafficStopRequested != 0 || Date() >= deadline }
            signal(SIGINT, SIG_DFL); signal(SIGTERM, SIG_DFL)
            do throws(CaptureError) { try source.finishSaving() } catch { throw die(error.message, code: 3) }
        } else {
            facts = TrafficAnalyzer.run(source, limits: limits)
        }

        if facts.truncated && facts.counts.packets == 0 {
            // Nothing could be read at all: not a partial report, an unreadable input.
            throw die("\(source.label): libpcap cannot read the capture: " + (facts.problems.first?.reason ?? "?")
                      .replacingOccurrences(of: "capture ends early after packet 0: ", with: ""), code: 3)
        }
        let report = TrafficReport.build(facts, profile: loaded, today: today, generatedAt: Int64(Date().timeIntervalSince1970))
        let rootURI = URL(fileURLWithPath: capture ?? FileManager.default.currentDirectoryPath).deletingLastPathComponent().standardizedFileURL.absoluteString
        var text = CommandSupport.render(report, format: opts.format, threshold: threshold, rootURI: rootURI, previous: nil,
                                         output: opts.output, noColor: opts.noColor, verbose: opts.verbose)
        if opts.format == .text, let cut = text.range(of: "\n\n") {
            text.replaceSubrange(cut, with: "\n" + TrafficReport.summaryLine(facts) + "\n\n")
        }
        try emit(text, to: opts.output, what: "report")
        if facts.truncated {
            FileHandle.standardError.write(Data(("baseline: \(source.label): " + (facts.problems.first?.reason ?? "capture ends early") + "; the report covers the packets before it\n").utf8))
        }
        if !report.findingsAtOrAbove(threshold).isEmpty { throw ExitCode(1) }
        if facts.truncated { throw ExitCode(3) }
    }
}
