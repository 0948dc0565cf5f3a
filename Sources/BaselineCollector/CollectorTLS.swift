// HTTPS for `serve`: the certificate chain and private key (`--tls-cert`, `--tls-key`) and, for mutual TLS, the CA
// that signs client certificates (`--tls-client-ca`), read from PEM files into a swift-nio-ssl (BoringSSL)
// configuration that HummingbirdTLS puts in front of every connection. Every file is checked before the socket is
// bound: a bad one is one line (the option, the file, what was expected) and exit code 2.
import Foundation
import NIOSSL

enum CollectorTLS {
    /// The server's TLS configuration: TLS 1.2 or later; with `clientCA`, a client certificate signed by it is
    /// required in every handshake (no certificate, or one from another CA, and the handshake fails).
    static func configuration(cert: String, key: String, clientCA: String?) throws -> TLSConfiguration {
        let chain = try certificates(cert, option: "--tls-cert", what: "the server certificate (and its chain)")
        let privateKey = try privateKey(key)
        var config: TLSConfiguration
        if let clientCA {
            let roots = try certificates(clientCA, option: "--tls-client-ca", what: "the CA certificate(s) that sign client certificates")
            config = .makeServerConfigurationWithMTLS(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(privateKey),
                                                      trustRoots: .certificates(roots))
            config.sendCANameList = true
        } else {
            config = .makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(privateKey))
        }
config.minimumTLSVersion = .tlsv12
        // BoringSSL checks here that the key belongs to the first certificate (and the whole configuration), before
        // any client connects.
        do { _ = try NIOSSLContext(configuration: config) } catch {
            throw fail("--tls-key \(key): expected the private key of the certificate in \(cert) (\(error))", code: 2)
        }
        return config
    }

    static func read(_ path: String, option: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else { throw fail("\(option) \(path): cannot read the file", code: 2) }
        guard let text = String(data: data, encoding: .utf8) else { throw fail("\(option) \(path): expected PEM text, found binary data", code: 2) }
        return text
    }

    static func certificates(_ path: String, option: String, what: String) throws -> [NIOSSLCertificate] {
        let text = try read(path, option: option)
        guard text.contains("-----BEGIN CERTIFICATE-----") else {
            throw fail("\(option) \(path): expected \(what) in PEM (-----BEGIN CERTIFICATE-----)", code: 2)
        }
        let list: [NIOSSLCertificate]
        do { list = try NIOSSLCertificate.fromPEMBytes(Array(text.utf8)) } catch {
            throw fail("\(option) \(path): expected \(what) in PEM: a CERTIFICATE block is not a valid X.509 certificate", code: 2)
        }
        guard !list.isEmpty else { throw fail("\(option) \(path): expected \(what) in PEM: no certificate in the file", code: 2) }
        return list
    }

    static func privateKey(_ path: String) throws -> NIOSSLPrivateKey {
        let text = try read(path, option: "--tls-key")
        // An encrypted key would make BoringSSL ask for a passphrase on the terminal: refuse it instead.
        if text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") || text.contains("Proc-Type: 4,ENCRYPTED") {
            throw fail("--tls-key \(path): expected an unencrypted PEM private key, found an encrypted one", code: 2)
        }
        guard text.range(of: #"-----BEGIN (RSA |EC )?PRIVATE KEY-----"#, options: .regularExpression) != nil else {
            throw fail("--tls-key \(path): expected a PEM private key (-----BEGIN PRIVATE KEY-----)", code: 2)
        }
        do { return try NIOSSLPrivateKey(bytes: Array(text.utf8), format: .pem) } catch {
            throw fail("--tls-key \(path): expected a PEM private key: the PRIVATE KEY block is not a valid key", code: 2)
        }
    }
}
