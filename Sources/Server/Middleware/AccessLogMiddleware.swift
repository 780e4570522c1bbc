import Hummingbird
import Logging
import NIOCore

/// One log line per request: method, path (never the query string, which may carry anything
/// a visitor typed), status, duration, and the client's address truncated (IPv4 to /24, IPv6
/// to /48), so a visitor cannot be singled out from the log.
struct AccessLogMiddleware<Context: RemoteAddressRequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        logger.info("http", metadata: [
            "method": "\(request.method.rawValue)", "path": "\(request.uri.path.prefix(200))", "status": "\(response.status.code)",
            "ms": "\(Int(ms.rounded()))", "client": "\(Self.truncated(context.remoteAddress?.ipAddress))",
        ])
        return response
    }

    /// The address with its host part zeroed: `192.168.17.0`, `2001:db8:1::`; `-` when unknown.
    static func truncated(_ address: String?) -> String {
        guard let address else { return "-" }
        if address.contains(":") {
            if address.hasPrefix("::ffff:"), !address.dropFirst(7).contains(":") { return truncated(String(address.dropFirst(7))) }
            let groups = expandIPv6(address)
            return groups.prefix(3).joined(separator: ":") + "::"
        }
        let parts = address.split(separator: ".")
        guard parts.count == 4 else { return "-" }
        return parts.prefix(3).joined(separator: ".") + ".0"
    }

    /// The eight groups of an IPv6 address (`::` expanded).
    private static func expandIPv6(_ address: String) -> [String] {
        let halves = address.components(separatedBy: "::")
        let head = halves[0].split(separator: ":").map(String.init)
        let tail = halves.count > 1 ? halves[1].split(separator: ":").map(String.init) : []
        let missing = max(0, 8 - head.count - tail.count)
        return head + Array(repeating: "0", count: missing) + tail
    }
}
