import Foundation
import GRDB
import LantaarnModel

/// Every table of the SQLite store as a newline-delimited JSON file and its schema as SQL, for
/// the full export (`lantaarn export --all`), and the way back (`lantaarn import`): a store
/// rebuilt from them holds the same rows, cell for cell, so release checksums and downloads
/// are the same byte for byte.
///
/// `tables/schema.sql` holds every `CREATE` statement of the store (tables, then indexes and
/// triggers), `tables/NAME.ndjson` one JSON array per row in the table's column order. A cell is
/// `null`, a JSON string (TEXT), an integer written as digits (INTEGER, all 64 bits), a number
/// with a fraction or exponent (REAL, shortest round-trip form), `{"base64": "…"}` (BLOB) or
/// `{"real": "inf"}` / `{"real": "-inf"}`.
public enum StoreDump {
    public struct Table: Sendable {
        public var name: String
        public var columns: [String]
        public var rows: Int
        /// Relative path, e.g. `tables/release.ndjson`.
        public var file: String
        /// Size and SHA-256 (hex) of the file, taken while it was written; `nil` for a table read
        /// from a manifest (which lists them with the files).
        public var written: (bytes: Int64, sha256: String)?

        public init(name: String, columns: [String], rows: Int, file: String) {
            (self.name, self.columns, self.rows, self.file) = (name, columns, rows, file)
        }
    }

    public struct Written: Sendable {
        public var tables: [Table]
        /// `PRAGMA user_version` of the store.
        public var userVersion: Int
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Writes the dump of `store` under `directory/tables/` from one consistent snapshot.
    public static func write(_ store: SQLiteStore, to directory: String, progress: (String, Int) -> Void) throws -> Written {
        let folder = (directory as NSString).appendingPathComponent("tables")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return try store.pool.read { db in
            let entries = try Row.fetchAll(db, sql: "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid")
            var schema = ""
            var names: [String] = []
            for kind in ["table", "index", "trigger", "view"] {
                for e in entries where e["type"] as String == kind {
                    let name: String = e["name"]
                    if name.hasPrefix("sqlite_") { continue }
                    schema += (e["sql"] as String) + ";\n"
                    if kind == "table" { names.append(name) }
                }
            }
            if try db.tableExists("sqlite_sequence") { names.append("sqlite_sequence") }
            try Data(schema.utf8).write(to: URL(fileURLWithPath: (folder as NSString).appendingPathComponent("schema.sql")))
            var tables: [Table] = []
            for name in names {
                let file = "tables/\(name).ndjson"
                var out = try LineFile(path: (directory as NSString).appendingPathComponent(file))
                let columns = try db.columns(in: name).map(\.name)
                var rows = 0
                let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM \(name.quotedDatabaseIdentifier)")
                var line = ""
                while let row = try cursor.next() {
                    line.removeAll(keepingCapacity: true)
                    line += "["
                    for i in 0..<row.count {
                        if i > 0 { line += "," }
                        append(row[i] as DatabaseValue, to: &line)
                    }
                    line += "]\n"
                    try out.write(line)
                    rows += 1
                    if rows % 50_000 == 0 { progress(name, rows) }
                }
                var table = Table(name: name, columns: columns, rows: rows, file: file)
                table.written = try out.close()
                progress(name, rows)
                tables.append(table)
            }
            let userVersion = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
            return Written(tables: tables, userVersion: userVersion)
        }
    }

    /// The quantities the store holds series of.
    public static func quantities(_ store: SQLiteStore) throws -> [String] {
        try store.pool.read { db in try String.fetchAll(db, sql: "SELECT DISTINCT quantity FROM series ORDER BY quantity") }
    }

    /// Builds the store of `dataDirectory` (which must hold none) from a dump in `directory`:
    /// the schema's tables, every row, then indexes and triggers; then opens it as a store (which
    /// migrates an older dump) and checks it. `tables` names what the dump's manifest lists.
    public static func load(from directory: String, tables: [Table], userVersion: Int, into dataDirectory: String,
                            progress: (String, Int) -> Void) throws -> StoreBackup.Summary {
        let target = (dataDirectory as NSString).appendingPathComponent("lantaarn.sqlite")
        guard !FileManager.default.fileExists(atPath: target) else { throw StoreBackup.Failure.exists(target) }
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let partial = target + ".partial"
        try? FileManager.default.removeItem(atPath: partial)
        do {
            let schema = try String(contentsOfFile: (directory as NSString).appendingPathComponent("tables/schema.sql"), encoding: .utf8)
            let statements = schema.components(separatedBy: ";\n").filter { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
            var config = Configuration()
            config.foreignKeysEnabled = false   // rows arrive table by table, not parents first
            let queue = try DatabaseQueue(path: partial, configuration: config)
            try queue.writeWithoutTransaction { db in
                let isTable = { (s: String) in s.uppercased().hasPrefix("CREATE TABLE") }
                for s in statements where isTable(s) { try db.execute(sql: s) }
                for table in tables {
                    try db.inTransaction {
                        try insert(table, from: directory, db: db, progress: progress)
                        return .commit
                    }
                }
                for s in statements where !isTable(s) { try db.execute(sql: s) }
                try db.execute(sql: "PRAGMA user_version = \(userVersion)")
            }
            try queue.close()
            try FileManager.default.moveItem(atPath: partial, toPath: target)
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            throw error
        }
        let summary = try StoreBackup.check(target)
        _ = try SQLiteStore(dataDirectory: dataDirectory)
        return summary
    }

    private static func insert(_ table: Table, from directory: String, db: Database, progress: (String, Int) -> Void) throws {
        let path = (directory as NSString).appendingPathComponent(table.file)
        let columns = table.columns.map(\.quotedDatabaseIdentifier).joined(separator: ", ")
        let marks = Array(repeating: "?", count: table.columns.count).joined(separator: ", ")
        let statement = try db.makeStatement(sql: "INSERT INTO \(table.name.quotedDatabaseIdentifier) (\(columns)) VALUES (\(marks))")
        var rows = 0
        try LineFile.forEachLine(path) { line, number in
            var parser = CellParser(bytes: line)
            let cells: [DatabaseValue]
            do { cells = try parser.row() } catch let e as Failure {
                throw Failure(description: "\(table.file), line \(number): \(e.description); the dump is damaged, export it again")
            }
            guard cells.count == table.columns.count else {
                throw Failure(description: "\(table.file), line \(number): \(cells.count) cells for \(table.columns.count) columns; the dump is damaged, export it again")
            }
            try statement.execute(arguments: StatementArguments(cells))
            rows += 1
            if rows % 50_000 == 0 { progress(table.name, rows) }
        }
        guard rows == table.rows else {
            throw Failure(description: "\(table.file) holds \(rows) rows, the manifest says \(table.rows); the export is incomplete, export it again")
        }
        progress(table.name, rows)
    }

    static func append(_ value: DatabaseValue, to line: inout String) {
        switch value.storage {
        case .null: line += "null"
        case .int64(let n): line += String(n)
        case .double(let d):
            if d.isFinite {
                let text = "\(d)"
                line += text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) ? text : text + ".0"
            } else {
                line += d > 0 ? "{\"real\":\"inf\"}" : "{\"real\":\"-inf\"}"
            }
        case .string(let s): JSONWriter.appendString(s, to: &line)
        case .blob(let data): line += "{\"base64\":\"" + data.base64EncodedString() + "\"}"
        }
    }

    /// A dump line: `[cell, …]` with the cells `append` writes.
    struct CellParser {
        let bytes: ArraySlice<UInt8>
        var at: Int

        init(bytes: ArraySlice<UInt8>) {
            self.bytes = bytes
            at = bytes.startIndex
        }

        mutating func row() throws -> [DatabaseValue] {
            try expect(UInt8(ascii: "["))
            var cells: [DatabaseValue] = []
            if peek() == UInt8(ascii: "]") { at += 1; return cells }
            while true {
                cells.append(try cell())
                guard let c = next() else { throw Failure(description: "the row ends early") }
                if c == UInt8(ascii: "]") { return cells }
                guard c == UInt8(ascii: ",") else { throw Failure(description: "expected ',' or ']' at byte \(at - bytes.startIndex)") }
            }
        }

        private mutating func cell() throws -> DatabaseValue {
            switch peek() {
            case UInt8(ascii: "n"):
                guard bytes[at...].starts(with: Array("null".utf8)) else { throw Failure(description: "unknown word at byte \(at - bytes.startIndex)") }
                at += 4
                return .null
            case UInt8(ascii: "\""): return try string().databaseValue
            case UInt8(ascii: "{"):
                try expect(UInt8(ascii: "{"))
                let key = try string()
                try expect(UInt8(ascii: ":"))
                let value = try string()
                try expect(UInt8(ascii: "}"))
                switch (key, value) {
                case ("base64", _):
                    guard let data = Data(base64Encoded: value) else { throw Failure(description: "a blob is not base64") }
                    return data.databaseValue
                case ("real", "inf"): return Double.infinity.databaseValue
                case ("real", "-inf"): return (-Double.infinity).databaseValue
                default: throw Failure(description: "unknown cell {\"\(key)\": …}")
                }
            default:
                let start = at
                while let c = peek(), c != UInt8(ascii: ","), c != UInt8(ascii: "]") { at += 1 }
                guard let text = String(bytes: bytes[start..<at], encoding: .utf8), !text.isEmpty else { throw Failure(description: "an empty cell") }
                if text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) {
                    guard let d = Double(text) else { throw Failure(description: "'\(text)' is not a number") }
                    return d.databaseValue
                }
                guard let n = Int64(text) else { throw Failure(description: "'\(text)' is not an integer") }
                return n.databaseValue
            }
        }

        private mutating func string() throws -> String {
            guard peek() == UInt8(ascii: "\"") else { throw Failure(description: "expected a string at byte \(at - bytes.startIndex)") }
            let start = at - bytes.startIndex
            let parsed = bytes.withUnsafeBytes { buf -> Result<(value: String, end: Int), JSONParseError> in
                do throws(JSONParseError) { return .success(try JSONParser.string(in: buf, at: start)) } catch { return .failure(error) }
            }
            switch parsed {
            case .success(let parsed):
                at = bytes.startIndex + parsed.end
                return parsed.value
            case .failure(let e): throw Failure(description: "\(e.reason) at byte \(e.offset)")
            }
        }

        private func peek() -> UInt8? { at < bytes.endIndex ? bytes[at] : nil }

        private mutating func next() -> UInt8? {
            guard at < bytes.endIndex else { return nil }
            defer { at += 1 }
            return bytes[at]
        }

        private mutating func expect(_ c: UInt8) throws {
            guard next() == c else { throw Failure(description: "expected '\(Character(Unicode.Scalar(c)))' at byte \(at - 1 - bytes.startIndex)") }
        }
    }
}
