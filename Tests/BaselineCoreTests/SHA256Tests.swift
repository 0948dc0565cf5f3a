// SHA-256 and HMAC-SHA256 of BaselineCore, checked against swift-crypto and published test vectors.
import Crypto
import Testing
@testable import BaselineCore

private func referenceSHA256(_ data: [UInt8]) -> [UInt8] { Array(Crypto.SHA256.hash(data: data)) }

private func referenceHMAC(key: [UInt8], message: [UInt8]) -> [UInt8] {
    Array(HMAC<Crypto.SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
}

@Suite("SHA256")
struct SHA256Tests {
    @Test("FIPS 180-2 known answers")
    func knownAnswers() {
        #expect(Hex.encode(BaselineCore.SHA256.hash([])) ==
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Hex.encode(BaselineCore.SHA256.hash(bytes("abc"))) ==
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Hex.encode(BaselineCore.SHA256.hash(bytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))) ==
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test("empty input equals swift-crypto")
    func empty() {
        let d = BaselineCore.SHA256.hash([])
        #expect(d.count == 32)
        #expect(d == referenceSHA256([]))
    }

    @Test("\"abc\" equals swift-crypto")
    func abc() {
        #expect(BaselineCore.SHA256.hash(bytes("abc")) == referenceSHA256(bytes("abc")))
    }

    @Test("padding boundaries equal swift-crypto", arguments: [1, 55, 56, 57, 63, 64, 65, 111, 112, 119, 120, 127, 128, 129, 1000])
    func boundaries(length: Int) {
        let data = pseudoRandomBytes(length, seed: UInt64(length) &* 7919)
        #expect(BaselineCore.SHA256.hash(data) == referenceSHA256(data))
        // All-0x80 and all-zero data too, in case padding bytes are confused with payload.
        let ones = [UInt8](repeating: 0x80, count: length)
        #expect(BaselineCore.SHA256.hash(ones) == referenceSHA256(ones))
        let zeros = [UInt8](repeating: 0, count: length)
        #expect(BaselineCore.SHA256.hash(zeros) == referenceSHA256(zeros))
    }

    @Test("every length 0...300 equals swift-crypto")
    func allSmallLengths() {
        let data = pseudoRandomBytes(300, seed: 42)
        for n in 0...300 {
            let slice = Array(data[0..<n])
            #expect(BaselineCore.SHA256.hash(slice) == referenceSHA256(slice), "length \(n)")
        }
    }

    @Test("1 MB of random data equals swift-crypto")
    func oneMegabyte() {
        var rng = SystemRandomNumberGenerator()
        var data = [UInt8](repeating: 0, count: 1 << 20)
        for i in 0..<data.count { data[i] = UInt8.random(in: 0...255, using: &rng) }
        #expect(BaselineCore.SHA256.hash(data) == referenceSHA256(data))
    }

    @Test("incremental updates in odd chunk sizes equal one-shot", arguments: [1, 3, 7, 13, 31, 63, 64, 65, 127, 1000, 4097])
    func incremental(chunk: Int) {
        let data = pseudoRandomBytes(10_007, seed: UInt64(chunk))
        var h = BaselineCore.SHA256()
        var i = 0
        while i < data.count {
            let end = min(i + chunk, data.count)
            h.update(Array(data[i..<end]))
            i = end
        }
        let incremental = h.finalize()
        #expect(incremental == BaselineCore.SHA256.hash(data))
        #expect(incremental == referenceSHA256(data))
    }

    @Test("irregular chunk pattern including empty updates")
    func irregularChunks() {
        let data = pseudoRandomBytes(5000, seed: 99)
        let pattern = [0, 1, 62, 0, 2, 64, 129, 5, 0, 200, 55, 9]
        var h = BaselineCore.SHA256()
        var i = 0, k = 0
        while i < data.count {
            let end = min(i + pattern[k % pattern.count], data.count)
            h.update(Array(data[i..<end]))
            i = end
            k += 1
        }
        #expect(h.finalize() == referenceSHA256(data))
    }

    @Test("update(String) hashes the UTF-8 bytes")
    func updateString() {
        var h = BaselineCore.SHA256()
        h.update("grüße, ")
        h.update("мир 🌍")
        #expect(h.finalize() == referenceSHA256(bytes("grüße, мир 🌍")))
    }

    @Test("different inputs give different digests")
    func sensitivity() {
        var data = pseudoRandomBytes(200, seed: 5)
        let a = BaselineCore.SHA256.hash(data)
        data[100] ^= 1
        let b = BaselineCore.SHA256.hash(data)
        #expect(a != b)
        #expect(b == referenceSHA256(data))
    }
}

@Suite("HMAC-SHA256")
struct HMACSHA256Tests {
    @Test("RFC 4231 test case 1 and 2")
    func rfc4231() {
        let key1 = [UInt8](repeating: 0x0b, count: 20)
        #expect(Hex.encode(HMACSHA256.authenticate(key: key1, message: bytes("Hi There"))) ==
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        #expect(Hex.encode(HMACSHA256.authenticate(key: bytes("Jefe"), message: bytes("what do ya want for nothing?"))) ==
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test("RFC 4231 test case 6: 131-byte key")
    func rfc4231LongKey() {
        let key = [UInt8](repeating: 0xaa, count: 131)
        let msg = bytes("Test Using Larger Than Block-Size Key - Hash Key First")
        #expect(Hex.encode(HMACSHA256.authenticate(key: key, message: msg)) ==
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    @Test("key lengths around the block size equal swift-crypto", arguments: [0, 1, 16, 32, 63, 64, 65, 100, 128, 200])
    func keyLengths(keyLength: Int) {
        let key = pseudoRandomBytes(keyLength, seed: UInt64(keyLength) + 1000)
        for msgLength in [0, 1, 55, 56, 64, 65, 1000] {
            let msg = pseudoRandomBytes(msgLength, seed: UInt64(msgLength) + 7)
            #expect(HMACSHA256.authenticate(key: key, message: msg) == referenceHMAC(key: key, message: msg),
                    "key \(keyLength) message \(msgLength)")
        }
    }

    @Test("a key longer than 64 bytes is equivalent to its SHA-256")
    func longKeyIsHashed() {
        let key = pseudoRandomBytes(100, seed: 3)
        let msg = bytes("message")
        #expect(HMACSHA256.authenticate(key: key, message: msg) ==
            HMACSHA256.authenticate(key: BaselineCore.SHA256.hash(key), message: msg))
    }

    @Test("different keys give different tags")
    func keySensitivity() {
        let msg = bytes("same message")
        let a = HMACSHA256.authenticate(key: bytes("key-a"), message: msg)
        let b = HMACSHA256.authenticate(key: bytes("key-b"), message: msg)
        #expect(a != b)
        #expect(a.count == 32)
    }
}
