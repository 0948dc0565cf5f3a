// A stable identity of an offline root (an extracted root directory or the root inside a firmware image), so the
// same image audited twice is one unit in the fleet, and two images differ: SHA-256 over every entry's path and kind,
// the size of every regular file, the target of every symlink, and the content of every file under /etc and of
// /usr/lib/os-release (where versions and build ids live). Directory sizes, times and owners are left out: they
// change when the same image is extracted again. The same tree as a directory or inside an image gets the same id.
//
// Run it after the report is built: the view may note unreadable entries, which belong to no report.

public enum RootIdentity {
    public static let maxEntries = 200_000
    static let contentLimit = 256 * 1024

    /// "sha256:<64 hex>".
    public static func digest(_ fs: RootView) -> String {
        var h = SHA256()
        var queue: [String] = ["/"]
        var index = 0, seen = 0
        while index < queue.count && seen < maxEntries {
            let dir = queue[index]
            index += 1
            for name in fs.list(dir) {
                seen += 1
                if seen > maxEntries { break }
                let path = Text.join(dir, name)
                guard let info = fs.info(path, follow: false) else { h.update("?" + path + "\n"); continue }
                switch info.kind {
                case .directory:
                    h.update("d " + path + "\n")
                    queue.append(path)
                case .regular:
                    h.update("f " + path + " \(info.size)\n")
                    if path.hasPrefix("/etc/") || path == "/usr/lib/os-release", let bytes = fs.read(path, limit: contentLimit) {
                        h.update(Hex.encode(SHA256.hash(bytes)) + "\n")
                    }
                case .symlink: h.update("l " + path + " " + (fs.readLink(path) ?? "") + "\n")
                default: h.update("o " + path + "\n")
                }
            }
        }
        return "sha256:" + Hex.encode(h.finalize())
    }
}
