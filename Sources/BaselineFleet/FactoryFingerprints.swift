// The fingerprints vendor profiles list as baked into their factory images (`factory_fingerprints`), read from the
// profile files (with the core's JSON parser), so the collector can count the units that still carry them.
import BaselineCore
import Foundation

public struct FactoryFingerprints: Sendable {
    var byProfile: [String: (extends: [String], prints: Set<String>)] = [:]

    public init() {}

    /// Every `*.json` profile under `directory` (recursively); JSON files of other kinds (schemas, EOL data) are
    /// skipped, a file that is not JSON is an error.
    public init(directory: String) throws {
        let fm = FileManager.default
        guard let walker = fm.enumerator(atPath: directory) else { throw StoreError("\(directory): cannot read the profiles directory") }
        for case let rel as String in walker where rel.hasSuffix(".json") {
            let path = directory + "/" + rel
            guard let data = fm.contents(atPath: path) else { throw StoreError("\(path): cannot read") }
            let o: JSONNode
            do throws(JSONError) { o = try JSONParser.parse([UInt8](data)) } catch {
                throw StoreError("\(path): not JSON (line \(error.line): \(error.message))")
            }
            guard o["schema"]?.string?.hasPrefix("baseline.profile/") == true, let id = o["id"]?.string else { continue }
            let ext: [String] = o["extends"]?.strings ?? [o["extends"]?.string].compactMap { $0 }
            byProfile[id] = (ext, Set(o["factory_fingerprints"]?.strings ?? []))
        }
    }

    /// The factory fingerprints of a report's profile chain.
    func fingerprints(for chain: [String]) -> Set<String> {
        var out = Set<String>(), seen = Set<String>(), queue = chain
        while let id = queue.popLast() {
            guard seen.insert(id).inserted, let p = byProfile[id] else { continue }
            out.formUnion(p.prints)
            queue += p.extends
        }
        return out
    }
}
