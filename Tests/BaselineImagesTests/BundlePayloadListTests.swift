// What a signed update descriptor lists for its payload (issue 17): SWUpdate's sw-description (libconfig, with
// comments, nested board sections, images/files/scripts) and Mender's manifest. The SHA-256 of each listed file is
// checked against the bundle by BundleVerifier; a file without one is not covered by the signature.
@testable import BaselineImages
import Testing

struct BundlePayloadListTests {
    @Test func swDescriptionBlocksWithFilenames() {
        let text = """
        software =
        {
            version = "1.0.1"; // a comment with filename = "not-this";
            /* block comment { filename = "nor-this"; } */
            gw7100: {
                hardware-compatibility: [ "1.0" ];
                images: (
                    { filename = "rootfs.ext4.gz"; device = "/dev/mmcblk0p2"; sha256 = "AB12"; },
                    { filename: "kernel.itb"; sha256: "cd34"; }
                );
                scripts: ( { filename = "post.sh"; type = "shellscript"; } );
            };
            # again for another board: listed once
            gw7200: { images: ( { filename = "rootfs.ext4.gz"; sha256 = "ab12"; } ); };
        }
        """
        let got = BundleVerifier.listedPayload(.swupdate, Array(text.utf8))
        #expect(got.map { $0.path } == ["rootfs.ext4.gz", "kernel.itb", "post.sh"])
        #expect(got.map { $0.sha256 } == ["AB12", "cd34", nil])
    }

    @Test func menderManifestLines() {
        let a = String(repeating: "a", count: 64), b = String(repeating: "b", count: 64)
        let text = "\(a)  data/0000/rootfs.ext4\n\(b)  header.tar.gz\nnot a line\n\(b.prefix(63))  short\n"
        let got = BundleVerifier.listedPayload(.mender, Array(text.utf8))
        #expect(got.map { $0.path } == ["data/0000/rootfs.ext4", "header.tar.gz"])
        #expect(got.map { $0.sha256 } == [a, b])
        #expect(BundleVerifier.listedPayload(.rauc, Array(text.utf8)).isEmpty)
    }

    @Test func mismatchesAreNamed() {
        var m = BundleMaterial(kind: .swupdate)
        m.payload = [("rootfs.ext4.gz", "AB", "ab")]
        #expect(BundleVerifier.payloadMismatch(m) == nil)
        m.payload = [("rootfs.ext4.gz", "ab", "cd")]
        #expect(BundleVerifier.payloadMismatch(m) == "rootfs.ext4.gz: sha256 cd, the signed sw-description says ab")
        m.payload = [("post.sh", nil, "cd")]
        #expect(BundleVerifier.payloadMismatch(m)?.contains("not covered by the signature") == true)
        m.payload = [("gone.img", "ab", nil)]
        #expect(BundleVerifier.payloadMismatch(m)?.contains("is not in the bundle") == true)
    }
}
