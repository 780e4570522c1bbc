/// Errors from the MQTT layer. Messages say what failed and what to check.
public enum MQTTError: Error, CustomStringConvertible, Sendable {
    case invalidURL(String)
    case library(operation: String, code: Int32, message: String)
    case security(String)

    public var description: String {
        switch self {
        case .invalidURL(let url):
            return "invalid MQTT URL '\(url)': use mqtt://HOST:PORT (or mqtts://HOST:PORT for TLS), for example mqtt://127.0.0.1:1883"
        case .security(let message):
            return message
        case let .library(operation, code, message):
            return "libmosquitto \(operation) failed (\(code)): \(message)"
        }
    }
}
