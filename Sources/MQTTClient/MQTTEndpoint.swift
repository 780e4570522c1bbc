/// Where a broker listens, parsed from `mqtt://HOST:PORT` or, with TLS, `mqtts://HOST:PORT`.
public struct MQTTEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// Host name or IP address; with TLS, the broker's certificate must name it.
    public var host: String
    /// TCP port.
    public var port: Int
    /// Connect with TLS (`mqtts://`).
    public var tls: Bool

    /// Creates an endpoint.
    public init(host: String, port: Int, tls: Bool = false) {
        self.host = host
        self.port = port
        self.tls = tls
    }

    /// Parses `mqtt://host:port` (port 1883 by default; `tcp://` is accepted too) or
    /// `mqtts://host:port` (TLS, port 8883 by default; `ssl://` too).
    /// Throws ``MQTTError/invalidURL(_:)`` with the offending text otherwise.
    public init(url: String) throws {
        var rest = Substring(url)
        var tls = false
        for scheme in ["mqtt://", "tcp://", "mqtts://", "ssl://"] where rest.hasPrefix(scheme) {
            rest = rest.dropFirst(scheme.count)
            tls = scheme == "mqtts://" || scheme == "ssl://"
        }
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.isEmpty, !rest.contains("/") else { throw MQTTError.invalidURL(url) }
        if let colon = rest.lastIndex(of: ":") {
            guard let port = Int(rest[rest.index(after: colon)...]), (1...65_535).contains(port) else {
                throw MQTTError.invalidURL(url)
            }
            self.init(host: String(rest[..<colon]), port: port, tls: tls)
        } else {
            self.init(host: String(rest), port: tls ? 8883 : 1883, tls: tls)
        }
        if host.isEmpty { throw MQTTError.invalidURL(url) }
    }

    public var description: String { "\(tls ? "mqtts" : "mqtt")://\(host):\(port)" }
}
