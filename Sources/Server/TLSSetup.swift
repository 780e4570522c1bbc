import NIOSSL

/// The server's TLS configuration from PEM files, with errors that say which file is wrong.
enum TLSSetup {
    static func configuration(_ files: TLSFiles) throws -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(files.certificate)
        } catch {
            throw TLSSetupError("cannot read the certificate chain \(files.certificate) as PEM: \(error); point server.tls.cert_file at a PEM file")
        }
        guard !chain.isEmpty else { throw TLSSetupError("\(files.certificate) holds no certificate") }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: files.key, format: .pem)
        } catch {
            throw TLSSetupError("cannot read the private key \(files.key) as PEM: \(error); point server.tls.key_file at an unencrypted PEM key")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        return configuration
    }
}

/// A certificate or key that cannot be used.
public struct TLSSetupError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
