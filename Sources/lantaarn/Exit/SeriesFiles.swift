import Foundation
import LantaarnModel
import Parquet

/// Per series (sensor and quantity), its readings as CSV and Parquet, written as the scan
/// visits them: a buffer per series, appended to its files 64 KiB at a time, and Parquet row
/// groups of 8,192 rows, so a thousand open series hold well under a gigabyte.
final class SeriesFiles {
    private let directory: String
    private var open: [SeriesKey: Series] = [:]
    var count: Int { open.count }

    final class Series {
        let csv: String
        let parquetPath: String
        var buffer: [UInt8] = []
        var rows = 0
        var parquet: ParquetWriter!

        init(csv: String, parquet: String) {
            self.csv = csv
            parquetPath = parquet
        }
    }

    static let header = "sensor_id,grootheid,tijdstip,waarde,wijk_code,buurt_code,kwaliteit\n"
    static let columns: [ParquetWriter.Column] = [
        .init(name: "sensor_id", kind: .string), .init(name: "grootheid", kind: .string), .init(name: "tijdstip", kind: .timestampMillis),
        .init(name: "waarde", kind: .double), .init(name: "wijk_code", kind: .string), .init(name: "buurt_code", kind: .string),
        .init(name: "kwaliteit", kind: .int64),
    ]

    init(directory: String) throws {
        self.directory = directory
    }

    /// `readings/SENSOR/QUANTITY`, the sensor id made safe for a file name.
    static func relative(_ key: SeriesKey) -> String {
        func safe(_ s: String) -> String {
            String(s.unicodeScalars.map { CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0) ? Character($0) : "_" })
        }
        return "readings/\(safe(key.sensorID))/\(safe(key.quantity))"
    }

    func append(_ r: Reading) throws {
        let series = try self.series(r.series)
        var line = ""
        for (i, field) in [r.series.sensorID, r.series.quantity].enumerated() {
            if i > 0 { line += "," }
            line += CSVField.escape(field)
        }
        line += "," + ISO8601.format(milliseconds: r.timestamp) + "," + "\(r.value)" + "," + (r.wijk?.rawValue ?? "") + ","
            + CSVField.escape(r.buurt ?? "") + "," + String(r.flags.rawValue) + "\n"
        series.buffer += line.utf8
        series.rows += 1
        let p = series.parquet!
        p.append(column: 0, string: r.series.sensorID)
        p.append(column: 1, string: r.series.quantity)
        p.append(column: 2, int: r.timestamp)
        p.append(column: 3, double: r.value)
        if let wijk = r.wijk { p.append(column: 4, string: wijk.rawValue) } else { p.appendNull(column: 4) }
        if let buurt = r.buurt { p.append(column: 5, string: buurt) } else { p.appendNull(column: 5) }
        p.append(column: 6, int: Int64(r.flags.rawValue))
        try p.endRow()
        if series.buffer.count >= 1 << 16 { try Self.appendFile(series.csv, series.buffer); series.buffer.removeAll(keepingCapacity: true) }
    }

    /// Flushes and closes every series; returns each file (relative path) with its rows.
    func finish() throws -> [(String, Int)] {
        var out: [(String, Int)] = []
        for (key, series) in open.sorted(by: { $0.key < $1.key }) {
            try Self.appendFile(series.csv, series.buffer)
            try series.parquet.finish()
            out.append((Self.relative(key) + ".csv", series.rows))
            out.append((Self.relative(key) + ".parquet", series.rows))
        }
        return out
    }

    private func series(_ key: SeriesKey) throws -> Series {
        if let s = open[key] { return s }
        let base = (directory as NSString).appendingPathComponent(Self.relative(key))
        try FileManager.default.createDirectory(atPath: (base as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let s = Series(csv: base + ".csv", parquet: base + ".parquet")
        FileManager.default.createFile(atPath: s.csv, contents: Data(Self.header.utf8))
        FileManager.default.createFile(atPath: s.parquetPath, contents: nil)
        let target = s.parquetPath
        s.parquet = try ParquetWriter(columns: Self.columns, rowGroupSize: 8_192) { bytes in try Self.appendFile(target, bytes) }
        open[key] = s
        return s
    }

    private static func appendFile(_ path: String, _ bytes: [UInt8]) throws {
        guard !bytes.isEmpty else { return }
        guard let handle = FileHandle(forWritingAtPath: path) else { throw CLIError("cannot write \(path)") }
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: bytes)
    }
}
