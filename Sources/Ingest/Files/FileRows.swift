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
    /// The header line, put in front of a quarantined row so that it can be replayed alone
    /// (empty when lines stand on their own).
    var header: [UInt8] { get }
    /// Adds what `line` gives to `out`.
    mutating func row(_ line: UnsafeRawBufferPointer, origin: () -> String, receivedAt: Int64, into out: inout RowOutcome)
}

extension FileRows {
    var wholeFile: Bool { false }
    var header: [UInt8] { [] }

    /// A quarantine entry for `line` (with the header before it), from `origin` (`name:line`).
    func reject(_ line: UnsafeRawBufferPointer, origin: String, sensorID: String?, reason: String, receivedAt: Int64,
                value: QuarantineEntry.RejectedValue? = nil) -> QuarantineEntry {
        QuarantineEntry(receivedAt: receivedAt, source: "file", origin: origin, sensorID: sensorID, reason: reason,
                        payload: header.isEmpty ? Array(line) : header + [0x0A] + Array(line), value: value)
    }
}

/// The file formats, recognised by their first line.
enum FileFormats {
    /// The reader for a file whose first line is `first`, and the format's name; `nil` when
    /// no format recognises it.
    static func detect(_ first: UnsafeRawBufferPointer, validator: ReadingValidator) -> (rows: any FileRows, format: String)? {
        var csv = SensorCommunityCSVRows(validator: validator)
        var ndjson = NDJSONRows(validator: validator)
        var senml = SenMLRows(validator: validator)
        if csv.header(first) { return (csv, "Sensor.Community CSV") }
        if ndjson.header(first) { return (ndjson, "NDJSON") }
        if senml.header(first) { return (senml, senml.wholeFile ? "SenML pack" : "SenML packs, one per line") }
        return nil
    }
}
