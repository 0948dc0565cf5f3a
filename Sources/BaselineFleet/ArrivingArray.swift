// A batch file's top-level JSON array, cut into its elements while the file is still being read. Bulk ingest parses
// the first reports of a file of many megabytes as soon as their bytes are in, instead of first reading the whole file
// (~0.07 s per 80 MB) and then cutting all of it (~0.05 s) with every core but one idle.
import Foundation

/// Cuts the elements of a top-level JSON array as its bytes arrive. `next` returns the next element's byte range,
/// or nil: at the end of the array (`state` .done), where the bytes are not an array (.invalid), or where the bytes
/// so far end inside the array (call again with more). Strings are skipped with memchr; a quote after an odd run of
/// backslashes is escaped. An element ends at a comma or the closing bracket outside any string, object or array.
struct ArrayCutter {
    enum State { case start, element, closing, done, invalid }
    private(set) var state = State.start
    private var i = 0                                   // where the next scan starts

    @inline(__always) private static func isSpace(_ c: UInt8) -> Bool { c == 32 || c == 10 || c == 13 || c == 9 }

    /// The first `"` in `b[from..<to]`, eight bytes at a time: most strings of a report are a few words long, where
    /// a call to memchr cost more than the scan.
    @inline(__always) static func quote(_ b: UnsafeBufferPointer<UInt8>, from: Int, to n: Int) -> Int? {
        var j = from
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        while j + 8 <= n {
            let x = UnsafeRawPointer(b.baseAddress! + j).loadUnaligned(as: UInt64.self).littleEndian ^ (0x22 &* ones)
            let hit = (x &- ones) & ~x & highs                    // the lowest flagged byte is a true zero
            if hit != 0 { return j + hit.trailingZeroBitCount / 8 }
            j += 8
        }
        while j < n { if b[j] == 34 { return j }; j += 1 }
        return nil
    }

    /// `b`: the whole buffer; `n`: how many of its bytes have arrived (`b.count` once all have).
    mutating func next(_ b: UnsafeBufferPointer<UInt8>, available n: Int) -> Range<Int>? {
        let complete = n == b.count
        while true {
            switch state {
            case .start:
                var j = i
                while j < n, Self.isSpace(b[j]) { j += 1 }
                guard j < n else { if complete { state = .invalid }; return nil }
                guard b[j] == 91 else { state = .invalid; return nil }              // [
                j += 1
                while j < n, Self.isSpace(b[j]) { j += 1 }
                guard j < n else { if complete { state = .invalid }; return nil }
                if b[j] == 93 { i = j + 1; state = .closing } else { i = j; state = .element }   // [] or the first element
            case .element:
                var j = i
                while j < n, Self.isSpace(b[j]) { j += 1 }
                let start = j
                var depth = 0
                scan: while j < n {
                    switch b[j] {
                    case 34:                                                      // a string: to its closing quote
                        j += 1
                        while true {
                            guard let at = Self.quote(b, from: j, to: n) else {
                                if complete { state = .invalid }
                                return nil
                            }
                            var slashes = 0                                       // (the run stops at the opening quote at the latest)
                            while b[at - slashes - 1] == 92 { slashes += 1 }
                            j = at
                            if slashes % 2 == 0 { break }
                            j += 1
                        }
                    case 123, 91: depth += 1
                    case 125, 93:
                        if depth == 0 { break scan }
                        depth -= 1
                    case 44 where depth == 0: break scan                          // ,
                    default: break
                    }
                    j += 1
                }
                guard j < n else { if complete { state = .invalid }; return nil }
                guard j > start else { state = .invalid; return nil }
                var end = j
                while end > start, Self.isSpace(b[end - 1]) { end -= 1 }
                if b[j] == 44 { i = j + 1; return start..<end }
                guard b[j] == 93 else { state = .invalid; return nil }
                i = j + 1
                state = .closing
                return start..<end
            case .closing:                                                        // nothing but space after ]
                var j = i
                while j < n, Self.isSpace(b[j]) { j += 1 }
                if j < n { state = .invalid } else if complete { state = .done }
                i = j
                return nil
            case .done, .invalid:
                return nil
            }
        }
    }
}

/// A file read into one buffer of its size by a thread of its own, a piece at a time, and cut into its elements
/// (ArrayCutter) as the pieces arrive. A reader waits for the elements it needs (`elements(from:through:source:)`), or
/// for the whole file (`all(source:)`): a file that is not a JSON array, or not a well-formed one, is then read whole the usual way.
/// A file that shrinks while it is read is refused; one that grows is read up to the size it had when opened.
public final class ArrivingArray: @unchecked Sendable {
    /// The file's bytes (its size when opened); only those of the elements cut so far (or all, after `all()`) are there.
    public let data: Data

    /// Asks Linux for 2 MiB pages under a large buffer (transparent huge pages, where the system gives them on
    /// request): reading a file of 80 MB into 4 KiB pages took ~20,000 page faults. Only advice: nothing changes if
    /// the kernel declines.
    static func preferHugePages(_ p: UnsafeMutableRawPointer, _ count: Int) {
        #if os(Linux)
        let huge = 2 << 20
        guard count >= 2 * huge else { return }
        let start = (Int(bitPattern: p) + huge - 1) & ~(huge - 1), end = (Int(bitPattern: p) + count) & ~(huge - 1)
        guard end > start, let aligned = UnsafeMutableRawPointer(bitPattern: start) else { return }
        _ = madvise(aligned, end - start, 14)               // MADV_HUGEPAGE
        #endif
    }
    private let base: UnsafeMutablePointer<UInt8>
    private let count: Int
    private let condition = NSCondition()
    private var cut: [Range<Int>] = []
    private var cutter = ArrayCutter()                  // the reader thread's own
    private var state = ArrayCutter.State.start         // the cutter's state as published (under the lock)
    private var failure: String?
    private var finished = false
    static let piece = 4 << 20
    static let pipeLimit = 1 << 30

    /// Opens `path` and starts reading it; throws a one-line reason when it cannot be opened.
    public init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw IngestError(source: path, message: "cannot read: \(String(cString: strerror(errno)))") }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            // Not a regular file (a named pipe, a device): read here to its end, up to `pipeLimit` bytes.
            defer { close(fd) }
            var whole: [UInt8] = []
            var piece = [UInt8](repeating: 0, count: 1 << 20)
            while true {
                let n = read(fd, &piece, piece.count)
                if n < 0 && errno == EINTR { continue }
                guard n >= 0 else { throw IngestError(source: path, message: "cannot read: \(String(cString: strerror(errno)))") }
                if n == 0 { break }
                guard whole.count + n <= ArrivingArray.pipeLimit else {
                    throw IngestError(source: path, message: "not a regular file, and more than \(ArrivingArray.pipeLimit >> 20) MiB: refused")
                }
                whole += piece[0..<n]
            }
            count = whole.count
            base = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, count))
            base.initialize(from: whole, count: count)
            data = Data(bytesNoCopy: base, count: count, deallocator: .custom { p, _ in p.deallocate() })
            feed(count, end: true)
            return
        }
        count = Int(st.st_size)
        base = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, count))
        data = Data(bytesNoCopy: base, count: count, deallocator: .custom { p, _ in p.deallocate() })
        guard count > 0 else { close(fd); feed(0, end: true); return }
        ArrivingArray.preferHugePages(base, count)
        let reader = Thread { [self] in
            var done = 0
            while done < count {
                let n = read(fd, base + done, min(ArrivingArray.piece, count - done))
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else {
                    fail(n == 0 ? "changed while it was read: \(done) of its \(count) bytes were there" : "cannot read: \(String(cString: strerror(errno)))")
                    close(fd)
                    return
                }
                done += n
                feed(done, end: done == count)
            }
            close(fd)
        }
        reader.stackSize = 1 << 20
        reader.start()
    }

    /// `done` bytes are in: the elements they complete are cut (outside the lock: only this thread cuts) and published.
    private func feed(_ done: Int, end: Bool) {
        let buffer = UnsafeBufferPointer(start: base, count: count)
        var fresh: [Range<Int>] = []
        if cutter.state == .start || cutter.state == .element || cutter.state == .closing {
            while let r = cutter.next(buffer, available: done) { fresh.append(r) }
        }
        condition.lock()
        cut += fresh
        state = cutter.state
        finished = end
        condition.broadcast()
        condition.unlock()
    }

    private func fail(_ message: String) {
        condition.lock(); failure = message; finished = true; condition.broadcast(); condition.unlock()
    }

    /// How the cut stands: `isArray` false once the bytes are known not to be a well-formed JSON array (then use
    /// `all()`); `complete` once every element has been cut.
    public struct Cut { public let elements: [Range<Int>]; public let complete: Bool; public let isArray: Bool }

    /// Waits until `n` elements are cut, or the cut has ended; returns the elements cut so far from `from` on.
    /// Throws a one-line reason if the file could not be read.
    public func elements(from: Int, through n: Int, source: String) throws -> Cut {
        condition.lock(); defer { condition.unlock() }
        while cut.count < n && !finished && state != .invalid && state != .done { condition.wait() }
        if let failure { throw IngestError(source: source, message: failure) }
        let part = from < cut.count ? Array(cut[from...]) : []
        return Cut(elements: part, complete: state == .done, isArray: state != .invalid)
    }

    /// Waits for the whole file; throws a one-line reason if it could not be read.
    public func all(source: String) throws -> Data {
        condition.lock(); defer { condition.unlock() }
        while !finished { condition.wait() }
        if let failure { throw IngestError(source: source, message: failure) }
        return data
    }
}
