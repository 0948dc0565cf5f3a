// One SSH connection through libssh: the server's banner and host key, the authentication methods it offers, a
// password (or keyboard-interactive) login, and commands. Blocking; one connection per thread.
import CLibSSH
import Foundation

public struct SSHError: Error, CustomStringConvertible {
    public let status: DeviceStatus
    public let message: String
    public var description: String { message }
}

public struct HostKey: Equatable {
    public let type: String          // "ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa"
    public let fingerprint: String   // "SHA256:…", as `ssh-keygen -l` prints it
    public let base64: String        // the public key blob, as in known_hosts
}

public final class SSHConnection {
    let session: ssh_session
    public let host: String
    public let port: Int
    var connected = false

    /// Connects (TCP, banner exchange, key exchange). `hostKeyTypes` limits the host-key algorithms offered, to
    /// collect each of a server's keys in turn.
    public init(host: String, port: Int, user: String = "root", timeout: Int = 10, hostKeyTypes: String? = nil,
                knownHosts: String? = nil) throws(SSHError) {
        guard let s = ssh_new() else { throw SSHError(status: .error, message: "libssh: cannot create a session") }
        session = s
        self.host = host
        self.port = port
        var p = UInt32(port)
        var t = timeout
        var no: Int32 = 0
        var verbosity = Int32(SSH_LOG_NOLOG)
        _ = ssh_options_set(s, SSH_OPTIONS_HOST, host)
        _ = ssh_options_set(s, SSH_OPTIONS_PORT, &p)
        _ = ssh_options_set(s, SSH_OPTIONS_USER, user)
        _ = ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &t)
        _ = ssh_options_set(s, SSH_OPTIONS_PROCESS_CONFIG, &no)      // never the user's ~/.ssh/config
        _ = ssh_options_set(s, SSH_OPTIONS_LOG_VERBOSITY, &verbosity)
        // Never read or write the user's ~/.ssh/known_hosts unless asked: the scan records keys, it does not trust them.
        _ = ssh_options_set(s, SSH_OPTIONS_KNOWNHOSTS, knownHosts ?? "/dev/null")
        _ = ssh_options_set(s, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, knownHosts ?? "/dev/null")
        if let types = hostKeyTypes { _ = ssh_options_set(s, SSH_OPTIONS_HOSTKEYS, types) }
        if ssh_connect(s) != SSH_OK {
            let e = SSHConnection.errorText(s)
            // deinit frees the session: a class's deinit runs when its initializer throws after initialising it.
            throw SSHError(status: SSHConnection.classify(e), message: e)
        }
        connected = true
    }

    deinit {
        if connected { ssh_disconnect(session) }
        ssh_free(session)
    }

    static func errorText(_ s: ssh_session) -> String {
        guard let e = ssh_get_error(UnsafeMutableRawPointer(s)) else { return "unknown libssh error" }
        return String(cString: e)
    }

    var error: String { SSHConnection.errorText(session) }

    static func classify(_ message: String) -> DeviceStatus {
        let m = message.lowercased()
        if m.contains("refused") { return .refused }
        if m.contains("timeout") || m.contains("timed out") { return .timeout }
        if m.contains("unreachable") || m.contains("no route") { return .unreachable }
        if m.contains("no match for method") || m.contains("no common") { return .noCommonAlgorithm }
        if m.contains("protocol mismatch") || m.contains("banner") { return .notSSH }
        if m.contains("disconnect") || m.contains("socket error") || m.contains("connection reset") { return .dropped }
        return .error
    }

    /// The server's identification string, e.g. "SSH-2.0-dropbear_2022.83".
    public var banner: String? { ssh_get_serverbanner(session).map { String(cString: $0) } }

    public func hostKey() -> HostKey? {
        var key: ssh_key? = nil
        guard ssh_get_server_publickey(session, &key) == SSH_OK, let k = key else { return nil }
        defer { ssh_key_free(k) }
        let type = ssh_key_type_to_char(ssh_key_type(k)).map { String(cString: $0) } ?? "unknown"
        var hash: UnsafeMutablePointer<UInt8>? = nil
        var len = 0
        guard ssh_get_publickey_hash(k, SSH_PUBLICKEY_HASH_SHA256, &hash, &len) == 0, let h = hash else { return nil }
        defer { ssh_clean_pubkey_hash(&hash) }
        guard let fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, h, len) else { return nil }
        defer { ssh_string_free_char(fp) }
        var b64: UnsafeMutablePointer<CChar>? = nil
        var base64 = ""
        if ssh_pki_export_pubkey_base64(k, &b64) == SSH_OK, let b = b64 { base64 = String(cString: b); ssh_string_free_char(b) }
        return HostKey(type: type, fingerprint: String(cString: fp), base64: base64)
    }

    /// Known-hosts verification of the server's key against the file given at connect time.
    public func knownHostsState() -> String {
        switch ssh_session_is_known_server(session) {
        case SSH_KNOWN_HOSTS_OK: return "ok"
        case SSH_KNOWN_HOSTS_CHANGED: return "changed"
        case SSH_KNOWN_HOSTS_OTHER: return "other-type"
        case SSH_KNOWN_HOSTS_UNKNOWN: return "unknown"
        case SSH_KNOWN_HOSTS_NOT_FOUND: return "no-file"
        default: return "error"
        }
    }

    /// Authentication methods the server offers (after a "none" attempt, as clients do).
    public func authMethods() -> [String] {
        let r = ssh_userauth_none(session, nil)
        if r == SSH_AUTH_SUCCESS.rawValue { return ["none (no authentication!)"] }
        let m = ssh_userauth_list(session, nil)
        var out: [String] = []
        if m & Int32(SSH_AUTH_METHOD_PASSWORD) != 0 { out.append("password") }
        if m & Int32(SSH_AUTH_METHOD_PUBLICKEY) != 0 { out.append("publickey") }
        if m & Int32(SSH_AUTH_METHOD_INTERACTIVE) != 0 { out.append("keyboard-interactive") }
        if m & Int32(SSH_AUTH_METHOD_HOSTBASED) != 0 { out.append("hostbased") }
        if m & Int32(SSH_AUTH_METHOD_GSSAPI_MIC) != 0 { out.append("gssapi-with-mic") }
        return out
    }

    public enum AuthResult: Equatable { case success, denied, failed(String) }

    /// Password login; when the server offers only keyboard-interactive, the password answers its prompts.
    public func login(password: String, methods: [String]) -> AuthResult {
        if methods.contains("password") || !methods.contains("keyboard-interactive") {
            let r = ssh_userauth_password(session, nil, password)
            if r == SSH_AUTH_SUCCESS.rawValue { return .success }
            if r == SSH_AUTH_ERROR.rawValue { return .failed(error) }
            if !methods.contains("keyboard-interactive") { return .denied }
        }
        var rounds = 0
        while rounds < 5 {
            rounds += 1
            let r = ssh_userauth_kbdint(session, nil, nil)
            if r == SSH_AUTH_SUCCESS.rawValue { return .success }
            if r == SSH_AUTH_ERROR.rawValue { return .failed(error) }
            guard r == SSH_AUTH_INFO.rawValue else { return .denied }
            let n = ssh_userauth_kbdint_getnprompts(session)
            for i in 0..<max(0, n) {
                var echo: CChar = 0
                let prompt = ssh_userauth_kbdint_getprompt(session, UInt32(i), &echo).map { String(cString: $0) } ?? ""
                let answer = prompt.lowercased().contains("password") || echo == 0 ? password : ""
                _ = ssh_userauth_kbdint_setanswer(session, UInt32(i), answer)
            }
        }
        return .denied
    }

    /// Public-key login with the keys of the running SSH agent ($SSH_AUTH_SOCK).
    public func loginWithAgent() -> AuthResult {
        guard ProcessInfo.processInfo.environment["SSH_AUTH_SOCK"] != nil else { return .failed("no SSH agent (SSH_AUTH_SOCK is not set)") }
        let r = ssh_userauth_agent(session, nil)
        if r == SSH_AUTH_SUCCESS.rawValue { return .success }
        if r == SSH_AUTH_ERROR.rawValue { return .failed(error) }
        return .denied
    }

    /// Public-key login with a private key file (OpenSSH or PEM format; `passphrase` when it is encrypted).
    public func login(keyFile: String, passphrase: String?) -> AuthResult {
        var key: ssh_key? = nil
        guard ssh_pki_import_privkey_file(keyFile, passphrase, nil, nil, &key) == SSH_OK, let k = key else {
            return .failed("cannot read the private key \(keyFile)")
        }
        defer { ssh_key_free(k) }
        let r = ssh_userauth_publickey(session, nil, k)
        if r == SSH_AUTH_SUCCESS.rawValue { return .success }
        if r == SSH_AUTH_ERROR.rawValue { return .failed(error) }
        return .denied
    }

    /// Runs a command and returns its exit status and standard output (at most `limit` bytes).
    public func exec(_ command: String, limit: Int = 64 << 20) throws(SSHError) -> (status: Int, stdout: [UInt8], stderr: String) {
        guard let ch = ssh_channel_new(session) else { throw SSHError(status: .error, message: "cannot open a channel: \(error)") }
        defer { ssh_channel_free(ch) }
        guard ssh_channel_open_session(ch) == SSH_OK else { throw SSHError(status: SSHConnection.classify(error), message: "cannot open a session channel: \(error)") }
        defer { ssh_channel_close(ch) }
        guard ssh_channel_request_exec(ch, command) == SSH_OK else { throw SSHError(status: .error, message: "cannot run '\(command)': \(error)") }
        var out: [UInt8] = []
        var err: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        var lastOutput = Date()
        while true {
            let n = buf.withUnsafeMutableBytes { ssh_channel_read_timeout(ch, $0.baseAddress, UInt32($0.count), 0, 1_000) }
            if n == SSH_ERROR { throw SSHError(status: .dropped, message: "connection lost while running '\(command)': \(error)") }
            if n > 0 { if out.count < limit { out.append(contentsOf: buf[0..<Int(n)]) }; lastOutput = Date(); continue }
            // Standard error is drained as it comes, so a command that writes only there is not taken for a silent one.
            let e = buf.withUnsafeMutableBytes { ssh_channel_read_nonblocking(ch, $0.baseAddress, UInt32($0.count), 1) }
            if e == SSH_ERROR { throw SSHError(status: .dropped, message: "connection lost while running '\(command)': \(error)") }
            if e > 0 { if err.count < 65536 { err.append(contentsOf: buf[0..<Int(e)]) }; lastOutput = Date(); continue }
            if ssh_channel_is_eof(ch) != 0 || ssh_channel_is_open(ch) == 0 { break }
            if Date().timeIntervalSince(lastOutput) >= 30 { throw SSHError(status: .timeout, message: "'\(command)' gave no output for 30 s") }
        }
        while err.count < 65536 {
            let e = buf.withUnsafeMutableBytes { ssh_channel_read_timeout(ch, $0.baseAddress, UInt32($0.count), 1, 1000) }
            if e <= 0 { break }
            err.append(contentsOf: buf[0..<Int(e)])
        }
        _ = ssh_channel_send_eof(ch)
        let status = Int(ssh_channel_get_exit_status(ch))
        return (status, out, String(decoding: err, as: UTF8.self))
    }
}
