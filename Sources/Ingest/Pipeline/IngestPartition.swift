import LantaarnModel
/// One node's share of the sensor topics when the broker has no shared subscriptions
/// (`--ingest-partition K/N`): node K of N subscribes to the topics whose sensor id hashes to K.
/// The hash is FNV-1a over the id's UTF-8 bytes, the same in every process and on every machine
/// (Swift's own hashing is seeded per process, so nodes would disagree).
public struct IngestPartition: Sendable, Equatable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    /// Parses `K/N` (0 ≤ K < N); `nil` for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]), n >= 1, n <= 1024, k >= 0, k < n else { return nil }
        index = k
        count = n
    }

    /// Whether this node takes the sensor (or the topic, for topics not named after one sensor).
    public func owns(_ key: String) -> Bool {
        Int(FNV1a.hash(key) % UInt64(count)) == index
    }

    public var description: String { "\(index)/\(count)" }
}
