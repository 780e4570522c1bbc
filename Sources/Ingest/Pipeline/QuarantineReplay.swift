import LantaarnModel
import Store

/// `lantaarn quarantine replay`: after the data team fixed a registry entry (a missing
/// quantity, a range, a codec), each quarantined message is validated again against the
/// current registry. What passes now is stored and its entry removed, in one transaction;
/// what still fails stays quarantined with its current reason.
///
/// An entry for one rejected value of a message whose other values were stored replays only
/// that value (matched by field and time), so nothing is stored twice. Late readings (origin
/// `store`) are skipped: their window is sealed, so they would be late again.
public struct QuarantineReplay: Sendable {
    public let store: any ReadingStore
    public let validator: ReadingValidator

    public init(store: any ReadingStore, validator: ReadingValidator) {
        self.store = store
        self.validator = validator
    }

    public struct Report: Sendable, Equatable {
        /// Entries looked at.
        public var examined = 0
        /// Entries whose values are now stored (or now deliberately ignored).
        public var resolved = 0
        /// Entries that fail again (with their current reason).
        public var stillRejected = 0
        /// Late readings and file rows, which cannot be replayed.
        public var skipped = 0
        public var readingsStored = 0
    }

    /// What validating `entry` again gives: the readings to store and what stays rejected.
    public func revalidate(_ entry: QuarantineEntry) -> (readings: [Reading], quarantined: [QuarantineEntry]) {
        let record = LogRecord(receivedAt: entry.receivedAt, origin: entry.origin, payload: entry.payload)
        let outcome = validator.validate(record, source: entry.source)
        guard let value = entry.value, let sensorID = outcome.sensorID, let sensor = validator.registry.sensors[sensorID] else {
            return (outcome.readings, outcome.quarantined)
        }
        let quantity = sensor.quantity(forField: value.field)
        return (outcome.readings.filter { $0.series.quantity == quantity && $0.timestamp == value.timestamp },
                outcome.quarantined.filter { $0.value == value })
    }

    /// Replays every entry (of `sensor`, when given), oldest first. With `dryRun` nothing is
    /// written; the report says what would happen. `progress` gets the entries examined so far.
    public func run(sensor: String? = nil, dryRun: Bool, progress: (Int) -> Void = { _ in }) throws -> Report {
        var report = Report()
        var after: Int64 = 0
        // Entries that a replay rewrites get new ids; they are not looked at again in this run.
        let newest = try store.quarantine(limit: 1).first?.id ?? 0
        while after < newest {
            let page = try store.quarantine(after: after, limit: 500)
            guard let last = page.last?.id else { break }
            after = last
            for entry in page where (sensor == nil || entry.sensorID == sensor) && (entry.id ?? .max) <= newest {
                guard let id = entry.id else { continue }
                report.examined += 1
                // Late readings would be late again; rows of files are not topic messages (fix
                // Sensors/ and load the rows again from a corrected file).
                if entry.origin == "store" || entry.source == "file" {
                    report.skipped += 1
                    continue
                }
                let (readings, quarantined) = revalidate(entry)
                if quarantined.isEmpty { report.resolved += 1 } else { report.stillRejected += 1 }
                if dryRun {
                    report.readingsStored += readings.count
                } else if !(quarantined.map(\.reason) == [entry.reason] && readings.isEmpty) {
                    // Only rewrite an entry when something changed.
                    report.readingsStored += try store.replayQuarantine(id: id, readings: readings, quarantined: quarantined).stored
                }
            }
            progress(report.examined)
        }
        return report
    }
}
