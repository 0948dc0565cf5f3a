// Hex and Base64 of BaselineCore, checked against Foundation.
import Foundation
import Testing
@testable import BaselineCore

@Suite("Base64")
struct Base64Tests {
    @Test("RFC 4648 section 10 test vectors")
    func rfcVectors() {
        let vectors: [(String, String)] = [
            ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy"),
        ]
        for (plain, encoded) in vectors {
            #expect(Base64.encode(bytes(plain)) == encoded)
            #expect(Base64.decode(bytes(encoded)) == bytes(plain))
        }
    }

    @Test("encoding equals Foundation for lengths 0...300")
    func encodeMatchesFoundation() {
        let data = pseudoRandomBytes(300, seed: 11)
        for n in 0...300 {
            let slice = Array(data[0..<n])
            let expected = Data(slice).base64EncodedString()
            #expect(Base64.encode(slice) == expected, "length \(n)")
            var unpadded = expected
            while unpadded.hasSuffix("=") { unpadded.removeLast() }
            #expect(Base64.encode(slice, padding: false) == unpadded, "unpadded length \(n)")
        }
    }

    @Test("decoding Foundation's output round-trips")
    func decodeFoundationOutput() {
        for n in [0, 1, 2, 3, 4, 5, 63, 64, 65, 1000, 4099] {
            let data = pseudoRandomBytes(n, seed: UInt64(n) + 1)
            let text = Data(data).base64EncodedString()
            #expect(Base64.decode(bytes(text)) == data, "length \(n)")
            // And Foundation decodes ours.
            #expect(Data(base64Encoded: Base64.encode(data)).map { [UInt8]($0) } == data)
        }
    }

    @Test("all 256 byte values round-trip")
    func allBytes() {
        let data = (0...255).map { UInt8($0) }
        let encoded = Base64.encode(data)
        #expect(encoded == Data(data).base64EncodedString())
        #expect(Base64.decode(bytes(encoded)) == data)
    }

    @Test("whitespace and line breaks are ignored")
    func whitespace() {
        let data = pseudoRandomBytes(200, seed: 77)
        let wrapped = Data(data).base64EncodedString(options: [.lineLength64Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        #expect(wrapped.contains("\r\n"))
        #expect(Base64.decode(bytes(wrapped)) == data)
        #expect(Base64.decode(bytes(" Zm9v\tYmFy \n")) == bytes("foobar"))
    }

    @Test("unpadded input decodes")
    func unpadded() {
        #expect(Base64.decode(bytes("Zm9vYg")) == bytes("foob"))
        #expect(Base64.decode(bytes("Zm9vYmE")) == bytes("fooba"))
    }

    @Test("invalid characters return nil", arguments: [
        "Zm9v!", "Zm9v*YmFy", "Zm9-", "Zm9_", "Zm9vYmFy\u{0}", "Zm9vé", ".", "Zm9v\u{7f}",
    ])
    func invalidCharacters(text: String) {
        #expect(Base64.decode(bytes(text)) == nil)
    }

    @Test("data after padding returns nil", arguments: ["Zg==Zg==", "Zm8=Zm9v", "Zg=a", "=Zm9v"])
    func dataAfterPadding(text: String) {
        #expect(Base64.decode(bytes(text)) == nil)
    }

    @Test("a dangling single sextet (length 1 mod 4) is rejected",
          arguments: ["Z", "Zm9vY", "Zm9vY===", "Zm9vYmFyZ"])
    func truncatedQuantum(text: String) {
        #expect(Base64.decode(bytes(text)) == nil)
    }
}

@Suite("Hex")
struct HexTests {
    @Test("known values")
    func known() {
        #expect(Hex.encode([]) == "")
        #expect(Hex.encode([0x00]) == "00")
        #expect(Hex.encode([0xde, 0xad, 0xbe, 0xef]) == "deadbeef")
        #expect(Hex.encode([0x0f, 0xf0, 0x01]) == "0ff001")
    }

    @Test("all byte values equal Foundation's %02x")
    func allBytes() {
        let data = (0...255).map { UInt8($0) }
        let expected = data.map { String(format: "%02x", $0) }.joined()
        let encoded = Hex.encode(data)
        #expect(encoded == expected)
        #expect(encoded.count == 512)
    }

    @Test("hex round trip through a manual decoder")
    func roundTrip() {
        let data = pseudoRandomBytes(1000, seed: 8)
        let text = Hex.encode(data)
        var decoded: [UInt8] = []
        var i = text.startIndex
        while i < text.endIndex {
            let j = text.index(i, offsetBy: 2)
            decoded.append(UInt8(text[i..<j], radix: 16)!)
            i = j
        }
        #expect(decoded == data)
    }
}
