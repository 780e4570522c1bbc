/// How a sensor file maps any JSON payload to readings (`codec: {json: {…}}`), the job
/// Telegraf's `json_v2` does: where the records are, where each record keeps its time (and in
/// what format) and its device. Values are the sensor's quantities by their `field:` (a key or a
/// JSON Pointer inside the record), with `scale` and `offset` per quantity.
public struct JSONMapping: Sendable, Hashable {
    /// An array of records (each element one set of readings); `nil`: the payload is one record.
    public var records: JSONPointer?
    /// The time of a record, inside it; `nil`: the time of receipt.
    public var time: JSONPointer?
    public var timeFormat: TimeFormat
    /// The device a record comes from, inside it, for one topic that carries many devices
    /// (each a sensor with that `device:`); `nil`: every record is the topic's sensor's.
    public var device: JSONPointer?

    public init(records: JSONPointer? = nil, time: JSONPointer? = nil, timeFormat: TimeFormat = .iso8601, device: JSONPointer? = nil) {
        self.records = records
        self.time = time
        self.timeFormat = timeFormat
        self.device = device
    }

    public enum TimeFormat: Sendable, Hashable {
        /// `2026-11-23T08:00:00Z`, with an offset or Z.
        case iso8601
        case epochSeconds
        case epochMilliseconds
        case epochMicroseconds
        /// A strftime pattern (`%d-%m-%Y %H:%M:%S`) read in the IANA `zone` unless the pattern
        /// has its own offset (`%z`).
        case pattern(String, zone: String)

        /// The names a sensor file uses (`time_format:`); anything else with a `%` is a pattern.
        public static let names: [String: TimeFormat] = [
            "iso8601": .iso8601, "epoch_s": .epochSeconds, "epoch_ms": .epochMilliseconds, "epoch_us": .epochMicroseconds,
        ]
    }
}
