import Hummingbird
import Logging

/// Turns every error (unknown route, bad request, internal failure) into the one
/// JSON envelope. Internal errors are logged, and the client sees a generic text,
/// so no internal detail (or personal data in it) leaks.
struct ErrorEnvelopeMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return APIError.envelope(status: error.status, message: error.message)
        } catch let error as HTTPError {
            let message = error.status == .notFound
                ? "not found: \(request.uri.path); see /datasets for what is available"
                : (error.body ?? error.status.reasonPhrase)
            return APIError.envelope(status: error.status, message: message)
        } catch let error as any HTTPResponseError {
            return APIError.envelope(status: error.status, message: error.status.reasonPhrase)
        } catch {
            context.logger.error("request failed", metadata: ["http.path": "\(request.uri.path)", "error": "\(error)"])
            return APIError.envelope(status: .internalServerError, message: "internal error; the server log has details")
        }
    }
}
