// Crypt (libxcrypt's crypt_rn) against hashes made by mkpasswd and openssl, and the candidate password list.
import Foundation
import Testing
@testable import BaselineCore

private func mkpasswd(_ method: String, _ password: String, extra: [String] = []) throws -> String {
    try Tool.run("mkpasswd", ["-m", method] + extra + ["--stdin"], stdin: password + "\n").stdout
        .trimmingCharacters(in: .whitespacesAndNewlines)
}

private func opensslPasswd(_ flag: String, _ password: String) throws -> String {
    try Tool.run("openssl", ["passwd", flag, "-stdin"], stdin: password + "\n").stdout
        .trimmingCharacters(in: .whitespacesAndNewlines)
}

@Suite("Crypt")
struct CryptTests {
    @Test("hashes made by mkpasswd", .enabled(if: Tool.available("mkpasswd")), arguments: [
        ("descrypt", [String](), "$"), ("md5crypt", [], "$1$"), ("sha256crypt", [], "$5$"), ("sha512crypt", [], "$6$"),
        ("yescrypt", [], "$y$"), ("bcrypt", ["-R", "5"], "$2b$05$"), ("gost-yescrypt", [], "$gy$"), ("scrypt", [], "$7$"),
        ("bsdicrypt", [], "_"), ("sha512crypt", ["-R", "1000"], "$6$rounds=1000$"),
    ])
    func mkpasswdHashes(method: String, extra: [String], prefix: String) throws {
        // DES crypt only uses 8 characters, so keep the password shorter than that for the near-miss checks.
        let password = method == "descrypt" ? "Adm1n-d" : "Adm1n-\(method)"
        let hash = try mkpasswd(method, password, extra: extra)
        if method == "descrypt" { #expect(hash.utf8.count == 13) } else { #expect(hash.hasPrefix(prefix), "\(hash)") }
        let crypt = Crypt()
        #expect(crypt.matches(password, hash: hash), "\(hash)")
        #expect(crypt.hash(password, setting: hash) == hash)
        #expect(!crypt.matches("wrong", hash: hash))
        #expect(!crypt.matches("", hash: hash))
        #expect(!crypt.matches(password + "x", hash: hash))
        #expect(!crypt.matches(String(password.dropLast()), hash: hash))
    }

    @Test("hashes made by openssl passwd", .enabled(if: Tool.available("openssl")), arguments: [("-1", "$1$"), ("-5", "$5$"), ("-6", "$6$")])
    func opensslHashes(flag: String, prefix: String) throws {
        let hash = try opensslPasswd(flag, "root")
        #expect(hash.hasPrefix(prefix))
        let crypt = Crypt()
        #expect(crypt.matches("root", hash: hash))
        #expect(!crypt.matches("toor", hash: hash))
        #expect(!crypt.matches("Root", hash: hash))
    }

    @Test("DES crypt only looks at the first 8 characters")
    func desTruncation() throws {
        let crypt = Crypt()
        let hash = try #require(crypt.hash("password", setting: "ab"))
        #expect(hash.utf8.count == 13)
        #expect(hash.hasPrefix("ab"))
        #expect(crypt.matches("password", hash: hash))
        #expect(crypt.matches("password123", hash: hash))   // DES semantics, the reason it is weak
        #expect(!crypt.matches("passwor", hash: hash))
    }

    @Test("known answer: glibc/libxcrypt test vector")
    func knownAnswer() {
        let crypt = Crypt()
        // From the SHA-crypt specification (Drepper), test vector 1.
        #expect(crypt.hash("Hello world!", setting: "$5$saltstring") ==
            "$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5")
        #expect(crypt.hash("Hello world!", setting: "$6$saltstring") ==
            "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1")
    }

    @Test("UTF-8 and long passwords")
    func unusualPasswords() throws {
        let crypt = Crypt()
        for pw in ["pässwörd", "密码", String(repeating: "x", count: 200), " spaced "] {
            let h = try #require(crypt.hash(pw, setting: "$6$abcdefgh"))
            #expect(crypt.matches(pw, hash: h))
            #expect(!crypt.matches(pw + " ", hash: h))
        }
    }

    @Test("invalid settings return nil", arguments: [
        "", "*", "!", "!!", "x", "*LK*", "$9$whatever$", "$6", "$y$", "$2b$99$abcdefghijklmnopqrstuu",
        "!$6$salt$hash", "a", "\u{1}\u{2}",
    ])
    func invalidSettings(setting: String) {
        let crypt = Crypt()
        #expect(crypt.hash("password", setting: setting) == nil)
        #expect(!crypt.matches("password", hash: setting))
        #expect(!crypt.matches("", hash: setting))
    }

    @Test("a hash with a damaged checksum never matches", arguments: ["$1$saltsalt", "$5$saltsalt", "$6$saltsalt", "ab"])
    func damagedChecksum(setting: String) throws {
        let crypt = Crypt()
        let real = try #require(crypt.hash("password", setting: setting))
        #expect(crypt.matches("password", hash: real))
        // Same salt, last checksum character changed: crypt recomputes the real hash, which differs.
        let last = real.last!
        let damaged = String(real.dropLast()) + (last == "A" ? "B" : "A")
        #expect(crypt.hash("password", setting: damaged) == real)
        #expect(!crypt.matches("password", hash: damaged))
        // Characters crypt never produces.
        #expect(!crypt.matches("password", hash: String(real.dropLast(4)) + "!!!!"))
    }

    @Test("locked and empty fields never match")
    func lockedFields() throws {
        let crypt = Crypt()
        let good = try #require(crypt.hash("secret", setting: "$6$saltsalt"))
        #expect(crypt.matches("secret", hash: good))
        #expect(!crypt.matches("secret", hash: "!" + good))
        #expect(!crypt.matches("secret", hash: "*" + good))
        #expect(!crypt.matches("secret", hash: good + "x"))
        #expect(!crypt.matches("secret", hash: String(good.dropLast())))
    }

    @Test("one Crypt instance is reusable across schemes")
    func reuse() throws {
        let crypt = Crypt()
        let a = try #require(crypt.hash("one", setting: "$1$saltsalt"))
        let b = try #require(crypt.hash("two", setting: "$6$saltsalt"))
        #expect(crypt.matches("one", hash: a))
        #expect(crypt.matches("two", hash: b))
        #expect(!crypt.matches("two", hash: a))
        #expect(a != b)
    }
}

@Suite("PasswordCandidates")
struct PasswordCandidateTests {
    @Test("order, de-duplication and word forms")
    func build() {
        var profile = Profile()
        profile.vendor = "Acme"
        profile.models = ["X-200"]
        profile.defaultCredentials = [DefaultCredential(user: "root", password: "acme123", source: "manual p. 4")]
        let lists = [DefaultCredential(user: "admin", password: "admin", source: "mirai.txt:3"),
                     DefaultCredential(user: "root", password: "acme123", source: "mirai.txt:9")]
        let c = PasswordCandidates.build(profile: profile, lists: lists, accountNames: ["operator"], extraWords: [])
        let pw = c.map(\.password)
        #expect(pw.prefix(3) == ["acme123", "admin", ""])
        #expect(c[0].origin == "vendor default (manual p. 4)")
        #expect(c[1].origin == "mirai.txt:3")
        #expect(c[2].origin == "empty password")
        #expect(Set(pw).count == pw.count)
        for form in ["Acme", "acme", "Acme1", "acme1234", "acme!", "X-200", "x-200", "X-200", "x200", "x200123", "operator", "Operator", "operator1"] {
            #expect(pw.contains(form), "\(form)")
        }
        #expect(c.first { $0.password == "x200" }?.origin == "name word 'X-200'")
        #expect(c.first { $0.password == "acme!" }?.origin == "name word 'Acme' + '!'")
        // acme123 came from the profile first and is not repeated as a word form.
        #expect(pw.filter { $0 == "acme123" }.count == 1)
    }

    @Test("overlong candidates are dropped")
    func overlong() {
        let long = String(repeating: "p", count: 300)
        let c = PasswordCandidates.build(profile: Profile(), lists: [DefaultCredential(user: "u", password: long, source: "s")],
                                         accountNames: [], extraWords: [])
        #expect(c.map(\.password) == [""])
    }

    @Test("candidate passwords crack real hashes", .enabled(if: Tool.available("mkpasswd")))
    func crack() throws {
        var profile = Profile()
        profile.vendor = "Zyxel"
        let hash = try mkpasswd("sha512crypt", "zyxel1234")
        let crypt = Crypt()
        let candidates = PasswordCandidates.build(profile: profile, lists: [], accountNames: ["root"], extraWords: [])
        let hit = candidates.first { crypt.matches($0.password, hash: hash) }
        #expect(hit?.password == "zyxel1234")
        #expect(hit?.origin == "name word 'Zyxel' + '1234'")
    }
}

@Suite("Password search on a thread pool")
struct PasswordSearchTests {
    /// 40 candidates; hash i is made from candidate 3*i+5, and candidate 38 hashes to hash 0 too (a later duplicate):
    /// the earliest match must win whatever the threads and their timing.
    @Test("the earliest matching candidate per hash, on 1 to 4 threads", arguments: [1, 2, 4])
    func earliestMatch(threads: Int) throws {
        var candidates = (0..<40).map { "cand-\($0)" }
        candidates[38] = candidates[5]
        var hashes: [String] = []
        for (i, m) in ["sha512crypt", "md5crypt", "sha256crypt", "descrypt"].enumerated() {
            hashes.append(try mkpasswd(m, candidates[3 * i + 5]))
        }
        hashes.append(try mkpasswd("sha256crypt", "in-no-list"))
        hashes.append("$9$not-a-scheme$xyz")
        let r = PasswordSearch.run(candidates: candidates, hashes: hashes, budgetMs: 0, threads: threads)
        // DES crypt keeps 8 characters: "cand-14" is what hash 3 was made from; crypt(3) refuses the last setting.
        #expect(r.found == [5, 8, 11, 14, -1, -2], "\(r.found)")
        #expect(!r.cutShort)
        #expect(r.tested <= candidates.count * hashes.count && r.tested >= 40, "\(r.tested)")
    }

    @Test func theBudgetCutsTheSearchShortAndSaysSo() throws {
        let hashes = try (0..<4).map { _ in try mkpasswd("yescrypt", "in-no-list-\(Int.random(in: 0..<1_000_000))") }
        let candidates = (0..<2000).map { "c\($0)" }
        let start = Date()
        let r = PasswordSearch.run(candidates: candidates, hashes: hashes, budgetMs: 300, threads: 2)
        #expect(r.cutShort)
        #expect(r.tested > 0 && r.tested < candidates.count * hashes.count)
        #expect(Date().timeIntervalSince(start) < 5, "stopped near its budget")
        #expect(r.found == [-1, -1, -1, -1])
    }

    @Test func threadsAreBoundedByMemoryForYescrypt() {
        #expect(PasswordSearch.threads(for: ["$6$abc$def"]) >= 1)
        #expect(PasswordSearch.threads(for: ["$y$j9T$abc$def"]) >= 1)
        #expect(PasswordSearch.threads(for: ["$y$j9T$abc$def"]) <= PasswordSearch.threads(for: ["$6$abc$def"]))
    }
}
