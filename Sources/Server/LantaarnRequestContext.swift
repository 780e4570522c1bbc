import Hummingbird
import NIOCore

/// The request context of every route: Hummingbird's basics plus the client's address, for
/// per-client rate limiting and the (truncated) access log.
public struct LantaarnRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer of the connection; `nil` in tests without a real channel.
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
