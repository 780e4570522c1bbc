/// Where a broker listens, parsed from `mqtt://HOST:PORT`.
public struct MQTTEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// Host name or IP address.
    public var host: String
    /// TCP port.
    public var port: Int

    /// Creates an endpoint.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `mqtt://host:port` (the port defaults to 1883; `tcp://` is accepted too).
    /// Throws ``MQTTError/invalidURL(_:)`` with the offending text otherwise.
    public init(url: String) throws {
        var rest = Substring(url)
        for scheme in ["mqtt://", "tcp://"] where rest.hasPrefix(scheme) {
            rest = rest.dropFirst(scheme.count)
        }
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.isEmpty, !rest.contains("/") else { throw MQTTError.invalidURL(url) }
        if let colon = rest.lastIndex(of: ":") {
            guard let port = Int(rest[rest.index(after: colon)...]), (1...65_535).contains(port) else {
                throw MQTTError.invalidURL(url)
            }
            self.init(host: String(rest[..<colon]), port: port)
        } else {
            self.init(host: String(rest), port: 1883)
        }
        if host.isEmpty { throw MQTTError.invalidURL(url) }
    }

    public var description: String { "mqtt://\(host):\(port)" }
}
