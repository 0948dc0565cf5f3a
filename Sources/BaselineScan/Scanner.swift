// Many devices: at most `concurrency` at once (never two connections' worth of guessing on one device: each device
// is scanned by one worker from start to end), results in the order given, progress reported as devices finish.
import Foundation

public enum Scanner {
    /// Shared by the workers; every field is touched only under `lock`.
    final class Work: @unchecked Sendable {
        let lock = NSLock()
        let targets: [ScanTarget]
        let options: ScanOptions
        let progress: (Int, Int, DeviceResult) -> Void
        var results: [DeviceResult?]
        var next = 0, done = 0
        init(_ t: [ScanTarget], _ o: ScanOptions, _ p: @escaping (Int, Int, DeviceResult) -> Void) {
            targets = t; options = o; progress = p; results = Array(repeating: nil, count: t.count)
        }
        func take() -> Int? {
            lock.lock(); defer { lock.unlock() }
            if next >= targets.count { return nil }
            next += 1
            return next - 1
        }
        func finish(_ i: Int, _ r: DeviceResult) {
            lock.lock(); defer { lock.unlock() }
            results[i] = r
            done += 1
            progress(done, targets.count, r)
        }
    }

    public static func run(_ targets: [ScanTarget], _ o: ScanOptions, concurrency: Int,
                           progress: @escaping (Int, Int, DeviceResult) -> Void) -> [DeviceResult] {
        let work = Work(targets, o, progress)
        let group = DispatchGroup()
        for _ in 0..<max(1, min(concurrency, targets.count)) {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                while let i = work.take() { work.finish(i, DeviceScan.scan(work.targets[i], work.options)) }
            }
        }
        group.wait()
        return work.results.map { $0! }
    }
}

/// What only a view across devices shows: units that share a host key, units that open with a default credential.
public struct ScanSummary {
    public var byStatus: [(String, Int)] = []
    public var sharedHostKeys: [(fingerprint: String, type: String, devices: [String])] = []
    public var defaultCredentials: [(user: String, source: String, devices: [String])] = []
    /// Devices the scan could not examine (refused, unreachable, timed out, not SSH, dropped, …): a scan that reached
    /// nothing has found nothing, which is not a pass.
    public var notReached: [String] = []

    /// "fail" (a default credential works, devices share a host key), else "incomplete" (a device not reached),
    /// else "pass".
    public var verdict: String {
        if !defaultCredentials.isEmpty || !sharedHostKeys.isEmpty { return "fail" }
        return notReached.isEmpty ? "pass" : "incomplete"
    }

    public init(_ results: [DeviceResult]) {
        var counts: [String: Int] = [:]
        for r in results { counts[r.status.rawValue, default: 0] += 1 }
        byStatus = counts.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        var keys: [String: (String, [String])] = [:]
        var order: [String] = []
        for r in results {
            for k in r.hostKeys {
                if keys[k.fingerprint] == nil { keys[k.fingerprint] = (k.type, []); order.append(k.fingerprint) }
                if !keys[k.fingerprint]!.1.contains(r.target.label) { keys[k.fingerprint]!.1.append(r.target.label) }
            }
        }
        sharedHostKeys = order.compactMap { fp in
            let (type, devices) = keys[fp]!
            return devices.count > 1 ? (fp, type, devices) : nil
        }.sorted { $0.devices.count > $1.devices.count }
        var creds: [String: (String, String, [String])] = [:]
        var corder: [String] = []
        for r in results {
            guard let c = r.defaultCredential else { continue }
            let key = c.user + "\u{0}" + c.source
            if creds[key] == nil { creds[key] = (c.user, c.source, []); corder.append(key) }
            creds[key]!.2.append(r.target.label)
        }
        defaultCredentials = corder.map { creds[$0]! }.map { (user: $0.0, source: $0.1, devices: $0.2) }
        notReached = results.filter { !$0.status.isReachable }.map { $0.target.label }
    }
}
