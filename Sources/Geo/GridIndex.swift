/// A uniform grid over the areas' extent; each cell lists the areas whose
/// bounding box touches it, so a lookup tests only a handful of polygons.
struct GridIndex: Sendable {
    private let bounds: BoundingBox
    private let columns: Int
    private let rows: Int
    private let cells: [[Int]]

    init(areas: [Area], cellsPerSide: Int = 64) {
        var b = BoundingBox(points: [])
        for a in areas { b.include(a.bounds) }
        bounds = b
        columns = cellsPerSide
        rows = cellsPerSide
        var cells = Array(repeating: [Int](), count: cellsPerSide * cellsPerSide)
        if !areas.isEmpty {
            for (i, a) in areas.enumerated() {
                let (c0, r0) = Self.cell(GeoPoint(lon: a.bounds.minX, lat: a.bounds.minY), b, cellsPerSide, cellsPerSide)
                let (c1, r1) = Self.cell(GeoPoint(lon: a.bounds.maxX, lat: a.bounds.maxY), b, cellsPerSide, cellsPerSide)
                for r in r0...r1 { for c in c0...c1 { cells[r * cellsPerSide + c].append(i) } }
            }
        }
        self.cells = cells
    }

    /// Indexes of areas that may contain `p` (in ascending order).
    func candidates(for p: GeoPoint) -> [Int] {
        guard bounds.contains(p) else { return [] }
        let (c, r) = Self.cell(p, bounds, columns, rows)
        return cells[r * columns + c]
    }

    private static func cell(_ p: GeoPoint, _ b: BoundingBox, _ cols: Int, _ rows: Int) -> (Int, Int) {
        let w = b.maxX - b.minX, h = b.maxY - b.minY
        let c = w > 0 ? Int((p.x - b.minX) / w * Double(cols)) : 0
        let r = h > 0 ? Int((p.y - b.minY) / h * Double(rows)) : 0
        return (min(max(c, 0), cols - 1), min(max(r, 0), rows - 1))
    }
}
