/// A seven-parameter Helmert transformation between geocentric frames, in the
/// coordinate-frame rotation convention (EPSG method 1032/9607), small-angle form.
struct Helmert: Sendable {
    private let translation: SIMD3<Double>
    private let forward: (SIMD3<Double>, SIMD3<Double>, SIMD3<Double>)
    private let inverse: (SIMD3<Double>, SIMD3<Double>, SIMD3<Double>)

    /// - Parameters: translations in metres, rotations in arc seconds, scale in parts per million.
    init(tx: Double, ty: Double, tz: Double, rx: Double, ry: Double, rz: Double, ppm: Double) {
        let arcsec = Double.pi / (180 * 3600)
        let (x, y, z) = (rx * arcsec, ry * arcsec, rz * arcsec)
        let m = 1 + ppm * 1e-6
        translation = SIMD3(tx, ty, tz)
        // Rows of M·R, with R = [[1, rz, -ry], [-rz, 1, rx], [ry, -rx, 1]].
        let r0 = SIMD3(1, z, -y) * m, r1 = SIMD3(-z, 1, x) * m, r2 = SIMD3(y, -x, 1) * m
        forward = (r0, r1, r2)
        inverse = Self.invert(r0, r1, r2)
    }

    /// Source frame to target frame.
    func apply(_ v: SIMD3<Double>) -> SIMD3<Double> {
        SIMD3((forward.0 * v).sum(), (forward.1 * v).sum(), (forward.2 * v).sum()) + translation
    }

    /// Target frame back to source frame (the exact inverse of ``apply(_:)``).
    func reverse(_ v: SIMD3<Double>) -> SIMD3<Double> {
        let d = v - translation
        return SIMD3((inverse.0 * d).sum(), (inverse.1 * d).sum(), (inverse.2 * d).sum())
    }

    /// Rows of the inverse of the 3×3 matrix with rows `a`, `b`, `c` (by cofactors).
    private static func invert(_ a: SIMD3<Double>, _ b: SIMD3<Double>, _ c: SIMD3<Double>)
        -> (SIMD3<Double>, SIMD3<Double>, SIMD3<Double>) {
        let cross = { (u: SIMD3<Double>, v: SIMD3<Double>) in
            SIMD3(u.y * v.z - u.z * v.y, u.z * v.x - u.x * v.z, u.x * v.y - u.y * v.x)
        }
        let c0 = cross(b, c), c1 = cross(c, a), c2 = cross(a, b)
        let det = (a * c0).sum()
        // The inverse's columns are the cofactor vectors; return its rows.
        return (SIMD3(c0.x, c1.x, c2.x) / det, SIMD3(c0.y, c1.y, c2.y) / det, SIMD3(c0.z, c1.z, c2.z) / det)
    }
}
