// Data files that profiles point to: default-credential lists ("user:password" per line) and end-of-life dates.

public enum CredentialList {
    public static func load(_ path: String) throws(ProfileError) -> [DefaultCredential] {
        let bytes: [UInt8]
        switch HostFile.read(path, limit: 16 * 1024 * 1024) {
        case .ok(let b): bytes = b
        case .failed(let why): throw ProfileError(file: path, line: 0, message: "cannot read credential list: \(why)")
        }
        var out: [DefaultCredential] = []
        var seen: Set<String> = []
        for l in Text.lines(bytes) {
            let t = l.text
            if Text.trim(t).isEmpty || t.hasPrefix("#") { continue }
            let u = Array(t.utf8)
            guard let colon = u.firstIndex(of: 58) else {
                throw ProfileError(file: path, line: l.number, message: "expected 'user:password' (an empty password is written 'user:')")
            }
            let user = String(decoding: u[0..<colon], as: UTF8.self)
            let pw = String(decoding: u[(colon + 1)...], as: UTF8.self)
            let key = user + "\u{0}" + pw
            if seen.contains(key) { continue }
            seen.insert(key)
            out.append(DefaultCredential(user: user, password: pw, source: Text.basename(path) + ":\(l.number)"))
        }
        return out
    }
}

public struct EOLCycle {
    public let cycle: String
    public let codename: String?
    public let eol: CivilDate?          // end of regular security support; nil = still supported
    public let extended: CivilDate?     // end of extended/LTS support, if any
    public let line: Int
}

public struct EOLRelease {
    public let version: String
    public let date: CivilDate
    public let line: Int
}

public struct EOLProduct {
    public let key: String
    public let title: String
    public let isComponent: Bool        // "kind": "component": the key is a ComponentFacts product id, never an os-release ID
    public let osIDs: [String]
    public let cycles: [EOLCycle]
    public let releases: [EOLRelease]
    public let yearVersions: Bool       // versions start with the release year (Dropbear 2024.86)
    public let source: String?          // where this product's dates come from, when not the file's source
    public let line: Int

    /// The release with exactly this numeric version ("9.2" for OpenSSH 9.2p1, "1.36.1" for BusyBox 1.36.1).
    public func release(version v: String) -> EOLRelease? {
        for r in releases where r.version == v { return r }
        return nil
    }

    /// The cycle a version belongs to: exact match, or the longest cycle that prefixes "version." (so 24.10.2 → 24.10).
    public func cycle(version: String?, codename: String?) -> EOLCycle? {
        var best: EOLCycle? = nil
        if let v = version {
            for c in cycles where v == c.cycle || v.hasPrefix(c.cycle + ".") {
                if best == nil || c.cycle.utf8.count > best!.cycle.utf8.count { best = c }
            }
        }
        if best == nil, let cn = codename {
            for c in cycles where c.codename != nil && Text.lower(c.codename!) == Text.lower(cn) { best = c }
        }
        return best
    }
}

public struct EOLData {
    public let path: String
    public let source: String
    public let snapshot: String
    public let products: [EOLProduct]

    public func product(osID: String) -> EOLProduct? {
        for p in products where !p.isComponent && (p.key == osID || p.osIDs.contains(osID)) { return p }
        return nil
    }

    public func product(component: String) -> EOLProduct? {
        for p in products where p.isComponent && p.key == component { return p }
        return nil
    }

    public static func load(_ path: String) throws(ProfileError) -> EOLData {
        let bytes: [UInt8]
        switch HostFile.read(path, limit: 16 * 1024 * 1024) {
        case .ok(let b): bytes = b
        case .failed(let why): throw ProfileError(file: path, line: 0, message: "cannot read EOL data: \(why)")
        }
        let root: JSONNode
        do throws(JSONError) { root = try JSONParser.parse(bytes) } catch {
            throw ProfileError(file: path, line: error.line, message: "invalid JSON: \(error.message)")
        }
        let r = ProfileLoader.Reader(file: path)
        let top = try r.object(root, "EOL data", allowed: ["$schema", "source", "snapshot", "products"])
        let source = try r.string(top, "source", required: true)!
        let snapshot = try r.string(top, "snapshot", required: true)!
        guard CivilDate.parse(snapshot) != nil else { throw ProfileError(file: path, line: top["snapshot"]!.line, message: "expected a date YYYY-MM-DD for 'snapshot'") }
        guard let prods = top["products"] else { throw ProfileError(file: path, line: top.line, message: "missing required key 'products'") }
        let po = try r.object(prods, "products", allowed: nil)
        var products: [EOLProduct] = []
        for m in po.members ?? [] {
            let o = try r.object(m.node, "products.\(m.key)", allowed: ["title", "kind", "os_ids", "cycles", "releases", "year_versions", "source"])
            let title = try r.string(o, "title") ?? m.key
            let kind = try r.string(o, "kind") ?? "os"
            guard kind == "os" || kind == "component" else {
                throw ProfileError(file: path, line: o["kind"]!.line, message: "expected \"os\" or \"component\" for 'kind' in product '\(m.key)', found \"\(kind)\"")
            }
            let isComponent = kind == "component"
            if isComponent {
                guard ComponentFacts.products.contains(where: { $0.id == m.key }) else {
                    throw ProfileError(file: path, line: m.keyLine, message: "unknown component product '\(m.key)' (expected one of: " + Text.joinWith(ComponentFacts.products.map { $0.id }, ", ") + ")")
                }
                if let ids = o["os_ids"] { throw ProfileError(file: path, line: ids.line, message: "'os_ids' is for base OS products; '\(m.key)' is a component") }
            } else {
                for key in ["releases", "year_versions"] where o[key] != nil {
                    throw ProfileError(file: path, line: o[key]!.line, message: "'\(key)' is for component products (\"kind\": \"component\"); '\(m.key)' is a base OS")
                }
            }
            let ids = try r.strings(o, "os_ids")
            var cycles: [EOLCycle] = []
            var ca: [JSONNode] = []
            if let cn = o["cycles"] {
                guard let a = cn.array else { throw ProfileError(file: path, line: cn.line, message: "expected an array 'cycles' in product '\(m.key)'") }
                ca = a
            } else if !isComponent {
                throw ProfileError(file: path, line: o.line, message: "expected an array 'cycles' in product '\(m.key)'")
            }
            for c in ca {
                let co = try r.object(c, "cycles[]", allowed: ["cycle", "codename", "eol", "extended", "lts"])
                let cyc = try r.string(co, "cycle", required: true)!
                func date(_ key: String) throws(ProfileError) -> CivilDate? {
                    guard let v = co[key] else { return nil }
                    if v.isNull || v.bool == false { return nil }
                    guard let s = v.string, let d = CivilDate.parse(s) else {
                        throw ProfileError(file: path, line: v.line, message: "expected a date YYYY-MM-DD, false or null for '\(key)'")
                    }
                    return d
                }
                _ = try r.bool(co, "lts")
                cycles.append(EOLCycle(cycle: cyc, codename: try r.string(co, "codename"), eol: try date("eol"),
                                       extended: try date("extended"), line: c.line))
            }
            var releases: [EOLRelease] = []
            if let rn = o["releases"] {
                guard let ra = rn.array else { throw ProfileError(file: path, line: rn.line, message: "expected an array 'releases' in product '\(m.key)'") }
                for rel in ra {
                    let ro = try r.object(rel, "releases[]", allowed: ["version", "date"])
                    let v = try r.string(ro, "version", required: true)!
                    let ds = try r.string(ro, "date", required: true)!
                    guard let d = CivilDate.parse(ds) else { throw ProfileError(file: path, line: ro["date"]!.line, message: "expected a date YYYY-MM-DD for 'date' of release '\(v)'") }
                    guard ComponentFacts.numericVersion(v) == v else {
                        throw ProfileError(file: path, line: ro["version"]!.line, message: "expected a dotted number for a release 'version' (e.g. \"1.36.1\"), found \"\(v)\"")
                    }
                    releases.append(EOLRelease(version: v, date: d, line: rel.line))
                }
            }
            products.append(EOLProduct(key: m.key, title: title, isComponent: isComponent, osIDs: ids, cycles: cycles, releases: releases,
                                       yearVersions: try r.bool(o, "year_versions") ?? false, source: try r.string(o, "source"), line: m.keyLine))
        }
        return EOLData(path: path, source: source, snapshot: snapshot, products: products)
    }
}
