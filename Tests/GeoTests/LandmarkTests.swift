import Foundation
import Geo
import Testing

/// Known places land in the right wijk. Coordinates come from each place's Wikipedia
/// article (infobox) or, for streets and squares, OpenStreetMap, rounded to 5 decimals;
/// the expected wijk was checked by hand against the wijk names and a map. Every point
/// lies at least 100 m from any boundary of its set (asserted), so a small error in the
/// coordinates cannot flip the answer.
struct LandmarkTests {
    struct Landmark: CustomStringConvertible {
        var name: String, source: String, lat: Double, lon: Double, wijk: String
        var description: String { name }
    }

    static let haarlem2020: [Landmark] = [
        .init(name: "Grote Kerk (Sint-Bavokerk), Grote Markt", source: "Wikipedia: Grote Kerk (Haarlem)", lat: 52.38111, lon: 4.63722, wijk: "WK039201"),
        .init(name: "Stadhuis, Grote Markt 2", source: "Wikipedia: Stadhuis van Haarlem", lat: 52.38081, lon: 4.63603, wijk: "WK039201"),
        .init(name: "Teylers Museum, Spaarne 16", source: "Wikipedia: Teylers Museum", lat: 52.38028, lon: 4.64056, wijk: "WK039201"),
        .init(name: "Station Haarlem, Stationsplein", source: "Wikipedia: Station Haarlem", lat: 52.38750, lon: 4.63833, wijk: "WK039201"),
        .init(name: "Philharmonie, Lange Begijnestraat 11", source: "Wikipedia: Philharmonie Haarlem", lat: 52.38247, lon: 4.63806, wijk: "WK039201"),
        .init(name: "Nieuwe Kerk, Nieuwe Kerksplein", source: "Wikipedia: Nieuwe Kerk (Haarlem)", lat: 52.37907, lon: 4.63000, wijk: "WK039201"),
        .init(name: "Stadsschouwburg, Wilsonsplein 23", source: "Wikipedia: Stadsschouwburg Haarlem", lat: 52.37722, lon: 4.62944, wijk: "WK039201"),
        .init(name: "Paviljoen Welgelegen (Provinciehuis), Dreef 3", source: "Wikipedia: Paviljoen Welgelegen", lat: 52.37389, lon: 4.63389, wijk: "WK039202"),
        .init(name: "Haarlemmerhout (park)", source: "OpenStreetMap: Haarlemmerhout", lat: 52.36550, lon: 4.63300, wijk: "WK039202"),
        .init(name: "Station Haarlem Spaarnwoude", source: "Wikipedia: Station Haarlem Spaarnwoude", lat: 52.37833, lon: 4.67500, wijk: "WK039209"),
        .init(name: "Waarderpolder business park", source: "OpenStreetMap: Waarderpolder", lat: 52.38950, lon: 4.66600, wijk: "WK039206"),
        .init(name: "Molenwijk, Schalkwijk", source: "OpenStreetMap: Molenwijk (Haarlem)", lat: 52.34700, lon: 4.64770, wijk: "WK039220"),
        .init(name: "Spaarndam (Haarlem side of the Spaarne)", source: "OpenStreetMap: Spaarndam-West", lat: 52.41600, lon: 4.67200, wijk: "WK039217"),
    ]

    static let haarlem2014: [Landmark] = [
        .init(name: "Grote Kerk (Sint-Bavokerk)", source: "Wikipedia: Grote Kerk (Haarlem)", lat: 52.38111, lon: 4.63722, wijk: "WK039201"),
        .init(name: "Stadhuis, Grote Markt 2", source: "Wikipedia: Stadhuis van Haarlem", lat: 52.38081, lon: 4.63603, wijk: "WK039201"),
        .init(name: "Teylers Museum", source: "Wikipedia: Teylers Museum", lat: 52.38028, lon: 4.64056, wijk: "WK039201"),
        .init(name: "Nieuwe Kerk", source: "Wikipedia: Nieuwe Kerk (Haarlem)", lat: 52.37907, lon: 4.63000, wijk: "WK039201"),
        .init(name: "Paviljoen Welgelegen", source: "Wikipedia: Paviljoen Welgelegen", lat: 52.37389, lon: 4.63389, wijk: "WK039204"),
        .init(name: "Winkelcentrum Schalkwijk, Fie Carelsenplein", source: "OpenStreetMap: Winkelcentrum Schalkwijk", lat: 52.35730, lon: 4.65500, wijk: "WK039209"),
        .init(name: "Station Haarlem Spaarnwoude", source: "Wikipedia: Station Haarlem Spaarnwoude", lat: 52.37833, lon: 4.67500, wijk: "WK039203"),
        .init(name: "Spaarndam (Haarlem side)", source: "OpenStreetMap: Spaarndam-West", lat: 52.41600, lon: 4.67200, wijk: "WK039207"),
        .init(name: "Kleverpark", source: "OpenStreetMap: Kleverpark", lat: 52.39900, lon: 4.63300, wijk: "WK039206"),
        .init(name: "Stadion Haarlem, Jan Gijzenkade", source: "Wikipedia: Haarlem Stadion", lat: 52.39278, lon: 4.64333, wijk: "WK039205"),
        .init(name: "Duinwijk, Haarlem-West", source: "OpenStreetMap: Duinwijk (Haarlem)", lat: 52.38500, lon: 4.61000, wijk: "WK039208"),
    ]

    static let denHelder2014: [Landmark] = [
        .init(name: "Marinemuseum, Hoofdgracht 3 (Willemsoord)", source: "Wikipedia: Marinemuseum", lat: 52.96278, lon: 4.77306, wijk: "WK040001"),
        .init(name: "Oude stadhuis, Kerkgracht", source: "OpenStreetMap: Den Helder centrum", lat: 52.96000, lon: 4.76500, wijk: "WK040001"),
        .init(name: "Julianaplein", source: "OpenStreetMap: Julianaplein (Den Helder)", lat: 52.95550, lon: 4.75500, wijk: "WK040002"),
        .init(name: "Stadspark", source: "OpenStreetMap: Stadspark (Den Helder)", lat: 52.95750, lon: 4.75300, wijk: "WK040002"),
        .init(name: "Fort Kijkduin, Huisduinen", source: "Wikipedia: Fort Kijkduin", lat: 52.95167, lon: 4.72278, wijk: "WK040003"),
        .init(name: "Huisduinerweg", source: "OpenStreetMap: Huisduinerweg", lat: 52.94500, lon: 4.73000, wijk: "WK040003"),
        .init(name: "Station Den Helder Zuid", source: "Wikipedia: Station Den Helder Zuid", lat: 52.93580, lon: 4.74470, wijk: "WK040004"),
        .init(name: "Stadhuis, Drs. F. Bijlweg 20", source: "OpenStreetMap: Stadhuis Den Helder", lat: 52.93360, lon: 4.75780, wijk: "WK040004"),
        .init(name: "Ruyghweg, De Schooten", source: "OpenStreetMap: Ruyghweg", lat: 52.93800, lon: 4.77500, wijk: "WK040005"),
        .init(name: "Vliegveld De Kooy", source: "Wikipedia: Maritiem Vliegkamp De Kooy", lat: 52.92340, lon: 4.78062, wijk: "WK040006"),
        .init(name: "Julianadorp aan Zee", source: "Wikipedia: Julianadorp aan Zee", lat: 52.90780, lon: 4.71450, wijk: "WK040007"),
        .init(name: "Julianadorp, winkelcentrum Loopuyt", source: "OpenStreetMap: Loopuyt", lat: 52.89350, lon: 4.74400, wijk: "WK040008"),
    ]

    /// Metres from `p` to the nearest edge of any area in `set`.
    static func distanceToBorder(_ set: BoundarySet, _ p: GeoPoint) -> Double {
        let kx = 111_320 * cos(p.y * .pi / 180), ky = 110_574.0
        var best = Double.infinity
        for area in set.areas { for polygon in area.polygons { for ring in polygon.rings { for i in 1..<ring.count {
            let ax: Double = (ring[i - 1].x - p.x) * kx, ay: Double = (ring[i - 1].y - p.y) * ky
            let bx: Double = (ring[i].x - p.x) * kx - ax, by: Double = (ring[i].y - p.y) * ky - ay
            let t: Double = max(0, min(1, -(ax * bx + ay * by) / max(bx * bx + by * by, 1e-12)))
            best = min(best, hypot(ax + t * bx, ay + t * by))
        } } } }
        return best
    }

    func check(_ set: BoundarySet, _ landmarks: [Landmark]) {
        #expect(landmarks.count >= 10)
        for l in landmarks {
            let p = GeoPoint(lon: l.lon, lat: l.lat)
            #expect(Self.distanceToBorder(set, p) >= 100, "\(l.name) (\(l.source)) lies too close to a border to be a fair check")
            #expect(set.locate(p)?.code == l.wijk, "\(l.name) (\(l.source))")
            #expect(Fixtures.bruteForce(set, p) == l.wijk, "\(l.name): brute force")
        }
    }

    @Test func haarlemWijken2020() throws { check(try Fixtures.haarlem2020(), Self.haarlem2020) }
    @Test func haarlemCBSWijken2014() throws { check(try Fixtures.haarlem2014(), Self.haarlem2014) }
    @Test func denHelderCBSWijken2014() throws { check(try Fixtures.denHelder2014(), Self.denHelder2014) }

    /// Places outside the municipality are unknown, not the nearest wijk.
    @Test func outsideIsUnknown() throws {
        let haarlem = try Fixtures.haarlem2020()
        #expect(haarlem.locate(lat: 52.37302, lon: 4.89244) == nil)   // Dam, Amsterdam (Wikipedia: Dam (Amsterdam))
        #expect(haarlem.locate(lat: 52.39694, lon: 4.60556) == nil)   // Bloemendaal village (Wikipedia: Bloemendaal)
        #expect(try Fixtures.denHelder2014().locate(lat: 53.05, lon: 4.80) == nil)   // Texel
    }
}
