/// Capped exponential backoff with jitter for reconnecting to the broker.
///
/// The n-th consecutive failure waits a random time in `[d/2, d]` with
/// `d = min(maximum, initial · 2ⁿ)` ("equal jitter"): never less than half the
/// exponential delay, so a dead broker is not hammered, and never the same for two
/// nodes, so a fleet that lost the broker together does not reconnect in lockstep.
/// A successful connection resets the sequence.
public struct ReconnectBackoff: Sendable {
    /// Delay bound for the first retry, milliseconds.
    public var initial: Int64
    /// Upper bound on any delay, milliseconds.
    public var maximum: Int64
    private var failures = 0

    /// 100 ms doubling up to 30 s: after a short broker restart the first retries come
    /// quickly (well within 2 s), after a long outage at most every 15–30 s.
    public init(initial: Int64 = 100, maximum: Int64 = 30_000) {
        precondition(initial > 0 && maximum >= initial, "backoff needs 0 < initial <= maximum")
        self.initial = initial
        self.maximum = maximum
    }

    /// The delay before the next attempt, in milliseconds; counts one more failure.
    public mutating func nextDelay<R: RandomNumberGenerator>(using rng: inout R) -> Int64 {
        let shift = min(failures, 40)
        failures += 1
        let bound = initial > (maximum >> shift) ? maximum : min(maximum, initial << shift)
        return bound / 2 + Int64.random(in: 0...(bound - bound / 2), using: &rng)
    }

    /// The delay before the next attempt, using the system's random generator.
    public mutating func nextDelay() -> Int64 {
        var rng = SystemRandomNumberGenerator()
        return nextDelay(using: &rng)
    }

    /// Called after a successful connection.
    public mutating func reset() { failures = 0 }
}
