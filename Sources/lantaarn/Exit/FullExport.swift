import Foundation
import LantaarnModel
import Pipelines
import Server
import Store

/// `lantaarn export --all DIR`: everything the municipality owns, in open formats, with a
/// manifest of every file (size, SHA-256, rows), for a cloud exit. `lantaarn import DIR`
/// (``FullImport``) rebuilds the store from it. See docs/exit.md for the layout.
struct FullExport {
    let runtime: Runtime
    let directory: String
    /// The configuration file in use, copied into `config/` when there is one.
    let configFile: String?

    static let manifestName = "lantaarn-export.json"

    struct Result {
        var files: [ExportManifest.File] = []
        var bytes: Int64 { files.reduce(0) { $0 + $1.bytes } }
        var readings = 0
        var series = 0
        var releases = 0
    }

    func run(progress: (String) -> Void) async throws -> Result {
        guard let sqlite = runtime.store.sqlite else {
            throw CLIError("the store is PostgreSQL: make a full copy with pg_dump -Fc (docs/scale-out.md); the open files of 'export --all' are written from a SQLite store")
        }
        let fm = FileManager.default
        if fm.fileExists(atPath: directory), !((try? fm.contentsOfDirectory(atPath: directory)) ?? []).isEmpty {
            throw CLIError("'\(directory)' is not empty; give a new or empty directory (an export never overwrites)")
        }
        try fm.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var result = Result()
        let publisher = runtime.settings.municipality

        // 1. The store, every table (the part `import` rebuilds it from).
        let dump = try StoreDump.write(sqlite, to: directory) { table, rows in progress("tables: \(table) \(rows) rows") }
        try add("tables/schema.sql", rows: nil, to: &result)
        for table in dump.tables {
            let (bytes, sha) = try table.written ?? ExportManifest.digest(path(table.file))
            result.files.append(.init(path: table.file, bytes: bytes, sha256: sha, rows: table.rows))
        }

        // 2. Every reading, per series, as CSV and Parquet; one quantity at a time, so only the
        // series of one quantity have files open and rows buffered.
        for quantity in try StoreDump.quantities(sqlite) {
            let series = try SeriesFiles(directory: directory)
            try runtime.store.readings.scan(quantities: [quantity], window: TimeWindow(start: 0, end: Int64.max / 2)) { r in
                try series.append(r)
                result.readings += 1
                if result.readings % 100_000 == 0 { progress("readings: \(result.readings) (\(quantity))") }
            }
            for (path, rows) in try series.finish() { try add(path, rows: rows, to: &result) }
            result.series += series.count
        }
        progress("readings: \(result.readings) in \(result.series) series")

        // 3. Every dataset: its current rows and every release kept, as CSV and Parquet.
        let releases = runtime.store.releases
        for summary in try releases.datasets() {
            let m = summary.metadata
            let base = "datasets/\(m.name)"
            try fm.createDirectory(atPath: path(base + "/releases"), withIntermediateDirectories: true)
            for format in [ExportFormat.csv, .parquet] {
                let file = "\(base)/\(m.name).\(format.rawValue)"
                let (bytes, sha) = try await DatasetDownload.writeCurrent(m, format: format, releases: releases, publisher: publisher, to: path(file))
                result.files.append(.init(path: file, bytes: bytes, sha256: sha, rows: summary.rowCount))
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try write(String(decoding: try encoder.encode(m), as: UTF8.self), to: "\(base)/metadata.json", &result)
            for r in try releases.releases(dataset: m.name) where try releases.rowsKept(r) {
                for format in [ExportFormat.csv, .parquet] {
                    let file = "\(base)/releases/\(r.id).\(format.rawValue)"
                    let (bytes, sha) = try await DatasetDownload.writeRelease(r, format: format, dataset: m, releases: releases, publisher: publisher, to: path(file))
                    result.files.append(.init(path: file, bytes: bytes, sha256: sha, rows: r.rowsOut))
                }
                result.releases += 1
                progress("datasets: \(m.name), release \(r.id)")
            }
        }

        // 4. Pipeline definitions with their history, and the configuration in use.
        var pipelines = Set(try releases.datasets().map(\.metadata.pipeline))
        if let catalog = try? PipelineCatalog(directory: runtime.settings.pipelineDirectory) { pipelines.formUnion(catalog.pipelines.map(\.name)) }
        for name in pipelines.sorted() {
            for v in try releases.pipelineVersions(name) {
                try write(v.definition, to: "definitions/pipelines/\(name)/\(v.version)-\(v.sha256.prefix(12)).yaml", &result)
            }
        }
        for (folder, source) in [("config/Sensors", runtime.settings.sensorDirectory), ("config/Pipelines", runtime.settings.pipelineDirectory),
                                 ("config/Dashboards", runtime.settings.dashboardDirectory)] {
            try copyTree(source, to: folder, &result)
        }
        if let configFile, fm.fileExists(atPath: configFile) {
            try copy(configFile, to: "config/" + (configFile as NSString).lastPathComponent, &result)
        }

        // 5. Boundaries as GeoJSON (also in tables/boundary_*).
        let maps = GeoMaps(catalog: runtime.boundaries, defaultTolerance: 0)
        for (level, vintage) in maps.available() {
            guard let bytes = maps.geoJSON(level: level, vintage: vintage, tolerance: 0) else { continue }
            try write(String(decoding: bytes, as: UTF8.self), to: "boundaries/\(level)-\(vintage).geojson", &result)
        }

        // 6. The manifest, last: an export without one is incomplete.
        let manifest = ExportManifest(createdAt: Clock.nowMilliseconds(), municipality: publisher, userVersion: dump.userVersion,
                                      tables: dump.tables, files: result.files)
        try Data(JSONWriter.string(manifest.json).utf8).write(to: URL(fileURLWithPath: path(Self.manifestName)))
        return result
    }

    private func path(_ relative: String) -> String { (directory as NSString).appendingPathComponent(relative) }

    /// Records a file already written under `directory`.
    private func add(_ relative: String, rows: Int?, to result: inout Result) throws {
        let (bytes, sha) = try ExportManifest.digest(path(relative))
        result.files.append(.init(path: relative, bytes: bytes, sha256: sha, rows: rows))
    }

    private func write(_ text: String, to relative: String, _ result: inout Result) throws {
        let target = path(relative)
        try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: target))
        try add(relative, rows: nil, to: &result)
    }

    private func copy(_ source: String, to relative: String, _ result: inout Result) throws {
        let target = path(relative)
        try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: source, toPath: target)
        try add(relative, rows: nil, to: &result)
    }

    private func copyTree(_ source: String, to relative: String, _ result: inout Result) throws {
        guard let walker = FileManager.default.enumerator(atPath: source) else { return }
        for case let file as String in walker.allObjects.compactMap({ $0 as? String }).sorted() {
            var isDirectory: ObjCBool = false
            let full = (source as NSString).appendingPathComponent(file)
            guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            try copy(full, to: relative + "/" + file, &result)
        }
    }
}
