/// What a payload codec extracts from one message, before validation.
public struct DecodedMessage: Sendable, Equatable {
    /// Measurement time, epoch milliseconds.
    public var timestamp: Int64
    /// Values by quantity name, in payload order.
    public var values: [(String, Double)]

    public init(timestamp: Int64, values: [(String, Double)]) {
        self.timestamp = timestamp
        self.values = values
    }

    public static func == (lhs: DecodedMessage, rhs: DecodedMessage) -> Bool {
        lhs.timestamp == rhs.timestamp && lhs.values.count == rhs.values.count
            && zip(lhs.values, rhs.values).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    }
}

/// Why a payload could not be decoded; becomes the quarantine reason.
public struct CodecError: Error, CustomStringConvertible, Sendable, Equatable {
    public var reason: String

    public init(_ reason: String) { self.reason = reason }

    public var description: String { reason }
}
