import Hummingbird
import LantaarnModel
import Store

/// `/datasets` (list), `/datasets/{name}.csv|.json` (complete, streamed downloads) and
/// `/datasets/{name}/releases` (every release with its version, SHA-256 and lineage).
struct DatasetRoutes {
    let deps: ServerDependencies
    /// Rows fetched per page while streaming.
    static let pageSize = 2000

    func register(on router: Router<BasicRequestContext>) {
        router.get("/datasets") { _, _ -> Response in
            let list = try deps.releases.datasets().map(Self.summaryJSON)
            let body = JSONWriter.string(.object([("ok", .bool(true)), ("publisher", .string(deps.site.municipality)),
                                                  ("datasets", .array(list))]))
            return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        // The parameter has the name of the download route's: the router needs one name per position.
        router.get("/datasets/:file/releases") { _, context -> Response in
            let name = try context.parameters.require("file")
            guard try deps.releases.dataset(named: name) != nil else {
                throw APIError(.notFound, "dataset '\(name)' does not exist; /datasets lists the available ones")
            }
            let list = try deps.releases.releases(dataset: name).map { r -> JSONValue in
                let lineage = (try? JSONParser.parse(r.lineage)) ?? .null
                return .object([
                    ("id", .number(Double(r.id))), ("window_start", .string(ISO8601.format(milliseconds: r.window.start))),
                    ("window_end", .string(ISO8601.format(milliseconds: r.window.end))),
                    ("version", .number(Double(r.version))), ("current", .bool(r.current)),
                    ("created_at", .string(ISO8601.format(milliseconds: r.createdAt))),
                    ("rows_in", .number(Double(r.rowsIn))), ("rows_out", .number(Double(r.rowsOut))),
                    ("sha256", .string(r.sha256)), ("lineage", lineage),
                ])
            }
            let body = JSONWriter.string(.object([("ok", .bool(true)), ("dataset", .string(name)), ("releases", .array(list))]))
            return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        router.get("/datasets/:file") { _, context -> Response in
            let file = try context.parameters.require("file")
            guard let (name, format) = ExportFormat.split(file) else {
                throw APIError(.notFound, "unknown download '\(file)'; use /datasets/NAME.csv or /datasets/NAME.json")
            }
            guard let summary = try deps.releases.dataset(named: name) else {
                throw APIError(.notFound, "dataset '\(name)' does not exist; /datasets lists the available ones")
            }
            return stream(summary, format)
        }
    }

    private func stream(_ summary: DatasetSummary, _ format: ExportFormat) -> Response {
        let encoder = RowEncoder(format: format, columns: summary.metadata.columns, dataset: summary.metadata.name,
                                 publisher: deps.site.municipality)
        let releases = deps.releases
        let name = summary.metadata.name
        let body = ResponseBody { writer in
            try await writer.write(ByteBuffer(string: encoder.header()))
            var cursor: RowCursor?
            var count = 0
            repeat {
                let page = try releases.rows(dataset: name, after: cursor, limit: Self.pageSize)
                var text = ""
                for row in page.rows {
                    encoder.append(row, first: count == 0, to: &text)
                    count += 1
                }
                if !text.isEmpty { try await writer.write(ByteBuffer(string: text)) }
                cursor = page.next
            } while cursor != nil
            try await writer.write(ByteBuffer(string: encoder.trailer(rowCount: count)))
            try await writer.finish(nil)
        }
        var headers: HTTPFields = [.contentType: format.contentType]
        headers[.contentDisposition] = "inline; filename=\"\(name).\(format.rawValue)\""
        return Response(status: .ok, headers: headers, body: body)
    }

    static func summaryJSON(_ s: DatasetSummary) -> JSONValue {
        let m = s.metadata
        var fields: [(String, JSONValue)] = [
            ("name", .string(m.name)), ("title", .string(m.title)), ("description", .string(m.description)),
            ("pipeline", .string(m.pipeline)), ("license", .string(m.license)), ("retention", .string(m.retention)),
            ("rows", .number(Double(s.rowCount))), ("releases", .number(Double(s.releaseCount))),
            ("columns", .array(m.columns.map { .object([("name", .string($0.name)), ("type", .string($0.type.rawValue)),
                                                         ("description", .string($0.description))]) })),
            ("downloads", .object(ExportFormat.allCases.map { ($0.rawValue, .string("/datasets/\(m.name).\($0.rawValue)")) })),
        ]
        if let u = s.updatedAt { fields.append(("updated_at", .string(ISO8601.format(milliseconds: u)))) }
        for (key, value) in [("theme", m.theme), ("frequency", m.frequency), ("spatial", m.spatial),
                             ("access_rights", m.accessRights), ("classification", m.classification)] {
            if let value { fields.append((key, .string(value))) }
        }
        fields.append(("releases_url", .string("/datasets/\(m.name)/releases")))
        if let c = s.coverage {
            fields.append(("temporal_start", .string(ISO8601.format(milliseconds: c.start))))
            fields.append(("temporal_end", .string(ISO8601.format(milliseconds: c.end))))
        }
        return .object(fields)
    }
}
