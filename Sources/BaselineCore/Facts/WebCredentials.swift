// Web-admin credentials kept in configuration files, where old router firmware keeps them: nvram defaults
// (`http_passwd=admin`, `HTTP_PASSWORD=…`, `admin_password`, `login_password`, `sys_password`), XML default
// configurations (`<User><Name>admin</Name><Password>admin</Password></User>`, `<Password val=admin />`), BusyBox
// httpd.conf (`/:admin:admin`, `/cgi-bin:user:$1$…`), htpasswd files and lighttpd's plain `user:password` files.
// The secret is kept in memory for the checks only; nothing here is written to a report.

public enum WebSecret: Equatable {
    case empty
    case plaintext(String)
    case hash(String)            // a crypt(3) hash, an Apache $apr1$ hash (MD5Crypt) or a {SHA} digest (not tested)
}

public struct WebCredential {
    public let user: String?     // the account name when the file names one
    public let key: String       // what holds the password: "http_passwd", "<Password>", "/cgi-bin" (httpd.conf realm)…
    public let secret: WebSecret
    public let path: String
    public let line: Int
    public let format: String    // "nvram defaults", "XML configuration", "BusyBox httpd.conf", "htpasswd file", "lighttpd user file"
}

public struct WebCredentialFacts {
    public var credentials: [WebCredential] = []
    public var filesScanned = 0

    /// Where configuration lives on routers (read-only copies under /etc_ro, web roots for htpasswd files).
    public static let scanDirs = ["/etc", "/etc_ro", "/usr/etc", "/usr/local/etc", "/www", "/var/www", "/home/httpd", "/usr/share/www", "/webroot", "/web"]
    public static let maxFileBytes = 512 * 1024

    public static func gather(_ fs: RootView) -> WebCredentialFacts {
        var f = WebCredentialFacts()
        var seen: Set<String> = []
        for dir in scanDirs {
            fs.walkTree(dir, maxDepth: 6, maxEntries: 20_000) { path, kind, size in
                guard kind == .regular, size > 0, size <= maxFileBytes, f.filesScanned < 5000, !seen.contains(path) else { return }
                let name = Text.lower(Text.basename(path))
                // passwd/shadow copies are the accounts' facts; certificates and keys are not configuration
                if AccountsFacts.isCopyName(name) && !name.hasSuffix("htpasswd") && AccountsFacts.copyDirs.contains(Text.dirname(path)) { return }
                if name.hasSuffix(".pem") || name.hasSuffix(".crt") || name.hasSuffix(".key") || name.hasSuffix(".so") || Text.contains(name, ".so.") { return }
                seen.insert(path)
                guard let b = fs.read(path, limit: maxFileBytes), isText(b) else { return }
                f.filesScanned += 1
                f.credentials += parse(b, path: path)
            }
        }
        return f
    }

    /// The credentials in one file, by the file's name and content.
    public static func parse(_ b: [UInt8], path: String) -> [WebCredential] {
        let name = Text.lower(Text.basename(path))
        if name.hasSuffix("htpasswd") || name.hasSuffix(".passwd") && !Text.contains(name, "nvram") {
            return userFile(b, path: path, format: "htpasswd file", plaintext: false)
        }
        if name.hasSuffix(".user") || name.hasSuffix(".users") {
            return userFile(b, path: path, format: "lighttpd user file", plaintext: true)
        }
        if name.hasSuffix("httpd.conf") || name == "httpd.conf" {
            let h = busyboxHttpd(b, path: path)
            if !h.isEmpty { return h }
        }
        if name.hasSuffix(".xml") || (b.first == 60 && Text.indexOf(Array(b.prefix(256)), Array("<?xml".utf8)) != nil) {
            return xml(b, path: path)
        }
        return keyValues(b, path: path, format: Text.contains(name, "nvram") || Text.contains(path, "/wlan/") ? "nvram defaults" : "configuration")
    }

    /// Text, not binary: no NUL byte in the first 4 KiB.
    static func isText(_ b: [UInt8]) -> Bool {
        for c in b.prefix(4096) where c == 0 { return false }
        return true
    }

    // MARK: what a password is

    static let adminWords = "http admin login sys web user root super telnet console gui mgmt manage www remote device router"
    /// Keys that configure password handling rather than hold a password ("PASSWORD_AUTH", "http_passwd_enable").
    /// (substrings of the key; `settingTokens` must be whole '_'/'.'/'-'-separated parts of it).
    static let settingWords = "enable auth expire policy hint change timeout prompt complex encrypt length"
    static let settingTokens = "min max len mode file path type dir flag reset check level hash set"

    /// Whether a lower-case key configures password handling instead of holding a password.
    static func isSetting(_ k: String) -> Bool {
        if Text.containsAnyOf(k, settingWords) { return true }
        var cur: [UInt8] = []
        for c in k.utf8 + [95] {
            if c == 95 || c == 46 || c == 45 {
                if Text.isOneOf(String(decoding: cur, as: UTF8.self), settingTokens) { return true }
                cur.removeAll()
            } else { cur.append(c) }
        }
        return false
    }
    static let otherServices = "wpa psk wep wifi wlan wl_ wl0 wl1 ssid radius ppp wan ddns dyndns smtp mail ftp snmp l2tp pptp vpn ipsec wps sip voip pin tr069 cwmp acs managementserver stun proxy 3g lte apn samba smb openvpn mqtt cloud email db_ mysql guest"

    /// Position of the password word in a lower-case key ("http_passwd" → 5), or nil.
    static func passwordWord(_ k: String) -> Int? {
        let u = Array(k.utf8)
        if let i = Text.indexOf(u, Array("passw".utf8)) { return i }
        if let i = Text.indexOf(u, Array("pwd".utf8)) { return i }
        if k.hasSuffix("pass") { return u.count - 4 }     // "pass" only at the end ("admin_pass", not "passphrase")
        return nil
    }

    /// Whether a configuration key (any case) names a web/admin login password.
    public static func isPasswordKey(_ key: String) -> Bool {
        let k = Text.lower(key)
        guard k.utf8.count <= 64, passwordWord(k) != nil else { return false }
        if Text.containsAnyOf(k, otherServices) || isSetting(k) { return false }
        return Text.isOneOf(k, "password passwd pwd pass") || Text.containsAnyOf(k, adminWords)
    }

    /// The secret as it is stored: empty, a hash (by its prefix; DES only where the format stores hashes), or text.
    static func classify(_ v: String, hashesOnly: Bool = false) -> WebSecret? {
        if v.isEmpty { return .empty }
        if v == "*" || v == "x" || v.hasPrefix("!") { return nil }                 // locked, or "use the system password"
        if v.hasPrefix("$") || v.hasPrefix("{SHA}") || v.hasPrefix("{SSHA}") {
            let s = HashScheme.of(v)
            if s != .unknown || v.hasPrefix("$apr1$") || v.hasPrefix("{") { return .hash(v) }
            return nil                                                             // "$1" alone, "$VAR": a shell variable
        }
        if hashesOnly && HashScheme.of(v) == .des { return .hash(v) }
        return .plaintext(v)
    }

    // MARK: formats

    /// `KEY=VALUE` lines (nvram defaults, ini files, shell-style configuration), also `nvram set KEY=VALUE`.
    static func keyValues(_ b: [UInt8], path: String, format: String) -> [WebCredential] {
        var pairs: [(key: String, value: String, line: Int)] = []
        for l in Text.lines(b) {
            var t = Text.trim(l.text)
            if t.isEmpty || t.hasPrefix("#") || t.hasPrefix(";") || t.hasPrefix("[") { continue }
            for p in ["export ", "nvram set ", "nvram_set ", "set "] where t.hasPrefix(p) { t = Text.trim(String(t.dropFirst(p.utf8.count))) }
            let u = Array(t.utf8)
            guard let eq = u.firstIndex(of: 61), eq > 0 else { continue }
            let key = Text.trim(String(decoding: u[0..<eq], as: UTF8.self))
            guard !key.isEmpty, key.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 95 || $0 == 46 || $0 == 45 }) else { continue }
            var value = Text.trim(String(decoding: u[(eq + 1)...], as: UTF8.self))
            if value.hasSuffix(";") { value = String(value.dropLast()) }
            pairs.append((key, Text.unquote(Text.trim(value)), l.number))
        }
        var out: [WebCredential] = []
        var lowered: [(String, String)] = []
        for p in pairs { lowered.append((Text.lower(p.key), p.value)) }
        for p in pairs where isPasswordKey(p.key) {
            guard let secret = classify(p.value) else { continue }
            if case .plaintext(let v) = secret, v.hasPrefix("`") || v.hasPrefix("$(") { continue }
            out.append(WebCredential(user: userFor(p.key, in: lowered), key: p.key, secret: secret,
                                     path: path, line: p.line, format: format))
        }
        return out
    }

    /// The user name that goes with password key `key`: the value of the sibling key with the same stem
    /// ("http_passwd" → "http_username"), else the stem when it is an account name ("admin_password" → "admin").
    /// `pairs` hold lower-case keys.
    static func userFor(_ key: String, in pairs: [(String, String)]) -> String? {
        let k = Text.lower(key)
        guard let i = passwordWord(k) else { return nil }
        let stem = String(decoding: Array(k.utf8)[0..<i], as: UTF8.self)
        for (pk, pv) in pairs where pk.hasPrefix(stem) && !pv.isEmpty && !pv.hasPrefix("$") {
            if Text.isOneOf(String(pk.dropFirst(stem.utf8.count)), "username user_name user usr name login loginname account id") { return pv }
        }
        var bare = Array(stem.utf8)
        while let last = bare.last, last == 95 || last == 46 || last == 45 { bare.removeLast() }
        let word = String(decoding: bare, as: UTF8.self)
        if Text.isOneOf(word, "admin root user super supervisor support") { return word }
        return nil
    }

    /// `user:password` files; htpasswd files store hashes (DES included), lighttpd's plain files store text.
    static func userFile(_ b: [UInt8], path: String, format: String, plaintext: Bool) -> [WebCredential] {
        var out: [WebCredential] = []
        for l in Text.lines(b) {
            let t = Text.trim(l.text)
            if t.isEmpty || t.hasPrefix("#") { continue }
            let f = Text.split(t, 58)
            guard f.count == 2, !f[0].isEmpty, f[0].utf8.count <= 64 else { continue }   // htdigest (user:realm:hash) is not handled
            guard let s = classify(f[1], hashesOnly: !plaintext) else { continue }
            out.append(WebCredential(user: f[0], key: "user line", secret: s, path: path, line: l.number, format: format))
        }
        return out
    }

    /// BusyBox httpd.conf: `/path:user:password` lines (the password plain, or `$1$…` when built with MD5 support).
    static func busyboxHttpd(_ b: [UInt8], path: String) -> [WebCredential] {
        var out: [WebCredential] = []
        for l in Text.lines(b) {
            let t = Text.trim(l.text)
            guard t.hasPrefix("/") else { continue }
            let f = Text.split(t, 58)
            guard f.count >= 3, !f[1].isEmpty else { continue }
            let pw = Text.joinWith(Array(f[2...]), ":")
            guard let s = classify(pw) else { continue }
            out.append(WebCredential(user: f[1], key: "realm " + f[0], secret: s, path: path, line: l.number, format: "BusyBox httpd.conf"))
        }
        return out
    }

    // MARK: XML

    static let userNames = "username user_name user name login loginname userid account usrname"
    static let userContexts = "user admin account login web http auth root super sys management mgmt gui"

    struct XMLFrame {
        var name: String
        var line: Int
        var text: [UInt8] = []
        var hasChild = false
        var leaves: [(name: String, value: String, line: Int)] = []
    }

    /// Password elements and attributes of an XML document, with the user name of the same element.
    static func xml(_ b: [UInt8], path: String) -> [WebCredential] {
        var out: [WebCredential] = []
        var stack: [XMLFrame] = [XMLFrame(name: "", line: 0)]
        var i = 0
        var line = 1
        let n = b.count

        func close(_ frame: XMLFrame, selfClosed: Bool) {
            var f = frame
            if !f.hasChild && !selfClosed {
                let text = decodeEntities(Text.trim(String(decoding: f.text, as: UTF8.self)))
                if stack.count >= 1 { stack[stack.count - 1].leaves.append((f.name, text, f.line)) }
            }
            if stack.count >= 1 { stack[stack.count - 1].hasChild = true }
            // the element's own password leaves (children and attributes), in the context of its ancestors
            let context = Text.lower(Text.joinWith(stack.map { $0.name } + [f.name], "/"))
            if Text.containsAnyOf(context, otherServices) { return }
            var user: String? = nil
            for leaf in f.leaves where Text.isOneOf(Text.lower(leaf.name), userNames) || Text.lower(leaf.name).hasSuffix("username") {
                if !leaf.value.isEmpty { user = leaf.value; break }
            }
            for leaf in f.leaves {
                let ln = Text.lower(leaf.name)
                guard passwordWord(ln) != nil, !Text.contains(ln, "passphrase"), !isSetting(ln) else { continue }
                guard isPasswordKey(leaf.name) || Text.containsAnyOf(context, userContexts), let s = classify(leaf.value) else { continue }
                out.append(WebCredential(user: user, key: "<" + leaf.name + ">", secret: s, path: path, line: leaf.line, format: "XML configuration"))
            }
            f.leaves.removeAll()
        }

        while i < n {
            let c = b[i]
            if c == 10 { line += 1 }
            guard c == 60 else {
                if stack.count > 1 { stack[stack.count - 1].text.append(c) }
                i += 1
                continue
            }
            // comments, processing instructions, declarations, CDATA
            if i + 3 < n && b[i + 1] == 33 && b[i + 2] == 45 && b[i + 3] == 45 {
                var j = i + 4
                while j + 2 < n && !(b[j] == 45 && b[j + 1] == 45 && b[j + 2] == 62) { if b[j] == 10 { line += 1 }; j += 1 }
                i = j + 3
                continue
            }
            if i + 1 < n && (b[i + 1] == 63 || b[i + 1] == 33) {
                var j = i + 1
                while j < n && b[j] != 62 { if b[j] == 10 { line += 1 }; j += 1 }
                i = j + 1
                continue
            }
            // a tag: up to the next '>' outside quotes
            var j = i + 1
            var quote: UInt8 = 0
            let tagLine = line
            while j < n {
                let d = b[j]
                if d == 10 { line += 1 }
                if quote != 0 { if d == quote { quote = 0 } } else if d == 34 || d == 39 { quote = d } else if d == 62 { break }
                j += 1
            }
            let tag = Array(b[(i + 1)..<min(j, n)])
            i = j + 1
            if tag.first == 47 {                                     // </name>
                if stack.count > 1 { let f = stack.removeLast(); close(f, selfClosed: false) }
                continue
            }
            let selfClosing = tag.last == 47
            let body = selfClosing ? Array(tag.dropLast()) : tag
            var k = 0
            while k < body.count && !Text.isSpace(body[k]) { k += 1 }
            let name = String(decoding: body[0..<k], as: UTF8.self)
            if name.isEmpty || stack.count > 64 { continue }
            var frame = XMLFrame(name: name, line: tagLine)
            for (an, av) in attributes(Array(body[k...])) {
                let lan = Text.lower(an)
                if lan == "val" || lan == "value" { frame.leaves.append((name, decodeEntities(av), tagLine)) }   // <Password val=admin />
                else { frame.leaves.append((an, decodeEntities(av), tagLine)) }
            }
            if selfClosing {
                // attribute leaves belong to this element; a `val` leaf is the element's value, seen from its parent
                var own: [(name: String, value: String, line: Int)] = []
                for l in frame.leaves {
                    if l.name == name && stack.count >= 1 { stack[stack.count - 1].leaves.append(l) } else { own.append(l) }
                }
                frame.leaves = own
                frame.hasChild = true
                close(frame, selfClosed: true)
            } else {
                if stack.count >= 1 { stack[stack.count - 1].hasChild = true }
                stack.append(frame)
            }
        }
        return out
    }

    /// `name="v"`, `name='v'` and `name=v` attributes.
    static func attributes(_ b: [UInt8]) -> [(String, String)] {
        var out: [(String, String)] = []
        var i = 0
        while i < b.count {
            while i < b.count && Text.isSpace(b[i]) { i += 1 }
            var j = i
            while j < b.count && b[j] != 61 && !Text.isSpace(b[j]) { j += 1 }
            let name = String(decoding: b[i..<j], as: UTF8.self)
            while j < b.count && Text.isSpace(b[j]) { j += 1 }
            guard j < b.count, b[j] == 61 else { i = j + 1; continue }
            j += 1
            while j < b.count && Text.isSpace(b[j]) { j += 1 }
            var value: [UInt8] = []
            if j < b.count && (b[j] == 34 || b[j] == 39) {
                let q = b[j]
                j += 1
                while j < b.count && b[j] != q { value.append(b[j]); j += 1 }
                j += 1
            } else {
                while j < b.count && !Text.isSpace(b[j]) { value.append(b[j]); j += 1 }
            }
            if !name.isEmpty { out.append((name, String(decoding: value, as: UTF8.self))) }
            i = j
        }
        return out
    }

    static func decodeEntities(_ s: String) -> String {
        guard Text.contains(s, "&") else { return s }
        var out = s
        for (e, r) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&apos;", "'"), ("&amp;", "&")] {
            out = replaceAll(out, e, r)
        }
        return out
    }

    static func replaceAll(_ s: String, _ a: String, _ b: String) -> String {
        let h = Array(s.utf8), n = Array(a.utf8)
        var out: [UInt8] = []
        var i = 0
        while i < h.count {
            if i + n.count <= h.count && Array(h[i..<(i + n.count)]) == n { out += Array(b.utf8); i += n.count } else { out.append(h[i]); i += 1 }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
