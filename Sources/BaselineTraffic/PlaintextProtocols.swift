// Plaintext remote-access and transfer protocols: Telnet (option negotiation stripped, login and password prompts
// followed), FTP control (USER, PASS, the server's verdict, AUTH TLS), TFTP read/write requests. User names are kept;
// what follows a password prompt or PASS is only noted as seen.

/// Telnet: the server's prompts decide what the client's next line is.
final class TelnetSession {
    enum Expect { case nothing, user, password }
    enum IAC { case data, command, option, subnegotiation, subIAC }

    let flow: () -> FlowRef
    let recordLogin: (PlaintextLogin) -> Void
    let recordSession: (PlaintextSession) -> Void
    var serverTail: [UInt8] = []
    var clientLine: [UInt8] = []
    var expect = Expect.nothing
    var user: String? = nil
    var loginRecorded = false
    var promptSeen = false
    var serverState = IAC.data
    var clientState = IAC.data
    var negotiations = 0
    var recorded = false

    init(flow: @escaping () -> FlowRef, login: @escaping (PlaintextLogin) -> Void, session: @escaping (PlaintextSession) -> Void) {
        self.flow = flow; recordLogin = login; recordSession = session
    }

    /// Whether the first bytes of a stream are Telnet option negotiation (IAC WILL/WONT/DO/DONT).
    static func looksLikeTelnet(_ b: UnsafeRawBufferPointer) -> Bool { b.count >= 2 && b[0] == 255 && b[1] >= 251 }

    /// Removes Telnet commands, returning the data bytes.
    func strip(_ b: UnsafeRawBufferPointer, _ state: inout IAC) -> [UInt8] {
        var out: [UInt8] = []
        for c in b {
            switch state {
            case .data: if c == 255 { state = .command } else { out.append(c) }
            case .command:
                switch c {
                case 255: out.append(255); state = .data
                case 251...254: state = .option; negotiations += 1
                case 250: state = .subnegotiation
                default: state = .data
                }
            case .option: state = .data
            case .subnegotiation: if c == 255 { state = .subIAC }
            case .subIAC: state = c == 240 ? .data : .subnegotiation
            }
        }
        return out
    }

    func fromServer(_ b: UnsafeRawBufferPointer, packet: Int) -> Bool {
        let data = strip(b, &serverState)
        for c in data where c != 0 {
            serverTail.append(c >= 65 && c <= 90 ? c + 32 : c)
            if serverTail.count > 64 { serverTail.removeFirst(serverTail.count - 64) }
        }
        var t = serverTail
        while let l = t.last, l == 32 || l == 9 { t.removeLast() }
        func ends(_ s: String) -> Bool { t.count >= s.utf8.count && Array(t.suffix(s.utf8.count)) == Array(s.utf8) }
        if ends("password:") { expect = .password; promptSeen = true; clientLine.removeAll() }
        else if ends("login:") || ends("username:") || ends("user name:") || ends("user:") {
            expect = .user; promptSeen = true; clientLine.removeAll()
        }
        return true
    }

    func fromClient(_ b: UnsafeRawBufferPointer, packet: Int) -> Bool {
        let data = strip(b, &clientState)
        for c in data {
            if c == 13 || c == 10 || c == 0 {
                if clientLine.isEmpty { continue }
                let line = clientLine
                clientLine.removeAll()
                switch expect {
                case .user:
                    user = String(decoding: line.filter { $0 >= 32 && $0 < 127 }, as: UTF8.self)
                    expect = .nothing
                case .password:
                    let f = flow()
                    recordLogin(PlaintextLogin(flow: f, packet: packet, proto: .telnet, user: user, passwordSeen: true, accepted: nil, host: nil))
                    loginRecorded = true
                    expect = .nothing
                case .nothing: break
                }
            } else if clientLine.count < 256 {
                if c == 127 || c == 8 { if !clientLine.isEmpty { clientLine.removeLast() } } else { clientLine.append(c) }
            }
        }
        return true
    }

    func finish() {
        guard !recorded else { return }
        recorded = true
        let f = flow()
        if !loginRecorded, let u = user {
            recordLogin(PlaintextLogin(flow: f, packet: f.firstPacket, proto: .telnet, user: u, passwordSeen: false, accepted: nil, host: nil))
        }
        var detail = "Telnet session"
        if let u = user { detail += ", login as '\(u)'" } else if promptSeen { detail += ", login prompt" }
        if negotiations > 0 { detail += ", \(negotiations) option negotiation(s)" }
        recordSession(PlaintextSession(flow: f, proto: .telnet, detail: detail))
    }
}

/// FTP control connection: command lines from the client, reply codes from the server.
final class FTPSession {
    let flow: () -> FlowRef
    let recordLogin: (PlaintextLogin) -> Void
    let recordSession: (PlaintextSession) -> Void
    var clientLine: [UInt8] = []
    var serverLine: [UInt8] = []
    var user: String? = nil
    var passPacket: Int? = nil
    var accepted: Bool? = nil
    var isFTP = false
    var tls = false
    var commands = 0
    var retrieved: [String] = []
    var recorded = false
    static let commandsKnown: Set<String> = ["USER", "PASS", "AUTH", "ACCT", "SYST", "FEAT", "PWD", "CWD", "TYPE", "PASV", "EPSV",
                                            "PORT", "EPRT", "RETR", "STOR", "LIST", "NLST", "QUIT", "SIZE", "MDTM", "OPTS", "NOOP"]

    init(flow: @escaping () -> FlowRef, login: @escaping (PlaintextLogin) -> Void, session: @escaping (PlaintextSession) -> Void) {
        self.flow = flow; recordLogin = login; recordSession = session
    }

    static func looksLikeGreeting(_ b: UnsafeRawBufferPointer) -> Bool {
        b.count >= 4 && b[0] == 50 && b[1] == 50 && b[2] == 48 && (b[3] == 32 || b[3] == 45)
    }

    static func looksLikeCommand(_ b: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        while i < b.count && i < 5 && ((b[i] >= 65 && b[i] <= 90) || (b[i] >= 97 && b[i] <= 122)) { i += 1 }
        guard i >= 3, i < b.count, b[i] == 32 || b[i] == 13 else { return false }
        return commandsKnown.contains(String(decoding: UnsafeRawBufferPointer(rebasing: b[0..<i]), as: UTF8.self).uppercased())
    }

    func lines(_ b: UnsafeRawBufferPointer, _ buf: inout [UInt8], _ each: (String) -> Void) {
        for c in b {
            if c == 10 {
                if buf.last == 13 { buf.removeLast() }
                each(String(decoding: buf, as: UTF8.self))
                buf.removeAll(keepingCapacity: true)
            } else if buf.count < 1024 { buf.append(c) }
        }
    }

    func fromClient(_ b: UnsafeRawBufferPointer, packet: Int) -> Bool {
        if tls { return false }
        var keep = true
        lines(b, &clientLine) { line in
            let verb = String(line.prefix(while: { $0 != " " })).uppercased()
            let arg = line.count > verb.count ? String(line.dropFirst(verb.count + 1)) : ""
            guard FTPSession.commandsKnown.contains(verb) else { if !isFTP { keep = false }; return }
            isFTP = true
            commands += 1
            switch verb {
            case "USER": user = arg
            case "PASS": passPacket = packet
            case "RETR", "STOR": if retrieved.count < 32 { retrieved.append(verb + " " + arg) }
            default: break
            }
        }
        return keep
    }

    func fromServer(_ b: UnsafeRawBufferPointer, packet: Int) -> Bool {
        if tls { return false }
        lines(b, &serverLine) { line in
            if line.hasPrefix("230") { if user != nil || passPacket != nil { accepted = true } }
            else if line.hasPrefix("530") { if user != nil { accepted = false } }
            else if line.hasPrefix("234") { tls = true }
        }
        return !tls
    }

    func finish() {
        guard !recorded, isFTP else { return }
        recorded = true
        let f = flow()
        if user != nil || passPacket != nil {
            recordLogin(PlaintextLogin(flow: f, packet: passPacket ?? f.firstPacket, proto: .ftp, user: user,
                                       passwordSeen: passPacket != nil, accepted: accepted, host: nil))
        }
        var detail = tls ? "FTP control connection upgraded to TLS (AUTH TLS)" : "FTP control connection, \(commands) command(s)"
        if !retrieved.isEmpty { detail += ": " + retrieved.joined(separator: ", ") }
        if !tls { recordSession(PlaintextSession(flow: f, proto: .ftp, detail: detail)) }
    }
}

/// One direction of a Telnet or FTP session: feeds the session object, which sees both directions in packet order.
final class SessionSide<S: AnyObject>: StreamParser {
    let s: S
    let feed: (S, UnsafeRawBufferPointer, Int) -> Bool
    let end: (S) -> Void
    init(_ s: S, feed: @escaping (S, UnsafeRawBufferPointer, Int) -> Bool, end: @escaping (S) -> Void) { self.s = s; self.feed = feed; self.end = end }
    override func consume(_ bytes: UnsafeRawBufferPointer, packet: Int) -> Bool { feed(s, bytes, packet) }
    override func gap(_ count: Int, packet: Int) -> Bool { false }
    override func finish(packet: Int) { end(s) }
}

enum TFTP {
    /// A read (1) or write (2) request: opcode, file name, NUL, mode, NUL.
    static func request(_ b: UnsafeRawBufferPointer) -> (write: Bool, filename: String)? {
        guard b.count >= 4, b[0] == 0, b[1] == 1 || b[1] == 2 else { return nil }
        var i = 2
        while i < b.count && b[i] != 0 { i += 1 }
        guard i < b.count, i > 2, i - 2 <= 512 else { return nil }
        let name = UnsafeRawBufferPointer(rebasing: b[2..<i])
        guard name.allSatisfy({ $0 >= 32 && $0 < 127 }) else { return nil }
        var j = i + 1
        while j < b.count && b[j] != 0 { j += 1 }
        let mode = String(decoding: UnsafeRawBufferPointer(rebasing: b[(i + 1)..<min(j, b.count)]), as: UTF8.self).lowercased()
        guard ["octet", "netascii", "mail"].contains(mode) else { return nil }
        return (b[1] == 2, String(decoding: name, as: UTF8.self))
    }
}
