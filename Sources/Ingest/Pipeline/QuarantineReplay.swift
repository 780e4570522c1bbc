import LantaarnModel
import Store

/// `lantaarn quarantine replay`: after the data team fixed a registry entry (a missing
/// quantity, a range, a codec), each quarantined message is validated again against the
/// current registry. What passes now is stored and its entry removed, in one transaction;
/// what still fails stays quarantined with its current reason.
///
/// An entry for one rejected value of a message whose other values were stored replays only
/// that value (matched by field and time), so nothing is stored twice. A row of a loaded file
/// is read again by its format's reader (a CSV entry carries its header line).
///
/// Entries the store made (origin `store`) hold one reading:
/// - a conflict with a stored value stays (the stored value stays) unless the replay is told to
///   `replace`: then the new value replaces the stored one, with a record of the correction;
/// - a reading that a store from before backfill refused as late is stored now.
public struct QuarantineReplay: Sendable {
    public let store: any ReadingStore & ReadingCorrections
    public let validator: ReadingValidator

    public init(store: any ReadingStore & ReadingCorrections, validator: ReadingValidator) {
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
        /// Conflicts with a stored value left as they are (without `replace`).
        public var conflictsKept = 0
        /// Conflicts whose new value replaced the stored one (with `replace`).
        public var corrected = 0
        public var readingsStored = 0
    }

    /// Which entries a run looks at, and whether conflicts replace their stored values.
    public struct Selection: Sendable {
        /// Only this sensor's entries.
        public var sensor: String?
        /// Only these entries.
        public var ids: Set<Int64>?
        /// Apply conflicting readings over the stored value, recording the correction with this note.
        public var replace: String?

        public init(sensor: String? = nil, ids: Set<Int64>? = nil, replace: String? = nil) {
            self.sensor = sensor
            self.ids = ids
            self.replace = replace
        }

        func includes(_ entry: QuarantineEntry) -> Bool {
            (sensor == nil || entry.sensorID == sensor) && (ids == nil || entry.id.map { ids!.contains($0) } == true)
        }
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
        try run(Selection(sensor: sensor), dryRun: dryRun, progress: progress)
    }

    /// Replays the selected entries, oldest first.
    public func run(_ selection: Selection, dryRun: Bool, progress: (Int) -> Void = { _ in }) throws -> Report {
        var report = Report()
        var after: Int64 = 0
        // Entries that a replay rewrites get new ids; they are not looked at again in this run.
        let newest = try store.quarantine(limit: 1).first?.id ?? 0
        while after < newest {
            let page = try store.quarantine(after: after, limit: 500)
            guard let last = page.last?.id else { break }
            after = last
            for entry in page where selection.includes(entry) && (entry.id ?? .max) <= newest {
                guard let id = entry.id else { continue }
                report.examined += 1
                if entry.origin == QuarantineEntry.storeOrigin {
                    try replayStored(entry, id: id, replace: selection.replace, dryRun: dryRun, into: &report)
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

    /// An entry the store made: a conflict (replaced only when asked) or an old late reading.
    private func replayStored(_ entry: QuarantineEntry, id: Int64, replace note: String?, dryRun: Bool, into report: inout Report) throws {
        guard let stored = entry.storedReading, validator.registry.sensors[stored.series.sensorID] != nil else {
            report.stillRejected += 1   // the sensor left the registry, or the payload is not a reading
            return
        }
        let place = validator.registry.placeBySensor[stored.series.sensorID]?.place(at: stored.timestamp)
        let reading = Reading(series: stored.series, timestamp: stored.timestamp, value: stored.value, wijk: place?.wijk, buurt: place?.buurt)
        if entry.isConflict {
            guard let note else { report.conflictsKept += 1; return }
            let corrected = dryRun ? true : try store.correct(reading, quarantineID: id, note: note) != nil
            if corrected {
                report.corrected += 1
                report.resolved += 1
            } else {
                report.stillRejected += 1   // nothing is stored at that time any more (purged)
            }
            return
        }
        // Refused as late by a store from before backfill: the store takes it now.
        let result = dryRun ? AppendResult(stored: 1) : try store.replayQuarantine(id: id, readings: [reading], quarantined: [])
        report.readingsStored += result.stored
        if result.conflicts > 0 { report.stillRejected += 1 } else { report.resolved += 1 }
    }
}
