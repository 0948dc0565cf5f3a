// `baseline-collector`: reports from agents, scans, audits and captures into a fleet store, and vendor metrics out.
// This first part: bulk ingest from files and the vendor/model/firmware report on SQLite. (The HTTP API, PostgreSQL,
// Prometheus and the dashboard are not built yet: README, "Status".)
import ArgumentParser
import BaselineFleet
import Foundation

@main
struct Collector: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baseline-collector",
        abstract: "Fleet store and vendor health metrics for Baseline reports.",
        discussion: "Exit codes: 0 ok; 2 usage error; 3 input unreadable or refused (nothing from a refused file is stored).",
        subcommands: [Ingest.self, Report.self])
}

struct StoreOptions: ParsableArguments {
    @Option(help: "SQLite database file (created when missing).")
    var db: String = "baseline-fleet.sqlite"

    func open() throws -> FleetStore {
        do { return try FleetStore(path: db) } catch { throw fail("\(db): cannot open the fleet store: \(error)") }
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

    @OptionGroup var store: StoreOptions

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
        // Every file is parsed and validated before anything is stored: a bad file stores nothing.
        var docs: [ReportDocument] = []
        for f in files {
            guard let data = FileManager.default.contents(atPath: f) else { throw fail("\(f): cannot read") }
            do { docs += try ReportDocument.parse(data, source: f) } catch let e as IngestError { throw fail(e.description) }
        }
        let s = try store.open()
        let fresh: Int
        do { fresh = try s.ingest(docs) } catch { throw fail("\(store.db): cannot store: \(error)") }
        print("ingested \(docs.count) report(s) from \(files.count) file(s): \(fresh) new, \(docs.count - fresh) already stored; \(try s.reportCount()) in \(store.db)")
    }
}

struct Report: ParsableCommand {
    enum Format: String, ExpressibleByArgument { case table, csv, json }

    static let configuration = CommandConfiguration(abstract: "Vendor health metrics over the latest report of every unit.")

    @Option(help: "Group by vendor, model or firmware.")
    var by: Grouping = .vendor

    @Option(help: "table, csv or json.")
    var format: Format = .table

    @OptionGroup var store: StoreOptions

    func run() throws {
        let s = try store.open()
        let metrics: [GroupMetrics]
        do { metrics = try VendorMetrics.compute(s, by: by) } catch { throw fail("\(store.db): \(error)") }
        print(MetricsRenderer.render(metrics, by: by, format: format.rawValue), terminator: "")
    }
}

extension Grouping: ExpressibleByArgument {}
