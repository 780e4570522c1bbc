import Hummingbird
import LantaarnModel
import Store

/// A complete, streamed download of dataset rows: header, every page of rows, trailer.
/// Nothing is held for the whole dataset; the rows come from `page`, one page after another.
enum DatasetDownload {
    /// Rows fetched per page while streaming.
    static let pageSize = 2000

    static func response<Cursor: Sendable>(
        metadata: DatasetMetadata, format: ExportFormat, filename: String, publisher: String, cacheControl: String? = nil,
        page: @escaping @Sendable (Cursor?) throws -> (rows: [[CellValue]], next: Cursor?)
    ) -> Response {
        let encoder = RowEncoder(format: format, columns: metadata.columns, dataset: metadata.name, publisher: publisher)
        let body = ResponseBody { writer in
            try await writer.write(ByteBuffer(string: encoder.header()))
            var cursor: Cursor?
            var count = 0
            repeat {
                let fetched = try page(cursor)
                var text = ""
                for row in fetched.rows {
                    encoder.append(row, first: count == 0, to: &text)
                    count += 1
                }
                if !text.isEmpty { try await writer.write(ByteBuffer(string: text)) }
                cursor = fetched.next
            } while cursor != nil
            try await writer.write(ByteBuffer(string: encoder.trailer(rowCount: count)))
            try await writer.finish(nil)
        }
        var headers: HTTPFields = [.contentType: format.contentType]
        headers[.contentDisposition] = "inline; filename=\"\(filename).\(format.rawValue)\""
        if let cacheControl { headers[.cacheControl] = cacheControl }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// The current rows of a dataset (every window's current release).
    static func current(_ summary: DatasetSummary, _ format: ExportFormat, releases: any ReleaseStore, publisher: String,
                        cacheControl: String? = nil) -> Response {
        let name = summary.metadata.name
        return response(metadata: summary.metadata, format: format, filename: name, publisher: publisher, cacheControl: cacheControl) {
            (cursor: RowCursor?) in try releases.rows(dataset: name, after: cursor, limit: pageSize)
        }
    }
}
