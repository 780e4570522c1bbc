import Hummingbird
import LantaarnModel

/// An error answered with Lantaarn's single envelope: `{"ok":false,"error":"...","status":N}`.
public struct APIError: HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    /// Plain message: what was wrong and what to do. Never contains personal data.
    public var message: String

    public init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        Self.envelope(status: status, message: message)
    }

    /// Builds the envelope response for any status and message.
    static func envelope(status: HTTPResponse.Status, message: String) -> Response {
        var body = "{\"ok\":false,\"error\":"
        JSONWriter.appendString(message, to: &body)
        body += ",\"status\":\(status.code)}"
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
