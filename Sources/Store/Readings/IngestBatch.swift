import LantaarnModel

/// Everything one consumer step commits atomically: good readings, rejects, and
/// how far into the ingest log it got. Committing the offset with the data is
/// what makes a restart resume with no loss and no duplicates.
public struct IngestBatch: Sendable {
    /// Validated readings.
    public var readings: [Reading]
    /// Messages that were rejected, with the reason.
    public var quarantined: [QuarantineEntry]
    /// Ingest source name (e.g. `mqtt`), the key of the stored offset.
    public var source: String
    /// Log offset just past the last message in this batch.
    public var offset: Int64

    /// Creates a batch.
    public init(readings: [Reading], quarantined: [QuarantineEntry], source: String, offset: Int64) {
        self.readings = readings
        self.quarantined = quarantined
        self.source = source
        self.offset = offset
    }
}

/// A rejected message and why. The raw payload is kept internally for replay after
/// a fix; it is never logged or published.
public struct QuarantineEntry: Sendable, Hashable {
    /// When Lantaarn received the message, epoch milliseconds.
    public var receivedAt: Int64
    /// Source, e.g. `mqtt`.
    public var source: String
    /// Topic or file name the message came from.
    public var origin: String
    /// Sensor id, when it could be determined.
    public var sensorID: String?
    /// Why the message was rejected: what, where and what to do.
    public var reason: String
    /// The raw bytes as received.
    public var payload: [UInt8]
    /// The one value of the message that was rejected (the payload's name for it and its
    /// time), when the rest of the message was stored; `nil` when the whole message was.
    public var value: RejectedValue?
    /// Row id once stored.
    public var id: Int64?

    /// Which value of a message was rejected.
    public struct RejectedValue: Sendable, Hashable {
        public var field: String
        public var timestamp: Int64

        public init(field: String, timestamp: Int64) {
            self.field = field
            self.timestamp = timestamp
        }
    }

    /// Creates a quarantine entry.
    public init(receivedAt: Int64, source: String, origin: String, sensorID: String?, reason: String, payload: [UInt8],
                value: RejectedValue? = nil, id: Int64? = nil) {
        self.receivedAt = receivedAt
        self.source = source
        self.origin = origin
        self.sensorID = sensorID
        self.reason = reason
        self.payload = payload
        self.value = value
        self.id = id
    }
}
