import Hummingbird
import LantaarnModel

/// Simplified boundary maps for dashboards. The executable hands in an implementation
/// backed by the Geo module; the server only routes and caches.
public protocol BoundaryMaps: Sendable {
    /// The boundary sets there are: level (`gemeente`, `wijk`, `buurt`) and vintage.
    func available() -> [(level: String, vintage: Int)]
    /// GeoJSON of one set simplified to `tolerance` metres (`nil`: the configured default),
    /// or `nil` when there is no such set.
    func geoJSON(level: String, vintage: Int, tolerance: Double?) -> [UInt8]?
}

extension BoundaryMaps {
    /// The features of the newest set of `level` (at the default simplification), with its
    /// vintage; `nil` when there is none. Downloads join them as geometries, dashboards draw them.
    func newestFeatures(level: String) -> (vintage: Int, features: [JSONValue])? {
        guard let vintage = available().filter({ $0.level == level }).map(\.vintage).max(),
              let bytes = geoJSON(level: level, vintage: vintage, tolerance: nil),
              let parsed = try? JSONParser.parse(bytes) else { return nil }
        return (vintage, parsed["features"]?.arrayValue ?? [])
    }
}

/// No boundaries at all (tests of other routes).
public struct NoBoundaryMaps: BoundaryMaps {
    public init() {}
    public func available() -> [(level: String, vintage: Int)] { [] }
    public func geoJSON(level: String, vintage: Int, tolerance: Double?) -> [UInt8]? { nil }
}

/// `GET /geo` (the sets there are) and `GET /geo/{level}/{vintage}.geojson[?tolerance=M]`.
struct GeoRoutes {
    let deps: ServerDependencies
    /// Largest tolerance a request may ask for, metres.
    static let maxTolerance = 1000.0

    func register(on router: Router<LantaarnRequestContext>) {
        router.get("/geo") { _, _ -> Response in
            let sets = deps.boundaryMaps.available().map { set -> JSONValue in
                .object([("level", .string(set.level)), ("vintage", .number(Double(set.vintage))),
                         ("url", .string("/geo/\(set.level)/\(set.vintage).geojson"))])
            }
            let body = JSONWriter.string(.object([("ok", .bool(true)), ("boundaries", .array(sets))]))
            return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        router.get("/geo/:level/:file") { request, context -> Response in
            let level = try context.parameters.require("level")
            let file = try context.parameters.require("file")
            guard file.hasSuffix(".geojson"), let vintage = Int(file.dropLast(".geojson".count)) else {
                throw APIError(.notFound, "unknown map '\(file)'; use /geo/LEVEL/YEAR.geojson, for example /geo/wijk/2024.geojson")
            }
            var tolerance: Double?
            if let text = request.uri.queryParameters.get("tolerance") {
                guard let t = Double(text), t >= 0, t <= Self.maxTolerance else {
                    throw APIError(.badRequest, "tolerance must be a number of metres from 0 to \(Int(Self.maxTolerance))")
                }
                tolerance = t
            }
            guard let body = deps.boundaryMaps.geoJSON(level: level, vintage: vintage, tolerance: tolerance) else {
                throw APIError(.notFound, "there are no \(level) boundaries of \(vintage); /geo lists the available ones")
            }
            let etag = "\"\(SHA256.hex(body).prefix(32))\""
            if request.headers[.ifNoneMatch] == etag {
                return Response(status: .notModified, headers: [.eTag: etag])
            }
            return Response(status: .ok, headers: [.contentType: "application/geo+json", .eTag: etag,
                                                   .cacheControl: "public, max-age=3600"],
                            body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
    }
}
