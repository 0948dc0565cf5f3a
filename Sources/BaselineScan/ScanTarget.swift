// What to scan: only the devices the user lists — `host`, `host:port`, `[v6]:port` on the command line, or an
// inventory file (CSV with a header, or JSON) naming address, port, user, where the credential comes from, and the
// vendor, model or profile. No address ranges are expanded. Errors name the file, the line and what was expected.
import BaselineCore
import Foundation

public struct ScanTarget: Equatable {
    public var address: String
    public var port: Int = 22
    public var user: String? = nil
    public var passwordFile: String? = nil     // first line is the password
    public var passwordEnv: String? = nil      // name of an environment variable holding it
    public var keyFile: String? = nil          // private key (OpenSSH or PEM), or "agent": the keys of the SSH agent
    public var profile: String? = nil
    public var vendor: String? = nil
    public var model: String? = nil
    public var source: String = "command line" // "inventory.csv:4"

    public init(address: String, port: Int = 22) { self.address = address; self.port = port }

    public var label: String { address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)" }
    public var hasCredentials: Bool { passwordFile != nil || passwordEnv != nil || keyFile != nil }
}

public struct TargetError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

public enum ScanTargets {
    public static let columns = ["address", "port", "user", "password_file", "password_env", "key_file", "profile", "vendor", "model"]

    /// `host`, `host:port`, `[v6addr]:port` or a bare IPv6 address.
    public static func parse(_ text: String, source: String = "command line") throws(TargetError) -> ScanTarget {
        let t = text.trimmingCharacters(in: .whitespaces)
        func bad(_ why: String) -> TargetError { TargetError(message: "\(source): '\(text)': \(why)") }
        if t.isEmpty { throw bad("expected host or host:port") }
        if t.contains("/") { throw bad("address ranges are not scanned; list each device (host or host:port)") }
        var host = t, portText: String? = nil
        if t.hasPrefix("[") {
            guard let close = t.firstIndex(of: "]") else { throw bad("expected [IPv6]:port") }
            host = String(t[t.index(after: t.startIndex)..<close])
            let rest = t[t.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { throw bad("expected [IPv6]:port") }
                portText = String(rest.dropFirst())
            }
        } else if t.filter({ $0 == ":" }).count == 1, let c = t.firstIndex(of: ":") {
            host = String(t[..<c]); portText = String(t[t.index(after: c)...])
        }
        if host.isEmpty || host.contains(where: { $0 == " " || $0 == "*" }) { throw bad("expected a host name or address") }
        var target = ScanTarget(address: host)
        if let p = portText {
            guard let n = Int(p), (1...65535).contains(n) else { throw bad("port must be 1-65535") }
            target.port = n
        }
        target.source = source
        return target
    }

    /// An inventory: JSON (an array of devices, or {"devices": [...]}) or CSV with a header row of `columns`.
    public static func load(_ path: String) throws(TargetError) -> [ScanTarget] {
        let bytes: [UInt8]
        switch HostFile.read(path, limit: 16 << 20) {
        case .ok(let b): bytes = b
        case .failed(let why): throw TargetError(message: "\(path): cannot read the inventory: \(why)")
        }
        let first = bytes.first { $0 != 32 && $0 != 10 && $0 != 13 && $0 != 9 }
        return first == UInt8(ascii: "[") || first == UInt8(ascii: "{") ? try loadJSON(path, bytes) : try loadCSV(path, bytes)
    }

    static func apply(_ key: String, _ value: String, to t: inout ScanTarget, at source: String) throws(TargetError) {
        switch key {
        case "port":
            guard let n = Int(value), (1...65535).contains(n) else { throw TargetError(message: "\(source): port must be 1-65535, found '\(value)'") }
            t.port = n
        case "user": t.user = value
        case "password_file": t.passwordFile = value
        case "password_env": t.passwordEnv = value
        case "key_file": t.keyFile = value
        case "profile": t.profile = value
        case "vendor": t.vendor = value
        case "model": t.model = value
        case "password":
            throw TargetError(message: "\(source): plain-text 'password' is not accepted in an inventory; use password_file or password_env")
        default:
            throw TargetError(message: "\(source): unknown field '\(key)' (expected one of: \(columns.joined(separator: ", ")))")
        }
    }

    static func loadCSV(_ path: String, _ bytes: [UInt8]) throws(TargetError) -> [ScanTarget] {
        var header: [String]? = nil
        var out: [ScanTarget] = []
        for l in Text.lines(bytes) {
            let line = Text.trim(l.text)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            let source = "\(path):\(l.number)"
            guard let h = header else {
                for c in cells where !columns.contains(c) {
                    throw TargetError(message: "\(source): unknown column '\(c)' (expected a header of: \(columns.joined(separator: ", ")))")
                }
                guard cells.contains("address") else { throw TargetError(message: "\(source): the header needs an 'address' column") }
                header = cells
                continue
            }
            guard cells.count == h.count else {
                throw TargetError(message: "\(source): expected \(h.count) fields (\(h.joined(separator: ","))), found \(cells.count)")
            }
            var t = try parse(cells[h.firstIndex(of: "address")!], source: source)
            for (k, v) in zip(h, cells) where k != "address" && !v.isEmpty { try apply(k, v, to: &t, at: source) }
            out.append(t)
        }
        if header == nil { throw TargetError(message: "\(path):1: expected a CSV header (address,port,user,…) or a JSON inventory") }
        return out
    }

    static func loadJSON(_ path: String, _ bytes: [UInt8]) throws(TargetError) -> [ScanTarget] {
        let root: JSONNode
        do { root = try JSONParser.parse(bytes) } catch { throw TargetError(message: "\(path):\(error.line): \(error.message)") }
        let list: [JSONNode]
        if let a = root.array { list = a } else if let d = root["devices"]?.array { list = d } else {
            throw TargetError(message: "\(path):\(root.line): expected an array of devices or {\"devices\": [...]}")
        }
        var out: [ScanTarget] = []
        for d in list {
            let source = "\(path):\(d.line)"
            guard let members = d.members else { throw TargetError(message: "\(source): expected a device object, found \(d.kindName)") }
            guard let addr = d["address"]?.string else { throw TargetError(message: "\(source): a device needs \"address\" (a string)") }
            var t = try parse(addr, source: source)
            for m in members where m.key != "address" {
                let at = "\(path):\(m.keyLine)"
                if m.key == "port", let n = m.node.int { try apply("port", String(n), to: &t, at: at); continue }
                guard let v = m.node.string else { throw TargetError(message: "\(at): \"\(m.key)\" must be a string, found \(m.node.kindName)") }
                try apply(m.key, v, to: &t, at: at)
            }
            out.append(t)
        }
        return out
    }
}
