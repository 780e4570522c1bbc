import Foundation
import Hummingbird
import LantaarnModel
import Store

/// A complete, streamed download of dataset rows: header, every page of rows, trailer.
/// Nothing is held for the whole dataset; the rows come from `page`, one page after another.
///
/// Every response names its version: a strong `ETag` per representation (format, separator,
/// gzip), `Last-Modified`, and `X-Row-Count`, the number of rows it holds, so a client can
/// tell a complete download from a cut one (JSON also ends with `row_count` and
/// `"complete": true`). `If-None-Match` (or, without it, `If-Modified-Since`) answers 304.
public enum DatasetDownload {
    /// Rows fetched per page while streaming.
    /// Rows per store read (one read transaction each).
    static let pageSize = 10_000
    static let rowCountHeader = HTTPFields.Element.Name("X-Row-Count")!
    static let linkHeader = HTTPFields.Element.Name("Link")!

    /// What the request chose: format, CSV separator, gzip.
    struct Options {
        var format: ExportFormat
        var separator: Character = ","
        var gzip = false

        init(_ request: Request, format: ExportFormat, columns: [ColumnSpec] = [], maps: (any BoundaryMaps)? = nil) throws {
            self.format = format
            if format == .geojson, let maps { geometries = AreaGeometries.load(for: columns, maps: maps) }
            separator = try Self.separator(request)
            if separator == ";", format != .csv {
                throw APIError(.badRequest, "_sep applies to CSV downloads only")
            }
            // Parquet pages are compressed already (zstd).
            gzip = format != .parquet && GzipStream.accepted(request.headers[.acceptEncoding])
        }

        /// `?_sep=`: `,` (default) or `;`.
        static func separator(_ request: Request) throws -> Character {
            switch request.uri.queryParameters.get("_sep") {
            case nil, ",": return ","
            case ";": return ";"
            case let other?:
                throw APIError(.badRequest, "_sep must be , or ; (semicolons and decimal commas for Dutch Excel), not '\(other.prefix(10))'")
            }
        }

        /// Part of the ETag: each representation has its own.
        var variant: String { identityVariant + (gzip ? "-gzip" : "") }
        /// GeoJSON: the geometries joined to the rows.
        var geometries = AreaGeometries.none
        /// The representation before content coding.
        var identityVariant: String {
            format.rawValue + (separator == ";" ? "-semicolon" : "") + (format == .geojson ? "-" + geometries.source : "")
        }
    }

    /// Which bytes a download holds: a tag that changes whenever they could, when they last
    /// changed, and how many rows they hold.
    struct Version {
        var tag: String
        var lastModified: Int64?
        var rowCount: Int

        func etag(_ options: Options) -> String { "\"\(tag)-\(options.variant)\"" }

        /// Whether the client's copy is current (RFC 9110 §13.1: If-None-Match first; only
        /// without it If-Modified-Since).
        func notModified(_ request: Request, etag: String) -> Bool {
            if let match = request.headers[.ifNoneMatch] {
                return match.split(separator: ",").contains { item in
                    let t = item.trimmingCharacters(in: .whitespaces)
                    return t == "*" || t == etag || t == "W/" + etag
                }
            }
            guard let since = request.headers[.ifModifiedSince].flatMap(HTTPDate.parse), let lastModified else { return false }
            return TimeBucket.floor(lastModified, size: 1000) <= since
        }
    }

    static let digestHeader = HTTPFields.Element.Name("Digest")!
    static let reprDigestHeader = HTTPFields.Element.Name("Repr-Digest")!

    /// The download, from the export cache when this version was completed before (with
    /// `Content-Length`, digests and ranges), otherwise encoded from the store as it streams
    /// (and kept in the cache when it completes).
    static func response<Cursor: Sendable>(
        _ request: Request, context: some RequestContext, _ asked: Options, metadata: DatasetMetadata, filename: String,
        publisher: String, version: Version, cacheControl: String? = nil, describedBy: String? = nil, exports: ExportCache? = nil,
        stillCurrent: @escaping @Sendable () -> Bool = { true },
        page: @escaping @Sendable (Cursor?, (UnsafeBufferPointer<UInt8>) throws -> Void) throws -> Cursor?
    ) async throws -> Response {
        var options = asked
        // A byte range is of the plain bytes.
        if request.headers[.range] != nil { options.gzip = false }
        let etag = version.etag(options)
        var headers: HTTPFields = [.eTag: etag, .vary: "Accept-Encoding"]
        if let lastModified = version.lastModified { headers[.lastModified] = HTTPDate.format(lastModified) }
        if let cacheControl { headers[.cacheControl] = cacheControl }
        if version.notModified(request, etag: etag) { return Response(status: .notModified, headers: headers) }
        headers[.contentType] = options.format.contentType
        headers[.contentDisposition] = "inline; filename=\"\(filename).\(options.format.rawValue)\""
        headers[rowCountHeader] = String(version.rowCount)
        if let describedBy, options.format == .csv {
            headers[linkHeader] = "<\(describedBy)>; rel=\"describedby\"; type=\"application/csvm+json\""
        }
        let encoder = RowEncoder(format: options.format, columns: metadata.columns, dataset: metadata.name, publisher: publisher,
                                 separator: options.separator, geometries: options.geometries)
        let key = (dataset: filename, tag: version.tag, variant: options.identityVariant)
        if !options.gzip, let exports {
            var entry = exports.lookup(dataset: key.dataset, tag: key.tag, variant: key.variant)
            if entry == nil, request.headers[.range] != nil, let writer = exports.writer(dataset: key.dataset, tag: key.tag, variant: key.variant) {
                // A range of an export not yet on disk: write it whole first. Should that fail
                // (a full disk), the whole download streams instead.
                do {
                    try await encodeAll(encoder, page: page) { try writer.write($0) }
                    if stillCurrent() { try writer.commit() }
                } catch {}
                entry = exports.lookup(dataset: key.dataset, tag: key.tag, variant: key.variant)
            }
            if let entry { return try await fileResponse(entry, request, context: context, headers: headers, etag: etag) }
        }
        if options.gzip { headers[.contentEncoding] = "gzip" }
        let gzip = options.gzip
        let body = ResponseBody { writer in
            let compressor = gzip ? try GzipStream() : nil
            // Kept for the next client once it is complete (plain bytes only); if keeping fails
            // (a full disk), the download goes on without it.
            var keep = gzip ? nil : exports?.writer(dataset: key.dataset, tag: key.tag, variant: key.variant)
            try await encodeAll(encoder, page: page) { bytes in
                do { try keep?.write(bytes) } catch { keep = nil }
                if let compressor {
                    let out = try compressor.compress(bytes)
                    if out.readableBytes > 0 { try await writer.write(out) }
                } else if bytes.readableBytes > 0 {
                    try await writer.write(bytes)
                }
            }
            if let compressor { try await writer.write(try compressor.compress(ByteBuffer(), finish: true)) }
            // Kept only if no run or purge changed the dataset meanwhile (its pages are read one
            // transaction each); a failure to keep it does not fail the download.
            if let keep, stillCurrent() { try? keep.commit() }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// The metadata a release was published with: the columns its lineage names, should a later
    /// pipeline version have changed them.
    static func metadata(_ current: DatasetMetadata, of release: ReleaseRecord) -> DatasetMetadata {
        var metadata = current
        if let names = (try? JSONParser.parse(release.lineage))?["columns"]?.arrayValue?.compactMap(\.stringValue),
           names != current.columns.map(\.name) {
            metadata.columns = names.map { n in current.columns.first { $0.name == n } ?? ColumnSpec(name: n, type: .text, description: "") }
        }
        return metadata
    }

    /// A release as the download `/datasets/NAME/releases/ID.FORMAT` serves it (CSV, JSON,
    /// NDJSON or Parquet), written to `path` (for an archive transfer or a full export);
    /// returns its size and SHA-256 (hex).
    public static func writeRelease(_ release: ReleaseRecord, format: ExportFormat = .csv, dataset: DatasetMetadata, releases: any ReleaseStore,
                                    publisher: String, to path: String) async throws -> (bytes: Int64, sha256: String) {
        let metadata = metadata(dataset, of: release)
        return try await write(RowEncoder(format: format, columns: metadata.columns, dataset: metadata.name, publisher: publisher), to: path) {
            (seq: Int?, visit) in try releases.encodedReleaseRows(release, after: seq, limit: pageSize, visit)
        }
    }

    /// A dataset's current rows as the download `/datasets/NAME.FORMAT` serves them (CSV, JSON,
    /// NDJSON or Parquet), written to `path`; returns its size and SHA-256 (hex).
    public static func writeCurrent(_ dataset: DatasetMetadata, format: ExportFormat, releases: any ReleaseStore,
                                    publisher: String, to path: String) async throws -> (bytes: Int64, sha256: String) {
        try await write(RowEncoder(format: format, columns: dataset.columns, dataset: dataset.name, publisher: publisher), to: path) {
            (cursor: RowCursor?, visit) in try releases.encodedRows(dataset: dataset.name, after: cursor, limit: pageSize, visit)
        }
    }

    private static func write<Cursor: Sendable>(_ encoder: RowEncoder, to path: String,
                                                page: @escaping @Sendable (Cursor?, (UnsafeBufferPointer<UInt8>) throws -> Void) throws -> Cursor?) async throws -> (bytes: Int64, sha256: String) {
        guard FileManager.default.createFile(atPath: path, contents: nil), let file = FileHandle(forWritingAtPath: path) else {
            throw APIError(.internalServerError, "cannot write \(path)")
        }
        defer { try? file.close() }
        var hash = SHA256()
        var size: Int64 = 0
        try await encodeAll(encoder, page: page) { buffer in
            let bytes = Array(buffer.readableBytesView)
            hash.update(bytes)
            size += Int64(bytes.count)
            try file.write(contentsOf: bytes)
        }
        return (size, SHA256.hexString(hash.finalize()))
    }

    /// Header, every page of rows and trailer, each handed to `emit` as bytes. CSV, JSON and
    /// NDJSON are transcoded from the stored rows directly; GeoJSON decodes each row to join
    /// its geometry.
    ///
    /// The next page is read and encoded (a child task, on another core) while `emit` sends the
    /// current one: reading and writing overlap, and at most two pages are held.
    private static func encodeAll<Cursor: Sendable>(_ encoder: RowEncoder, page: @escaping @Sendable (Cursor?, (UnsafeBufferPointer<UInt8>) throws -> Void) throws -> Cursor?,
                                                    emit: (ByteBuffer) async throws -> Void) async throws {
        try await emit(ByteBuffer(string: encoder.header()))
        if encoder.format == .parquet { return try await ParquetRows.encodeAll(encoder.columns, page: page, emit: emit) }
        let transcoder = RowTranscoder(format: encoder.format, columns: encoder.columns, separator: encoder.separator)
        var (bytes, cursor, count) = try encodePage(encoder, transcoder, after: nil, first: true, page: page)
        while let after = cursor {
            async let next = encodePage(encoder, transcoder, after: after, first: false, page: page)
            try await emit(bytes)
            let rows: Int
            (bytes, cursor, rows) = try await next
            count += rows
        }
        try await emit(bytes)
        try await emit(ByteBuffer(string: encoder.trailer(rowCount: count)))
    }

    /// One page of rows after `cursor`, encoded: its bytes, the cursor after it (`nil` at the
    /// end) and its row count. `first`: the page opens the rows (JSON puts no comma before it).
    /// Without a `transcoder` (GeoJSON) each row is decoded to cells.
    private static func encodePage<Cursor>(_ encoder: RowEncoder, _ transcoder: RowTranscoder?, after cursor: Cursor?, first: Bool,
                                           page: (Cursor?, (UnsafeBufferPointer<UInt8>) throws -> Void) throws -> Cursor?) throws -> (ByteBuffer, Cursor?, Int) {
        // A fresh buffer per page: the previous one may still be on its way to the client.
        var bytes = ByteBufferAllocator().buffer(capacity: 1 << 20)
        var count = 0
        let next = try page(cursor) { row in
            if let transcoder {
                try transcoder.append(row, first: first && count == 0, to: &bytes)
            } else {
                var text = ""
                encoder.append(try StoredRow.cells(row), first: first && count == 0, to: &text)
                bytes.writeString(text)
            }
            count += 1
        }
        return (bytes, next, count)
    }

    /// A completed export from disk: its length and SHA-256, and one byte range when asked
    /// (unless `If-Range` names another version).
    private static func fileResponse(_ entry: ExportCache.Entry, _ request: Request, context: some RequestContext,
                                     headers base: HTTPFields, etag: String) async throws -> Response {
        var headers = base
        let digest = entry.sha256Base64
        headers[.acceptRanges] = "bytes"
        headers[digestHeader] = "sha-256=\(digest)"
        headers[reprDigestHeader] = "sha-256=:\(digest):"
        let files = FileIO()
        let rangeApplies = request.headers[.ifRange].map { $0 == etag } ?? true
        if let range = request.headers[.range], rangeApplies {
            switch ByteRange.parse(range, size: entry.size) {
            case .satisfiable(let r):
                headers[.contentRange] = "bytes \(r.lowerBound)-\(r.upperBound)/\(entry.size)"
                headers[.contentLength] = String(r.count)
                return Response(status: .partialContent, headers: headers,
                                body: try await files.loadFile(path: entry.path, range: r, context: context))
            case .unsatisfiable:
                var envelope = APIError.envelope(status: .rangeNotSatisfiable,
                                                 message: "the range '\(range.prefix(40))' lies outside the \(entry.size) bytes of this download")
                envelope.headers[.contentRange] = "bytes */\(entry.size)"
                return envelope
            case .ignored:
                break
            }
        }
        headers[.contentLength] = String(entry.size)
        return Response(status: .ok, headers: headers, body: entry.size == 0 ? .init() : try await files.loadFile(path: entry.path, context: context))
    }

    /// The current rows of a dataset (every window's current release).
    static func current(_ request: Request, context: some RequestContext, _ summary: DatasetSummary, _ format: ExportFormat,
                        releases: any ReleaseStore, publisher: String, cacheControl: String? = nil, exports: ExportCache? = nil,
                        maps: (any BoundaryMaps)? = nil) async throws -> Response {
        let m = summary.metadata
        let name = m.name
        let tag = Self.tag(summary, publisher: publisher)
        let version = Version(tag: tag, lastModified: summary.updatedAt, rowCount: summary.rowCount)
        return try await response(request, context: context, try Options(request, format: format, columns: m.columns, maps: maps),
                                  metadata: m, filename: name,
                                  publisher: publisher, version: version, cacheControl: cacheControl,
                                  describedBy: "/datasets/\(name).csv-metadata.json", exports: exports,
                                  stillCurrent: { (try? releases.dataset(named: name)).flatMap { $0 }.map { Self.tag($0, publisher: publisher) } == tag }) {
            (cursor: RowCursor?, visit) in try releases.encodedRows(dataset: name, after: cursor, limit: pageSize, visit)
        }
    }

    /// The version tag of a dataset's current rows: changes with every release and purge.
    static func tag(_ summary: DatasetSummary, publisher: String) -> String {
        tag("\(summary.latestReleaseID ?? 0)|\(summary.releaseCount)|\(summary.rowCount)|\(summary.metadata.columns.map(\.name))|\(publisher)")
    }

    /// The version tag of one release as served with `columns`.
    static func tag(_ release: ReleaseRecord, columns: [ColumnSpec], publisher: String) -> String {
        tag("\(release.sha256)|\(columns.map(\.name))|\(publisher)")
    }

    private static func tag(_ stamp: String) -> String { String(SHA256.hex(Array(stamp.utf8)).prefix(24)) }
}
