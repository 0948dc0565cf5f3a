// The fleet key: the HMAC key that turns secrets into fingerprints a collector can compare across units without
// learning them. One loader and one fingerprint form for the CLI, the agent and `baseline fingerprint`.

public enum FleetKey {
    /// Reads a key file (trailing newlines dropped); at least 16 bytes. Errors are one line naming the file.
    public static func load(_ path: String) throws(ProfileError) -> [UInt8] {
        switch HostFile.read(path, limit: 4096) {
        case .ok(let b):
            var k = b
            while let last = k.last, last == 10 || last == 13 { k.removeLast() }
            guard k.count >= 16 else { throw ProfileError(file: path, line: 0, message: "fleet key too short (expected at least 16 bytes)") }
            return k
        case .failed(let why):
            throw ProfileError(file: path, line: 0, message: "cannot read fleet key: \(why)")
        }
    }

    /// HMAC-SHA256 of a secret under the key, as lower-case hex.
    public static func hmacHex(_ key: [UInt8], _ secret: [UInt8]) -> String {
        Hex.encode(HMACSHA256.authenticate(key: key, message: secret))
    }

    /// The form factory fingerprints and device ids use: "hmac-sha256:<hex>".
    public static func fingerprint(_ key: [UInt8], _ secret: [UInt8]) -> String { "hmac-sha256:" + hmacHex(key, secret) }

    /// Short public id of the key itself, so reports say which key made their fingerprints.
    public static func id(_ key: [UInt8]) -> String { "sha256:" + String(Hex.encode(SHA256.hash(key)).prefix(16)) }
}
