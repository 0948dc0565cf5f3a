// The host-side audit of a device no agent build fits (MIPS, PowerPC…): the files the checks read are fetched over
// the SSH session — a tar stream of the configuration and package databases, the component binaries, and the live
// /proc and /sys files printed one by one — into an in-memory tree; the same root view, facts and checks then run on
// the host. Nothing is written on the device.
import BaselineCore
import BaselineImages
import CImageReaders
import Foundation

public enum RemoteRoot {
    /// Paths archived with tar (those that exist), relative to /: what FactSources lists the facts read — trees,
    /// single files, component binaries. Key directories outside the trees (/var/lib, /opt, /data…) are searched on the
    /// device and only files holding a PEM private key come back (`keyFiles`); programs whose presence is the fact
    /// come back as empty executables (`present`).
    static let archived = (FactSources.trees + FactSources.files + FactSources.componentBinaries.map(\.path)).map { String($0.dropFirst()) }
    static let keySearched = FactSources.keyDirs.filter { d in !FactSources.trees.contains { d == $0 || d.hasPrefix($0 + "/") } }
    /// Live files printed with cat (tar stores /proc and /sys files as empty).
    static let live = FactSources.live
    static let marker = "\u{1E}BASELINE-FILE "

    public static func fetch(_ c: SSHConnection, limit: Int64 = 256 << 20) throws(SSHError) -> (RootView, [FSProblem]) {
        let list = archived.map { "'\($0)'" }.joined(separator: " ")
        let libs = FactSources.libraryDirs.map { d in "\(d.dropFirst())/libcrypto.so* \(d.dropFirst())/*/libcrypto.so* \(d.dropFirst())/*uClibc*" }.joined(separator: " ")
        // Private keys in large directories: files up to the key scan's size limit that hold a PEM private key.
        let keyFind = keySearched.map { "'\($0.dropFirst())'" }.joined(separator: " ")
        let keyFiles = "for f in $(find \(keyFind) -xdev -type f -size -\(DeviceFacts.keyScanMaxBytes / 1024 + 1)k 2>/dev/null | head -n 2000); do "
            + "grep -q 'PRIVATE KEY' \"$f\" 2>/dev/null && set -- \"$@\" \"$f\"; done; "
        let tarCmd = "cd / && set -- ; for p in \(list) \(libs); do [ -e \"$p\" ] && set -- \"$@\" \"$p\"; done; \(keyFiles)tar -cf - \"$@\" 2>/dev/null"
        let t = try c.exec(tarCmd, limit: Int(limit))
        guard t.stdout.count >= 512 else { throw SSHError(status: .error, message: "the device returned no tar stream (is tar available?): \(t.stderr)") }
        let fd = bl_spool_fd()
        guard fd >= 0 else { throw SSHError(status: .error, message: "cannot hold the device's files in memory") }
        defer { close(fd) }
        _ = t.stdout.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let loaded: LoadedImage
        do { loaded = try ArchiveImage.load("/proc/self/fd/\(fd)", label: "files from \(c.host):\(c.port)") } catch {
            throw SSHError(status: .error, message: error.message)
        }
        let tree = loaded.tree
        // live files and directory listings: "<marker>path" then the content
        let cats = live.map { "[ -r \($0) ] && { echo '\(marker)\($0)'; cat \($0); }" }
            + ["for f in \(FactSources.netInterfaces)/*/address; do [ -r \"$f\" ] && { echo \"\(marker)$f\"; cat \"$f\"; }; done",
               "for d in " + FactSources.modulesDirs.map { $0 + "/*" }.joined(separator: " ") + "; do [ -d \"$d\" ] && echo \"\(marker)$d/\"; done",
               "for p in " + FactSources.programs.joined(separator: " ") + "; do [ -e \"$p\" ] && echo \"\(marker)$p*\"; done"]
        let l = try c.exec(cats.joined(separator: "; ") + "; true", limit: 8 << 20)
        var path: String? = nil
        var content: [UInt8] = []
        func flush() {
            guard let p = path else { return }
            if p.hasSuffix("/") { tree.add(String(p.dropLast()), .directory) }
            else if p.hasSuffix("*") {          // a program that exists: its presence, not its bytes
                let path = String(p.dropLast())
                if tree.node(path) == nil { tree.add(path, .file(content: [], size: 0, mode: 0o755, complete: false)) }
            }
            else { tree.add(p, .file(content: content, size: content.count, mode: 0o444, complete: true)) }
        }
        let m = Array(marker.utf8)
        var i = 0
        let b = l.stdout
        while i < b.count {
            var end = i
            while end < b.count && b[end] != 10 { end += 1 }
            let line = Array(b[i..<end])
            if line.starts(with: m) {
                flush()
                path = String(decoding: line[m.count...], as: UTF8.self)
                content = []
            } else if path != nil {
                content += line
                if end < b.count { content.append(10) }
            }
            i = end + 1
        }
        flush()
        let fs = RootView(image: tree, label: "\(c.host):\(c.port)")
        return (fs, loaded.problems)
    }

    /// Fetches the device's files and audits them on the host with the profile.
    public static func audit(_ c: SSHConnection, setup: AgentSetup) throws(SSHError) -> Report {
        let (fs, problems) = try fetch(c)
        fs.record(problems)
        let profile: Profile
        do { profile = try ProfileLoader.load(setup.profile, searchDirs: [setup.profilesRoot]) } catch { throw SSHError(status: .error, message: error.text) }
        let today = setup.date.flatMap { CivilDate.parse($0) } ?? CivilDate.fromEpochSeconds(Int64(Date().timeIntervalSince1970))
        let options = AuditOptions(today: today, generatedAt: Int64(Date().timeIntervalSince1970), fleetKey: setup.fleetKey,
                                   sourceKind: "live", sourcePath: "ssh://\(c.host):\(c.port)/")
        do {
            var report = try Auditor.run(fs: fs, profile: profile, options: options)
            report.sourceFormat = "files read over SSH, audited on the host"
            return report
        } catch { throw SSHError(status: .error, message: error.text) }
    }
}
