import LantaarnModel

/// One area of a stored boundary set; the geometry is opaque to the store (the Geo
/// module encodes it).
public struct StoredBoundaryArea: Sendable, Equatable {
    public var code: String
    public var name: String
    public var geometry: [UInt8]

    public init(code: String, name: String, geometry: [UInt8]) {
        self.code = code
        self.name = name
        self.geometry = geometry
    }
}

/// A boundary set as stored: level, vintage, where it came from, and its areas.
public struct StoredBoundarySet: Sendable, Equatable {
    public var level: String
    public var vintage: Int
    public var source: String
    public var sha256: String
    public var importedAt: Int64
    /// The import report, as printed at import.
    public var report: String
    public var areas: [StoredBoundaryArea]

    public init(level: String, vintage: Int, source: String, sha256: String, importedAt: Int64, report: String,
                areas: [StoredBoundaryArea]) {
        self.level = level
        self.vintage = vintage
        self.source = source
        self.sha256 = sha256
        self.importedAt = importedAt
        self.report = report
        self.areas = areas
    }
}

/// Imported boundary sets (`lantaarn geo import`), kept in the store so every process uses the same.
public protocol BoundaryStore: Sendable {
    /// Stores `set`, replacing a set of the same level and vintage. Returns true when one was replaced.
    @discardableResult
    func saveBoundarySet(_ set: StoredBoundarySet) throws -> Bool
    /// Every stored set.
    func boundarySets() throws -> [StoredBoundarySet]
}
