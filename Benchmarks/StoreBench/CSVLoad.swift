import Foundation
import LantaarnModel
import Store

/// Loads the peers' CSV (`sensor,wijk,quantity,ts,value`, a header line first) into a store: the
/// same file and the same work as DuckDB's `read_csv` into a typed table, SQLite's `.import` and
/// InfluxDB's line protocol. Every cell is parsed and checked (an integer sensor and time, a
/// canonical CBS wijk code, a quantity name, a finite number), readings are appended in batches of
/// `batchSize`, and the store seals every window and checkpoints at the end (`finish`). A bad line
/// stops the load with its line number: the benchmark's input is known to be clean, so a bad line
/// is a bug in the benchmark, not data to quarantine.
enum CSVLoad {
    static let batchSize = 100_000

    struct Result {
        var readings = 0
        /// Time inside `SQLiteStore.append`, the store's share of the load.
        var appendSeconds = 0.0
    }

    struct BadLine: Error, CustomStringConvertible {
        var line: Int
        var reason: String
        var description: String { "line \(line): \(reason)" }
    }

    static func load(_ path: String, into store: SQLiteStore, finish: () throws -> Void) throws -> Result {
        let data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        var result = Result()
        try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            var parser = Parser()
            var batch: [Reading] = []
            batch.reserveCapacity(batchSize)
            var offset: Int64 = 0
            func flush() throws {
                let t0 = ContinuousClock.now
                offset += 1
                try store.readings.append(IngestBatch(readings: batch, quarantined: [], source: "bench-csv", offset: offset))
                result.appendSeconds += seconds(ContinuousClock.now - t0)
                result.readings += batch.count
                batch.removeAll(keepingCapacity: true)
            }
            var position = 0, line = 0
            let count = bytes.count
            let base = bytes.baseAddress!
            while position < count {
                let rest = count - position
                let newline = memchr(base + position, 0x0A, rest).map { $0 - UnsafeMutableRawPointer(mutating: base) } ?? count
                line += 1
                if line > 1, newline > position {
                    guard let reading = parser.reading(UnsafeRawBufferPointer(start: base + position, count: newline - position)) else {
                        throw BadLine(line: line, reason: parser.problem)
                    }
                    batch.append(reading)
                    if batch.count == batchSize { try flush() }
                }
                position = newline + 1
            }
            if !batch.isEmpty { try flush() }
        }
        try finish()
        return result
    }

    /// Parses one line into a reading, or says in `problem` why it cannot. Strings are interned: a
    /// sensor, wijk or quantity is one allocation per distinct value, not one per line.
    struct Parser {
        private(set) var problem = ""
        private var sensors: [Int64: String] = [:]
        private var wijken = Interned<WijkCode>()
        private var quantities = Interned<String>()

        mutating func reading(_ line: UnsafeRawBufferPointer) -> Reading? {
            var cells: [UnsafeRawBufferPointer] = []
            cells.reserveCapacity(5)
            var start = 0
            for i in 0..<line.count where line[i] == 0x2C {
                cells.append(UnsafeRawBufferPointer(rebasing: line[start..<i]))
                start = i + 1
            }
            cells.append(UnsafeRawBufferPointer(rebasing: line[start...]))
            guard cells.count == 5 else { return fail("expected 5 cells (sensor,wijk,quantity,ts,value), found \(cells.count)") }
            guard let sensorNumber = Self.integer(cells[0]) else { return fail("sensor is not an integer") }
            let sensor: String
            if let known = sensors[sensorNumber] { sensor = known } else {
                sensor = String(sensorNumber)
                sensors[sensorNumber] = sensor
            }
            guard let wijk = wijken.value(cells[1], WijkCode.init) else { return fail("wijk is not a CBS wijk code (WK, 4 digits and 2 digits or capital letters)") }
            guard let quantity = quantities.value(cells[2], { $0.isEmpty ? nil : $0 }) else { return fail("quantity is empty") }
            guard let ts = Self.integer(cells[3]), ts > 0, ts < 32_503_680_000_000 else { return fail("ts is not a time in epoch milliseconds") }
            guard let value = Self.decimal(cells[4]), value.isFinite else { return fail("value is not a finite number") }
            return Reading(series: SeriesKey(sensorID: sensor, quantity: quantity), timestamp: ts, value: value, wijk: wijk)
        }

        private mutating func fail(_ reason: String) -> Reading? {
            problem = reason
            return nil
        }

        static func integer(_ cell: UnsafeRawBufferPointer) -> Int64? {
            guard !cell.isEmpty, cell.count <= 18 else { return nil }
            var n: Int64 = 0
            for b in cell {
                guard b >= 0x30, b <= 0x39 else { return nil }
                n = n * 10 + Int64(b - 0x30)
            }
            return n
        }

        static let powers: [Double] = (0...22).map { pow(10, Double($0)) }

        /// A decimal like `12.34` or `-0.5`: digits as an integer divided by an exact power of ten,
        /// which is correctly rounded for up to 15 digits (Clinger's fast path); anything else
        /// (exponents, longer numbers) goes through `strtod`.
        static func decimal(_ cell: UnsafeRawBufferPointer) -> Double? {
            var i = 0, negative = false
            if i < cell.count, cell[i] == 0x2D { negative = true; i += 1 }
            var mantissa: Int64 = 0, digits = 0, fraction = -1
            while i < cell.count {
                let b = cell[i]
                if b >= 0x30, b <= 0x39 {
                    mantissa = mantissa &* 10 &+ Int64(b - 0x30)
                    digits += 1
                    if fraction >= 0 { fraction += 1 }
                } else if b == 0x2E, fraction < 0 {
                    fraction = 0
                } else {
                    return slow(cell)
                }
                i += 1
            }
            guard digits > 0 else { return nil }
            guard digits <= 15 else { return slow(cell) }
            let value = Double(mantissa) / powers[max(fraction, 0)]
            return negative ? -value : value
        }

        static func slow(_ cell: UnsafeRawBufferPointer) -> Double? {
            let text = String(decoding: cell, as: UTF8.self)
            return Double(text)
        }
    }
}

/// Values made from a cell's text once per distinct text. Cells of up to 8 bytes are keyed by
/// their bytes packed into an integer (exact: CSV text holds no NUL byte); longer ones by text.
struct Interned<Value> {
    private var short: [UInt64: Value?] = [:]
    private var long: [String: Value?] = [:]

    mutating func value(_ cell: UnsafeRawBufferPointer, _ make: (String) -> Value?) -> Value? {
        guard cell.count <= 8 else {
            let text = String(decoding: cell, as: UTF8.self)
            if let known = long[text] { return known }
            let made = make(text)
            long[text] = made
            return made
        }
        var key: UInt64 = 0
        for (i, b) in cell.enumerated() { key |= UInt64(b) << (8 * UInt64(i)) }
        if let known = short[key] { return known }
        let made = make(String(decoding: cell, as: UTF8.self))
        short[key] = made
        return made
    }
}

func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
