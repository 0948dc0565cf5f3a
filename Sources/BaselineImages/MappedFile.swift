// A firmware file mapped read-only into memory, so the carver can look at every offset without copying it.
import Foundation

public final class MappedFile {
    public let count: Int
    let base: UnsafeMutableRawPointer?

    /// Maps `path` whole; nil when it cannot be opened or mapped (the caller reports the error).
    public init?(_ path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        if fd < 0 { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        count = Int(st.st_size)
        if count == 0 { base = nil; return }
        let p = mmap(nil, count, PROT_READ, MAP_PRIVATE, fd, 0)
        if p == MAP_FAILED { return nil }
        base = p
    }

    deinit { if let b = base { munmap(b, count) } }

    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// Copies `length` bytes from `offset` into `fd` (an anonymous in-memory file): a carved part handed to a reader
    /// that wants a file of its own.
    func copy(offset: Int, length: Int, to fd: Int32) -> Bool {
        guard let b = base, offset >= 0, length >= 0, offset + length <= count else { return false }
        var done = 0
        while done < length {
            let n = write(fd, b + offset + done, min(length - done, 1 << 24))
            if n < 0 { if errno == EINTR { continue }; return false }
            done += n
        }
        return true
    }

    /// Copies `length` bytes from `offset` into `fd`, keeping the first `page` bytes of every `page + skip`: a raw
    /// NAND dump without its out-of-band bytes. Written in 4 MiB pieces.
    func copyPages(offset: Int, length: Int, page: Int, skip: Int, to fd: Int32) -> Bool {
        guard let b = base, offset >= 0, length >= 0, offset + length <= count, page > 0, skip >= 0 else { return false }
        var buffer = [UInt8](repeating: 0, count: 4 << 20)
        let end = offset + length
        var o = offset
        while o < end {
            var used = 0
            while o < end && used + page <= buffer.count {
                let n = min(page, end - o)
                buffer.withUnsafeMutableBytes { _ = memcpy($0.baseAddress! + used, b + o, n) }
                used += n
                o += page + skip
            }
            var done = 0
            while done < used {
                let w = buffer.withUnsafeBytes { write(fd, $0.baseAddress! + done, used - done) }
                if w < 0 { if errno == EINTR { continue }; return false }
                done += w
            }
        }
        return true
    }
}
