// An in-memory root filesystem built from a firmware image (tar, cpio, SquashFS…) by the host, so the same root
// view — and therefore the same facts and checks — run on an image without extracting it to disk.
// Paths are canonical ("/etc/passwd"); parents are created implicitly as directories.

public final class ImageTree {
    public enum Node {
        case directory
        case file(content: [UInt8], size: Int, mode: UInt32, complete: Bool)
        case symlink(String)
        case special(FileKind)
    }

    var nodes: [String: Node] = ["/": .directory]
    var children: [String: [String]] = ["/": []]

    public init() {}

    static func parent(_ path: String) -> (String, String) {
        let u = Array(path.utf8)
        guard let slash = u.lastIndex(of: 47) else { return ("/", path) }
        let dir = slash == 0 ? "/" : String(decoding: u[0..<slash], as: UTF8.self)
        return (dir, String(decoding: u[(slash + 1)...], as: UTF8.self))
    }

    func ensureDirectory(_ path: String) {
        if nodes[path] != nil { return }
        let (dir, name) = ImageTree.parent(path)
        ensureDirectory(dir)
        nodes[path] = .directory
        children[path] = []
        children[dir, default: []].append(name)
    }

    /// Adds (or replaces: later archive members win, as when extracting) the node at a canonical path.
    public func add(_ path: String, _ node: Node) {
        if path == "/" { return }
        let (dir, name) = ImageTree.parent(path)
        ensureDirectory(dir)
        if nodes[path] == nil { children[dir, default: []].append(name) }
        if case .directory = node, children[path] == nil { children[path] = [] }
        nodes[path] = node
    }

    public func node(_ path: String) -> Node? { nodes[path] }
    public func names(_ dir: String) -> [String] { children[dir] ?? [] }
}

extension ImageTree {
    /// Every regular file: its path, declared size and the content kept in memory (in no particular order).
    public func forEachFile(_ body: (String, Int, [UInt8]) -> Void) {
        for (path, node) in nodes {
            if case .file(let content, let size, _, _) = node { body(path, size, content) }
        }
    }
}
