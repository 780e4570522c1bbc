import LantaarnModel

/// Quarantines as a rate in the log: a sensor's first quarantined value is logged at once, later
/// ones at most once a minute per sensor, as one line that says how many, what was wrong (the
/// first reason of the period) and where to look. A demo sensor that sends an implausible value
/// now and then thus gives a line a minute, not one per batch.
///
/// Sensors are named by their registered id only: a message on the topic of no registered sensor
/// counts under "unregistered", because its topic is whatever the sender chose.
struct QuarantineLog: Sendable {
    /// At most one line per sensor in this many milliseconds.
    static let interval: Int64 = 60_000
    /// Reasons are cut to this many characters in the log (the quarantine keeps them whole).
    static let reasonLength = 200
    static let unregistered = "unregistered"

    struct Line: Sendable, Equatable {
        var sensor: String
        /// Values quarantined since the sensor's previous line.
        var values: Int
        /// Milliseconds since that line (or since the first value of the period).
        var period: Int64
        /// The sensor's first line since the process started.
        var first: Bool
        /// The first reason of the period (reasons name the value, so most differ).
        var reason: String
    }

    private struct Pending {
        var values = 0
        var firstAt: Int64
        var reason = ""
    }

    private var pending: [String: Pending] = [:]
    private var loggedAt: [String: Int64] = [:]

    /// Counts `count` values of `sensor` (nil: unregistered) quarantined for `reason` at `now`.
    mutating func record(sensor: String?, reason: String, count: Int = 1, at now: Int64) {
        guard count > 0 else { return }
        let key = sensor ?? Self.unregistered
        let text = sensor == nil ? "messages on the topic of no registered sensor; add the sensor to a file in Sensors/ or fix its topic" : reason
        var p = pending[key] ?? Pending(firstAt: now, reason: text)
        p.values += count
        pending[key] = p
    }

    /// The lines due at `now`: every sensor with quarantined values whose previous line is a
    /// minute old or that never had one. With `flush`, every sensor with quarantined values.
    mutating func due(now: Int64, flush: Bool = false) -> [Line] {
        var lines: [Line] = []
        for (sensor, p) in pending where p.values > 0 {
            let last = loggedAt[sensor]
            guard flush || last == nil || now - last! >= Self.interval else { continue }
            let reason = p.reason.count > Self.reasonLength ? String(p.reason.prefix(Self.reasonLength)) + "…" : p.reason
            lines.append(Line(sensor: sensor, values: p.values, period: now - (last ?? p.firstAt), first: last == nil, reason: reason))
            loggedAt[sensor] = now
            pending[sensor] = nil
        }
        return lines.sorted { $0.sensor < $1.sensor }
    }
}
