import Foundation
import Hummingbird
import LantaarnModel
import Store

/// `/datasets/{name}.csv|.json|.ndjson|.geojson` (complete, streamed downloads;
/// `?_sep=;` for Dutch Excel), `/datasets/{name}.csv-metadata.json` (CSVW),
/// `/datasets/{name}/releases` (every release with its version, SHA-256 and lineage) and
/// `/datasets/{name}/releases/{id}.csv|.json` (one release as published). Datasets that are
/// not public are listed with the reason, without downloads, and refused with 403.
struct DatasetRoutes {
    /// JSON with sorted keys: the same bytes from every node and every run.
    static let sortedEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return encoder
    }()

    let deps: ServerDependencies

    func register(on router: Router<LantaarnRequestContext>) {
        // The parameter has the name of the download route's: the router needs one name per position.
        router.get("/datasets/:file/releases") { _, context -> Response in
            let name = try context.parameters.require("file")
            guard let summary = try deps.releases.dataset(named: name) else {
                throw APIError(.notFound, "dataset '\(name)' does not exist; /datasets lists the available ones")
            }
            let list = try deps.releases.releases(dataset: name).map { r -> JSONValue in
                let lineage = (try? JSONParser.parse(r.lineage)) ?? .null
                var fields: [(String, JSONValue)] = [
                    ("id", .number(Double(r.id))), ("window_start", .string(ISO8601.format(milliseconds: r.window.start))),
                    ("window_end", .string(ISO8601.format(milliseconds: r.window.end))),
                    ("version", .number(Double(r.version))), ("current", .bool(r.current)),
                    ("created_at", .string(ISO8601.format(milliseconds: r.createdAt))),
                    ("rows_in", .number(Double(r.rowsIn))), ("rows_out", .number(Double(r.rowsOut))),
                    ("sha256", .string(r.sha256)), ("lineage", lineage),
                ]
                if summary.metadata.isPublic {
                    fields.append(("downloads", .object(ExportFormat.allCases.map {
                        ($0.rawValue, .string("/datasets/\(name)/releases/\(r.id).\($0.rawValue)"))
                    })))
                }
                return .object(fields)
            }
            let body = JSONWriter.string(.object([("ok", .bool(true)), ("dataset", .string(name)), ("releases", .array(list))]))
            return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        // One release as it was published, also after a re-run has superseded it.
        router.get("/datasets/:file/releases/:release") { request, context -> Response in
            let name = try context.parameters.require("file")
            let file = try context.parameters.require("release")
            let summary = try publicDataset(name)
            guard let (idText, format) = ExportFormat.split(file), let id = Int64(idText),
                  let release = try deps.releases.release(id: id), release.dataset == name else {
                throw APIError(.notFound, "no release '\(file)' of '\(name)'; /datasets/\(name)/releases lists them, download one as ID.csv, ID.json, ID.ndjson or ID.geojson")
            }
            guard try deps.releases.rowsKept(release) else {
                throw APIError(.gone, "the rows of release \(id) were replaced by a re-run before Lantaarn kept superseded releases; its SHA-256 and lineage remain at /datasets/\(name)/releases")
            }
            let releases = deps.releases
            let metadata = DatasetDownload.metadata(summary.metadata, of: release)
            let publisher = deps.site.municipality
            let version = DatasetDownload.Version(tag: DatasetDownload.tag(release, columns: metadata.columns, publisher: publisher),
                                                  lastModified: release.createdAt,
                                                  rowCount: release.rowsOut)
            // A release never changes, so it may be cached for good.
            return try await DatasetDownload.response(request, context: context,
                                                      try .init(request, format: format, columns: metadata.columns, maps: deps.boundaryMaps),
                                                      metadata: metadata,
                                                      filename: "\(name)-release-\(id)", publisher: publisher, version: version,
                                                      cacheControl: "public, max-age=31536000, immutable", exports: deps.exports,
                                                      stillCurrent: { (try? releases.release(id: id)).flatMap { $0 } != nil }) {
                (seq: Int?, visit) in try releases.encodedReleaseRows(release, after: seq, limit: DatasetDownload.pageSize, visit)
            }
        }
        router.get("/datasets/:file") { request, context -> Response in
            let file = try context.parameters.require("file")
            if file.hasSuffix(CSVWMetadata.suffix) {
                let summary = try publicDataset(String(file.dropLast(CSVWMetadata.suffix.count)))
                let document = CSVWMetadata.document(summary.metadata, site: deps.site, separator: try DatasetDownload.Options.separator(request))
                return Response(status: .ok, headers: [.contentType: "application/csvm+json"],
                                body: .init(byteBuffer: ByteBuffer(string: JSONWriter.string(document))))
            }
            guard let (name, format) = ExportFormat.split(file) else {
                throw APIError(.notFound, "unknown download '\(file)'; use /datasets/NAME.csv, NAME.json, NAME.ndjson, NAME.geojson or NAME.csv-metadata.json")
            }
            return try await DatasetDownload.current(request, context: context, try publicDataset(name), format, releases: deps.releases,
                                                     publisher: deps.site.municipality, exports: deps.exports, maps: deps.boundaryMaps)
        }
    }

    /// The dataset, when it exists and is public; a closed one is refused with its reason.
    private func publicDataset(_ name: String) throws -> DatasetSummary {
        try Self.publicDataset(name, releases: deps.releases)
    }

    static func publicDataset(_ name: String, releases: any ReleaseStore) throws -> DatasetSummary {
        guard let summary = try releases.dataset(named: name) else {
            throw APIError(.notFound, "dataset '\(name)' does not exist; /datasets lists the available ones")
        }
        guard summary.metadata.isPublic else {
            throw APIError(.forbidden, "dataset '\(name)' is not public: \(summary.metadata.accessReason ?? "no reason recorded"). Municipal staff download it from /admin/datasets/\(name).csv with the admin token")
        }
        return summary
    }

    static func summaryJSON(_ s: DatasetSummary) -> JSONValue {
        let m = s.metadata
        var fields: [(String, JSONValue)] = [
            ("name", .string(m.name)), ("title", .string(m.title)), ("description", .string(m.description)),
            ("pipeline", .string(m.pipeline)), ("license", .string(m.license)), ("retention", .string(m.retention)),
            ("rows", .number(Double(s.rowCount))), ("releases", .number(Double(s.releaseCount))),
            ("columns", .array(m.columns.map { .object([("name", .string($0.name)), ("type", .string($0.type.rawValue)),
                                                         ("description", .string($0.description))]) })),
            ("public", .bool(m.isPublic)),
        ]
        if m.isPublic {
            fields.append(("downloads", .object(ExportFormat.allCases.map { ($0.rawValue, .string("/datasets/\(m.name).\($0.rawValue)")) }
                                                + [("csvw", .string("/datasets/\(m.name)\(CSVWMetadata.suffix)"))])))
        } else {
            fields.append(("access_reason", .string(m.accessReason ?? "geen reden vastgelegd")))
        }
        if let u = s.updatedAt { fields.append(("updated_at", .string(ISO8601.format(milliseconds: u)))) }
        for (key, value) in [("theme", m.theme), ("frequency", m.frequency), ("spatial", m.spatial),
                             ("access_rights", m.accessRights), ("classification", m.classification)] {
            if let value { fields.append((key, .string(value))) }
        }
        fields.append(("releases_url", .string("/datasets/\(m.name)/releases")))
        // How its counts are protected, and the relations between them anyone may use.
        // Keys sorted: every node (each with its own hash seed) writes the same bytes.
        if let spec = m.disclosure, let data = try? Self.sortedEncoder.encode(spec), let value = try? JSONParser.parse([UInt8](data)) {
            fields.append(("disclosure", value))
        }
        if let c = s.coverage {
            fields.append(("temporal_start", .string(ISO8601.format(milliseconds: c.start))))
            fields.append(("temporal_end", .string(ISO8601.format(milliseconds: c.end))))
        }
        return .object(fields)
    }
}
