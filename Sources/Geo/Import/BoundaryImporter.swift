import Foundation
import LantaarnModel

/// Turns a GeoJSON or TopoJSON boundary file into a ``BoundarySet``: detects the format,
/// the code and name fields and the coordinate system (RD New is converted to WGS84),
/// normalises codes to CBS form, validates every ring, and reports what it did.
public struct BoundaryImporter: Sendable {
    public var level: AreaLevel
    public var vintage: Int
    /// Property holding the code; detected from ``AreaLevel/codeFields`` when `nil`.
    public var codeField: String?
    /// Property holding the name; detected from ``AreaLevel/nameFields`` when `nil`.
    public var nameField: String?
    /// Gemeente (`GM0392`) that short codes such as `"01"` belong to.
    public var gemeente: String?
    /// TopoJSON object to read when the file holds several.
    public var object: String?

    public init(level: AreaLevel, vintage: Int, codeField: String? = nil, nameField: String? = nil,
                gemeente: String? = nil, object: String? = nil) {
        self.level = level
        self.vintage = vintage
        self.codeField = codeField
        self.nameField = nameField
        self.gemeente = gemeente.map(CBSCode.normalised)
        self.object = object
    }

    /// Imports `bytes`, read from `source` (named in errors and the report).
    public func read(_ bytes: [UInt8], source: String) throws -> (set: BoundarySet, report: ImportReport) {
        if let gemeente, !AreaLevel.gemeente.isCode(gemeente) {
            throw GeoImportError(source: source, feature: nil, reason: "--gemeente '\(gemeente)' is not a CBS gemeente code (\(AreaLevel.gemeente.codeShape))")
        }
        let root: JSONValue
        do { root = try JSONParser.parse(bytes) } catch {
            throw GeoImportError(source: source, feature: nil, reason: "not valid JSON: \(error)")
        }
        let file = root["type"]?.stringValue == "Topology"
            ? try TopoJSONReader.read(root, object: object, source: source)
            : try GeoJSONReader.read(root, source: source)
        guard !file.features.isEmpty else {
            throw GeoImportError(source: source, feature: nil, reason: "holds no features")
        }
        let crs = try Self.coordinateSystem(of: file, source: source)
        let codeField = try self.codeField ?? Self.detect(level.codeFields, in: file, what: "code", source: source)
        let nameField = self.nameField ?? (try? Self.detect(level.nameFields, in: file, what: "name", source: source))

        var report = ImportReport(source: source, format: file.format.rawValue, level: level, vintage: vintage,
                                  coordinateSystem: crs, codeField: codeField, nameField: nameField)
        var polygonsByCode: [String: [Polygon]] = [:]
        var nameByCode: [String: String] = [:]
        var order: [String] = []
        for feature in file.features {
            let fail = { (reason: String) in GeoImportError(source: source, feature: feature.index, reason: reason) }
            guard let raw = Self.string(feature.properties, codeField) else {
                throw fail("has no '\(codeField)' property; give the field with --code-field")
            }
            let code = try normalise(raw, fail: fail)
            if code != raw { report.codesExpanded += 1 }
            let polygons = try feature.polygons.enumerated().map { (p, rings) -> Polygon in
                let converted = crs == .rdNew ? rings.map { $0.map { RDNew.toWGS84(x: $0.x, y: $0.y) } } : rings
                guard !converted.isEmpty else { throw fail("polygon \(p) (\(code)) has no rings (empty)") }
                for (r, ring) in converted.enumerated() {
                    if let problem = GeometryValidator.problem(in: ring) {
                        throw fail("polygon \(p) ring \(r) of \(code) \(problem); fix the geometry (for example with QGIS 'Fix geometries') and import again")
                    }
                }
                report.holes += converted.count - 1
                report.vertices += converted.reduce(0) { $0 + $1.count }
                return Polygon(outer: converted[0], holes: Array(converted.dropFirst()))
            }
            guard !polygons.isEmpty else { throw fail("\(code) has an empty geometry") }
            if polygonsByCode[code] == nil { order.append(code) } else { report.merged.append(code) }
            polygonsByCode[code, default: []] += polygons
            nameByCode[code] = nameByCode[code] ?? nameField.flatMap { Self.string(feature.properties, $0) } ?? code
            report.features += 1
            report.polygons += polygons.count
        }
        let areas = order.map { Area(code: $0, name: nameByCode[$0]!, polygons: polygonsByCode[$0]!) }
        report.areas = areas.count
        let set = BoundarySet(level: level, vintage: vintage, areas: areas)
        report.bounds = set.bounds
        return (set, report)
    }

    /// A code in full CBS form for this level: a full code in any case stays as it is
    /// (upper-cased: `wk0363ad` → `WK0363AD`); without its prefix it gets it (`039201` →
    /// `WK039201`); a wijk's or buurt's own part gets the prefix and the `--gemeente` digits
    /// (`01` or `AD` with GM0363 → `WK036301`, `WK0363AD`); a short gemeente number is padded.
    func normalise(_ raw: String, fail: (String) -> GeoImportError) throws -> String {
        let upper = CBSCode.normalised(raw)
        if level.isCode(upper) { return upper }
        if level.isCode(level.prefix + upper) { return level.prefix + upper }
        let digitsOnly = !upper.isEmpty && upper.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }
        if level == .gemeente, digitsOnly, upper.utf8.count < 4 { return "GM" + String(repeating: "0", count: 4 - upper.utf8.count) + upper }
        if level != .gemeente, CBSCode.isLocalPart(upper), upper.utf8.count <= level.localLength {
            guard let gemeente else {
                throw fail("code '\(raw)' is the area's own part; pass --gemeente GMxxxx so it can become a CBS code")
            }
            let padded = digitsOnly ? String(repeating: "0", count: level.localLength - upper.utf8.count) + upper : upper
            if level.isCode(level.prefix + gemeente.dropFirst(2) + padded) { return level.prefix + gemeente.dropFirst(2) + padded }
        }
        throw fail("code '\(raw)' is not a CBS \(level.rawValue) code (\(level.codeShape)); choose the right field with --code-field")
    }

    /// The first of `candidates` that the first feature has (a later feature without it is
    /// an error naming that feature); the error lists what the first feature offers.
    static func detect(_ candidates: [String], in file: RawBoundaryFile, what: String, source: String) throws -> String {
        for field in candidates where string(file.features[0].properties, field) != nil { return field }
        let offered = file.features[0].properties.map(\.0).joined(separator: ", ")
        throw GeoImportError(source: source, feature: nil,
                             reason: "no \(what) field found (tried \(candidates.joined(separator: ", ")); the features have \(offered.isEmpty ? "no properties" : offered)); name it with --\(what)-field")
    }

    static func string(_ properties: [(String, JSONValue)], _ key: String) -> String? {
        for (k, v) in properties where k == key {
            switch v {
            case .string(let s) where !s.isEmpty: return s
            case .number(let n) where n == n.rounded() && abs(n) < 1e15: return String(Int64(n))
            default: return nil
            }
        }
        return nil
    }

    /// WGS84 when every position is a plausible longitude/latitude, RD New when every one
    /// lies in RD New's domain; a declared `crs` must agree with the numbers.
    static func coordinateSystem(of file: RawBoundaryFile, source: String) throws -> CoordinateSystem {
        var b = BoundingBox(points: [])
        for f in file.features { for p in f.polygons { for r in p { for q in r { b.include(q) } } } }
        guard b.minX <= b.maxX else { throw GeoImportError(source: source, feature: nil, reason: "holds no positions (empty geometries)") }
        let degrees = b.minX >= -180 && b.maxX <= 180 && b.minY >= -90 && b.maxY <= 90
        let rd = RDNew.validX.contains(b.minX) && RDNew.validX.contains(b.maxX)
            && RDNew.validY.contains(b.minY) && RDNew.validY.contains(b.maxY)
        let extent = "x from \(b.minX) to \(b.maxX), y from \(b.minY) to \(b.maxY)"
        if degrees, b.minX >= 50, b.maxX <= 54, b.minY >= 3, b.maxY <= 8 {
            throw GeoImportError(source: source, feature: nil,
                                 reason: "positions look like [latitude, longitude] (\(extent)); GeoJSON wants [longitude, latitude]")
        }
        switch (file.declaredCRS, degrees, rd) {
        case (.wgs84?, true, _), (nil, true, _): return .wgs84
        case (.rdNew?, _, true), (nil, false, true): return .rdNew
        default:
            throw GeoImportError(source: source, feature: nil,
                                 reason: "positions (\(extent)) are neither WGS84 degrees nor RD New metres\(file.declaredCRS.map { " as the file's crs (\($0.rawValue)) says" } ?? ""); convert the file to EPSG:4326 or EPSG:28992")
        }
    }
}

/// What an import did, printed by `lantaarn geo import` and kept with the boundary set.
public struct ImportReport: Sendable, CustomStringConvertible {
    public var source: String
    public var format: String
    public var level: AreaLevel
    public var vintage: Int
    public var coordinateSystem: CoordinateSystem
    public var codeField: String
    public var nameField: String?
    public var features = 0
    public var areas = 0
    public var polygons = 0
    public var holes = 0
    public var vertices = 0
    /// Codes given as local numbers and expanded to full CBS codes.
    public var codesExpanded = 0
    /// Codes that several features shared; their polygons were joined into one area.
    public var merged: [String] = []
    public var bounds = BoundingBox(points: [])

    public var description: String {
        var lines = [
            "\(source): \(format), \(coordinateSystem.rawValue)\(coordinateSystem == .rdNew ? ", converted to WGS84" : "")",
            "  \(areas) \(level.rawValue) areas of vintage \(vintage) from \(features) features: \(polygons) polygons, \(holes) holes, \(vertices) positions",
            "  code from '\(codeField)'\(codesExpanded > 0 ? " (\(codesExpanded) local numbers expanded to CBS codes)" : ""), name from \(nameField.map { "'\($0)'" } ?? "nowhere (the code is used)")",
            String(format: "  extent: longitude %.5f to %.5f, latitude %.5f to %.5f", bounds.minX, bounds.maxX, bounds.minY, bounds.maxY),
        ]
        if !merged.isEmpty { lines.append("  features sharing a code were joined: \(Set(merged).sorted().joined(separator: ", "))") }
        return lines.joined(separator: "\n")
    }
}
