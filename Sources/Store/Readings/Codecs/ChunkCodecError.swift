/// A chunk blob could not be decoded: the database is damaged or from an unknown version.
public struct ChunkCodecError: Error, CustomStringConvertible, Sendable {
    public var description: String
    private let reason: String
    init(_ reason: String) {
        self.reason = reason
        description = "damaged chunk: \(reason)"
    }

    /// The same error, naming the chunk it was found in.
    func naming(_ chunk: String) -> Self {
        var named = self
        named.description = "damaged chunk \(chunk): \(reason)"
        return named
    }
}
