import Hummingbird

/// Refuses requests no route should see, before any route does: over-long URIs (414), paths
/// whose percent-escapes are malformed or not UTF-8, NUL bytes, and `..` segments however
/// they are written (400). Routes then only ever see clean paths.
struct RequestGuardMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Longest request target (path and query) accepted.
    static var maxURILength: Int { 8_192 }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.description.utf8.count <= Self.maxURILength else {
            throw APIError(.uriTooLong, "the address is longer than \(Self.maxURILength) bytes; use fewer or shorter parameters")
        }
        let raw = request.uri.path
        if raw.utf8.contains(UInt8(ascii: "%")) {
            guard case .success(let path) = PercentDecoding.decode(raw, plusAsSpace: false) else {
                throw APIError(.badRequest, "the path has a malformed percent-escape or is not UTF-8 once decoded")
            }
            try Self.check(path.utf8)
        } else {
            try Self.check(raw.utf8)
        }
        return try await next(request, context)
    }

    /// Throws on a NUL byte or a `.`/`..` segment (segments end at `/` or `\`) in a decoded path.
    /// One pass over the bytes: this runs on every request, cached pages included.
    static func check(_ path: some Collection<UInt8>) throws {
        let dot = UInt8(ascii: ".")
        var segmentLength = 0
        var dotsOnly = true
        for byte in path {
            switch byte {
            case 0:
                throw APIError(.badRequest, "the path contains a NUL byte")
            case UInt8(ascii: "/"), UInt8(ascii: "\\"):
                try dotSegment(segmentLength, dotsOnly)
                segmentLength = 0
                dotsOnly = true
            default:
                segmentLength += 1
                dotsOnly = dotsOnly && byte == dot
            }
        }
        try dotSegment(segmentLength, dotsOnly)
    }

    private static func dotSegment(_ length: Int, _ dotsOnly: Bool) throws {
        guard !(dotsOnly && (length == 1 || length == 2)) else {
            throw APIError(.badRequest, "the path contains '.' or '..' segments; ask for the address itself")
        }
    }
}
