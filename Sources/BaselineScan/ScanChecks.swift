// The checks only an SSH scan can make, registered here next to their code (CheckCatalog.swift has their titles,
// rules and severities): CRED-12, a default credential that opens the device, and CRED-13, a host key that other
// scanned devices serve too. They judge what the scan saw (DeviceResult) and, for CRED-13, the whole scan.
import BaselineCore

/// What the scan-wide checks know about the other devices.
public struct ScanContext {
    /// Host-key fingerprint → the devices ("address:port") serving it, for every key served by two or more.
    public var sharedKeys: [String: [String]] = [:]
    /// Devices reached whose host keys were read.
    public var devicesWithKeys = 0
    public var defaultCredentialsTried = false

    public init(_ results: [DeviceResult], defaultCredentialsTried: Bool) {
        self.defaultCredentialsTried = defaultCredentialsTried
        for g in ScanSummary(results).sharedHostKeys { sharedKeys[g.fingerprint] = g.devices }
        devicesWithKeys = results.filter { !$0.hostKeys.isEmpty }.count
    }
}

public enum ScanChecks {
    public static let all: [(String, @Sendable (DeviceResult, ScanContext) -> Outcome)] = [
        ("CRED-12", defaultCredential),
        ("CRED-13", sharedHostKey),
    ]

    /// "ssh://address:port", the evidence path of what the scan saw on the wire.
    public static func location(_ t: ScanTarget) -> String { "ssh://" + t.label }

    /// "…/mirai.txt:4" → ("…/mirai.txt", 4); a source without a line number keeps line 0.
    static func listLine(_ source: String) -> (String, Int) {
        guard let colon = source.lastIndex(of: ":"), let n = Int(source[source.index(after: colon)...]) else { return (source, 0) }
        return (String(source[..<colon]), n)
    }

    /// CRED-12: the polite probe's result. The password is never reported, only the user and where it is listed.
    public static func defaultCredential(_ r: DeviceResult, _ s: ScanContext) -> Outcome {
        if let c = r.defaultCredential {
            let (path, line) = listLine(c.source)
            return Outcome.fail("a default credential opens the device over SSH: user '\(c.user)' (attempt \(r.attempts))",
                                [Evidence(path, line, "user '\(c.user)' logs in to \(location(r.target)) with the password listed here")])
                .with("user", c.user).with("listed_at", c.source).with("attempts", String(r.attempts))
        }
        guard s.defaultCredentialsTried else { return .skip("not tried: run the scan with --try-default-credentials") }
        let passwords = r.authMethods.contains("password") || r.authMethods.contains("keyboard-interactive")
        if !r.authMethods.isEmpty && !passwords {
            return .pass("the server offers no password authentication (\(r.authMethods.joined(separator: ", "))): no default password can log in")
        }
        if r.attempts == 0 { return .skip("not tried: " + (r.detail.isEmpty ? "the device was not reached" : r.detail)) }
        if r.probeStopped {
            return .error(r.detail).with("attempts", String(r.attempts))
        }
        return Outcome.pass("\(r.attempts) default credential(s) tried over SSH, none logged in (at most --max-attempts per device)")
            .with("attempts", String(r.attempts))
    }

    /// CRED-13: a host key this device shares with other scanned devices.
    public static func sharedHostKey(_ r: DeviceResult, _ s: ScanContext) -> Outcome {
        guard !r.hostKeys.isEmpty else { return .skip("no host key read from the device") }
        let me = r.target.label
        var ev: [Evidence] = []
        for k in r.hostKeys {
            guard let devices = s.sharedKeys[k.fingerprint] else { continue }
            let others = devices.filter { $0 != me }
            let shown = others.prefix(20).joined(separator: " ") + (others.count > 20 ? " and \(others.count - 20) more" : "")
            ev.append(Evidence(location(r.target), 0, "\(k.type) host key \(k.fingerprint) is also served by \(others.count) other device(s): \(shown)"))
        }
        if !ev.isEmpty {
            return Outcome.fail("\(ev.count) of the device's \(r.hostKeys.count) host key(s) served by other devices too", ev)
        }
        if s.devicesWithKeys < 2 {
            return .skip("one device's host keys read: uniqueness needs two or more devices (the collector compares the whole fleet)")
        }
        return .pass("\(r.hostKeys.count) host key(s), none served by another of the \(s.devicesWithKeys) devices whose keys were read")
    }
}
