// RootView: reading a root directory as the device sees it, on deliberately hostile trees. The host file
// `outside/secret` (next to the root, never inside it) must never be returned, whatever the links say.
import Foundation
import Testing
@testable import BaselineCore

private let hostSecret = "HOST SECRET - must never be read"
private let decoy = "decoy inside the root"

/// tmp/root (the audited root) and tmp/outside/secret (a host file the view must not reach).
private final class HostileTree {
    let dir: TempDir
    let root: String

    init(decoyInside: Bool = false) throws {
        dir = try TempDir("rootview")
        root = dir.sub("root")
        try dir.mkdir("root/etc")
        try dir.write("outside/secret", hostSecret)
        if decoyInside { try dir.write("root/outside/secret", decoy) }
    }

    func write(_ rel: String, _ text: String) throws { try dir.write("root/" + rel, text) }
    func link(_ rel: String, _ target: String) throws { try dir.symlink("root/" + rel, to: target) }
    func mkdir(_ rel: String) throws { try dir.mkdir("root/" + rel) }
    func view(maxFileBytes: Int = 16 * 1024 * 1024) throws -> RootView { try RootView(root: root, maxFileBytes: maxFileBytes) }
}

private func text(_ b: [UInt8]?) -> String? { b.map { String(decoding: $0, as: UTF8.self) } }

@Suite("RootView: symlinks stay inside the root")
struct RootViewContainmentTests {
    @Test("an absolute symlink resolves inside the root")
    func absoluteLink() throws {
        let t = try HostileTree()
        try t.write("etc/real", "root:x:0:0::/root:/bin/sh\n")
        try t.link("etc/passwd", "/etc/real")
        let fs = try t.view()
        #expect(text(fs.read("/etc/passwd")) == "root:x:0:0::/root:/bin/sh\n")
        #expect(fs.info("/etc/passwd")?.path == "/etc/real")
        #expect(fs.info("/etc/passwd")?.kind == .regular)
        #expect(fs.info("/etc/passwd", follow: false)?.kind == .symlink)
        #expect(fs.info("/etc/passwd", follow: false)?.path == "/etc/passwd")
        #expect(fs.readLink("/etc/passwd") == "/etc/real")
        #expect(fs.readLink("/etc/real") == nil)
        #expect(fs.problems.isEmpty)
    }

    @Test("the host's own files are not reachable through absolute links")
    func hostAbsolutePath() throws {
        let t = try HostileTree()
        // A link to the host path of the secret is re-rooted, so it names <root>/<tmp>/outside/secret.
        try t.link("etc/hostpath", t.dir.sub("outside/secret"))
        try t.link("etc/shadow", "/etc/shadow")
        try t.link("etc/hostpasswd", "/etc/passwd")
        let fs = try t.view()
        #expect(fs.read("/etc/hostpath") == nil)
        #expect(fs.read("/etc/shadow") == nil)          // a self-loop inside the root, not the host's shadow
        #expect(fs.read("/etc/hostpasswd") == nil)
        #expect(fs.read(t.dir.sub("outside/secret")) == nil)
    }

    @Test("escaping links never return the host file", arguments: [true, false])
    func escapes(decoyInside: Bool) throws {
        let t = try HostileTree(decoyInside: decoyInside)
        try t.link("etc/abs-escape", "/../outside/secret")
        try t.link("etc/abs-escape2", "/../../../../outside/secret")
        try t.link("etc/rel-escape", "../../outside/secret")
        try t.link("etc/deep-rel", "../../../../../../../../../../outside/secret")
        try t.link("chain1", "/etc/chain2")
        try t.link("etc/chain2", "sub/chain3")
        try t.link("etc/sub/chain3", "../../../outside/secret")
        try t.link("etc/updir", "../..")
        try t.link("etc/abs-updir", "/..")
        try t.link("etc/dotdir", "../../../.././.")
        let fs = try t.view()
        let paths = [
            "/etc/abs-escape", "/etc/abs-escape2", "/etc/rel-escape", "/etc/deep-rel", "/chain1",
            "/etc/updir/outside/secret", "/etc/abs-updir/outside/secret", "/etc/dotdir/outside/secret",
            "/../outside/secret", "../../outside/secret", "/etc/../../outside/secret", "etc/../../../outside/secret",
            "/etc/updir/../../outside/secret", "//..//..//outside//secret",
        ]
        for p in paths {
            let got = text(fs.read(p))
            #expect(got != hostSecret, "\(p) escaped the root")
            // With a decoy at <root>/outside/secret the clamped path reads exactly that.
            #expect(got == (decoyInside ? decoy : nil), "\(p)")
            if decoyInside { #expect(fs.info(p)?.path == "/outside/secret", "\(p)") }
        }
        #expect(fs.list("/etc/updir") == fs.list("/"))
        #expect(fs.info("/etc/updir")?.path == "/")
    }

    @Test("a path component with an embedded NUL cannot name the parent of the root")
    func embeddedNUL() throws {
        let t = try HostileTree()
        let fs = try t.view()
        #expect(text(fs.read("/..\u{0}x/outside/secret")) != hostSecret)
        #expect(fs.read("/..\u{0}/outside/secret") == nil)
        #expect(fs.list("/..\u{0}").contains("outside") == false)
    }

    @Test("`..` chains clamp at the root")
    func dotDotClamp() throws {
        let t = try HostileTree()
        try t.write("etc/hostname", "device\n")
        let fs = try t.view()
        #expect(text(fs.read("/../../../etc/hostname")) == "device\n")
        #expect(text(fs.read("/etc/../../etc/./hostname")) == "device\n")
        #expect(text(fs.read("../etc/hostname")) == "device\n")
        #expect(fs.info("/..")?.path == "/")
        #expect(fs.info("/etc/..")?.path == "/")
        #expect(fs.info("/etc/..")?.kind == .directory)
        #expect(fs.info("/etc/../etc")?.path == "/etc")
        #expect(fs.list("/../..").contains("etc"))
        #expect(!fs.list("/../..").contains("outside"))
    }

    @Test("relative links resolve from the link's directory; merged /usr layouts")
    func relativeLinks() throws {
        let t = try HostileTree()
        try t.write("usr/lib/os-release", "ID=poky\n")
        try t.link("lib", "usr/lib")
        try t.link("etc/os-release", "../lib/os-release")
        let fs = try t.view()
        #expect(text(fs.read("/etc/os-release")) == "ID=poky\n")
        #expect(fs.info("/etc/os-release")?.path == "/usr/lib/os-release")
        #expect(fs.info("/lib/os-release")?.path == "/usr/lib/os-release")
        #expect(fs.isDirectory("/lib"))
        #expect(fs.list("/lib") == ["os-release"])
    }

    @Test("`..` after a symlinked directory is physical, as in the kernel")
    func physicalDotDot() throws {
        let t = try HostileTree()
        try t.write("usr/share/marker", "physical")
        try t.write("etc/marker", "logical")
        try t.mkdir("usr/share/ssh")
        try t.link("etc/ssh", "/usr/share/ssh")
        let fs = try t.view()
        #expect(text(fs.read("/etc/ssh/../marker")) == "physical")
    }

    @Test("missing paths and paths through files are simply absent")
    func missing() throws {
        let t = try HostileTree()
        try t.write("etc/real", "x")
        try t.link("etc/dangling", "/nowhere/at/all")
        let fs = try t.view()
        #expect(fs.read("/nope") == nil)
        #expect(fs.read("/etc/real/child") == nil)
        #expect(fs.read("/etc/dangling") == nil)
        #expect(!fs.exists("/nope"))
        #expect(fs.info("/etc/dangling") == nil)
        #expect(fs.info("/etc/dangling", follow: false)?.kind == .symlink)
        #expect(fs.readLink("/etc/dangling") == "/nowhere/at/all")
        #expect(fs.problems.isEmpty)
    }
}

@Suite("RootView: loops, special files, limits")
struct RootViewHazardTests {
    @Test("symlink loops return nil and record a problem", .timeLimit(.minutes(1)))
    func loops() throws {
        let t = try HostileTree()
        try t.link("etc/a", "b")
        try t.link("etc/b", "a")
        try t.link("etc/self", "self")
        try t.link("etc/absself", "/etc/absself")
        try t.link("loopdir", "loopdir")
        try t.link("etc/grow", "grow/grow/grow")
        let fs = try t.view()
        for p in ["/etc/a", "/etc/b", "/etc/self", "/etc/absself", "/loopdir/passwd", "/etc/grow"] {
            #expect(fs.read(p) == nil, "\(p)")
            let problem = fs.problems.first { $0.path == p }
            #expect(problem != nil, "no problem recorded for \(p)")
            #expect(problem.map { Text.contains($0.reason, "symbolic links") } == true, "\(String(describing: problem))")
        }
        #expect(fs.info("/etc/a") == nil)
        #expect(fs.list("/loopdir").isEmpty)
        // The same problem is recorded once.
        let before = fs.problems.count
        _ = fs.read("/etc/a")
        _ = fs.read("/etc/a")
        #expect(fs.problems.count == before)
    }

    @Test("a chain of 40 links resolves, 41 is a loop")
    func linkLimit() throws {
        let t = try HostileTree()
        try t.write("etc/target", "end")
        try t.link("etc/l0", "target")
        for i in 1...40 { try t.link("etc/l\(i)", "l\(i - 1)") }
        let fs = try t.view()
        #expect(text(fs.read("/etc/l39")) == "end")   // 40 links
        #expect(fs.read("/etc/l40") == nil)           // 41 links
        #expect(fs.problems.contains { $0.path == "/etc/l40" && Text.contains($0.reason, "symbolic links") })
    }

    @Test("a FIFO is skipped without blocking and recorded", .timeLimit(.minutes(1)))
    func fifo() throws {
        let t = try HostileTree()
        #expect(mkfifo(t.dir.sub("root/etc/initctl"), 0o644) == 0)
        try t.link("etc/fifolink", "initctl")
        let fs = try t.view()
        #expect(fs.info("/etc/initctl")?.kind == .fifo)
        #expect(!fs.isFile("/etc/initctl"))
        #expect(fs.exists("/etc/initctl"))
        #expect(fs.read("/etc/initctl") == nil)
        #expect(fs.read("/etc/fifolink") == nil)
        #expect(fs.problems.contains(FSProblem(path: "/etc/initctl", reason: "skipped: FIFO, not read")))
        #expect(fs.problems.count == 1)   // both reads name the same canonical file
        #expect(fs.filesRead == 0)
    }

    @Test("a UNIX socket is skipped and recorded", .timeLimit(.minutes(1)))
    func socketFile() throws {
        let t = try HostileTree()
        let path = t.dir.sub("root/etc/sock")
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        #expect(fd >= 0)
        defer { close(fd) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(path.utf8)
        try #require(pathBytes.count < MemoryLayout.size(ofValue: addr.sun_path))
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in pathBytes.enumerated() { raw[i] = b }
        }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        try #require(rc == 0)
        let fs = try t.view()
        #expect(fs.info("/etc/sock")?.kind == .socket)
        #expect(fs.read("/etc/sock") == nil)
        #expect(fs.problems.contains(FSProblem(path: "/etc/sock", reason: "skipped: socket, not read")))
    }

    @Test("files larger than maxFileBytes are cut to the cap and recorded")
    func sizeCap() throws {
        let t = try HostileTree()
        let big = pseudoRandomBytes(200_000, seed: 1)
        try t.dir.write("root/etc/big", big)
        try t.dir.write("root/etc/exact", Array(big[0..<1000]))
        let fs = try t.view(maxFileBytes: 1000)
        let got = fs.read("/etc/big")
        #expect(got == Array(big[0..<1000]))
        #expect(fs.problems.contains(FSProblem(path: "/etc/big", reason: "larger than 1000 bytes; only the first 1000 bytes were read")))
        // A file of exactly the cap is complete and not recorded.
        #expect(fs.read("/etc/exact") == Array(big[0..<1000]))
        #expect(!fs.problems.contains { $0.path == "/etc/exact" })
        // A per-call limit overrides the cap, in both directions.
        #expect(fs.read("/etc/big", limit: 100) == Array(big[0..<100]))
        #expect(fs.problems.contains { $0.path == "/etc/big" && $0.reason.hasPrefix("larger than 100 bytes") })
        #expect(fs.read("/etc/big", limit: 300_000) == big)
        #expect(fs.info("/etc/big")?.size == 200_000)
        #expect(fs.filesRead == 4)
    }

    @Test("empty files read as empty, directories as nil without a problem")
    func emptyAndDirectories() throws {
        let t = try HostileTree()
        try t.write("etc/empty", "")
        let fs = try t.view()
        #expect(fs.read("/etc/empty") == [])
        #expect(fs.read("/etc") == nil)
        #expect(fs.read("/") == nil)
        #expect(fs.problems.isEmpty)
    }

    @Test("an unreadable file is recorded (not as root)", .enabled(if: getuid() != 0))
    func unreadable() throws {
        let t = try HostileTree()
        try t.write("etc/shadow", "root:$6$x$y:::::::\n")
        #expect(chmod(t.dir.sub("root/etc/shadow"), 0) == 0)
        let fs = try t.view()
        #expect(fs.read("/etc/shadow") == nil)
        #expect(fs.problems.contains { $0.path == "/etc/shadow" && $0.reason.hasPrefix("not readable:") })
    }

    @Test("mode bits are reported")
    func modes() throws {
        let t = try HostileTree()
        try t.write("etc/shadow", "x")
        #expect(chmod(t.dir.sub("root/etc/shadow"), 0o640) == 0)
        try t.write("usr/bin/su", "x")
        #expect(chmod(t.dir.sub("root/usr/bin/su"), 0o4755) == 0)
        let fs = try t.view()
        #expect(fs.info("/etc/shadow")?.mode == 0o640)
        #expect(fs.info("/usr/bin/su")?.mode == 0o4755)
    }

    @Test("opening something that is not a directory fails")
    func badRoot() throws {
        let dir = try TempDir("rootview")
        try dir.write("file", "x")
        #expect(throws: RootError.self) { try RootView(root: dir.sub("file")) }
        #expect(throws: RootError.self) { try RootView(root: dir.sub("missing")) }
        do {
            _ = try RootView(root: dir.sub("missing"))
        } catch {
            #expect(Text.contains(error.message, "cannot open as a root directory"))
        }
    }
}

@Suite("RootView: listing and walking")
struct RootViewListingTests {
    @Test("directory listing is sorted and excludes . and ..")
    func sortedListing() throws {
        let t = try HostileTree()
        for name in ["b", "a", "C", "_x", ".hidden", "10", "9", "ä"] { try t.write("etc/dir/" + name, name) }
        try t.mkdir("etc/dir/subdir")
        let fs = try t.view()
        let names = fs.list("/etc/dir")
        #expect(names == [".hidden", "10", "9", "C", "_x", "a", "b", "subdir", "ä"])
        #expect(names == names.sorted())
        #expect(fs.list("/etc/dir/a").isEmpty)
        #expect(fs.list("/missing").isEmpty)
        #expect(fs.list("/") == ["etc"])
    }

    @Test("listing follows symlinked directories inside the root only")
    func listThroughLinks() throws {
        let t = try HostileTree()
        try t.write("usr/share/x/one", "1")
        try t.link("etc/x", "/usr/share/x")
        try t.link("etc/out", "../../outside")
        let fs = try t.view()
        #expect(fs.list("/etc/x") == ["one"])
        #expect(fs.list("/etc/out").isEmpty)
    }

    @Test("large directories are listed completely")
    func largeDirectory() throws {
        let t = try HostileTree()
        try t.mkdir("big")
        let long = String(repeating: "n", count: 200)
        for i in 0..<400 { _ = FileManager.default.createFile(atPath: t.dir.sub("root/big/\(long)\(i)"), contents: nil) }
        let fs = try t.view()
        let names = fs.list("/big")
        #expect(names.count == 400)   // more than the first 16 KiB buffer holds
        #expect(Set(names).count == 400)
        #expect(names == names.sorted())
    }

    @Test("walkTree visits every entry, reports symlinks and does not follow them")
    func walkTree() throws {
        let t = try HostileTree()
        try t.write("etc/passwd", "x")
        try t.write("etc/ssh/sshd_config", "PermitRootLogin no\n")
        try t.write("etc/ssh/keys/host_key", "k")
        try t.write("usr/share/lots/file", "y")
        try t.link("etc/linked", "/usr/share/lots")
        try t.link("etc/escape", "../../outside")
        try t.link("etc/loop", "loop")
        #expect(mkfifo(t.dir.sub("root/etc/fifo"), 0o600) == 0)
        let fs = try t.view()
        var seen: [String: FileKind] = [:]
        var order: [String] = []
        fs.walkTree("/etc") { path, kind, _ in seen[path] = kind; order.append(path) }
        #expect(Set(seen.keys) == ["/etc/passwd", "/etc/ssh", "/etc/ssh/sshd_config", "/etc/ssh/keys", "/etc/ssh/keys/host_key",
                                   "/etc/linked", "/etc/escape", "/etc/loop", "/etc/fifo"])
        #expect(seen["/etc/linked"] == .symlink)
        #expect(seen["/etc/escape"] == .symlink)
        #expect(seen["/etc/loop"] == .symlink)
        #expect(seen["/etc/fifo"] == .fifo)
        #expect(seen["/etc/ssh"] == .directory)
        #expect(seen["/etc/passwd"] == .regular)
        #expect(!seen.keys.contains { $0.hasPrefix("/etc/linked/") || $0.hasPrefix("/etc/escape/") })
        // Breadth-first: everything directly in /etc comes before the contents of /etc/ssh.
        let firstNested = try #require(order.firstIndex { $0.hasPrefix("/etc/ssh/") })
        #expect(order[..<firstNested].allSatisfy { !$0.dropFirst(5).contains("/") })
        #expect(fs.problems.isEmpty)
    }

    @Test("walkTree from a symlinked start directory walks its target")
    func walkFromLink() throws {
        let t = try HostileTree()
        try t.write("usr/lib/a", "1")
        try t.link("lib", "usr/lib")
        let fs = try t.view()
        var seen: [String] = []
        fs.walkTree("/lib") { path, _, _ in seen.append(path) }
        #expect(seen == ["/usr/lib/a"])
        var none: [String] = []
        fs.walkTree("/usr/lib/a") { path, _, _ in none.append(path) }
        #expect(none.isEmpty)
    }

    @Test("walkTree respects maxDepth and maxEntries")
    func walkLimits() throws {
        let t = try HostileTree()
        try t.write("d/1/2/3/4/file", "x")
        let fs = try t.view()
        var seen: [String] = []
        fs.walkTree("/d", maxDepth: 2) { path, _, _ in seen.append(path) }
        #expect(seen == ["/d/1", "/d/1/2"])
        #expect(fs.problems.contains { $0.path == "/d/1/2" && $0.reason == "deeper than 2 levels; not scanned" })

        for i in 0..<20 { try t.write("many/f\(i)", "x") }
        var count = 0
        fs.walkTree("/many", maxEntries: 5) { _, _, _ in count += 1 }
        #expect(count == 5)
        #expect(fs.problems.contains { $0.path == "/many" && $0.reason == "more than 5 entries below; the rest were not scanned" })
    }
}
