// What a check sees: the facts, the profile and its data, the audit date, and helpers to phrase an outcome.

public struct Outcome {
    public var status: Status
    public var message: String
    public var evidence: [Evidence]
    /// Machine-readable facts of the result (a support end, an end-of-life date), so no consumer parses `message`.
    public var data: [(String, String)] = []

    public init(status: Status, message: String, evidence: [Evidence]) { self.status = status; self.message = message; self.evidence = evidence }

    /// The same outcome with one more `data` entry.
    public func with(_ key: String, _ value: String) -> Outcome { var o = self; o.data.append((key, value)); return o }

    public static func pass(_ m: String, _ e: [Evidence] = []) -> Outcome { Outcome(status: .pass, message: m, evidence: e) }
    public static func fail(_ m: String, _ e: [Evidence] = []) -> Outcome { Outcome(status: .fail, message: m, evidence: e) }
    public static func warn(_ m: String, _ e: [Evidence] = []) -> Outcome { Outcome(status: .warn, message: m, evidence: e) }
    public static func info(_ m: String, _ e: [Evidence] = []) -> Outcome { Outcome(status: .info, message: m, evidence: e) }
    public static func skip(_ m: String) -> Outcome { Outcome(status: .skip, message: m, evidence: []) }
    public static func error(_ m: String, _ e: [Evidence] = []) -> Outcome { Outcome(status: .error, message: m, evidence: e) }
}

public final class CheckContext {
    public let fs: RootView
    public let facts: DeviceFacts
    public let profile: Profile
    public let today: CivilDate
    public let credentialLists: [DefaultCredential]
    public let eol: EOLData?
    public let fleetKey: [UInt8]?
    public let crypt = Crypt()
    public var passwordBudgetMs: Int64 = 0

    public init(fs: RootView, facts: DeviceFacts, profile: Profile, today: CivilDate, credentialLists: [DefaultCredential], eol: EOLData?,
                fleetKey: [UInt8]? = nil) {
        self.fs = fs; self.facts = facts; self.profile = profile; self.today = today
        self.credentialLists = credentialLists; self.eol = eol; self.fleetKey = fleetKey
    }

    /// On a running device (the agent), secrets are expected to exist: what matters is whether they are still the
    /// ones baked into the factory image (the profile's `factory_fingerprints`), and — across units — the collector.
    public var isLiveDevice: Bool { facts.live.isLive }

    /// Keyed fingerprint of a secret, in the form `baseline fingerprint` writes; nil without a fleet key.
    public func keyedFingerprint(_ secret: [UInt8]) -> String? {
        guard let k = fleetKey else { return nil }
        return FleetKey.fingerprint(k, secret)
    }

    public func isFactory(_ fingerprint: String?) -> Bool {
        guard let f = fingerprint else { return false }
        return profile.factoryFingerprints.contains(f)
    }

    /// Host part of a URL ("https://u@h:8443/x" → "h"), lower-cased.
    public static func host(ofURL url: String) -> String {
        var u = Array(url.utf8)
        if let i = Text.indexOf(u, Array("://".utf8)) { u = Array(u[(i + 3)...]) }
        var end = u.count
        for (i, c) in u.enumerated() where c == 47 || c == 63 || c == 35 { end = i; break }
        u = Array(u[0..<end])
        if let at = u.lastIndex(of: 64) { u = Array(u[(at + 1)...]) }
        if u.first == 91, let close = u.firstIndex(of: 93) { return Text.lower(String(decoding: u[1..<close], as: UTF8.self)) }
        if let colon = u.firstIndex(of: 58) { u = Array(u[0..<colon]) }
        return Text.lower(String(decoding: u, as: UTF8.self))
    }

    /// Whether the profile declares the endpoint of `url` (by URL prefix or host name). True when it declares none.
    public func endpointDeclared(_ url: String) -> Bool {
        profile.updateEndpoints.isEmpty || CheckContext.declares(profile.updateEndpoints, url: url)
    }

    /// Whether one of `endpoints` (URLs or host names; a host name covers its subdomains) names the server of `url`.
    public static func declares(_ endpoints: [String], url: String) -> Bool {
        let h = host(ofURL: url)
        for e in endpoints {
            if Text.contains(e, "://") {
                if Text.lower(url).hasPrefix(Text.lower(e)) || host(ofURL: e) == h { return true }
            } else if Text.lower(e) == h || h.hasSuffix("." + Text.lower(e)) {
                return true
            }
        }
        return false
    }
}
