// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Baseline",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "baseline", targets: ["BaselineCLI"]),
        .executable(name: "baseline-agent", targets: ["BaselineAgent"]),
        .executable(name: "baseline-collector", targets: ["BaselineCollector"]),
        .library(name: "BaselineCore", targets: ["BaselineCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
    ],
    targets: [
        // libc + libcrypt surface for the embedded-safe core.
        .target(name: "CBaselineSys", exclude: ["static"], linkerSettings: [.linkedLibrary("crypt")]),
        // Everything the on-device agent runs. Embedded-safe: no Foundation, no existentials, typed throws.
        .target(name: "BaselineCore", dependencies: ["CBaselineSys"],
                swiftSettings: [.swiftLanguageMode(.v5)]),
        // The on-device agent (also built in Embedded mode by the Makefile, as a static binary per architecture).
        .executableTarget(name: "BaselineAgent", dependencies: ["BaselineCore", "CBaselineSys"],
                          swiftSettings: [.swiftLanguageMode(.v5)]),
        // libarchive, for firmware images (system library).
        .systemLibrary(name: "CArchive", pkgConfig: "libarchive", providers: [.apt(["libarchive-dev"])]),
        // Host-side image readers: tar/cpio through libarchive into an in-memory root.
        // C readers for SquashFS 4 (libsquashfs, squashfs-tools-ng), SquashFS 3 (Baseline's own, with zlib and liblzma) and
        // ext2/3/4 (libext2fs, e2fsprogs) images.
        .target(name: "CImageReaders", linkerSettings: [.linkedLibrary("squashfs"), .linkedLibrary("ext2fs"), .linkedLibrary("com_err"),
                                                        .linkedLibrary("z"), .linkedLibrary("lzma")]),
        // Update-bundle signatures (RAUC, SWUpdate, Mender) verified by OpenSSL's libcrypto.
        .target(name: "CBundleCrypto", linkerSettings: [.linkedLibrary("crypto")]),
        .target(name: "BaselineImages", dependencies: ["BaselineCore", "CArchive", "CImageReaders", "CBundleCrypto"]),
        // libssh, for remote audits over SSH (system library).
        .systemLibrary(name: "CLibSSH", pkgConfig: "libssh", providers: [.apt(["libssh-dev"])]),
        // `baseline scan`: targets and inventories, SSH probes (banner, host key, auth methods), the polite
        // default-credential probe, the scan summary.
        .target(name: "BaselineScan", dependencies: ["BaselineCore", "BaselineImages", "CImageReaders", "CLibSSH"]),
        // libpcap, for captures (system library). No pkgConfig: Debian's libpcap.pc requires dbus-1.pc, which
        // libpcap-dev does not pull in; the header and library are on the default paths.
        .systemLibrary(name: "CPcap", providers: [.apt(["libpcap-dev"])]),
        // `baseline traffic`: captures (libpcap) → packets → TCP flows reassembled in order → HTTP, TLS, DNS, Telnet,
        // FTP, TFTP facts → UPD-10, CRED-10 and SURF-04 findings in the audit report format.
        .target(name: "BaselineTraffic", dependencies: ["BaselineCore", "CPcap"]),
        // Host-side renderers and report comparison (Foundation allowed): SARIF, JUnit, --since.
        .target(name: "BaselineOutputs", dependencies: ["BaselineCore"]),
        // The fleet store (SQLite through GRDB, PostgreSQL through postgres-nio), report validation, vendor metrics.
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .target(name: "BaselineFleet", dependencies: [
            "BaselineCore", "CZstd", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "GRDBSQLite", package: "GRDB.swift"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Logging", package: "swift-log"), .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        // `baseline-collector`: bulk ingest, reports, and the HTTP API, Prometheus metrics and dashboard (Hummingbird),
        // served over HTTPS (optionally with client certificates) through HummingbirdTLS / swift-nio-ssl.
        .executableTarget(name: "BaselineCollector", dependencies: [
            "BaselineFleet", "BaselineOutputs", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Hummingbird", package: "hummingbird"), .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "HummingbirdTLS", package: "hummingbird"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"), .product(name: "NIOCore", package: "swift-nio"),
        ]),
        // The host command-line tool.
        .executableTarget(name: "BaselineCLI", dependencies: [
            "BaselineCore", "BaselineOutputs", "BaselineImages", "BaselineScan", "BaselineTraffic",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "BaselineCoreTests", dependencies: [
            "BaselineCore",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .testTarget(name: "BaselineTrafficTests", dependencies: ["BaselineTraffic", "BaselineCore"]),
        .testTarget(name: "BaselineFleetTests", dependencies: ["BaselineFleet"]),
        // The SSH scan's checks and per-device reports on scan results built in the tests (the servers: SSHLab, end to end).
        .testTarget(name: "BaselineScanTests", dependencies: ["BaselineScan", "BaselineTraffic", "BaselineCore"]),
        // The firmware carver and vendor headers on bytes built in the tests (checksums computed by zlib's CRC-32).
        .testTarget(name: "BaselineImagesTests", dependencies: ["BaselineImages"]),
        .testTarget(name: "BaselineEndToEndTests", dependencies: ["BaselineCore"]),
    ]
)
