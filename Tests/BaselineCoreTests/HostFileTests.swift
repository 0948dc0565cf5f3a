// HostFile: reading and writing files of the host (profiles, lists, reports), outside any audited root.
import Foundation
import Testing
@testable import BaselineCore

private func ok(_ r: HostFile.ReadResult) -> [UInt8]? {
    if case .ok(let b) = r { return b }
    return nil
}

private func failure(_ r: HostFile.ReadResult) -> String? {
    if case .failed(let why) = r { return why }
    return nil
}

@Suite("HostFile")
struct HostFileTests {
    @Test("reads a regular file completely")
    func readFile() throws {
        let dir = try TempDir("hostfile")
        let data = pseudoRandomBytes(200_000, seed: 2)
        try dir.write("data.bin", data)
        #expect(ok(HostFile.read(dir.sub("data.bin"))) == data)
        try dir.write("empty", [])
        #expect(ok(HostFile.read(dir.sub("empty"))) == [])
    }

    @Test("missing files, directories and FIFOs fail with a reason", .timeLimit(.minutes(1)))
    func failures() throws {
        let dir = try TempDir("hostfile")
        #expect(failure(HostFile.read(dir.sub("missing"))) == "No such file or directory")
        #expect(failure(HostFile.read(dir.path)) == "Is a directory")
        #expect(mkfifo(dir.sub("fifo"), 0o600) == 0)
        #expect(failure(HostFile.read(dir.sub("fifo"))) == "not a regular file")
        #expect(HostFile.unreadableReason(dir.sub("missing")) == "No such file or directory")
        #expect(HostFile.unreadableReason(dir.path) == "Is a directory")
        #expect(HostFile.unreadableReason(dir.sub("fifo")) == "not a regular file")
    }

    @Test("files longer than the limit fail")
    func overLimit() throws {
        let dir = try TempDir("hostfile")
        try dir.write("f", pseudoRandomBytes(101, seed: 3))
        #expect(failure(HostFile.read(dir.sub("f"), limit: 100)) == "larger than 100 bytes")
        #expect(ok(HostFile.read(dir.sub("f"), limit: 102))?.count == 101)
    }

    @Test("a file of exactly the limit is read", arguments: [0, 1, 100, 65536, 65537, 131072])
    func exactLimit(size: Int) throws {
        let dir = try TempDir("hostfile")
        let data = pseudoRandomBytes(size, seed: UInt64(size) + 4)
        try dir.write("f", data)
        #expect(ok(HostFile.read(dir.sub("f"), limit: size)) == data)
        if size > 0 { #expect(failure(HostFile.read(dir.sub("f"), limit: size - 1)) == "larger than \(size - 1) bytes") }
    }

    @Test("unreadableReason is nil for readable regular files of any size")
    func readable() throws {
        let dir = try TempDir("hostfile")
        try dir.write("empty", [])
        try dir.write("big", pseudoRandomBytes(10, seed: 5))
        try dir.symlink("link", to: dir.sub("big"))
        #expect(HostFile.unreadableReason(dir.sub("empty")) == nil)
        #expect(HostFile.unreadableReason(dir.sub("big")) == nil)
        #expect(HostFile.unreadableReason(dir.sub("link")) == nil)   // host paths follow symlinks
    }

    @Test("writeAtomically creates and replaces, leaving no temporary file")
    func writeAtomically() throws {
        let dir = try TempDir("hostfile")
        let path = dir.sub("report.json")
        #expect(HostFile.writeAtomically(path, "first\n") == nil)
        #expect(try dir.readText("report.json") == "first\n")
        #expect(HostFile.writeAtomically(path, "second, longer than the first\n") == nil)
        #expect(try dir.readText("report.json") == "second, longer than the first\n")
        #expect(HostFile.writeAtomically(path, "") == nil)
        #expect(try dir.read("report.json") == [])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["report.json"])
        #expect(HostFile.writeAtomically(dir.sub("no/such/dir/x"), "x") == "No such file or directory")
    }

    @Test("environment variables")
    func environment() {
        let name = "BASELINE_UNIT_\(UUID().uuidString.replacingOccurrences(of: "-", with: "_"))"
        #expect(HostFile.environment(name) == nil)
        setenv(name, "välue with spaces", 1)
        defer { unsetenv(name) }
        #expect(HostFile.environment(name) == "välue with spaces")
        setenv(name, "", 1)
        #expect(HostFile.environment(name) == "")
    }

    @Test("clock and random bytes")
    func clockAndRandom() {
        let now = Int64(Date().timeIntervalSince1970)
        #expect(abs(HostFile.now() - now) <= 2)
        let a = HostFile.randomBytes(32), b = HostFile.randomBytes(32)
        #expect(a.count == 32 && b.count == 32)
        #expect(a != b)
        #expect(HostFile.randomBytes(0).isEmpty)
        let many = HostFile.randomBytes(4096)
        #expect(Set(many).count > 200)   // all byte values appear roughly evenly
    }
}
