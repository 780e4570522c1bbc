import Foundation
import LantaarnModel
import Store

/// `lantaarn import DIR`: rebuilds the store of an empty data directory from a full export.
/// Every file the manifest lists is checked first (size and SHA-256), so a damaged or partial
/// copy is refused before anything is written; then the store is rebuilt from `tables/`.
struct FullImport {
    let directory: String
    let dataDirectory: String

    struct Result {
        var summary: StoreBackup.Summary
        var files: Int
        var bytes: Int64
    }

    func run(progress: (String) -> Void) throws -> Result {
        let manifest = try ExportManifest.read(directory)
        var bytes: Int64 = 0
        for (i, file) in manifest.files.enumerated() {
            let path = (directory as NSString).appendingPathComponent(file.path)
            guard FileManager.default.fileExists(atPath: path) else {
                throw CLIError("\(file.path) is listed in the manifest but missing from '\(directory)'; copy the whole export again")
            }
            let (size, sha) = try ExportManifest.digest(path)
            guard size == file.bytes, sha == file.sha256 else {
                throw CLIError("\(file.path) differs from the manifest (\(size) bytes, SHA-256 \(sha.prefix(12))…; expected \(file.bytes) bytes, \(file.sha256.prefix(12))…); the copy is damaged, copy the export again")
            }
            bytes += size
            if i % 50 == 0 { progress("checked \(i + 1) of \(manifest.files.count) files") }
        }
        let listed = Set(manifest.files.map(\.path))
        for table in manifest.tables where !listed.contains(table.file) {
            throw CLIError("table \(table.name) (\(table.file)) has no checksum in the manifest; the export is damaged")
        }
        let summary = try StoreDump.load(from: directory, tables: manifest.tables, userVersion: manifest.userVersion, into: dataDirectory) { table, rows in
            progress("loading \(table): \(rows) rows")
        }
        return Result(summary: summary, files: manifest.files.count, bytes: bytes)
    }
}
