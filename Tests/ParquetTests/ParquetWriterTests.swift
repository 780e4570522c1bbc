import Foundation
@testable import Parquet
import TestSupport
import Testing

/// The Parquet writer, read back by two independent readers (pyarrow and DuckDB, in .venv):
/// types, every value (nulls, extremes, -0.0, NaN, Unicode, empty strings), several row groups,
/// dictionary and plain strings, zstd and uncompressed pages, statistics.
struct ParquetWriterTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardizedFileURL.path
    static let columns = [ParquetWriter.Column(name: "periode_start", kind: .timestampMillis), ParquetWriter.Column(name: "aantal", kind: .int64),
                          ParquetWriter.Column(name: "gemiddelde", kind: .double), ParquetWriter.Column(name: "wijk_naam", kind: .string)]

    func write(_ path: String, columns: [ParquetWriter.Column] = Self.columns, rows: [[ParquetWriter.Value]], rowGroupSize: Int = 65_536,
               compression: ParquetWriter.Compression = .zstd(level: 3)) throws {
        var bytes: [UInt8] = []
        let writer = try ParquetWriter(columns: columns, rowGroupSize: rowGroupSize, compression: compression) { bytes += $0 }
        for row in rows { try writer.append(row) }
        try writer.finish()
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// What both readers make of `files`, one JSON object per file.
    func read(_ files: [String]) async throws -> [JSONValueLike] {
        let result = try await runOffPool(try Tool.python(), [Self.repo + "/Tests/Fixtures/parquet/read_parquet.py"] + files, mergingErrors: true)
        let text = String(decoding: result.output, as: UTF8.self)
        try #require(result.status == 0, "\(text.suffix(3000))")
        return try text.split(separator: "\n").map { try JSONValueLike(String($0)) }
    }

    @Test func bothReadersSeeEveryValueAndType() async throws {
        let dir = NSTemporaryDirectory() + "lantaarn-parquet-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let t0: Int64 = 1_764_547_200_000
        let rows: [[ParquetWriter.Value]] = [
            [.int(t0), .int(12), .double(1.5), .string("Oude Stad")],
            [.null, .int(-7), .double(-0.0), .string("Zuid")],
            [.int(t0 + 3_600_000), .null, .null, .null],
            [.int(-86_400_000), .int(9_007_199_254_740_991), .double(1e300), .string("")],
            [.int(t0 + 1), .int(-9_007_199_254_740_991), .double(.nan), .string("IJsselmeer — é ✓ 🚲")],
            [.int(t0), .int(0), .double(-2.25e-7), .string("Oude Stad")],
        ]
        try write(dir + "/small.parquet", rows: rows)
        try write(dir + "/plain.parquet", rows: rows, rowGroupSize: 2, compression: .none)
        try write(dir + "/empty.parquet", rows: [])
        for file in try await read([dir + "/small.parquet", dir + "/plain.parquet", dir + "/empty.parquet"]) {
            #expect(file["pyarrow.types"] == ["timestamp[ms, tz=UTC]", "int64", "double", "string"], "\(file.text)")
            #expect(file["pyarrow.names"] == ["periode_start", "aantal", "gemiddelde", "wijk_naam"])
            #expect(file["duckdb.types"] == ["TIMESTAMP WITH TIME ZONE", "BIGINT", "DOUBLE", "VARCHAR"], "\(file.text)")
            let expected = file.text.contains("empty.parquet") ? "[]" : """
                [[1764547200000, 12, 1.5, "Oude Stad"], [null, -7, -0.0, "Zuid"], [1764550800000, null, null, null], \
                [-86400000, 9007199254740991, 1e+300, ""], [1764547200001, -9007199254740991, "NaN", "IJsselmeer \\u2014 \\u00e9 \\u2713 \\ud83d\\udeb2"], \
                [1764547200000, 0, -2.25e-07, "Oude Stad"]]
                """
            #expect(file.raw("pyarrow.rows") == expected, "\(file.text)")
            #expect(file.raw("duckdb.rows") == expected, "\(file.text)")
        }
        let small = try await read([dir + "/small.parquet"])[0]
        #expect(small.text.contains("\"row_groups\": 1") && small.text.contains("\"codec\": \"ZSTD\"") && small.text.contains("RLE_DICTIONARY"), "\(small.text)")
        // Statistics: nulls counted, NaN left out, strings by their bytes.
        #expect(small.text.contains("\"column\": \"aantal\", \"codec\": \"ZSTD\"") && small.text.contains("\"null_count\": 1, \"min\": -9007199254740991, \"max\": 9007199254740991"), "\(small.text)")
        #expect(small.text.contains("\"min\": -2.25e-07, \"max\": 1e+300") && small.text.contains("\"min\": \"\", \"max\": \"Zuid\""), "\(small.text)")
        // A zero minimum is written as -0.0, a zero maximum as +0.0 (the format's rule for readers that compare).
        try write(dir + "/zero.parquet", columns: [ParquetWriter.Column(name: "x", kind: .double)], rows: [[.double(0)], [.double(2)]])
        try write(dir + "/negative.parquet", columns: [ParquetWriter.Column(name: "x", kind: .double)], rows: [[.double(-0.0)], [.double(-2)]])
        let zeros = try await read([dir + "/zero.parquet", dir + "/negative.parquet"])
        #expect(zeros[0].text.contains("\"min\": -0.0, \"max\": 2.0") && zeros[1].text.contains("\"min\": -2.0, \"max\": 0.0"), "\(zeros.map(\.text))")
        let plain = try await read([dir + "/plain.parquet"])[0]
        #expect(plain.text.contains("\"row_groups\": 3") && plain.text.contains("\"codec\": \"UNCOMPRESSED\""), "\(plain.text)")
    }

    /// 200,000 rows: four row groups; a column of 50 names stays dictionary-encoded, one of
    /// unique strings falls back to PLAIN.
    @Test func manyRowsInSeveralRowGroups() async throws {
        let dir = NSTemporaryDirectory() + "lantaarn-parquet-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let columns = [ParquetWriter.Column(name: "n", kind: .int64), ParquetWriter.Column(name: "wijk", kind: .string),
                       ParquetWriter.Column(name: "uniek", kind: .string), ParquetWriter.Column(name: "x", kind: .double)]
        let rows: [[ParquetWriter.Value]] = (0..<200_000).map { i in
            [.int(Int64(i)), .string("wijk \(i % 50)"), .string("id-\(i)"), i % 7 == 0 ? .null : .double(Double(i) / 4)]
        }
        try write(dir + "/many.parquet", columns: columns, rows: rows)
        let check = try await runOffPool(try Tool.python(), ["-c", """
            import duckdb, sys
            r = duckdb.sql("SELECT count(*), sum(n), count(DISTINCT wijk), count(DISTINCT uniek), count(x), sum(x), min(uniek), max(wijk) FROM read_parquet('\(dir)/many.parquet')").fetchall()[0]
            print(list(r))
            import pyarrow.parquet as pq
            m = pq.ParquetFile('\(dir)/many.parquet').metadata
            print(m.num_row_groups, m.num_rows, sorted(m.row_group(0).column(1).encodings), sorted(m.row_group(0).column(2).encodings))
            """], mergingErrors: true)
        let out = String(decoding: check.output, as: UTF8.self)
        let count7 = (0..<200_000).filter { $0 % 7 != 0 }
        let sumX = count7.reduce(0.0) { $0 + Double($1) / 4 }
        #expect(check.status == 0 && out.contains("[200000, 19999900000, 50, 200000, \(count7.count), \(sumX), 'id-0', 'wijk 9']"), "\(out)")
        #expect(out.contains("4 200000 ['PLAIN', 'RLE', 'RLE_DICTIONARY'] ['PLAIN', 'RLE']"), "\(out)")
    }

    @Test func aRowOfTheWrongWidthIsRefused() throws {
        let writer = try ParquetWriter(columns: Self.columns) { _ in }
        #expect(throws: ParquetWriter.WriteError.self) { try writer.append([.null]) }
    }
}

/// A JSON line from the reader script, looked at as text: paths into it as compact JSON.
struct JSONValueLike {
    let text: String
    let object: [String: Any]

    init(_ text: String) throws {
        self.text = text
        object = (try JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    func value(_ path: String) -> Any? {
        var current: Any? = object
        for key in path.split(separator: ".") { current = (current as? [String: Any])?[String(key)] }
        return current
    }

    subscript(_ path: String) -> [String]? { value(path) as? [String] }

    /// The value at `path` written back as JSON the way Python's json.dumps writes it.
    func raw(_ path: String) -> String {
        guard let range = text.range(of: "\"\(path.split(separator: ".").last!)\": ", range: rangeOf(path)) else { return "" }
        var depth = 0, end = range.upperBound
        for i in text[range.upperBound...].indices {
            let c = text[i]
            if c == "[" { depth += 1 } else if c == "]" { depth -= 1; if depth == 0 { end = text.index(after: i); break } }
        }
        return String(text[range.upperBound..<end])
    }

    private func rangeOf(_ path: String) -> Range<String.Index>? {
        guard let first = path.split(separator: ".").first, let start = text.range(of: "\"\(first)\": ") else { return nil }
        return start.lowerBound..<text.endIndex
    }
}
