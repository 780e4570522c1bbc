import Foundation
import TestSupport
import Geo
import Testing

/// RD New ↔ WGS84 against PROJ's `cs2cs` (Debian proj-bin, installed by scripts/setup)
/// as an independent reference.
struct RDNewTests {
    /// Runs cs2cs from `from` to `to` over "a b" lines; returns its first two numbers per line.
    static func cs2cs(_ from: String, _ to: String, _ points: [(Double, Double)]) async throws -> [(Double, Double)] {
        let text = points.map { "\($0.0) \($0.1)" }.joined(separator: "\n") + "\n"
        let result = try await runCommand(Tool("cs2cs"), ["-f", "%.10f", from, to], stdin: Data(text.utf8))
        try #require(result.status == 0, "cs2cs: \(result.error)")
        return result.output.split(separator: "\n").map { line in
            let f = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).compactMap { Double($0) }
            return (f[0], f[1])
        }
    }

    /// 2,000 random points over the Netherlands' RD New extent, both directions.
    @Test func agreesWithCs2csWithinOneMetre() async throws {
        var rng = SeededRandom(seed: 28992)
        let rd = (0..<2000).map { _ in (Double.random(in: 13_000...278_000, using: &rng), Double.random(in: 306_000...619_000, using: &rng)) }
        let wgs = try await Self.cs2cs("EPSG:28992", "EPSG:4326", rd)   // cs2cs prints latitude, longitude
        #expect(wgs.count == rd.count)
        var forward = 0.0, inverse = 0.0
        for (i, (lat, lon)) in wgs.enumerated() {
            let p = RDNew.toWGS84(x: rd[i].0, y: rd[i].1)
            let dy = (p.y - lat) * 111_320, dx = (p.x - lon) * 111_320 * cos(lat * .pi / 180)
            forward = max(forward, (dx * dx + dy * dy).squareRoot())
            let back = RDNew.fromWGS84(GeoPoint(lon: lon, lat: lat))
            inverse = max(inverse, hypot(back.x - rd[i].0, back.y - rd[i].1))
        }
        print("RD New -> WGS84 max error vs cs2cs: \(forward) m; WGS84 -> RD New: \(inverse) m (2,000 points)")
        #expect(forward < 0.01)
        #expect(inverse < 0.01)
    }

    /// The RD origin, the Onze Lieve Vrouwetoren in Amersfoort, and a round trip. The
    /// round trip is good to a millimetre, not exactly: each direction assumes height 0
    /// on its own ellipsoid, as PROJ does, and the datum shift couples height into position.
    @Test func originAndRoundTrip() {
        let origin = RDNew.toWGS84(x: 155_000, y: 463_000)
        #expect(abs(origin.y - 52.15517) < 0.00002 && abs(origin.x - 5.38721) < 0.00002, "\(origin)")
        let p = GeoPoint(lon: 4.63722, lat: 52.38111)
        let rd = RDNew.fromWGS84(p)
        let back = RDNew.toWGS84(x: rd.x, y: rd.y)
        #expect(abs(back.x - p.x) < 2e-8 && abs(back.y - p.y) < 2e-8)
    }
}
