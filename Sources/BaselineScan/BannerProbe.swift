// A plain TCP connection that reads the server's first line, before libssh is involved: it tells a refused port, an
// unreachable host, a silent service and a non-SSH service apart, each with its own status and within the timeout.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public enum BannerProbe {
    public struct Result {
        public let status: DeviceStatus
        public let banner: String?      // the first line, when it is an SSH identification string
        public let detail: String
    }

    public static func probe(host: String, port: Int, timeout: Double) -> Result {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var res: UnsafeMutablePointer<addrinfo>? = nil
        let rc = getaddrinfo(host, String(port), &hints, &res)
        guard rc == 0, let first = res else {
            return Result(status: .unreachable, banner: nil, detail: "cannot resolve '\(host)': \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(res) }
        var lastError = "no address"
        var lastStatus = DeviceStatus.unreachable
        var ai: UnsafeMutablePointer<addrinfo>? = first
        while let a = ai {
            ai = a.pointee.ai_next
            let fd = socket(a.pointee.ai_family, a.pointee.ai_socktype | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), a.pointee.ai_protocol)
            if fd < 0 { lastError = String(cString: strerror(errno)); continue }
            defer { close(fd) }
            if connect(fd, a.pointee.ai_addr, a.pointee.ai_addrlen) != 0 && errno != EINPROGRESS {
                (lastStatus, lastError) = status(errno)
                continue
            }
            var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            if poll(&pfd, 1, Int32(timeout * 1000)) <= 0 {
                return Result(status: .timeout, banner: nil, detail: "no TCP connection within \(fmt(timeout)) s")
            }
            var soerr: Int32 = 0
            var len = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len)
            if soerr != 0 { (lastStatus, lastError) = status(soerr); continue }
            // Connected: read the first line (RFC 4253 allows other lines before the identification string).
            var data: [UInt8] = []
            let deadline = Date().addingTimeInterval(timeout)
            var buf = [UInt8](repeating: 0, count: 512)
            while data.count < 8192 {
                let left = deadline.timeIntervalSinceNow
                if left <= 0 { break }
                var rp = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                if poll(&rp, 1, Int32(left * 1000)) <= 0 { break }
                let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n <= 0 {
                    if data.isEmpty { return Result(status: .dropped, banner: nil, detail: "the server closed the connection without a banner") }
                    break
                }
                data.append(contentsOf: buf[0..<n])
                // Lines end with LF (CR LF in the RFC); the identification string may follow other lines.
                var start = 0
                while let nl = data[start...].firstIndex(of: 10) {
                    var line = Array(data[start..<nl])
                    if line.last == 13 { line.removeLast() }
                    if line.starts(with: Array("SSH-".utf8)) {
                        return Result(status: .ok, banner: String(decoding: line.prefix(255), as: UTF8.self), detail: "")
                    }
                    start = nl + 1
                }
                if data.count > 1024 { break }
            }
            if data.isEmpty { return Result(status: .timeout, banner: nil, detail: "connected, but no banner within \(fmt(timeout)) s (a silent or non-SSH service)") }
            let shown = String(decoding: data.prefix(60), as: UTF8.self).map { $0.isASCII && !$0.isNewline && $0 != "\r" ? String($0) : "." }.joined()
            if data.starts(with: Array("SSH-".utf8)) { return Result(status: .ok, banner: shown, detail: "") }
            return Result(status: .notSSH, banner: nil, detail: "not an SSH server: it said \"\(shown)\"")
        }
        return Result(status: lastStatus, banner: nil, detail: lastError)
    }

    static func status(_ e: Int32) -> (DeviceStatus, String) {
        let text = String(cString: strerror(e))
        switch e {
        case ECONNREFUSED: return (.refused, "connection refused")
        case ETIMEDOUT: return (.timeout, text)
        case EHOSTUNREACH, ENETUNREACH, EADDRNOTAVAIL: return (.unreachable, text)
        default: return (.error, text)
        }
    }

    static func fmt(_ d: Double) -> String { d == d.rounded() ? String(Int(d)) : String(d) }
}
