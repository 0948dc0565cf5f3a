// `serve`'s access log: one line a request — time, client address, method, path (no query string), status, response
// bytes, milliseconds. Never a header, so never a token. To standard output by default, to a file with
// `--access-log FILE` (appended), or off with `--access-log none`.
import Foundation
import Hummingbird
import NIOCore

/// The request context of every route: Hummingbird's basic context plus the client's address, for the access log.
struct CollectorContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}

/// Where the lines go; writes are serialised so lines never interleave.
final class AccessLogSink: @unchecked Sendable {
    private let fd: Int32
    private let lock = NSLock()

    init(fd: Int32) { self.fd = fd }

    /// "-" standard output, "none" nil, else the file (created, appended to).
    static func open(_ target: String) throws -> AccessLogSink? {
        switch target {
        case "none": return nil
        case "-": return AccessLogSink(fd: 1)
        default:
            let fd = Glibc.open(target, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
            guard fd >= 0 else { throw fail("--access-log \(target): cannot open: \(String(cString: strerror(errno)))", code: 2) }
            return AccessLogSink(fd: fd)
        }
    }

    func write(_ line: String) {
        var bytes = Array((line + "\n").utf8)
        lock.lock(); defer { lock.unlock() }
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.write(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            done += n
        }
    }
}

struct AccessLogMiddleware: RouterMiddleware {
    typealias Context = CollectorContext
    let sink: AccessLogSink

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            log(request, context, status: Int(response.status.code), bytes: response.body.contentLength, since: start)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            log(request, context, status: Int(status), bytes: nil, since: start)
            throw error
        }
    }

    func log(_ request: Request, _ context: Context, status: Int, bytes: Int?, since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        let client: String
        switch context.remoteAddress {
        case .some(let a): client = a.ipAddress ?? "-"
        case .none: client = "-"
        }
        let time = Date().formatted(.iso8601)
        sink.write("\(time) \(client) \(request.method.rawValue) \(request.uri.path) \(status) \(bytes.map(String.init) ?? "-") \(String(format: "%.1f", ms))ms")
    }
}
