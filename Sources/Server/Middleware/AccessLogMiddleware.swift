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
            "method": .string(request.method.rawValue), "path": .string(String(request.uri.path.prefix(200))),
            "status": .stringConvertible(response.status.code), "ms": .stringConvertible(Int(ms.rounded())),
            "client": .string(Self.truncated(context.remoteAddress?.ipAddress)),
        ])
        return response
    }

    /// The address with its host part zeroed: `192.168.17.0`, `2001:db8:1::`; `-` when unknown.
    /// Runs on every request: byte comparisons only (`String.contains(String)` goes through
    /// Foundation's locale-aware search).
    static func truncated(_ address: String?) -> String {
        guard let address else { return "-" }
        let colon = UInt8(ascii: ":")
        if address.utf8.contains(colon) {
            if address.hasPrefix("::ffff:"), !address.utf8.dropFirst(7).contains(colon) { return truncated(String(address.dropFirst(7))) }
            let groups = expandIPv6(address)
            return groups.prefix(3).joined(separator: ":") + "::"
        }
        // IPv4: everything up to the third and last dot, then `.0`.
        var dots = 0
        var lastDot = address.utf8.startIndex
        for index in address.utf8.indices where address.utf8[index] == UInt8(ascii: ".") {
            dots += 1
            lastDot = index
        }
        guard dots == 3, address.utf8.index(after: lastDot) != address.utf8.endIndex else { return "-" }
        return String(address[..<lastDot]) + ".0"
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
