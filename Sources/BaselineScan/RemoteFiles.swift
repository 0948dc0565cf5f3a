// Copying files to a device over an authenticated connection: SFTP when the server has it (OpenSSH), SCP when it
// has not (Dropbear usually has no SFTP server, but runs `scp -t` from the device's scp). Directories are made
// with `mkdir -p` over an exec channel, which every device with a shell has.
import CLibSSH
import Foundation

public final class RemoteFiles {
    let c: SSHConnection
    var sftp: sftp_session? = nil
    public private(set) var method = "scp"

    public init(_ connection: SSHConnection) {
        c = connection
        if let s = sftp_new(c.session) {
            if sftp_init(s) == SSH_OK { sftp = s; method = "sftp" } else { sftp_free(s) }
        }
    }

    deinit { if let s = sftp { sftp_free(s) } }

    public func mkdir(_ path: String) throws(SSHError) {
        let r = try c.exec("mkdir -p -m 700 '\(path)'")
        if r.status != 0 { throw SSHError(status: .error, message: "cannot create \(path) on the device: \(r.stderr)") }
    }

    /// Writes `bytes` to `remote` with permission `mode`.
    public func put(_ bytes: [UInt8], to remote: String, mode: Int32) throws(SSHError) {
        if let s = sftp {
            guard let f = sftp_open(s, remote, O_WRONLY | O_CREAT | O_TRUNC, mode_t(mode)) else {
                throw SSHError(status: .error, message: "SFTP: cannot create \(remote): \(c.error)")
            }
            var off = 0
            while off < bytes.count {
                let n = bytes.withUnsafeBytes { sftp_write(f, $0.baseAddress! + off, min(32768, bytes.count - off)) }
                if n <= 0 { sftp_close(f); throw SSHError(status: .dropped, message: "SFTP: writing \(remote) failed after \(off) of \(bytes.count) bytes: \(c.error)") }
                off += n
            }
            if sftp_close(f) != SSH_OK { throw SSHError(status: .dropped, message: "SFTP: closing \(remote) failed: \(c.error)") }
            return
        }
        let dir = (remote as NSString).deletingLastPathComponent, name = (remote as NSString).lastPathComponent
        guard let scp = ssh_scp_new(c.session, Int32(SSH_SCP_WRITE), dir) else { throw SSHError(status: .error, message: "SCP: cannot start: \(c.error)") }
        defer { ssh_scp_free(scp) }
        guard ssh_scp_init(scp) == SSH_OK else { throw SSHError(status: .error, message: "SCP: the device has neither an SFTP server nor scp: \(c.error)") }
        defer { _ = ssh_scp_close(scp) }
        guard ssh_scp_push_file(scp, name, bytes.count, mode) == SSH_OK else { throw SSHError(status: .error, message: "SCP: cannot create \(remote): \(c.error)") }
        var off = 0
        while off < bytes.count {
            let n = min(32768, bytes.count - off)
            let rc = bytes.withUnsafeBytes { ssh_scp_write(scp, $0.baseAddress! + off, n) }
            if rc != SSH_OK { throw SSHError(status: .dropped, message: "SCP: writing \(remote) failed after \(off) of \(bytes.count) bytes: \(c.error)") }
            off += n
        }
    }
}
