// One device: banner, every host key the server has (one connection per key type, as ssh-keyscan does), the
// authentication methods it offers, the polite default-credential probe when asked, and a login with the
// credentials the user gave. Every step is bounded by the timeout; each failure becomes the device's status.
import BaselineCore
import Foundation

public struct ScanOptions {
    public var timeout: Double = 10
    public var defaultUser = "root"
    public var tryDefaultCredentials = false
    public var candidates: [DefaultCredential] = []    // profile defaults first, then the lists it names
    public var maxAttempts = 10                        // per device
    public var attemptDelay: Double = 1.0              // seconds between two attempts on one device
    public var knownHosts: String? = nil
    public var agent: ((ScanTarget) -> AgentSetup?)? = nil   // full audit with the agent after a login; nil: none
    public init() {}
}

public struct DeviceResult {
    public var target: ScanTarget
    public var status: DeviceStatus = .ok
    public var detail = ""
    public var banner: String? = nil
    public var hostKeys: [HostKey] = []
    public var authMethods: [String] = []
    public var knownHosts: String? = nil               // ok, changed, unknown… when --known-hosts was given
    public var defaultCredential: (user: String, source: String)? = nil
    public var attempts = 0
    public var probeStopped = false                    // the default-credential probe was cut short (detail says why)
    public var login: String? = nil                    // "password as root", when the given credentials worked
    public var architecture: String? = nil             // uname -m, after a login
    public var report: ReadReport? = nil               // the device's baseline.report/1, read back by the core's ReportReader
    public var copiedWith: String? = nil               // sftp or scp
    public var auditError: String? = nil
    public var seconds: Double = 0

    /// The server software from the identification string ("dropbear_2022.83", "OpenSSH_9.2p1 Debian-2+deb12u3").
    public var software: String? {
        guard let b = banner, b.hasPrefix("SSH-") else { return nil }
        let parts = b.split(separator: "-", maxSplits: 2)
        return parts.count == 3 ? String(parts[2]) : nil
    }
}

public enum DeviceScan {
    /// Host-key algorithm groups, one connection each: every key the server holds is recorded.
    public static let keyTypes = ["ssh-ed25519", "ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521", "rsa-sha2-512,rsa-sha2-256,ssh-rsa"]

    public static func scan(_ target: ScanTarget, _ o: ScanOptions) -> DeviceResult {
        let started = Date()
        var r = DeviceResult(target: target)
        defer { r.seconds = Date().timeIntervalSince(started) }
        let probe = BannerProbe.probe(host: target.address, port: target.port, timeout: o.timeout)
        r.banner = probe.banner
        guard probe.status == .ok else { r.status = probe.status; r.detail = probe.detail; return r }

        let user = target.user ?? o.defaultUser
        var workingKeyType: String? = nil
        var firstError: SSHError? = nil
        for types in keyTypes {
            do {
                let c = try SSHConnection(host: target.address, port: target.port, user: user, timeout: Int(o.timeout.rounded(.up)),
                                          hostKeyTypes: types, knownHosts: o.knownHosts)
                if let k = c.hostKey(), !r.hostKeys.contains(k) { r.hostKeys.append(k) }
                if workingKeyType == nil {
                    workingKeyType = types
                    if o.knownHosts != nil { r.knownHosts = c.knownHostsState() }
                    r.authMethods = c.authMethods()
                    r.banner = c.banner ?? r.banner
                }
            } catch {
                // A key type the server lacks ends in "no match" or, with Dropbear, a plain disconnect: try the next.
                if error.status == .refused || error.status == .timeout || error.status == .unreachable {
                    r.status = error.status; r.detail = error.message; return r
                }
                if firstError == nil || firstError?.status == .noCommonAlgorithm { firstError = error }
            }
        }
        guard let keyType = workingKeyType else {
            r.status = firstError?.status ?? .noCommonAlgorithm
            r.detail = firstError?.message ?? "no host-key algorithm in common (offered: ed25519, ECDSA, RSA)"
            return r
        }
        let passwordsAccepted = r.authMethods.contains("password") || r.authMethods.contains("keyboard-interactive")

        if o.tryDefaultCredentials {
            if !passwordsAccepted {
                r.detail = "default credentials not tried: the server offers no password authentication (\(r.authMethods.joined(separator: ", ")))"
            } else {
                for cred in o.candidates.prefix(o.maxAttempts) {
                    if r.attempts > 0 { Thread.sleep(forTimeInterval: o.attemptDelay) }
                    r.attempts += 1
                    do {
                        let c = try SSHConnection(host: target.address, port: target.port, user: cred.user,
                                                  timeout: Int(o.timeout.rounded(.up)), hostKeyTypes: keyType)
                        let methods = c.authMethods()
                        if c.login(password: cred.password, methods: methods) == .success {
                            r.defaultCredential = (cred.user, cred.source)
                            break
                        }
                    } catch {
                        r.detail = "default-credential probe stopped after \(r.attempts) attempt(s): \(error.message)"
                        r.probeStopped = true
                        break
                    }
                }
            }
        }

        if target.hasCredentials {
            do {
                let secret = try password(for: target)
                let c = try SSHConnection(host: target.address, port: target.port, user: user, timeout: Int(o.timeout.rounded(.up)),
                                          hostKeyTypes: keyType, knownHosts: o.knownHosts)
                let methods = c.authMethods()
                let result: SSHConnection.AuthResult
                if target.keyFile == "agent" { result = c.loginWithAgent() }
                else if let key = target.keyFile { result = c.login(keyFile: key, passphrase: secret) }
                else { result = c.login(password: secret ?? "", methods: methods) }
                switch result {
                case .success:
                    r.login = (target.keyFile == "agent" ? "SSH agent key" : target.keyFile != nil ? "public key" : "password") + " as " + user
                    let u = try c.exec("uname -m")
                    let machine = String(decoding: u.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                    r.architecture = machine
                    if let setup = o.agent?(target) {
                        do throws(SSHError) {
                            if setup.hostSide || AgentAudit.agentArch(machine) == nil {
                                r.report = ReadReport(try RemoteRoot.audit(c, setup: setup), failOn: .low)
                                r.copiedWith = "none (files read over SSH, audited on the host)"
                            } else {
                                let a = try AgentAudit.run(c, machine: machine, setup: setup)
                                // The agent's JSON is read through the core's ReportReader: a report this build
                                // cannot read is an audit error naming the JSON path, never kept as opaque text.
                                do throws(ReportReadError) { r.report = try ReportReader.read(Array(a.report.utf8)) } catch {
                                    throw SSHError(status: .error, message: "the agent's report is not a baseline.report/1 this build reads: \(error)")
                                }
                                r.copiedWith = a.method
                            }
                        } catch {
                            r.auditError = error.message
                            if error.status == .dropped || error.status == .timeout { r.status = error.status; r.detail = error.message }
                        }
                    }
                case .denied:
                    r.status = .authFailed
                    r.detail = "the given credentials for '\(user)' were refused"
                case .failed(let why):
                    r.status = SSHConnection.classify(why)
                    r.detail = why
                }
            } catch let e as SSHError {
                r.status = e.status; r.detail = e.message
            } catch {
                r.status = .error; r.detail = "\(error)"
            }
        }
        return r
    }

    /// The password from the target's password file or environment variable (the passphrase, with a key file).
    static func password(for t: ScanTarget) throws -> String? {
        if let env = t.passwordEnv {
            guard let v = ProcessInfo.processInfo.environment[env] else { throw SSHError(status: .error, message: "\(t.source): environment variable \(env) is not set") }
            return v
        }
        if let f = t.passwordFile {
            switch HostFile.read(f, limit: 4096) {
            case .ok(let b): return String(decoding: b, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
            case .failed(let why): throw SSHError(status: .error, message: "\(t.source): cannot read password file \(f): \(why)")
            }
        }
        return nil
    }
}
