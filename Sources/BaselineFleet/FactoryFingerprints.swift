// The fingerprints vendor profiles list as baked into their factory images (`factory_fingerprints`), read through the
// core's ProfileLoader (inheritance resolved as an audit resolves it), so the collector can count the units that still
// carry them.
import BaselineCore
import Foundation

public struct FactoryFingerprints: Sendable {
    /// Profile id → the factory fingerprints of that profile and every profile it extends.
    var byProfile: [String: Set<String>] = [:]

    public init() {}

    /// Every `*.json` profile under `directory` (recursively), loaded with `extends` resolved (ids looked up in the
    /// directory, its vendors/ and baselines/); JSON files of other kinds (schemas, EOL data) are skipped; a file that
    /// is not JSON, or a profile the loader refuses, is an error.
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
            guard o["schema"]?.string?.hasPrefix("baseline.profile/") == true else { continue }
            do throws(ProfileError) {
                let p = try ProfileLoader.load(path, searchDirs: [directory])
                byProfile[p.id] = Set(p.factoryFingerprints)
            } catch { throw StoreError(error.text) }
        }
    }

    /// The factory fingerprints of a report's profile chain.
    func fingerprints(for chain: [String]) -> Set<String> {
        var out = Set<String>()
        for id in chain { if let p = byProfile[id] { out.formUnion(p) } }
        return out
    }
}
