// What happened with one device in a scan: one status, so a scan of many devices can carry on past each failure.

public enum DeviceStatus: String, Equatable {
    case ok                    // reached, SSH spoken
    case refused               // TCP connection refused
    case unreachable           // no route, host or network unreachable, name not resolved
    case timeout               // no TCP connection, or no banner, within the timeout
    case notSSH = "not-ssh"    // something answered, but not an SSH server
    case dropped               // the server closed the connection mid-way
    case noCommonAlgorithm = "no-common-algorithm"
    case authFailed = "auth-failed"   // the given credentials were refused
    case error

    public var isReachable: Bool { self == .ok || self == .authFailed }
}
