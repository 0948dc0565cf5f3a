// The collector under load and faults (issue 8): agents posting at increasing concurrency, and a store whose disk
// fills up in the middle of the stream (a small tmpfs mounted for the test). Each ends with every acknowledged report
// in the store and a clear answer for the rest. Loopback only; bounded in reports and time.
import Foundation
import Testing

@Suite(.serialized) struct CollectorFaultTests {
    static let token = "load-0123456789abcdef"

    func tokens(_ t: TempTree) throws -> String {
        try t.write("tokens", "load \(CollectorFaultTests.token)\n")
        return t.sub("tokens")
    }

    func post(_ base: String, _ files: [String], acked: String, errors: String, concurrency: Int) throws -> [String: Double] {
        let r = try run("/usr/bin/python3", [Repo.path("Tests/scripts/post-reports.py"), base, CollectorFaultTests.token, acked] + files
                        + ["--concurrency", "\(concurrency)", "--errors", errors], timeout: 600)
        // "requests N acked N failed N seconds S reports/s R p50_ms X p99_ms Y max_ms Z"
        let words = r.stdout.split(separator: " ").map(String.init)
        var out: [String: Double] = [:]
        for i in stride(from: 0, to: words.count - 1, by: 2) { out[words[i]] = Double(words[i + 1].trimmingCharacters(in: .whitespacesAndNewlines)) }
        return out
    }

    func lines(_ path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    @Test(arguments: StoreKind.allCases) func throughputAndTailLatencyAtIncreasingConcurrency(_ kind: StoreKind) throws {
        let t = try TempTree()
        let db = try kind.fresh(t)
        let server = try CollectorServer(db: db, tokens: try tokens(t))
        var expected = Set<String>()
        var table: [String] = []
        for (round, c) in [1, 2, 4, 8].enumerated() {
            let files = try synthReports(t, count: 160, start: round * 160, perFile: 10, dir: "load-\(c)")
            expected.formUnion(try reportIDs(files))
            let acked = t.sub("acked-\(c).txt"), errors = t.sub("errors-\(c).txt")
            let s = try post(server.base, files, acked: acked, errors: errors, concurrency: c)
            #expect(s["failed"] == 0, "concurrency \(c): \(lines(errors).prefix(3))")
            #expect(s["acked"] == 160, "concurrency \(c): \(s)")
            #expect(Set(lines(acked)).count == 160)
            table.append("concurrency \(c): \(Int(s["reports/s"] ?? 0)) reports/s, p50 \(s["p50_ms"] ?? 0) ms, p99 \(s["p99_ms"] ?? 0) ms per batch of 10")
        }
        print("collector load (\(kind), debug build):\n  " + table.joined(separator: "\n  "))
        let stored = Set(try storeQuery(db, "SELECT report_id FROM reports").split(separator: "\n").map(String.init))
        #expect(stored == expected)
        #expect(server.process.isRunning)
    }

    /// SQLite on a 3 MiB tmpfs: the disk fills in the middle of the stream. Every acknowledged report is stored;
    /// every refusal is a 503 that says the disk is full; the collector keeps serving reads; after the disk has room
    /// again (the tmpfs grown), the refused batches are taken.
    @Test func fullDiskRefusesClearlyAndLosesNothingAcknowledged() throws {
        let t = try TempTree()
        let mnt = t.sub("small")
        try FileManager.default.createDirectory(atPath: mnt, withIntermediateDirectories: true)
        let mount = try run("/bin/mount", ["-t", "tmpfs", "-o", "size=3m", "tmpfs", mnt])
        try #require(mount.code == 0, "mounting a tmpfs needs root (CI runs as root): \(mount.stderr)")
        defer { _ = try? run("/bin/umount", ["-l", mnt]) }
        let db = mnt + "/fleet.sqlite"
        let files = try synthReports(t, count: 600, perFile: 10)
        let all = try reportIDs(files)
        var server: CollectorServer? = try CollectorServer(db: db, tokens: try tokens(t))
        let acked = t.sub("acked.txt"), errors = t.sub("errors.txt")
        let s = try post(server!.base, files, acked: acked, errors: errors, concurrency: 2)
        let acknowledged = Set(lines(acked))
        let refusals = lines(errors)
        #expect(acknowledged.count > 0, "some batches fit: \(s)")
        #expect(!refusals.isEmpty, "the disk filled up: \(s)")
        for r in refusals {
            #expect(r.hasPrefix("503 "), "\(r.prefix(200))")
            #expect(r.contains("disk is full") || r.contains("disk full") || r.contains("database or disk is full"), "\(r.prefix(300))")
            #expect(!r.contains("INSERT"), "the answer names the problem, not the statement: \(r.prefix(300))")
        }
        #expect(server!.process.isRunning, "still up")
        let vendors = try http("GET", server!.base + "/v1/vendors")
        #expect(vendors.status == 200, "reads still served: \(vendors.status)")
        let stored = Set(try storeQuery(db, "SELECT report_id FROM reports").split(separator: "\n").map(String.init))
        #expect(acknowledged.isSubset(of: stored), "lost: \(acknowledged.subtracting(stored).count)")
        #expect(stored.isSubset(of: all))
        // Room again: the same files posted again complete the store, and the metrics count every unit once.
        server!.stop(); server = nil
        #expect(try run("/bin/mount", ["-o", "remount,size=64m", mnt]).code == 0)
        let again = try CollectorServer(db: db, tokens: try tokens(t))
        let s2 = try post(again.base, files, acked: t.sub("acked2.txt"), errors: t.sub("errors2.txt"), concurrency: 2)
        #expect(s2["failed"] == 0, "\(lines(t.sub("errors2.txt")).prefix(2))")
        #expect(try storeQuery(db, "SELECT count(*) FROM reports") == "\(all.count)")
        let groups = try #require(try http("GET", again.base + "/v1/vendors").json?["groups"] as? [[String: Any]])
        #expect(groups.reduce(0) { $0 + ($1["units"] as? Int ?? 0) } == all.count)
        let check = try storeQuery(db, "PRAGMA integrity_check")
        #expect(check == "ok", "\(check)")
    }
}
