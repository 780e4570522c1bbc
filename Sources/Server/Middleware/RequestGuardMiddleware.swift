import Hummingbird

/// Refuses requests no route should see, before any route does: over-long URIs (414), paths
/// whose percent-escapes are malformed or not UTF-8, NUL bytes, and `..` segments however
/// they are written (400). Routes then only ever see clean paths.
struct RequestGuardMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Longest request target (path and query) accepted.
    static var maxURILength: Int { 8_192 }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let target = request.uri.description
        guard target.utf8.count <= Self.maxURILength else {
            throw APIError(.uriTooLong, "the address is longer than \(Self.maxURILength) bytes; use fewer or shorter parameters")
        }
        guard let path = Self.decodedPath(request.uri.path) else {
            throw APIError(.badRequest, "the path has a malformed percent-escape or is not UTF-8 once decoded")
        }
        guard !path.contains("\0") else { throw APIError(.badRequest, "the path contains a NUL byte") }
        let segments = path.split(whereSeparator: { $0 == "/" || $0 == "\\" })
        guard !segments.contains(where: { $0 == ".." || $0 == "." }) else {
            throw APIError(.badRequest, "the path contains '.' or '..' segments; ask for the address itself")
        }
        return try await next(request, context)
    }

    /// The path with percent-escapes decoded, or `nil` when they are malformed or not UTF-8.
    static func decodedPath(_ path: String) -> String? {
        var bytes: [UInt8] = []
        var iterator = path.utf8.makeIterator()
        func hex(_ b: UInt8?) -> UInt8? {
            guard let b else { return nil }
            switch b {
            case 48...57: return b - 48
            case 65...70: return b - 55
            case 97...102: return b - 87
            default: return nil
            }
        }
        while let b = iterator.next() {
            if b == UInt8(ascii: "%") {
                guard let high = hex(iterator.next()), let low = hex(iterator.next()) else { return nil }
                bytes.append(high << 4 | low)
            } else {
                bytes.append(b)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
