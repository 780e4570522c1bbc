import LantaarnModel
import Store

/// `lantaarn quarantine replay`: after the data team fixed a registry entry (a missing
/// quantity, a range, a codec), each quarantined message is validated again against the
/// current registry. What passes now is stored and its entry removed, in one transaction;
/// what still fails stays quarantined with its current reason.
///
/// An entry for one rejected value of a message whose other values were stored replays only
/// that value (matched by field and time), so nothing is stored twice. A row of a loaded file
/// is read again by its format's reader (a CSV entry carries its header line). Entries the store
/// made (origin `store`) are skipped: a conflict would conflict again (the stored value stays).
/// Readings a store quarantined as late before it took backfill carry that origin too; they could
/// be stored now, but replaying them is not done yet (issue 28).
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
        /// Late readings, which cannot be replayed (their window is sealed).
        public var skipped = 0
        public var readingsStored = 0
    }

    /// What validating `entry` again gives: the readings to store and what stays rejected.
    public func revalidate(_ entry: QuarantineEntry) -> (readings: [Reading], quarantined: [QuarantineEntry]) {
        let readings: [Reading], quarantined: [QuarantineEntry]
        if entry.source == "file" {
            (readings, quarantined) = revalidateFileRow(entry)
        } else {
            let outcome = validator.validate(LogRecord(receivedAt: entry.receivedAt, origin: entry.origin, payload: entry.payload),
                                             source: entry.source)
            (readings, quarantined) = (outcome.readings, outcome.quarantined)
        }
        guard let value = entry.value else { return (readings, quarantined) }
        // Only the value this entry is about: the field (whichever sensor now takes it) at its time.
        return (readings.filter { r in
                    r.timestamp == value.timestamp
                        && validator.registry.sensors[r.series.sensorID]?.quantity(forField: value.field) == r.series.quantity
                },
                quarantined.filter { $0.value == value })
    }

    /// A row of a file, read again by its format's reader: the entry holds the row (after the
    /// header line, for formats that have one), and keeps its `name:line` origin.
    private func revalidateFileRow(_ entry: QuarantineEntry) -> (readings: [Reading], quarantined: [QuarantineEntry]) {
        entry.payload.withUnsafeBytes { bytes in
            let firstEnd = bytes.firstIndex(of: 0x0A) ?? bytes.count
            guard var (rows, _) = FileFormats.detect(UnsafeRawBufferPointer(rebasing: bytes[..<firstEnd]), validator: validator) else {
                return ([], [entry])
            }
            let body = rows.headerIsData || rows.wholeFile ? bytes : UnsafeRawBufferPointer(rebasing: bytes[min(bytes.count, firstEnd + 1)...])
            var out = RowOutcome()
            rows.row(body, origin: { entry.origin }, receivedAt: entry.receivedAt, into: &out)
            return (out.readings, out.quarantined.map { var q = $0; q.origin = entry.origin; return q })
        }
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
                // A conflict would conflict again; see the type's comment for old late readings.
                if entry.origin == "store" {
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
