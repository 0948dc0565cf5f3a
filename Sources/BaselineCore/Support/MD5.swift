// MD5 (RFC 1321) and the MD5-crypt construction, for Apache's `$apr1$` htpasswd hashes, which libcrypt does not
// know (the same algorithm as `$1$` with another magic string). Not used for anything but testing such hashes.

public struct MD5 {
    private var state: [UInt32] = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476]
    private var buffer: [UInt8] = []
    private var length: UInt64 = 0

    static let s: [UInt32] = [7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                              5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
                              4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                              6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21]
    static let k: [UInt32] = [
        0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
        0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
        0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
        0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
        0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
        0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
        0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
        0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391]

    public init() {}

    public static func hash(_ data: [UInt8]) -> [UInt8] {
        var m = MD5()
        m.update(data)
        return m.finish()
    }

    public mutating func update(_ data: [UInt8]) {
        length &+= UInt64(data.count)
        buffer += data
        var offset = 0
        while buffer.count - offset >= 64 {
            block(buffer, offset)
            offset += 64
        }
        if offset > 0 { buffer.removeFirst(offset) }
    }

    public mutating func finish() -> [UInt8] {
        let bits = length &* 8
        var pad: [UInt8] = [0x80]
        while (buffer.count + pad.count) % 64 != 56 { pad.append(0) }
        for i in 0..<8 { pad.append(UInt8(truncatingIfNeeded: bits >> (8 * UInt64(i)))) }
        let saved = length
        update(pad)
        length = saved
        var out: [UInt8] = []
        for w in state { for i in 0..<4 { out.append(UInt8(truncatingIfNeeded: w >> (8 * UInt32(i)))) } }
        return out
    }

    private mutating func block(_ b: [UInt8], _ o: Int) {
        var m = [UInt32](repeating: 0, count: 16)
        for i in 0..<16 {
            m[i] = UInt32(b[o + 4 * i]) | UInt32(b[o + 4 * i + 1]) << 8 | UInt32(b[o + 4 * i + 2]) << 16 | UInt32(b[o + 4 * i + 3]) << 24
        }
        var a = state[0], bb = state[1], c = state[2], d = state[3]
        for i in 0..<64 {
            var f: UInt32
            var g: Int
            switch i {
            case 0..<16: f = (bb & c) | (~bb & d); g = i
            case 16..<32: f = (d & bb) | (~d & c); g = (5 * i + 1) % 16
            case 32..<48: f = bb ^ c ^ d; g = (3 * i + 5) % 16
            default: f = c ^ (bb | ~d); g = (7 * i) % 16
            }
            f = f &+ a &+ MD5.k[i] &+ m[g]
            a = d; d = c; c = bb
            bb = bb &+ ((f << MD5.s[i]) | (f >> (32 - MD5.s[i])))
        }
        state[0] = state[0] &+ a; state[1] = state[1] &+ bb; state[2] = state[2] &+ c; state[3] = state[3] &+ d
    }
}

public enum MD5Crypt {
    static let alphabet = Array("./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    /// MD5-crypt of `password` with the magic and salt of `setting` ("$apr1$salt$…" or "$1$salt$…"); nil when the
    /// setting has another prefix.
    public static func hash(_ password: String, setting: String) -> String? {
        var magic: [UInt8]
        if setting.hasPrefix("$apr1$") { magic = Array("$apr1$".utf8) } else if setting.hasPrefix("$1$") { magic = Array("$1$".utf8) } else { return nil }
        var salt: [UInt8] = []
        for c in Array(setting.utf8).dropFirst(magic.count) {
            if c == 36 || salt.count == 8 { break }
            salt.append(c)
        }
        let pw = Array(password.utf8)
        var ctx = MD5()
        ctx.update(pw + magic + salt)
        var fin = MD5.hash(pw + salt + pw)
        var pl = pw.count
        while pl > 0 { ctx.update(Array(fin[0..<min(pl, 16)])); pl -= 16 }
        var i = pw.count
        while i != 0 {
            ctx.update((i & 1) != 0 ? [0] : [pw.first ?? 0])
            i >>= 1
        }
        fin = ctx.finish()
        for r in 0..<1000 {
            var c = MD5()
            c.update((r & 1) != 0 ? pw : fin)
            if r % 3 != 0 { c.update(salt) }
            if r % 7 != 0 { c.update(pw) }
            c.update((r & 1) != 0 ? fin : pw)
            fin = c.finish()
        }
        var out = magic + salt + [36]
        func to64(_ v: UInt32, _ n: Int) {
            var v = v
            for _ in 0..<n { out.append(alphabet[Int(v & 0x3f)]); v >>= 6 }
        }
        for (x, y, z) in [(0, 6, 12), (1, 7, 13), (2, 8, 14), (3, 9, 15), (4, 10, 5)] {
            to64(UInt32(fin[x]) << 16 | UInt32(fin[y]) << 8 | UInt32(fin[z]), 4)
        }
        to64(UInt32(fin[11]), 2)
        return String(decoding: out, as: UTF8.self)
    }

    /// True when `password` hashes to `hash` (constant-time comparison).
    public static func matches(_ password: String, hash: String) -> Bool {
        guard let h = self.hash(password, setting: hash) else { return false }
        return Text.constantTimeEqual(h, hash)
    }
}
