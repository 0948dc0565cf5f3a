// Reading files of the host (profiles, data lists, key files) — as opposed to files of the audited root, which
// always go through RootView.
import CBaselineSys

public enum HostFile {
    public enum ReadResult {
        case ok([UInt8])
        case failed(String)
    }

    public static func read(_ path: String, limit: Int = 64 * 1024 * 1024) -> ReadResult {
        let fd = path.withCString { bl_open_host_file($0) }
        if fd < 0 {
            if fd == -22 { return .failed("not a regular file") }
            return .failed(String(cString: bl_strerror(fd)))
        }
        defer { _ = bl_close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let want = min(65536, limit + 1 - out.count)
            let n = chunk.withUnsafeMutableBufferPointer { bl_read(fd, $0.baseAddress, want) }
            if n < 0 { return .failed(String(cString: bl_strerror(Int32(n)))) }
            if n == 0 { return .ok(out) }
            out.append(contentsOf: chunk[0..<n])
            if out.count > limit { return .failed("larger than \(limit) bytes") }
        }
    }

    /// nil when `path` is a readable regular file, else why not.
    public static func unreadableReason(_ path: String) -> String? {
        let fd = path.withCString { bl_open_host_file($0) }
        if fd >= 0 { _ = bl_close(fd); return nil }
        if fd == -22 { return "not a regular file" }
        return String(cString: bl_strerror(fd))
    }

    /// Writes atomically (temp file, fsync, rename). Returns an error text or nil.
    public static func writeAtomically(_ path: String, _ text: String) -> String? {
        let bytes = Array(text.utf8)
        let rc = bytes.withUnsafeBufferPointer { buf in path.withCString { bl_write_file_atomic($0, buf.baseAddress, buf.count) } }
        return rc == 0 ? nil : String(cString: bl_strerror(rc))
    }

    public static func writeStdout(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBufferPointer { bl_write_fd(1, $0.baseAddress, $0.count) }
    }

    public static func writeStderr(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBufferPointer { bl_write_fd(2, $0.baseAddress, $0.count) }
    }

    public static func environment(_ name: String) -> String? {
        var buf = [CChar](repeating: 0, count: 4096)
        let n = buf.withUnsafeMutableBufferPointer { b in name.withCString { bl_getenv_copy($0, b.baseAddress, 4096) } }
        if n < 0 { return nil }
        return buf.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    public static func now() -> Int64 { bl_time_now() }

    public static func randomBytes(_ n: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: n)
        _ = out.withUnsafeMutableBufferPointer { bl_random($0.baseAddress, n) }
        return out
    }
}
