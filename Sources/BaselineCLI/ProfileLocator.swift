// Where profiles are found: a path, or an id looked up in $BASELINE_PROFILES, ./Profiles, the repository next to the
// built binary and <prefix>/share/baseline/Profiles next to an installed one (`make install PREFIX=…`). Also what
// `baseline profiles` lists, and the "did you mean" for a mistyped id.
import BaselineCore
import Foundation

enum ProfileLocator {
    static func searchDirs() -> [String] {
        var dirs: [String] = []
        if let env = ProcessInfo.processInfo.environment["BASELINE_PROFILES"], !env.isEmpty { dirs.append(env) }
        dirs.append(FileManager.default.currentDirectoryPath + "/Profiles")
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        // .build/<config>/baseline → repository root; <prefix>/bin/baseline → <prefix>/share/baseline/Profiles
        dirs.append(exe.appendingPathComponent("../../Profiles").standardized.path)
        dirs.append(exe.appendingPathComponent("../../../Profiles").standardized.path)
        dirs.append(exe.appendingPathComponent("../share/baseline/Profiles").standardized.path)
        var seen = Set<String>()
        return dirs.filter { seen.insert(URL(fileURLWithPath: $0).standardized.path).inserted }
    }

    /// Paths under the working directory are shown relative to it (shorter evidence, no host layout in reports).
    static func relative(_ path: String) -> String {
        let cwd = FileManager.default.currentDirectoryPath + "/"
        return path.hasPrefix(cwd) ? String(path.dropFirst(cwd.count)) : path
    }

    /// A profile path, or an id looked up in the profile directories.
    static func locate(_ name: String) -> String? {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: name, isDirectory: &isDir), !isDir.boolValue { return name }
        if name.contains("/") { return nil }
        let id = name.hasSuffix(".json") ? String(name.dropLast(5)) : name
        return ProfileLoader.locate(id: id, in: searchDirs()).map(relative)
    }

    /// The profile `name` names, loaded with `extends` resolved (ids in `extends` looked up in the same directories).
    static func load(_ name: String, context: String = "") throws -> Profile {
        guard let path = locate(name) else { throw die(context + notFound(name), code: 2) }
        do { return try ProfileLoader.load(path, searchDirs: searchDirs()) } catch { throw die(error.text, code: 2) }
    }

    /// One line for an id or path that names no profile: where it was looked for, and the nearest id.
    static func notFound(_ name: String) -> String {
        var line = "profile '\(name)': no such file, and no profile with that id in " + searchDirs().joined(separator: ", ")
            + " (BASELINE_PROFILES adds a directory; `baseline profiles` lists them)"
        if let near = suggestion(for: name) { line += "; did you mean '\(near)'?" }
        return line
    }

    struct Entry {
        let id: String
        let title: String
        let extends: [String]
        let file: String
    }

    /// Every profile in the search directories (the first of an id wins, as `locate` picks it), by id.
    static func all() -> [Entry] {
        var out: [String: Entry] = [:]
        var order: [String] = []
        for d in searchDirs() {
            for sub in ["", "vendors/", "baselines/"] {
                let dir = d + "/" + sub
                guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { continue }
                for n in names.sorted() where n.hasSuffix(".json") {
                    let path = dir + n
                    // Files that are not profiles (or not JSON) are not listed; `baseline profile FILE` says what is wrong with one.
                    guard let data = FileManager.default.contents(atPath: path),
                          let obj = try? JSONParser.parse([UInt8](data)),
                          obj["schema"]?.string == ProfileLoader.schemaID, let id = obj["id"]?.string, out[id] == nil else { continue }
                    let ext = obj["extends"]?.strings ?? (obj["extends"]?.string).map { [$0] } ?? []
                    out[id] = Entry(id: id, title: obj["title"]?.string ?? "", extends: ext, file: relative(URL(fileURLWithPath: path).standardized.path))
                    order.append(id)
                }
            }
        }
        return order.compactMap { out[$0] }
    }

    /// The known id nearest to `name` (edit distance at most a third of its length, at least 2), if any.
    static func suggestion(for name: String) -> String? {
        let wanted = Array((name.hasSuffix(".json") ? String(name.dropLast(5)) : name).lowercased())
        guard !wanted.isEmpty, !name.contains("/") else { return nil }
        var best: (String, Int)?
        for e in all() {
            let d = distance(wanted, Array(e.id.lowercased()))
            if d <= max(2, wanted.count / 3), d < (best?.1 ?? Int.max) { best = (e.id, d) }
        }
        return best?.0
    }

    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        var prev = Array(0...b.count)
        for i in 1...max(1, a.count) where !a.isEmpty {
            var cur = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(1, b.count) where !b.isEmpty {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            prev = cur
        }
        return a.isEmpty ? b.count : b.isEmpty ? a.count : prev[b.count]
    }
}
