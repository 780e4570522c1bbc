import Foundation
import GRDB
import LantaarnModel
@testable import Store
import Testing

/// The table dump of the full export: every SQLite value comes back as it went in, and a damaged
/// line is refused with its file and line.
struct StoreDumpTests {
    @Test func everyKindOfCellComesBackExactly() throws {
        let values: [DatabaseValue] = [
            .null, Int64.max.databaseValue, Int64.min.databaseValue, 0.databaseValue, (-7).databaseValue,
            0.1.databaseValue, (-0.0).databaseValue, 1e-300.databaseValue, 1.7976931348623157e308.databaseValue, 3.0.databaseValue,
            Double.infinity.databaseValue, (-Double.infinity).databaseValue,
            "".databaseValue, "tekst met \"quotes\", komma's,\nregels en \\ backslash".databaseValue, "é ü 😀 \u{0001}".databaseValue,
            Data([0, 1, 2, 255, 10, 34]).databaseValue, Data().databaseValue,
        ]
        var line = "["
        for (i, v) in values.enumerated() {
            if i > 0 { line += "," }
            StoreDump.append(v, to: &line)
        }
        line += "]"
        var parser = StoreDump.CellParser(bytes: Array(line.utf8)[...])
        let back = try parser.row()
        #expect(back.count == values.count)
        for (a, b) in zip(values, back) {
            #expect(a == b, "\(a) came back as \(b) from \(line)")
            #expect(String(describing: a.storage) == String(describing: b.storage), "\(a): storage class changed")
        }
    }

    @Test func damagedLinesAreRefused() {
        for bad in ["[1,2", "[\"open", "[{\"base64\":\"***\"}]", "[nul]", "[1.2.3]", "[{\"x\":\"y\"}]", "1,2]"] {
            var parser = StoreDump.CellParser(bytes: Array(bad.utf8)[...])
            #expect(throws: StoreDump.Failure.self, "\(bad)") { _ = try parser.row() }
        }
    }

    @Test func aStoreRebuiltFromItsDumpHoldsTheSameRows() throws {
        let dir = NSTemporaryDirectory() + "lantaarn-dump-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try SQLiteStore(dataDirectory: dir + "/a")
        var m = DatasetMetadata(name: "d", title: "D", description: "d", pipeline: "p", license: "CC0-1.0", retention: "1y",
                                columns: [ColumnSpec(name: "wijk_code", type: .text, description: ""), ColumnSpec(name: "n", type: .number, description: "")])
        m.theme = "http://standaarden.overheid.nl/owms/terms/Lucht"
        try store.releases.register(m)
        for hour in 0..<3 {
            _ = try store.releases.publish(ReleaseDraft(dataset: "d", window: TimeWindow(start: Int64(hour) * 3_600_000, end: Int64(hour + 1) * 3_600_000),
                                                        rows: [[.text("WK039201"), .number(0.1 * Double(hour))], [.text("WK039205"), .null]],
                                                        rowsIn: 2, lineage: .null))
        }
        let written = try StoreDump.write(store, to: dir + "/export") { _, _ in }
        #expect(written.tables.contains { $0.name == "release" && $0.rows == 3 })
        _ = try StoreDump.load(from: dir + "/export", tables: written.tables, userVersion: written.userVersion, into: dir + "/b") { _, _ in }
        let rebuilt = try SQLiteStore(dataDirectory: dir + "/b")
        #expect(try rebuilt.releases.releases(dataset: "d").map(\.sha256) == store.releases.releases(dataset: "d").map(\.sha256))
        #expect(try rebuilt.releases.dataset(named: "d")?.rowCount == 6)
        // Into a data directory that holds a store already: refused, nothing overwritten.
        #expect(throws: StoreBackup.Failure.self) {
            _ = try StoreDump.load(from: dir + "/export", tables: written.tables, userVersion: written.userVersion, into: dir + "/b") { _, _ in }
        }
    }
}
