/// A coarse uniform grid over the areas' extent; each cell lists the areas whose
/// bounding box touches it. ``GridIndex`` uses it while it is being built.
struct BoxGrid: Sendable {
    private let bounds: BoundingBox
    private let side: Int
    private let cells: [[Int]]

    init(areas: [Area], bounds: BoundingBox, side: Int = 64) {
        self.bounds = bounds
        self.side = side
        var cells = Array(repeating: [Int](), count: side * side)
        for (i, a) in areas.enumerated() where a.bounds.minX <= a.bounds.maxX {
            let (c0, r0) = Self.cell(GeoPoint(lon: a.bounds.minX, lat: a.bounds.minY), bounds, side)
            let (c1, r1) = Self.cell(GeoPoint(lon: a.bounds.maxX, lat: a.bounds.maxY), bounds, side)
            for r in r0...r1 { for c in c0...c1 { cells[r * side + c].append(i) } }
        }
        self.cells = cells
    }

    /// Indexes of areas whose bounding box may contain `p`, ascending.
    func candidates(for p: GeoPoint) -> [Int] {
        guard bounds.contains(p) else { return [] }
        let (c, r) = Self.cell(p, bounds, side)
        return cells[r * side + c]
    }

    private static func cell(_ p: GeoPoint, _ b: BoundingBox, _ side: Int) -> (Int, Int) {
        let w = b.maxX - b.minX, h = b.maxY - b.minY
        let c = w > 0 ? Int((p.x - b.minX) / w * Double(side)) : 0
        let r = h > 0 ? Int((p.y - b.minY) / h * Double(side)) : 0
        return (min(max(c, 0), side - 1), min(max(r, 0), side - 1))
    }
}
