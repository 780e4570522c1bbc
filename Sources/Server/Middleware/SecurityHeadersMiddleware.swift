import Hummingbird

/// Adds headers that forbid third-party content and tracking on every response, and HSTS
/// when the server speaks HTTPS. Pages use only same-origin CSS and inline SVG, so a strict
/// policy costs nothing.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Sends `Strict-Transport-Security` (only over TLS: browsers ignore it on plain HTTP).
    var hsts = false

    static var contentSecurityPolicy: String {
        "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPFields.Element.Name("Referrer-Policy")!] = "no-referrer"
        if hsts { response.headers[HTTPFields.Element.Name("Strict-Transport-Security")!] = "max-age=31536000; includeSubDomains" }
        return response
    }
}
