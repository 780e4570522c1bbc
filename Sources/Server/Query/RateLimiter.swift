import Foundation
import Hummingbird
import NIOCore
import Synchronization

/// Per-client token buckets for the query API: each client (by IP address, held in memory
/// only, never logged) may make `burst` requests at once and `perSecond` on average.
public final class RateLimiter: Sendable {
    public let perSecond: Double
    public let burst: Double
    private let buckets = Mutex<[String: Bucket]>([:])
    /// Clients idle this long are forgotten, so the table stays small.
    private static let idleSeconds = 60.0
    private static let maxClients = 10_000

    private struct Bucket {
        var tokens: Double
        var at: Double
    }

    public init(perSecond: Double, burst: Int) {
        self.perSecond = perSecond
        self.burst = Double(burst)
    }

    /// Takes one token for `client`; `nil` when allowed, else the seconds until the next token.
    public func take(_ client: String, now: Double = ProcessInfo.processInfo.systemUptime) -> Int? {
        buckets.withLock { table in
            if table.count >= Self.maxClients {
                table = table.filter { now - $0.value.at < Self.idleSeconds }
            }
            var bucket = table[client] ?? Bucket(tokens: burst, at: now)
            bucket.tokens = min(burst, bucket.tokens + (now - bucket.at) * perSecond)
            bucket.at = now
            defer { table[client] = bucket }
            guard bucket.tokens >= 1 else { return max(1, Int(((1 - bucket.tokens) / perSecond).rounded(.up))) }
            bucket.tokens -= 1
            return nil
        }
    }

    /// The average rate as people read it: `20`, `0.5`.
    var perSecondText: String { perSecond == perSecond.rounded() ? String(Int(perSecond)) : String(perSecond) }

    /// A 429 answer (envelope and `Retry-After`) when `address` has no token left, else `nil`.
    func refusal(_ address: SocketAddress?) -> Response? {
        guard let wait = take(address?.ipAddress ?? "local") else { return nil }
        var response = APIError.envelope(status: .tooManyRequests,
                                         message: "too many requests from your address; wait \(wait) s (the limit is \(perSecondText) per second), or download the whole dataset as CSV")
        response.headers[.retryAfter] = String(wait)
        return response
    }
}
