// `baseline-collector`: reports from agents, scans, audits and captures into a fleet store (SQLite or PostgreSQL),
// vendor metrics out — on the command line (`ingest`, `report`, `clusters`) and over HTTP (`serve`: the ingest API,
// the read API, Prometheus metrics and the dashboard).
import ArgumentParser
import BaselineCore
import BaselineFleet
import Foundation

/// Usage errors exit 2, as in `baseline` and `baseline-agent` (ArgumentParser's own default is 64, EX_USAGE).
@main
struct CollectorEntry {
    static func main() async {
        largerMallocCache()
        do {
            var command = try Collector.parseAsRoot()
            if var async = command as? AsyncParsableCommand { try await async.run() } else { try command.run() }
        } catch {
            let code = Collector.exitCode(for: error)
            if code == .success {
                print(Collector.fullMessage(for: error))
                exit(0)
            }
            if let e = error as? ExitCode { exit(e.rawValue) }
            FileHandle.standardError.write(Data((Collector.fullMessage(for: error) + "\n").utf8))
            exit(2)
        }
    }
}

/// `ingest` and `serve` parse reports into trees of many small blocks, allocated and freed by the thousand per report
/// on every core. glibc keeps only 7 freed blocks per size class in each thread's cache (tcache); the rest go through
/// the shared arena (a lock, and fastbins consolidated before each larger block is carved), which was ~20% of bulk
/// ingest's CPU. 1,000 per class takes that away (measured: 6.3 instead of 8.2 user-s for 20,000 reports). glibc reads
/// its tunables at start-up only, so the process re-executes itself once with them set — unless GLIBC_TUNABLES is
/// already set (the caller's choice is kept), or the exec fails (then it simply runs with the defaults).
func largerMallocCache() {
    #if os(Linux) && canImport(Glibc)
    let args = CommandLine.arguments
    guard args.count > 1, args[1] == "ingest" || args[1] == "serve", getenv("GLIBC_TUNABLES") == nil else { return }
    setenv("GLIBC_TUNABLES", "glibc.malloc.tcache_count=1000", 1)
    // By the binary's own path, so the process keeps its name (exec'ing /proc/self/exe names it "exe" in ps, pgrep
    // and top); /proc/self/exe only when that path is gone (the binary was replaced while running).
    var path = [CChar](repeating: 0, count: 4097)
    if readlink("/proc/self/exe", &path, 4096) > 0 { execv(path, CommandLine.unsafeArgv) }
    execv("/proc/self/exe", CommandLine.unsafeArgv)
    unsetenv("GLIBC_TUNABLES")                      // not re-executed: nothing changed
    #endif
}

struct Collector: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baseline-collector",
        abstract: "Fleet store and vendor health metrics for Baseline reports.",
        discussion: "Exit codes: 0 ok; 2 usage or configuration error (an option, the token file, a TLS file); 3 input unreadable or refused (nothing from a refused run is stored), store unavailable.",
        version: baselineVersion,
        subcommands: [Ingest.self, Report.self, Clusters.self, Prune.self, Serve.self])
}

struct StoreOptions: ParsableArguments {
    @Option(help: "The fleet store: a SQLite file (`ingest` and `serve` create it when missing) or postgres://user[:password]@host[:port]/database.")
    var db: String = "baseline-fleet.sqlite"

    /// The store; only `ingest` and `serve` create a missing SQLite file (`create`): a mistyped --db on a read-only
    /// command is an error, not an empty fleet.
    func open(create: Bool = false) throws -> FleetStore {
        let url = db.contains("://")      // postgres://…, or a scheme FleetStore names as unsupported
        if !create && !url && !FileManager.default.fileExists(atPath: db) {
            throw fail("no fleet store at \(db) (create one with `ingest` or `serve`)")
        }
        do { return try FleetStore(location: db) } catch { throw fail("\(db): cannot open the fleet store: \(error)") }
    }
}

struct InputOptions: ParsableArguments {
    @Option(help: "The report JSON Schema (default: Profiles/schema/report.schema.json, found next to the installation or in the working directory).")
    var schema: String?

    @Option(help: "Profiles directory, for the factory fingerprints vendor profiles declare (default: Profiles, found like the schema).")
    var profiles: String?

    func validator() throws -> SchemaValidator {
        guard let path = schema ?? Resources.find("Profiles/schema/report.schema.json") else {
            throw fail("cannot find Profiles/schema/report.schema.json: give --schema FILE")
        }
        do { return try SchemaValidator(path: path) } catch { throw fail("\(error)") }
    }

    func factory() throws -> FactoryFingerprints {
        guard let dir = profiles ?? Resources.find("Profiles") else { return FactoryFingerprints() }
        do { return try FactoryFingerprints(directory: dir) } catch { throw fail("\(error)") }
    }
}

enum Resources {
    /// `relative` under $BASELINE_HOME, the working directory, or the source tree the executable was built in.
    static func find(_ relative: String) -> String? {
        var roots: [String] = []
        if let home = ProcessInfo.processInfo.environment["BASELINE_HOME"] { roots.append(home) }
        roots.append(FileManager.default.currentDirectoryPath)
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        roots += [exe.appendingPathComponent("../../..").path, exe.appendingPathComponent("../share/baseline").path]
        return roots.map { $0 + "/" + relative }.first { FileManager.default.fileExists(atPath: $0) }
    }
}

func fail(_ message: String, code: Int32 = 3) -> ExitCode {
    FileHandle.standardError.write(Data(("baseline-collector: " + message + "\n").utf8))
    return ExitCode(code)
}

struct Ingest: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Store report files (a report, a JSON array of reports, or a scan document); directories are read for *.json.")

    @Argument(help: "Report files or directories.")
    var paths: [String]

    @Option(help: "The fleet the reports belong to.")
    var fleet: String = "default"

    @OptionGroup var store: StoreOptions
    @OptionGroup var input: InputOptions

    func run() throws {
        var files: [String] = []
        for p in paths {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: p, isDirectory: &isDir) else { throw fail("\(p): no such file or directory") }
            if isDir.boolValue {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: p)) ?? []
                files += names.filter { $0.hasSuffix(".json") }.sorted().map { p + "/" + $0 }
            } else { files.append(p) }
        }
        let validator = try input.validator()
        let factory = try input.factory()
        let s = try store.open(create: true)
        // One transaction for the whole run: the files are parsed and validated (on all cores) a group of reports
        // at a time while the store writes the group before; a bad file rolls everything back, so it stores nothing.
        let parsed = HandOff<[ReportDocument]>(capacity: 2)
        let inputs = files
        let producer = Thread {
            do {
                for f in inputs {
                    // Each file is read by a thread of its own and its first reports parsed as soon as they are in.
                    do {
                        let file = try ArrivingArray(path: f)
                        try ReportDocument.parse(file, source: f, validator: validator, factory: factory, group: 2000, taper: f == inputs.last,
                                                 yielding: true) { try parsed.put($0) }
                    }
                    catch let e as IngestError { throw fail(e.description) }
                }
                parsed.finish(nil)
            } catch { parsed.finish(error) }
        }
        producer.stackSize = 8 << 20
        producer.start()
        var count = 0
        let outcome: IngestOutcome
        do {
            outcome = try s.ingest(stream: { let d = try parsed.take(); count += d?.count ?? 0; return d }, fleet: fleet, factory: factory)
        } catch let e as ExitCode { throw e } catch {
            parsed.cancel()
            throw fail("\(store.db): cannot store (nothing stored): \(error)")
        }
        // SQLite: whether the one transaction went through the rollback journal (the store was not open elsewhere) or
        // through the WAL (a `serve` or another reader had it open): the second writes every page twice.
        let journal = s.isPostgres ? "" : s.lastBulkJournaled ? " (rollback journal)" : " (WAL: the store was open elsewhere)"
        print("ingested \(count) report(s) from \(files.count) file(s): \(outcome.stored) new, \(outcome.duplicates) already stored; \(try s.reportCount()) in \(store.db)\(journal)")
    }
}

/// A bounded hand-off from one producer thread to one consumer: `put` waits while `capacity` items are waiting; `take`
/// waits for the next item, returns nil at the end, or throws the producer's error.
final class HandOff<T>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [T] = []
    private var done = false
    private var error: Error?
    private var cancelled = false
    let capacity: Int
    init(capacity: Int) { self.capacity = capacity }

    struct Cancelled: Error {}

    func put(_ item: T) throws {
        condition.lock(); defer { condition.unlock() }
        while items.count >= capacity && !cancelled { condition.wait() }
        if cancelled { throw Cancelled() }
        items.append(item)
        condition.broadcast()
    }

    func finish(_ error: Error?) {
        condition.lock(); done = true; self.error = error; condition.broadcast(); condition.unlock()
    }

    func cancel() { condition.lock(); cancelled = true; condition.broadcast(); condition.unlock() }

    func take() throws -> T? {
        condition.lock(); defer { condition.unlock() }
        while items.isEmpty && !done { condition.wait() }
        if !items.isEmpty { let first = items.removeFirst(); condition.broadcast(); return first }
        if let error { throw error }
        return nil
    }
}

struct Report: ParsableCommand {
    enum Format: String, ExpressibleByArgument { case table, csv, json }

    static let configuration = CommandConfiguration(abstract: "Vendor health metrics over the latest report of every unit (or of one month).")

    @Option(help: "Group by vendor, model or firmware.")
    var by: Grouping = .vendor

    @Option(help: "all (the latest report of every unit), latest (the latest month) or a month YYYY-MM.")
    var period: String = "all"

    @Option(help: "table, csv or json.")
    var format: Format = .table

    @OptionGroup var store: StoreOptions

    func run() throws {
        let s = try store.open()
        do {
            let p = try CollectorPeriod.resolve(period, store: s)
            print(MetricsRenderer.render(try s.metrics(by: by, period: p), by: by, format: format.rawValue, period: p), terminator: "")
        } catch let e as ExitCode { throw e } catch { throw fail("\(store.db): \(error)") }
    }
}

struct Clusters: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The largest clusters of units sharing a host key or a password-hash fingerprint.")

    @Option(help: "How many clusters.")
    var limit: Int = 10

    @OptionGroup var store: StoreOptions

    func run() throws {
        let s = try store.open()
        let list: [SharedCluster]
        do { list = try s.clusters(limit: limit) } catch { throw fail("\(store.db): \(error)") }
        if list.isEmpty { print("no fingerprint is shared by two or more units") }
        for c in list {
            print("\(c.units) units share \(c.kind == "host_key" ? "host key" : "password hash") \(CollectorPeriod.short(c.fingerprint)): "
                  + c.byModel.map { "\($0.vendor) \($0.model) \($0.units)" }.joined(separator: ", "))
        }
    }
}

enum CollectorPeriod {
    static func resolve(_ p: String, store: FleetStore) throws -> String {
        if p == "all" { return p }
        let months = try store.periods()
        if p == "latest" { return months.last ?? "all" }
        guard p.count == 7, p.split(separator: "-").count == 2, Int(p.prefix(4)) != nil, Int(p.suffix(2)) != nil else {
            throw fail("--period \(p): expected all, latest or a month YYYY-MM", code: 2)
        }
        return p
    }

    /// A fingerprint shortened for display (a keyed password-hash fingerprint is not secret, but long).
    static func short(_ f: String) -> String { f.count > 40 ? String(f.prefix(40)) + "…" : f }
}

extension Grouping: ExpressibleByArgument {}

struct Prune: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Delete stored reports audited before a day that no period's metrics use (retention).",
        discussion: "A report that is a unit's latest in any period (all time, or its month) is kept, so metrics, clusters and unit rows do not change; older reports a newer one replaced go. A pruned report sent again is stored again, and replaces nothing.")

    @Option(help: "Delete reports audited before this day (YYYY-MM-DD) that no period uses.")
    var before: String

    @Option(name: .customLong("drop-months-before"), help: "First drop the months before this one (YYYY-MM) from the per-month metrics (the all-time metrics keep them), so their reports can go too.")
    var dropMonthsBefore: String?

    @OptionGroup var store: StoreOptions

    func run() throws {
        guard let day = CivilDate.parse(before) else { throw fail("--before: expected YYYY-MM-DD, found '\(before)'", code: 2) }
        if let m = dropMonthsBefore, CivilDate.parse(m + "-01") == nil || m.count != 7 {
            throw fail("--drop-months-before: expected YYYY-MM, found '\(m)'", code: 2)
        }
        let s = try store.open()
        let n: Int
        do { n = try s.prune(before: day.iso, dropMonthsBefore: dropMonthsBefore) } catch { throw fail("\(store.db): \(error)") }
        if let m = dropMonthsBefore { print("dropped the months before \(m) from the per-month metrics") }
        print("pruned \(n) report(s) audited before \(day.iso) that no period's metrics use")
    }
}
