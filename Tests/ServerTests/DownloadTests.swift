import Foundation
import TestSupport
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Geo
import LantaarnModel
import NIOCore
@testable import Server
import Store
import Testing

/// Download formats and HTTP semantics: NDJSON, `_sep=;`, CSVW metadata, row counts, ETag and
/// Last-Modified with 304, and gzip.
struct DownloadTests {
    let http = HTTPServerTests()

    static func publish(_ store: SQLiteStore, rows: Int) throws {
        var m = DatasetAccessTests.metadata("d")
        m.columns.append(ColumnSpec(name: "x", type: .number, unit: "µg/m³", description: "Fijnstof"))
        try store.releases.register(m)
        let cells = (0..<rows).map { [CellValue.text("WK0392\($0 % 21)"), .integer(Int64($0)), .number(Double($0) + 0.5)] }
        try store.releases.publish(ReleaseDraft(dataset: "d", window: TimeWindow(start: 0, end: 3_600_000), rows: cells, rowsIn: 1, lineage: .null))
    }

    /// curl as a client that sees the bytes on the wire (URLSession may decode gzip itself).
    static func curl(_ arguments: [String]) async throws -> (status: Int32, output: Data) {
        try await runOffPool(Tool("curl"), ["-s"] + arguments)
    }

    func request(_ url: String, headers: [String: String]) async throws -> (Int, String, HTTPURLResponse) {
        var r = URLRequest(url: URL(string: url)!)
        for (k, v) in headers { r.setValue(v, forHTTPHeaderField: k) }
        let (data, response) = try await URLSession.loopback.data(for: r)
        let h = response as! HTTPURLResponse
        return (h.statusCode, String(decoding: data, as: UTF8.self), h)
    }

    @Test func formatsSeparatorAndCSVW() async throws {
        try await http.withServer { base, store in
            try Self.publish(store, rows: DatasetDownload.pageSize + 3)
            let (status, ndjson, response) = try await http.get(base + "/datasets/d.ndjson")
            #expect(status == 200 && response.value(forHTTPHeaderField: "Content-Type")?.hasPrefix("application/x-ndjson") == true)
            let lines = ndjson.split(separator: "\n")
            #expect(lines.count == DatasetDownload.pageSize + 3 && response.value(forHTTPHeaderField: "X-Row-Count") == "\(lines.count)")
            #expect(try JSONParser.parse(String(lines[1]))["x"]?.numberValue == 1.5)

            let (_, excel, _) = try await http.get(base + "/datasets/d.csv?_sep=;")
            #expect(excel.hasPrefix("wijk_code;n;x\r\nWK03920;0;0,5\r\n"), "\(excel.prefix(60))")
            for bad in ["/datasets/d.csv?_sep=%09", "/datasets/d.json?_sep=;"] {
                let (code, body, _) = try await http.get(base + bad)
                #expect(code == 400 && body.contains("\"ok\":false") && body.contains("_sep"), "\(bad): \(body)")
            }

            let (_, csv, csvResponse) = try await http.get(base + "/datasets/d.csv")
            #expect(csvResponse.value(forHTTPHeaderField: "Link") == "</datasets/d.csv-metadata.json>; rel=\"describedby\"; type=\"application/csvm+json\"")
            #expect(csv.split(separator: "\r\n").count == DatasetDownload.pageSize + 4)
            let (metaStatus, meta, metaResponse) = try await http.get(base + "/datasets/d.csv-metadata.json")
            #expect(metaStatus == 200 && metaResponse.value(forHTTPHeaderField: "Content-Type") == "application/csvm+json")
            let csvw = try JSONParser.parse(meta)
            #expect(csvw["url"]?.stringValue == "d.csv" && csvw["dc:publisher"]?.stringValue == "Gemeente Haarlem")
            let columns = csvw["tableSchema"]?["columns"]?.arrayValue ?? []
            #expect(columns.map { $0["name"]?.stringValue } == ["wijk_code", "n", "x"])
            #expect(columns.map { $0["datatype"]?.stringValue } == ["string", "integer", "double"])
            #expect(columns[2]["schema:unitText"]?.stringValue == "µg/m³")
            #expect(try await http.get(base + "/datasets/nope.csv-metadata.json").0 == 404)
        }
    }

    @Test func conditionalRequests() async throws {
        try await http.withServer { base, store in
            try Self.publish(store, rows: 10)
            let (_, _, first) = try await http.get(base + "/datasets/d.csv")
            let etag = try #require(first.value(forHTTPHeaderField: "ETag"))
            let lastModified = try #require(first.value(forHTTPHeaderField: "Last-Modified"))
            #expect(etag.hasPrefix("\"") && lastModified.hasSuffix(" GMT"))
            for headers in [["If-None-Match": etag], ["If-None-Match": "\"x\", W/\(etag)"], ["If-None-Match": "*"],
                            ["If-Modified-Since": lastModified]] {
                let (code, body, r) = try await request(base + "/datasets/d.csv", headers: headers)
                #expect(code == 304 && body.isEmpty && r.value(forHTTPHeaderField: "ETag") == etag, "\(headers)")
            }
            #expect(try await request(base + "/datasets/d.csv", headers: ["If-None-Match": "\"other\""]).0 == 200)
            #expect(try await request(base + "/datasets/d.csv", headers: ["If-Modified-Since": "Thu, 01 Jan 1970 00:00:00 GMT"]).0 == 200)
            #expect(try await request(base + "/datasets/d.csv", headers: ["If-Modified-Since": "gisteren"]).0 == 200, "an unreadable date is ignored")
            // Each representation has its own tag; a new release changes them all.
            let semicolon = try await http.get(base + "/datasets/d.csv?_sep=;").2.value(forHTTPHeaderField: "ETag")
            #expect(semicolon != etag)
            try store.releases.publish(ReleaseDraft(dataset: "d", window: TimeWindow(start: 0, end: 3_600_000), rows: [], rowsIn: 0, lineage: .null))
            #expect(try await request(base + "/datasets/d.csv", headers: ["If-None-Match": etag]).0 == 200)
        }
    }

    @Test func gzipWhenAsked() async throws {
        try await http.withServer { base, store in
            try Self.publish(store, rows: DatasetDownload.pageSize * 2 + 1)
            let plain = try await Self.curl([base + "/datasets/d.csv"]).output
            let dir = NSTemporaryDirectory() + "lantaarn-gzip-\(UUID().uuidString.prefix(6))"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let gz = try await Self.curl(["-H", "Accept-Encoding: gzip", "-D", dir + "/headers", "-o", dir + "/d.csv.gz", base + "/datasets/d.csv"])
            #expect(gz.status == 0)
            let headers = try String(contentsOfFile: dir + "/headers", encoding: .utf8).lowercased()
            #expect(headers.contains("content-encoding: gzip") && headers.contains("vary: accept-encoding"), "\(headers)")
            let compressed = try Data(contentsOf: URL(fileURLWithPath: dir + "/d.csv.gz"))
            #expect(compressed.count < plain.count / 2 && compressed.prefix(2) == Data([0x1f, 0x8b]))
            let gunzip = try await runOffPool(Tool("gzip"), ["-dc", dir + "/d.csv.gz"])
            #expect(gunzip.status == 0 && gunzip.output == plain, "the gzip stream is complete and the same bytes")
            // q=0 refuses gzip.
            let refused = try await Self.curl(["-H", "Accept-Encoding: gzip;q=0", base + "/datasets/d.csv"]).output
            #expect(refused == plain)
            #expect(GzipStream.accepted("deflate, gzip;q=0.5") && !GzipStream.accepted("br") && !GzipStream.accepted(nil))
        }
    }

    /// curl with response headers: status, lower-cased headers, body.
    static func fetch(_ url: String, _ headers: [String] = []) async throws -> (status: Int, headers: [String: String], body: Data) {
        let file = NSTemporaryDirectory() + "lantaarn-h-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: file) }
        let out = try await curl(["-D", file] + headers.flatMap { ["-H", $0] } + [url])
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\r\n")
        let status = Int(lines.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
        var fields: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return (status, fields, out.output)
    }

    /// Completed downloads are kept: the next one has a length, a SHA-256 and byte ranges.
    @Test func keptExportsHaveLengthDigestAndRanges() async throws {
        let dir = NSTemporaryDirectory() + "lantaarn-exports-\(UUID().uuidString.prefix(6))"
        try await http.withServer({ $0.exports = ExportCache(directory: dir) }) { base, store in
            try Self.publish(store, rows: DatasetDownload.pageSize + 50)
            let first = try await Self.fetch(base + "/datasets/d.csv")
            #expect(first.status == 200 && first.headers["content-length"] == nil, "the first download streams")
            let second = try await Self.fetch(base + "/datasets/d.csv")
            #expect(second.status == 200 && second.body == first.body)
            #expect(second.headers["content-length"] == "\(first.body.count)" && second.headers["accept-ranges"] == "bytes")
            var hasher = SHA256()
            hasher.update(Array(first.body))
            let digest = Data(hasher.finalize()).base64EncodedString()
            #expect(second.headers["digest"] == "sha-256=\(digest)" && second.headers["repr-digest"] == "sha-256=:\(digest):")
            #expect(second.headers["etag"] == first.headers["etag"])

            let part = try await Self.fetch(base + "/datasets/d.csv", ["Range: bytes=10-19"])
            #expect(part.status == 206 && part.body == first.body[10...19] && part.headers["content-range"] == "bytes 10-19/\(first.body.count)")
            let tail = try await Self.fetch(base + "/datasets/d.csv", ["Range: bytes=-5"])
            #expect(tail.status == 206 && tail.body == first.body.suffix(5))
            let resume = try await Self.fetch(base + "/datasets/d.csv", ["Range: bytes=\(first.body.count - 3)-"])
            #expect(resume.status == 206 && resume.body == first.body.suffix(3))
            let beyond = try await Self.fetch(base + "/datasets/d.csv", ["Range: bytes=\(first.body.count)-"])
            #expect(beyond.status == 416 && beyond.headers["content-range"] == "bytes */\(first.body.count)")
            #expect(String(decoding: beyond.body, as: UTF8.self).contains("\"ok\":false"))
            #expect(try await Self.fetch(base + "/datasets/d.csv", ["Range: bytes=0-1, 5-6"]).status == 200, "several ranges: the whole")
            #expect(try await Self.fetch(base + "/datasets/d.csv", ["Range: bytes=0-1", "If-Range: \"old\""]).status == 200)

            // A new release: a range of the new version writes it whole first; the old file goes.
            try store.releases.publish(ReleaseDraft(dataset: "d", window: TimeWindow(start: 7_200_000, end: 10_800_000),
                                           rows: [[.text("WK039201"), .integer(-1), .number(0)]], rowsIn: 1, lineage: .null))
            let fresh = try await Self.fetch(base + "/datasets/d.csv", ["Range: bytes=-16"])
            #expect(fresh.status == 206 && String(decoding: fresh.body, as: UTF8.self) == "\nWK039201,-1,0\r\n")
            let kept = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".export") }
            #expect(kept.count == 1 && kept[0].hasSuffix("-csv.export"), "\(kept)")
            // gzip still streams (from the store); a purge empties the folder.
            #expect(try await Self.fetch(base + "/datasets/d.csv", ["Accept-Encoding: gzip"]).headers["content-encoding"] == "gzip")
            ExportCache.clear(directory: dir)
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
            #expect(try await Self.fetch(base + "/datasets/d.csv").status == 200)
        }
    }

    /// Haarlem's wijken as the boundary maps, the way `serve` gives them.
    struct HaarlemMaps: BoundaryMaps {
        func available() -> [(level: String, vintage: Int)] { [("wijk", 2020)] }
        func geoJSON(level: String, vintage: Int, tolerance: Double?) -> [UInt8]? {
            guard level == "wijk", let set = try? DefaultBoundaries.haarlemWijken() else { return nil }
            return Array(BoundaryGeoJSON.write(set.areas, level: .wijk, vintage: vintage, toleranceMetres: 0).utf8)
        }
    }

    @Test func geoJSONJoinsTheWijkGeometry() async throws {
        try await http.withServer({ $0.boundaryMaps = HaarlemMaps() }) { base, store in
            try store.releases.register(DatasetAccessTests.metadata("d"))
            try store.releases.publish(ReleaseDraft(dataset: "d", window: TimeWindow(start: 0, end: 1), rows: [
                [.text("WK039201"), .integer(7)], [.text("WK999999"), .integer(8)],
            ], rowsIn: 1, lineage: .null))
            let (status, body, response) = try await http.get(base + "/datasets/d.geojson")
            #expect(status == 200 && response.value(forHTTPHeaderField: "Content-Type") == "application/geo+json")
            let collection = try JSONParser.parse(body)
            let features = collection["features"]?.arrayValue ?? []
            #expect(collection["type"]?.stringValue == "FeatureCollection" && features.count == 2 && collection["row_count"]?.numberValue == 2)
            let type = features.first?["geometry"]?["type"]?.stringValue
            #expect(type == "Polygon" || type == "MultiPolygon", "\(String(describing: type))")
            #expect(features[0]["properties"]?["wijk_code"]?.stringValue == "WK039201" && features[0]["properties"]?["n"]?.numberValue == 7)
            #expect(features[1]["geometry"] == .null, "an unknown area has no geometry")
            #expect(response.value(forHTTPHeaderField: "ETag")?.contains("geojson-wijk-2020") == true)
        }
    }

    /// Found by the soak: keeping the CSV of a version deleted its JSON and GeoJSON, so a client
    /// downloading those at the same moment got a 404 or a cut-off body. A newer version still
    /// replaces the older one's files.
    @Test func keepingOneRepresentationLeavesTheOthersOfItsVersion() throws {
        let cache = ExportCache(directory: NSTemporaryDirectory() + "lantaarn-exports-\(UUID().uuidString.prefix(8))")
        func keep(_ tag: String, _ variant: String) throws {
            let writer = try #require(cache.writer(dataset: "d", tag: tag, variant: variant))
            try writer.write(ByteBuffer(string: "\(tag) \(variant)"))
            try writer.commit()
        }
        try keep("v1", "csv")
        try keep("v1", "json")
        try keep("v1", "geojson")
        #expect(["csv", "json", "geojson"].allSatisfy { cache.lookup(dataset: "d", tag: "v1", variant: $0) != nil })
        try keep("v2", "csv")
        #expect(["csv", "json", "geojson"].allSatisfy { cache.lookup(dataset: "d", tag: "v1", variant: $0) == nil })
        #expect(cache.lookup(dataset: "d", tag: "v2", variant: "csv")?.size == 6)
    }

    @Test func byteRanges() {
        #expect(ByteRange.parse("bytes=0-9", size: 100) == .satisfiable(0...9))
        #expect(ByteRange.parse("bytes=90-200", size: 100) == .satisfiable(90...99))
        #expect(ByteRange.parse("bytes=-10", size: 100) == .satisfiable(90...99))
        #expect(ByteRange.parse("bytes=-500", size: 100) == .satisfiable(0...99))
        #expect(ByteRange.parse("bytes=100-", size: 100) == .unsatisfiable)
        #expect(ByteRange.parse("bytes=-0", size: 100) == .unsatisfiable)
        for ignored in ["bytes=5-1", "items=0-1", "bytes=0-1,3-4", "bytes=x-1", "bytes=1"] {
            #expect(ByteRange.parse(ignored, size: 100) == .ignored, "\(ignored)")
        }
    }

    @Test func httpDates() {
        #expect(HTTPDate.format(784_111_777_000) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT") == 784_111_777_000)
        #expect(HTTPDate.parse("Sunday, 06-Nov-94 08:49:37 GMT") == nil)
        #expect(HTTPDate.format(0) == "Thu, 01 Jan 1970 00:00:00 GMT")
    }
}
