import Foundation
import Store
import Testing

/// `BoundaryStore` on every backend: what `lantaarn geo import` stores, every process reads back.
struct BoundaryStoreConformanceTests {
    static func set(_ level: String, _ vintage: Int, codes: [String], source: String = "wijken.geojson") -> StoredBoundarySet {
        StoredBoundarySet(level: level, vintage: vintage, source: source, sha256: String(repeating: "a", count: 64),
                          importedAt: 1_764_000_000_000 + Int64(vintage), report: "\(codes.count) areas",
                          areas: codes.map { StoredBoundaryArea(code: $0, name: "naam \($0)", geometry: Array($0.utf8) + [0, 255, 7]) })
    }

    @Test(arguments: Backend.allCases)
    func setsRoundTripAndReplaceTheirVintage(_ backend: Backend) throws {
        let store = try StoreUnderTest(backend)
        defer { store.close() }
        #expect(try store.boundaries.boundarySets().isEmpty)
        let wijken2024 = Self.set("wijk", 2024, codes: ["WK0363AD", "WK036300", "WK0363AA"])
        let buurten = Self.set("buurt", 2024, codes: ["BU0363AD03"])
        #expect(try store.boundaries.saveBoundarySet(wijken2024) == false)
        #expect(try store.boundaries.saveBoundarySet(buurten) == false)
        #expect(try store.boundaries.saveBoundarySet(Self.set("wijk", 2023, codes: ["WK036300"])) == false)

        // By level and vintage, areas by code, geometry bytes as given.
        let stored = try store.boundaries.boundarySets()
        #expect(stored.map { "\($0.level) \($0.vintage)" } == ["buurt 2024", "wijk 2023", "wijk 2024"])
        var sorted = wijken2024
        sorted.areas.sort { $0.code < $1.code }
        #expect(stored[2] == sorted)

        // The same level and vintage again replaces it whole.
        let again = Self.set("wijk", 2024, codes: ["WK0363AD"], source: "wijken-2.geojson")
        #expect(try store.boundaries.saveBoundarySet(again) == true)
        let after = try store.boundaries.boundarySets()
        #expect(after.count == 3 && after[2] == again)
    }

    /// Many areas (a national buurt set has 14,000) are stored in batches, not one round trip each.
    @Test(arguments: Backend.allCases)
    func aLargeSetIsStoredWhole(_ backend: Backend) throws {
        let store = try StoreUnderTest(backend)
        defer { store.close() }
        let codes = (0..<2_500).map { String(format: "BU0363%04d", $0) }
        try store.boundaries.saveBoundarySet(Self.set("buurt", 2025, codes: codes))
        let stored = try #require(try store.boundaries.boundarySets().first)
        #expect(stored.areas.map(\.code) == codes)
    }
}
