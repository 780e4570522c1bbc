import LantaarnModel

/// Raw readings of one series (sensor × quantity), in time order, a page at a time: what the
/// SensorThings interface asks of the store for `Datastreams(id)/Observations`.
public struct ObservationQuery: Sendable, Equatable {
    public var sensorID: String
    public var quantity: String
    /// Only readings in this window (phenomenon time).
    public var window: TimeWindow = TimeWindow(start: .min / 2, end: .max / 2)
    /// Only values in this range (each bound inclusive or not); `nil`: any value.
    public var values: ValueRange?
    public var descending = false
    public var limit = 100
    /// Matching readings passed over before the page starts (`$skip`).
    public var skip = 0
    /// Where the page starts: after the reading the cursor names.
    public var after: ObservationCursor?

    public init(sensorID: String, quantity: String) {
        self.sensorID = sensorID
        self.quantity = quantity
    }

    /// A closed, open or half-open range of values.
    public struct ValueRange: Sendable, Equatable {
        public var lower: Double?
        public var lowerInclusive = true
        public var upper: Double?
        public var upperInclusive = true

        public init() {}

        public func contains(_ v: Double) -> Bool {
            if let lower, lowerInclusive ? v < lower : v <= lower { return false }
            if let upper, upperInclusive ? v > upper : v >= upper { return false }
            return true
        }
    }
}

/// A position in a series' time order: the last reading's time and how many readings with
/// exactly that time came before it (equal timestamps are rare but possible).
public struct ObservationCursor: Sendable, Equatable {
    public var timestamp: Int64
    public var atTimestamp: Int

    public init(timestamp: Int64, atTimestamp: Int) {
        self.timestamp = timestamp
        self.atTimestamp = atTimestamp
    }
}

/// The store side of the SensorThings interface.
public protocol ObservationStore: Sendable {
    /// One page of a series' readings in time order; `next` is set when more follow.
    func observations(_ query: ObservationQuery) throws -> (readings: [Reading], next: ObservationCursor?)
    /// How many readings the query's window and value range hold (ignoring its cursor and limit).
    func observationCount(_ query: ObservationQuery) throws -> Int
    /// The first and last reading time of a series, or `nil` when it has none.
    func observationSpan(sensorID: String, quantity: String) throws -> TimeWindow?
}
