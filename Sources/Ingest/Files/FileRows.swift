import LantaarnModel
import Store

/// What one line of an input file gave.
struct RowOutcome {
    var readings: [Reading] = []
    var quarantined: [QuarantineEntry] = []
}

/// Turns the lines of one file format into readings and quarantine entries.
protocol FileRows {
    /// Called with the first line; false when the file is not of this format.
    mutating func header(_ line: UnsafeRawBufferPointer) -> Bool
    /// Whether the first line is data too (NDJSON) or only a header (CSV).
    var headerIsData: Bool { get }
    /// True when the whole file is one document, passed to ``row`` at once.
    var wholeFile: Bool { get }
    /// Adds what `line` gives to `out`.
    mutating func row(_ line: UnsafeRawBufferPointer, origin: () -> String, receivedAt: Int64, into out: inout RowOutcome)
}

extension FileRows {
    var wholeFile: Bool { false }
}

/// Where a file's line came from, for quarantine entries: `name:line`.
func rejectRow(_ line: UnsafeRawBufferPointer, origin: String, sensorID: String?, reason: String, receivedAt: Int64,
               value: QuarantineEntry.RejectedValue? = nil) -> QuarantineEntry {
    QuarantineEntry(receivedAt: receivedAt, source: "file", origin: origin, sensorID: sensorID, reason: reason,
                    payload: Array(line), value: value)
}
