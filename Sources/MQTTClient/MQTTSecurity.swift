import Foundation

/// Credentials and TLS material for the broker connection.
///
/// TLS always verifies the broker: its certificate must chain to `caFile` and name the
/// host in the URL. There is no switch to turn that off.
public struct MQTTSecurity: Sendable, Hashable {
    public var username: String?
    public var password: String?
    /// PEM file with the certificate authority that signed the broker's certificate.
    public var caFile: String?
    /// PEM client certificate and key, for brokers that authenticate clients by certificate.
    public var certFile: String?
    public var keyFile: String?

    public init(username: String? = nil, password: String? = nil, caFile: String? = nil, certFile: String? = nil, keyFile: String? = nil) {
        self.username = username
        self.password = password
        self.caFile = caFile
        self.certFile = certFile
        self.keyFile = keyFile
    }

    /// Checks that the settings fit `endpoint` and that every file is readable; errors say what to fix.
    public func validate(for endpoint: MQTTEndpoint) throws {
        if password != nil, username == nil {
            throw MQTTError.security("an MQTT password needs a username (mqtt_security.username or --mqtt-username)")
        }
        if (certFile == nil) != (keyFile == nil) {
            throw MQTTError.security("a client certificate needs both cert_file and key_file")
        }
        if endpoint.tls {
            guard caFile != nil else {
                throw MQTTError.security("\(endpoint) uses TLS: name the CA that signed the broker's certificate (mqtt_security.ca_file or --mqtt-ca-file)")
            }
        } else if caFile != nil || certFile != nil {
            throw MQTTError.security("TLS files are set but \(endpoint) is not TLS: use an mqtts:// URL")
        }
        for (name, path) in [("ca_file", caFile), ("cert_file", certFile), ("key_file", keyFile)] {
            if let path, !FileManager.default.isReadableFile(atPath: path) {
                throw MQTTError.security("mqtt_security.\(name) '\(path)' is not a readable file")
            }
        }
    }
}
