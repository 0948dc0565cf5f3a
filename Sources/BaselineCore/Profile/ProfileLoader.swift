// Loads a profile file, resolves `extends` (depth-first, parents before children, cycles refused), validates every
// key strictly and merges: scalars from the most specific profile win, lists are unioned, per-check policies merge
// field by field with provisions unioned. Every error names the file and line.

public struct ProfileError: Error {
    public let file: String
    public let line: Int
    public let message: String
    public var text: String { line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)" }
}

public enum ProfileLoader {
    public static let schemaID = "baseline.profile/1"

    /// `searchDirs`: where an `extends` given as a bare profile id (no "/", no ".json") is looked up when it is not a
    /// file next to the profile: DIR/ID.json, DIR/vendors/ID.json, DIR/baselines/ID.json, in order.
    public static func load(_ path: String, searchDirs: [String] = []) throws(ProfileError) -> Profile {
        var profile = Profile()
        var stack: [String] = []
        var visited: Set<String> = []
        var digest = SHA256()
        try apply(path, into: &profile, stack: &stack, visited: &visited, digest: &digest, referencedFrom: nil, searchDirs: searchDirs)
        profile.digest = "sha256:" + Hex.encode(digest.finalize())
        return profile
    }

    static func normalize(_ path: String) -> String {
        var out: [String] = []
        let absolute = path.hasPrefix("/")
        for part in Text.split(path, 47) {
            if part.isEmpty || part == "." { continue }
            if part == "..", let last = out.last, last != ".." { out.removeLast(); continue }
            if part == ".." && absolute { continue }
            out.append(part)
        }
        let joined = Text.joinWith(out, "/")
        return absolute ? "/" + joined : (joined.isEmpty ? "." : joined)
    }

    static func resolve(_ ref: String, from file: String) -> String {
        if ref.hasPrefix("/") { return normalize(ref) }
        return normalize(Text.join(Text.dirname(file), ref))
    }

    /// A profile id in the search directories: the first DIR/ID.json, DIR/vendors/ID.json or DIR/baselines/ID.json.
    public static func locate(id: String, in dirs: [String]) -> String? {
        for d in dirs {
            for sub in ["", "vendors/", "baselines/"] {
                let candidate = normalize(d + "/" + sub + id + ".json")
                if HostFile.unreadableReason(candidate) == nil { return candidate }
            }
        }
        return nil
    }

    private static func apply(_ path: String, into p: inout Profile, stack: inout [String], visited: inout Set<String>,
                              digest: inout SHA256, referencedFrom: (String, Int)?, searchDirs: [String]) throws(ProfileError) {
        let file = normalize(path)
        if stack.contains(file) {
            throw ProfileError(file: referencedFrom?.0 ?? file, line: referencedFrom?.1 ?? 0,
                               message: "extends cycle: " + Text.joinWith(stack + [file], " -> "))
        }
        if visited.contains(file) { return }   // diamond: a base reached twice is applied once
        if stack.count > 16 { throw ProfileError(file: file, line: 0, message: "extends chain deeper than 16 profiles") }
        let bytes: [UInt8]
        switch HostFile.read(file, limit: 4 * 1024 * 1024) {
        case .ok(let b): bytes = b
        case .failed(let why):
            if let r = referencedFrom { throw ProfileError(file: r.0, line: r.1, message: "extends '\(file)': cannot read it: \(why)") }
            throw ProfileError(file: file, line: 0, message: "cannot read profile: \(why)")
        }
        let root: JSONNode
        do throws(JSONError) {
            root = try JSONParser.parse(bytes)
        } catch {
            throw ProfileError(file: file, line: error.line, message: "invalid JSON: \(error.message)")
        }
        let r = Reader(file: file)
        let top = try r.object(root, "profile", allowed: ["$schema", "schema", "id", "title", "extends", "vendor", "support",
                                                             "disclosure", "credentials", "update", "services",
                                                             "factory_fingerprints", "lifecycle", "checks", "notes"])
        let schema = try r.string(top, "schema", required: true)!
        if schema != schemaID {
            throw ProfileError(file: file, line: top["schema"]!.line, message: "expected \"schema\": \"\(schemaID)\", found \"\(schema)\"")
        }
        let id = try r.string(top, "id", required: true)!
        stack.append(file)
        if let ext = top["extends"] {
            var refs: [JSONNode] = []
            if ext.string != nil { refs = [ext] } else if let a = ext.array { refs = a } else {
                throw ProfileError(file: file, line: ext.line, message: "expected a string or an array of strings for 'extends', found \(ext.kindName)")
            }
            for ref in refs {
                guard let s = ref.string else { throw ProfileError(file: file, line: ref.line, message: "expected a profile path in 'extends', found \(ref.kindName)") }
                var target = resolve(s, from: file)
                if !target.hasSuffix(".json") { target += ".json" }
                // A bare id ("acme-gateway") that is not a file next to this profile: the installed profile of that id.
                if !Text.contains(s, "/"), !s.hasSuffix(".json"), HostFile.unreadableReason(target) != nil {
                    guard let found = locate(id: s, in: searchDirs) else {
                        throw ProfileError(file: file, line: ref.line, message: "extends '\(s)': no profile file '\(target)' and no profile with that id in "
                                           + (searchDirs.isEmpty ? "the profile directories" : Text.joinWith(searchDirs, ", ")) + " (set BASELINE_PROFILES to add a directory)")
                    }
                    target = found
                }
                try apply(target, into: &p, stack: &stack, visited: &visited, digest: &digest, referencedFrom: (file, ref.line), searchDirs: searchDirs)
            }
        }
        stack.removeLast()
        visited.insert(file)
        digest.update(bytes)

        p.id = id
        p.chain.append(id)
        p.files.append(file)
        if let t = try r.string(top, "title") { p.title = t }

        if let v = top["vendor"] {
            let o = try r.object(v, "vendor", allowed: ["name", "models", "keywords"])
            if let n = try r.string(o, "name") { p.vendor = n }
            union(&p.models, try r.strings(o, "models"))
            union(&p.keywords, try r.strings(o, "keywords"))
        }
        if let v = top["support"] {
            let o = try r.object(v, "support", allowed: ["end", "url", "source"])
            if let e = o["end"] {
                guard let s = e.string, let d = CivilDate.parse(s) else {
                    throw ProfileError(file: file, line: e.line, message: "expected a date YYYY-MM-DD for 'support.end'")
                }
                p.supportEnd = d
                p.supportEndRaw = s
                p.supportSource = "\(file):\(e.line)"
            }
            if let u = try r.string(o, "url") { p.supportURL = u }
            _ = try r.string(o, "source")
        }
        if let v = top["disclosure"] {
            let o = try r.object(v, "disclosure", allowed: ["contact", "policy_url"])
            if let c = try r.string(o, "contact") { p.disclosureContact = c }
            if let u = try r.string(o, "policy_url") { p.disclosurePolicyURL = u }
        }
        if let v = top["credentials"] {
            let o = try r.object(v, "credentials", allowed: ["lists", "defaults", "per_unit_provisioning", "allow_authorized_keys"])
            if let lists = o["lists"] {
                for s in try r.strings(o, "lists") {
                    let full = resolve(s, from: file)
                    if let why = HostFile.unreadableReason(full) {
                        throw ProfileError(file: file, line: lists.line, message: "credential list '\(s)' (\(full)): cannot read it: \(why)")
                    }
                    union(&p.credentialLists, [full])
                }
            }
            if let d = o["defaults"] {
                guard let arr = d.array else { throw ProfileError(file: file, line: d.line, message: "expected an array for 'credentials.defaults'") }
                for item in arr {
                    let io = try r.object(item, "credentials.defaults[]", allowed: ["user", "password"])
                    let user = try r.string(io, "user") ?? ""
                    guard let pw = try r.string(io, "password", required: true) else { continue }
                    let c = DefaultCredential(user: user, password: pw, source: Text.basename(file) + ":\(item.line)")
                    if !p.defaultCredentials.contains(where: { $0.user == c.user && $0.password == c.password }) { p.defaultCredentials.append(c) }
                }
            }
            if let b = try r.bool(o, "per_unit_provisioning") { p.perUnitProvisioning = b }
            if let b = try r.bool(o, "allow_authorized_keys") { p.allowAuthorizedKeys = b }
        }
        if let v = top["update"] {
            let o = try r.object(v, "update", allowed: ["required", "mechanisms", "endpoints", "test_keys"])
            if let b = try r.bool(o, "required") { p.updateRequired = b }
            let mechs = try r.strings(o, "mechanisms")
            for m in mechs where !["swupdate", "rauc", "mender", "opkg", "apk", "apt", "sysupgrade"].contains(m) {
                throw ProfileError(file: file, line: o["mechanisms"]!.line, message: "unknown update mechanism '\(m)' (expected swupdate, rauc, mender, opkg, apk, apt or sysupgrade)")
            }
            union(&p.updateMechanisms, mechs)
            union(&p.updateEndpoints, try r.strings(o, "endpoints"))
            var keys: [String] = []
            for k in try r.strings(o, "test_keys") {
                let hex = k.hasPrefix("sha256:") ? String(k.dropFirst(7)) : ""
                guard hex.utf8.count == 64, hex.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 | 0x20 >= 97 && $0 | 0x20 <= 102) }) else {
                    throw ProfileError(file: file, line: o["test_keys"]!.line, message: "expected 'sha256:' and 64 hex digits (a key's SubjectPublicKeyInfo digest) in 'test_keys', found '\(k)'")
                }
                keys.append(Text.lower(hex))
            }
            union(&p.updateTestKeys, keys)
        }
        if let v = top["services"] {
            let o = try r.object(v, "services", allowed: ["allowed"])
            union(&p.allowedServices, try r.strings(o, "allowed"))
        }
        union(&p.factoryFingerprints, try r.strings(top, "factory_fingerprints"))
        if let v = top["lifecycle"] {
            let o = try r.object(v, "lifecycle", allowed: ["eol_data", "base_os", "support_warn_days", "min_support_years", "component_max_age_years"])
            if let e = try r.string(o, "eol_data") {
                let full = resolve(e, from: file)
                if let why = HostFile.unreadableReason(full) {
                    throw ProfileError(file: file, line: o["eol_data"]!.line, message: "EOL data '\(e)' (\(full)): cannot read it: \(why)")
                }
                p.eolData = full
            }
            if let b = try r.string(o, "base_os") { p.baseOS = b }
            if let d = try r.int(o, "support_warn_days", min: 0, max: 3650) { p.supportWarnDays = d }
            if let y = try r.int(o, "min_support_years", min: 0, max: 50) { p.minSupportYears = y }
            if let y = try r.int(o, "component_max_age_years", min: 1, max: 50) { p.componentMaxAgeYears = y }
        }
        if let v = top["checks"] {
            let o = try r.object(v, "checks", allowed: nil)
            for m in o.members ?? [] {
                guard CheckCatalog.definition(m.key) != nil else {
                    throw ProfileError(file: file, line: m.keyLine, message: "unknown check id '\(m.key)' in 'checks' (see the check catalogue)")
                }
                let co = try r.object(m.node, "checks.\(m.key)", allowed: ["enabled", "severity", "provisions"])
                var pol = p.checks[m.key] ?? CheckPolicy()
                if let b = try r.bool(co, "enabled") { pol.enabled = b }
                if let s = try r.string(co, "severity") {
                    guard let sev = Severity.parse(s) else {
                        throw ProfileError(file: file, line: co["severity"]!.line, message: "expected info, low, medium, high or critical for 'checks.\(m.key).severity', found '\(s)'")
                    }
                    pol.severity = sev
                }
                union(&pol.provisions, try r.strings(co, "provisions"))
                if p.checks[m.key] == nil { p.checkOrder.append(m.key) }
                p.checks[m.key] = pol
            }
        }
    }

    static func union(_ a: inout [String], _ b: [String]) {
        for x in b where !a.contains(x) { a.append(x) }
    }

    struct Reader {
        let file: String

        func object(_ n: JSONNode, _ what: String, allowed: [String]?) throws(ProfileError) -> JSONNode {
            guard let members = n.members else {
                throw ProfileError(file: file, line: n.line, message: "expected an object for '\(what)', found \(n.kindName)")
            }
            if let allowed = allowed {
                for m in members where !allowed.contains(m.key) {
                    throw ProfileError(file: file, line: m.keyLine, message: "unknown key '\(m.key)' in '\(what)' (expected one of: \(Text.joinWith(allowed.filter { $0 != "$schema" }, ", ")))")
                }
            }
            return n
        }

        func string(_ o: JSONNode, _ key: String, required: Bool = false) throws(ProfileError) -> String? {
            guard let v = o[key] else {
                if required { throw ProfileError(file: file, line: o.line, message: "missing required key '\(key)'") }
                return nil
            }
            guard let s = v.string else { throw ProfileError(file: file, line: v.line, message: "expected a string for '\(key)', found \(v.kindName)") }
            return s
        }

        func bool(_ o: JSONNode, _ key: String) throws(ProfileError) -> Bool? {
            guard let v = o[key] else { return nil }
            guard let b = v.bool else { throw ProfileError(file: file, line: v.line, message: "expected true or false for '\(key)', found \(v.kindName)") }
            return b
        }

        func int(_ o: JSONNode, _ key: String, min: Int, max: Int) throws(ProfileError) -> Int? {
            guard let v = o[key] else { return nil }
            guard let i = v.int, i >= min, i <= max else {
                throw ProfileError(file: file, line: v.line, message: "expected a whole number from \(min) to \(max) for '\(key)'")
            }
            return i
        }

        func strings(_ o: JSONNode, _ key: String) throws(ProfileError) -> [String] {
            guard let v = o[key] else { return [] }
            guard let a = v.array else { throw ProfileError(file: file, line: v.line, message: "expected an array of strings for '\(key)', found \(v.kindName)") }
            var out: [String] = []
            for item in a {
                guard let s = item.string else { throw ProfileError(file: file, line: item.line, message: "expected a string in '\(key)', found \(item.kindName)") }
                out.append(s)
            }
            return out
        }
    }
}
