import Foundation
import LantaarnModel
import Store

/// `lantaarn-export.json`: what a full export holds, file by file (size, SHA-256, rows), and
/// the store's tables with their columns, so `lantaarn import` can check it before rebuilding.
struct ExportManifest {
    struct File {
        var path: String
        var bytes: Int64
        var sha256: String
        var rows: Int?
    }

    static let format = "Lantaarn full export 1"

    var createdAt: Int64
    var municipality: String
    var userVersion: Int
    var tables: [StoreDump.Table]
    var files: [File]

    var json: JSONValue {
        .object([
            ("format", .string(Self.format)),
            ("created_at", .string(ISO8601.format(milliseconds: createdAt))),
            ("municipality", .string(municipality)),
            ("store_user_version", .number(Double(userVersion))),
            ("tables", .array(tables.map { t in
                .object([("name", .string(t.name)), ("file", .string(t.file)), ("rows", .number(Double(t.rows))),
                         ("columns", .array(t.columns.map(JSONValue.string)))])
            })),
            ("files", .array(files.map { f in
                .object([("path", .string(f.path)), ("bytes", .number(Double(f.bytes))), ("sha256", .string(f.sha256))]
                        + (f.rows.map { [("rows", JSONValue.number(Double($0)))] } ?? []))
            })),
        ])
    }

    /// Reads the manifest of the export in `directory`.
    static func read(_ directory: String) throws -> ExportManifest {
        let path = (directory as NSString).appendingPathComponent(FullExport.manifestName)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError("\(path) is missing: '\(directory)' is not a complete 'lantaarn export --all' (the manifest is written last)")
        }
        let root: JSONValue
        do { root = try JSONParser.parse([UInt8](data)) } catch {
            throw CLIError("\(path) is not valid JSON (\(error)); export again")
        }
        guard root["format"]?.stringValue == format else {
            throw CLIError("\(path) is not a Lantaarn full export manifest (format '\(root["format"]?.stringValue ?? "")', expected '\(format)')")
        }
        let tables = (root["tables"]?.arrayValue ?? []).compactMap { t -> StoreDump.Table? in
            guard let name = t["name"]?.stringValue, let file = t["file"]?.stringValue, let rows = t["rows"]?.numberValue else { return nil }
            return StoreDump.Table(name: name, columns: t["columns"]?.arrayValue?.compactMap(\.stringValue) ?? [], rows: Int(rows), file: file)
        }
        let files = (root["files"]?.arrayValue ?? []).compactMap { f -> File? in
            guard let path = f["path"]?.stringValue, let bytes = f["bytes"]?.numberValue, let sha = f["sha256"]?.stringValue else { return nil }
            return File(path: path, bytes: Int64(bytes), sha256: sha, rows: f["rows"]?.numberValue.map(Int.init))
        }
        return ExportManifest(createdAt: ISO8601.parse(root["created_at"]?.stringValue ?? "") ?? 0,
                              municipality: root["municipality"]?.stringValue ?? "",
                              userVersion: Int(root["store_user_version"]?.numberValue ?? 0), tables: tables, files: files)
    }

    /// Size and SHA-256 (hex) of a file, read a megabyte at a time.
    static func digest(_ path: String) throws -> (Int64, String) {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw CLIError("cannot read \(path)") }
        defer { try? handle.close() }
        var hash = SHA256()
        var size: Int64 = 0
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hash.update([UInt8](chunk))
            size += Int64(chunk.count)
        }
        return (size, SHA256.hexString(hash.finalize()))
    }
}
