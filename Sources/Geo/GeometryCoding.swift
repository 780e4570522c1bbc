/// A compact binary form of an area's polygons, for storing boundary sets in the
/// store: little-endian counts (polygons, rings per polygon, positions per ring) as
/// UInt32, then each position as two Float64 (longitude, latitude).
public enum GeometryCoding {
    public static func encode(_ polygons: [Polygon]) -> [UInt8] {
        var out: [UInt8] = []
        func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { out.append(contentsOf: $0) } }
        func f64(_ v: Double) { withUnsafeBytes(of: v.bitPattern.littleEndian) { out.append(contentsOf: $0) } }
        u32(polygons.count)
        for polygon in polygons {
            let rings = polygon.rings
            u32(rings.count)
            for ring in rings {
                u32(ring.count)
                for p in ring { f64(p.x); f64(p.y) }
            }
        }
        return out
    }

    /// Decodes what ``encode(_:)`` wrote; `nil` when the bytes are cut short or malformed.
    public static func decode(_ bytes: [UInt8]) -> [Polygon]? {
        var i = 0
        func u32() -> Int? {
            guard i + 4 <= bytes.count else { return nil }
            var v: UInt32 = 0
            for k in 0..<4 { v |= UInt32(bytes[i + k]) << (8 * k) }
            i += 4
            return Int(v)
        }
        func f64() -> Double? {
            guard i + 8 <= bytes.count else { return nil }
            var v: UInt64 = 0
            for k in 0..<8 { v |= UInt64(bytes[i + k]) << (8 * k) }
            i += 8
            return Double(bitPattern: v)
        }
        guard let polygonCount = u32() else { return nil }
        var polygons: [Polygon] = []
        for _ in 0..<polygonCount {
            guard let ringCount = u32(), ringCount > 0 else { return nil }
            var rings: [[GeoPoint]] = []
            for _ in 0..<ringCount {
                guard let n = u32(), n * 16 <= bytes.count - i else { return nil }
                var ring: [GeoPoint] = []
                ring.reserveCapacity(n)
                for _ in 0..<n {
                    guard let x = f64(), let y = f64() else { return nil }
                    ring.append(GeoPoint(lon: x, lat: y))
                }
                rings.append(ring)
            }
            polygons.append(Polygon(outer: rings[0], holes: Array(rings.dropFirst())))
        }
        return i == bytes.count ? polygons : nil
    }
}
