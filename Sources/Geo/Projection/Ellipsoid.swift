import Foundation

/// A reference ellipsoid, and conversions between geodetic and geocentric (ECEF) coordinates.
struct Ellipsoid: Sendable {
    /// Semi-major axis, metres.
    let a: Double
    /// First eccentricity squared.
    let e2: Double

    init(a: Double, inverseFlattening: Double) {
        self.a = a
        let f = 1 / inverseFlattening
        e2 = f * (2 - f)
    }

    /// Bessel 1841, the ellipsoid of the Amersfoort datum (RD).
    static let bessel1841 = Ellipsoid(a: 6_377_397.155, inverseFlattening: 299.1528128)
    /// WGS 84.
    static let wgs84 = Ellipsoid(a: 6_378_137, inverseFlattening: 298.257223563)

    /// Geocentric X, Y, Z (metres) of latitude and longitude in radians at ellipsoidal height 0.
    func cartesian(lat: Double, lon: Double) -> SIMD3<Double> {
        let s = sin(lat), c = cos(lat)
        let n = a / (1 - e2 * s * s).squareRoot()
        return SIMD3(n * c * cos(lon), n * c * sin(lon), n * (1 - e2) * s)
    }

    /// Latitude and longitude in radians of a geocentric position (height dropped).
    func geodetic(_ v: SIMD3<Double>) -> (lat: Double, lon: Double) {
        let p = (v.x * v.x + v.y * v.y).squareRoot()
        var lat = atan2(v.z, p * (1 - e2))
        // Fixed-point iteration; near the surface it converges to 1e-12 rad in 4 steps.
        for _ in 0..<6 {
            let s = sin(lat)
            let n = a / (1 - e2 * s * s).squareRoot()
            let h = p / cos(lat) - n
            lat = atan2(v.z, p * (1 - e2 * n / (n + h)))
        }
        return (lat, atan2(v.y, v.x))
    }
}
