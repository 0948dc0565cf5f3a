// What a capture showed, as facts the checks judge: HTTP exchanges, TLS handshakes, DNS answers, plaintext logins,
// TFTP transfers, and the counts that say how much of the capture was understood. Lists are bounded; counts are not.
import BaselineCore

/// Where in the capture something was seen: the flow's endpoints and packet numbers (1-based, as Wireshark numbers
/// them).
public struct FlowRef {
    public var client: String          // "10.0.0.2:50312"
    public var server: String          // "10.0.0.1:80"
    public var serverAddress: IPAddress
    public var serverPort: UInt16
    public var firstPacket: Int
    public var lastPacket: Int
    public var transport: Transport = .tcp

    public var text: String {
        let t = transport == .tcp ? "TCP" : "UDP"
        let packets = firstPacket == lastPacket ? "packet \(firstPacket)" : "packets \(firstPacket)–\(lastPacket)"
        return "\(t) \(client) → \(server), \(packets)"
    }
}

public struct HTTPExchange {
    public var flow: FlowRef
    public var requestPacket: Int
    public var method: String
    public var target: String
    public var host: String?               // Host header without port
    public var userAgent: String?
    public var authScheme: String?         // "Basic", "Bearer", "Digest", …
    public var basicUser: String?          // user name of Basic credentials; the password is never kept
    public var status: Int?
    public var responsePacket: Int?
    public var contentType: String?
    public var contentLength: Int64?
    public var bodyBytes: Int64 = 0        // body bytes seen on the wire
    public var bodyComplete = false
    public var headersCut = false          // a hole (snap length, lost segment) cut the headers: first line only
}

public struct TLSHandshake {
    public var flow: FlowRef
    public var clientHelloPacket: Int
    public var sni: String?
    public var offered: [UInt16] = []      // supported_versions, or the legacy version alone
    public var alpn: [String] = []
    public var serverHelloPacket: Int?
    public var chosen: UInt16?             // negotiated version (supported_versions, else legacy version)
    public var alert: Bool = false         // the server answered with an alert instead of a ServerHello

    public var maxOffered: UInt16 { offered.filter { !TLSHandshake.isGrease($0) }.max() ?? 0 }
    public var effectiveVersion: UInt16 { chosen ?? maxOffered }
    static func isGrease(_ v: UInt16) -> Bool { v & 0x0f0f == 0x0a0a }

    public static func versionName(_ v: UInt16) -> String {
        switch v {
        case 0x0300: return "SSL 3.0"
        case 0x0301: return "TLS 1.0"
        case 0x0302: return "TLS 1.1"
        case 0x0303: return "TLS 1.2"
        case 0x0304: return "TLS 1.3"
        case 0x0002: return "SSL 2.0"
        default: return "0x" + String(v, radix: 16)
        }
    }
}

public enum LoginProtocol: String { case telnet = "Telnet", ftp = "FTP", httpBasic = "HTTP Basic" }

/// A login seen in plaintext. The user name is kept; the password is only noted as seen.
public struct PlaintextLogin {
    public var flow: FlowRef
    public var packet: Int
    public var proto: LoginProtocol
    public var user: String?
    public var passwordSeen: Bool
    public var accepted: Bool?             // FTP 230 / 530; nil when the answer was not seen
    public var host: String?
}

/// A session of a plaintext remote-access protocol (Telnet, FTP control).
public struct PlaintextSession {
    public var flow: FlowRef
    public var proto: LoginProtocol
    public var detail: String
}

public struct TFTPTransfer {
    public var flow: FlowRef
    public var write: Bool
    public var filename: String
}

public struct DNSAnswer {
    public var name: String
    public var address: IPAddress
    public var packet: Int
}

public struct TrafficCounts {
    public var packets = 0
    public var bytes: Int64 = 0                 // captured bytes of frames
    public var wireBytes: Int64 = 0             // original lengths
    public var tcpSegments = 0
    public var udpDatagrams = 0
    public var nonIP = 0
    public var otherIP = 0
    public var fragments = 0
    public var malformed = 0
    public var cutHeaders = 0                   // the snap length cut the frame inside its headers
    public var cutPayload = 0                   // the snap length cut the payload
    public var flows = 0
    public var flowsEvicted = 0                 // closed early because the flow table was full
    public var retransmitted = 0
    public var outOfOrder = 0
    public var gapBytes: Int64 = 0
    public var reassemblyRefused = 0            // out-of-order segments that did not fit the buffers
    public var dnsMessages = 0
    public var firstTime: Double? = nil
    public var lastTime: Double? = nil
    public var unsupportedLinkPackets = 0       // pcapng interfaces of a link type Baseline does not decode
}

public struct TrafficFacts {
    public var capture: String                  // file path or "live:IFACE"
    public var linkTypes: [String] = []
    public var counts = TrafficCounts()
    public var http: [HTTPExchange] = []
    public var tls: [TLSHandshake] = []
    public var logins: [PlaintextLogin] = []
    public var sessions: [PlaintextSession] = []
    public var tftp: [TFTPTransfer] = []
    public var dnsQueries: [String: Int] = [:]  // name → count
    public var names: [IPAddress: String] = [:] // address → the name a DNS answer gave it
    public var problems: [FSProblem] = []
    public var truncated = false
    public var dropped: [String: Int] = [:]     // list name → observations not kept (bounds)

    public init(capture: String) { self.capture = capture }

    /// The name for a server address: a DNS answer seen in the capture, else the address itself.
    public func name(of a: IPAddress) -> String? { names[a] }
}
