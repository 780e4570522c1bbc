/// What `/-/ingest` shows: per registered sensor, what arrived and when it was last heard.
public struct IngestStatus: Sendable {
    public struct Sensor: Sendable {
        public var id: String
        public var kind: String
        public var received: Int
        public var stored: Int
        public var quarantined: Int
        public var duplicates: Int
        /// Epoch milliseconds of the newest message since the process started; `nil`: none.
        public var lastSeen: Int64?

        public init(id: String, kind: String, received: Int, stored: Int, quarantined: Int, duplicates: Int, lastSeen: Int64?) {
            self.id = id
            self.kind = kind
            self.received = received
            self.stored = stored
            self.quarantined = quarantined
            self.duplicates = duplicates
            self.lastSeen = lastSeen
        }
    }

    public var now: Int64
    public var sensors: [Sensor]
    /// A sensor not heard for this long is listed as silent.
    public var silentAfter: Int64

    public init(now: Int64, sensors: [Sensor], silentAfter: Int64 = 3_600_000) {
        self.now = now
        self.sensors = sensors
        self.silentAfter = silentAfter
    }

    /// Sensors not heard within `silentAfter`, longest silent first (never heard at the top).
    public var silent: [Sensor] {
        sensors.filter { s in s.lastSeen.map { now - $0 > silentAfter } ?? true }
            .sorted { ($0.lastSeen ?? .min, $0.id) < ($1.lastSeen ?? .min, $1.id) }
    }
}
