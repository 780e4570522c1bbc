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
        guard case .success(let path) = PercentDecoding.decode(request.uri.path, plusAsSpace: false) else {
            throw APIError(.badRequest, "the path has a malformed percent-escape or is not UTF-8 once decoded")
        }
        guard !path.contains("\0") else { throw APIError(.badRequest, "the path contains a NUL byte") }
        let segments = path.split(whereSeparator: { $0 == "/" || $0 == "\\" })
        guard !segments.contains(where: { $0 == ".." || $0 == "." }) else {
            throw APIError(.badRequest, "the path contains '.' or '..' segments; ask for the address itself")
        }
        return try await next(request, context)
    }
}
