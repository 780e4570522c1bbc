import Foundation

/// The Oblique Stereographic projection (EPSG method 9809), as the double projection
/// of Schreiber: the ellipsoid onto a conformal (Gauss) sphere, then a stereographic
/// projection of the sphere. This is the projection of RD New and the one PROJ calls `sterea`.
struct ObliqueStereographic: Sendable {
    private let e: Double
    private let lon0: Double
    private let k0R2a: Double       // 2 · R · k0 · a, metres
    private let falseEasting: Double, falseNorthing: Double
    private let c: Double, k: Double, ratexp: Double
    private let sinChi0: Double, cosChi0: Double, chi0: Double

    /// - Parameters: origin latitude and longitude in degrees, scale factor, false easting and northing in metres.
    init(ellipsoid: Ellipsoid, lat0: Double, lon0: Double, k0: Double, falseEasting: Double, falseNorthing: Double) {
        let phi0 = lat0 * .pi / 180
        e = ellipsoid.e2.squareRoot()
        self.lon0 = lon0 * .pi / 180
        self.falseEasting = falseEasting
        self.falseNorthing = falseNorthing
        let es = ellipsoid.e2
        let sphi = sin(phi0)
        let cphi2 = cos(phi0) * cos(phi0)
        let rc = (1 - es).squareRoot() / (1 - es * sphi * sphi)   // conformal sphere radius / a
        c = (1 + es * cphi2 * cphi2 / (1 - es)).squareRoot()
        let chi = asin(sphi / c)
        ratexp = 0.5 * c * e
        k = tan(0.5 * chi + .pi / 4) / (pow(tan(0.5 * phi0 + .pi / 4), c) * Self.srat(e * sphi, ratexp))
        chi0 = chi
        sinChi0 = sin(chi)
        cosChi0 = cos(chi)
        k0R2a = 2 * rc * k0 * ellipsoid.a
    }

    private static func srat(_ esinp: Double, _ exp: Double) -> Double { pow((1 - esinp) / (1 + esinp), exp) }

    /// Easting and northing (metres) of a latitude and longitude in radians.
    func project(lat: Double, lon: Double) -> (x: Double, y: Double) {
        // Onto the Gauss sphere.
        let chi = 2 * atan(k * pow(tan(0.5 * lat + .pi / 4), c) * Self.srat(e * sin(lat), ratexp)) - .pi / 2
        let lambda = c * (lon - lon0)
        let sinc = sin(chi), cosc = cos(chi), cosl = cos(lambda)
        let scale = k0R2a / (1 + sinChi0 * sinc + cosChi0 * cosc * cosl)
        return (falseEasting + scale * cosc * sin(lambda), falseNorthing + scale * (cosChi0 * sinc - sinChi0 * cosc * cosl))
    }

    /// Latitude and longitude in radians of an easting and northing.
    func unproject(x: Double, y: Double) -> (lat: Double, lon: Double) {
        let dx = x - falseEasting, dy = y - falseNorthing
        let rho = (dx * dx + dy * dy).squareRoot()
        var chi = chi0, lambda = 0.0
        if rho != 0 {
            let cAngle = 2 * atan2(rho, k0R2a)
            let sinc = sin(cAngle), cosc = cos(cAngle)
            chi = asin(cosc * sinChi0 + dy * sinc * cosChi0 / rho)
            lambda = atan2(dx * sinc, rho * cosChi0 * cosc - dy * sinChi0 * sinc)
        }
        // Back from the Gauss sphere: iterate the conformal latitude.
        let num = pow(tan(0.5 * chi + .pi / 4) / k, 1 / c)
        var phi = chi
        for _ in 0..<20 {
            let next = 2 * atan(num * Self.srat(e * sin(phi), -0.5 * e)) - .pi / 2
            if abs(next - phi) < 1e-14 { phi = next; break }
            phi = next
        }
        return (phi, lambda / c + lon0)
    }
}
