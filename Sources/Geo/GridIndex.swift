/// The point-in-polygon index: a uniform grid whose cells are classified once, when
/// the boundary set is built.
///
/// - A cell that no boundary edge touches lies wholly inside one area, or outside all;
///   a lookup there is one array read.
/// - A cell that edges cross ("mixed") lists the areas that may contain its points: those
///   whose edges cross it (tested exactly, with ``EdgeBands``) and those that contain the
///   whole cell (no test needed).
///
/// Cells are inflated by a millionth of their size when edges are filed, so rounding in
/// the point-to-cell arithmetic can never put a boundary point in a "whole" cell.
struct GridIndex: Sendable {
    private let bounds: BoundingBox
    private let columns: Int, rows: Int
    private let scaleX: Double, scaleY: Double
    /// Per cell: -1 outside every area; n ≥ 0 wholly inside area n; v ≤ -2 mixed cell -(v + 2).
    private let cells: [Int32]
    /// Mixed cell m lists entries[offsets[m]..<offsets[m + 1]]: area << 1 | (1 when it needs a test).
    private let offsets: [Int32]
    private let entries: [Int32]
    /// Every area's rings (all its polygons) as one group each, for the exact test in mixed cells.
    private let edges: EdgeBands

    /// Number of grid cells per side for `edgeCount` edges: about four cells per edge
    /// along each side's square root, between 16 and 1024.
    static func side(edgeCount: Int) -> Int { min(1024, max(16, Int(Double(edgeCount).squareRoot() * 4))) }

    init(areas: [Area]) {
        var b = BoundingBox(points: [])
        for a in areas { b.include(a.bounds) }
        var edgeCount = 0
        for a in areas { for p in a.polygons { for r in p.rings { edgeCount += max(0, r.count - 1) } } }
        let side = areas.isEmpty ? 1 : Self.side(edgeCount: edgeCount)
        bounds = b
        columns = side
        rows = side
        let w = b.maxX - b.minX, h = b.maxY - b.minY
        scaleX = w > 0 ? Double(side) / w : 0
        scaleY = h > 0 ? Double(side) / h : 0
        // One group per area: its polygons do not overlap, so even-odd over all their
        // rings is "inside one of its polygons".
        edges = EdgeBands(groups: areas.map { a in (a.polygons.flatMap(\.rings), a.bounds) })
        guard !areas.isEmpty else {
            cells = [-1]; offsets = [0]; entries = []
            return
        }

        // 1. File each edge under every cell it touches: (cell << 32 | area), sorted.
        var touched: [UInt64] = []
        touched.reserveCapacity(edgeCount * 2)
        for (i, area) in areas.enumerated() {
            for polygon in area.polygons {
                for ring in polygon.rings where ring.count > 1 {
                    for k in 1..<ring.count {
                        Self.fileEdge(ring[k - 1], ring[k], area: i, grid: (b, side, scaleX, scaleY), into: &touched)
                    }
                }
            }
        }
        touched.sort()

        // 2. Classify the cells row by row. Neighbouring whole cells in a row share their
        //    area (no edge separates them), so only the first after a mixed cell is located.
        let coarse = BoxGrid(areas: areas, bounds: b)
        var cells = [Int32](repeating: -1, count: side * side)
        var offsets: [Int32] = [0]
        var entries: [Int32] = []
        var t = 0
        for r in 0..<side {
            var previousWhole: Int32?
            for c in 0..<side {
                let cell = r * side + c
                var edgeAreas: [Int32] = []
                while t < touched.count, Int(touched[t] >> 32) == cell {
                    let a = Int32(truncatingIfNeeded: touched[t])
                    if edgeAreas.last != a { edgeAreas.append(a) }
                    t += 1
                }
                let centre = GeoPoint(lon: b.minX + (Double(c) + 0.5) / scaleX, lat: b.minY + (Double(r) + 0.5) / scaleY)
                if edgeAreas.isEmpty {
                    if previousWhole == nil {
                        previousWhole = coarse.candidates(for: centre).first { areas[$0].locate(centre) == .inside }
                            .map(Int32.init) ?? -1
                    }
                    cells[cell] = previousWhole!
                    continue
                }
                previousWhole = nil
                var list = edgeAreas.map { $0 << 1 | 1 }
                for j in coarse.candidates(for: centre) where !edgeAreas.contains(Int32(j)) {
                    if areas[j].locate(centre) == .inside { list.append(Int32(j) << 1) }
                }
                list.sort()
                cells[cell] = -Int32(offsets.count - 1) - 2
                entries += list
                offsets.append(Int32(entries.count))
            }
        }
        self.cells = cells
        self.offsets = offsets
        self.entries = entries
    }

    /// Files edge `a`-`b` of area `area` under each cell it may touch.
    private static func fileEdge(_ a: GeoPoint, _ b: GeoPoint, area: Int,
                                 grid: (bounds: BoundingBox, side: Int, sx: Double, sy: Double), into out: inout [UInt64]) {
        let (bounds, side, sx, sy) = grid
        let c0 = cell(Swift.min(a.x, b.x), bounds.minX, sx, side), c1 = cell(Swift.max(a.x, b.x), bounds.minX, sx, side)
        let r0 = cell(Swift.min(a.y, b.y), bounds.minY, sy, side), r1 = cell(Swift.max(a.y, b.y), bounds.minY, sy, side)
        let simple = (c1 - c0 + 1) * (r1 - r0 + 1) <= 2
        let mx = sx > 0 ? 1e-6 / sx : 0, my = sy > 0 ? 1e-6 / sy : 0
        for r in r0...r1 {
            for c in c0...c1 {
                if !simple {
                    // Separating-axis test against the inflated cell: skip when all four
                    // corners lie strictly on one side of the edge's line.
                    let x0 = bounds.minX + Double(c) / sx - mx, x1 = bounds.minX + Double(c + 1) / sx + mx
                    let y0 = bounds.minY + Double(r) / sy - my, y1 = bounds.minY + Double(r + 1) / sy + my
                    let dx = b.x - a.x, dy = b.y - a.y
                    let s0 = dx * (y0 - a.y) - dy * (x0 - a.x), s1 = dx * (y0 - a.y) - dy * (x1 - a.x)
                    let s2 = dx * (y1 - a.y) - dy * (x0 - a.x), s3 = dx * (y1 - a.y) - dy * (x1 - a.x)
                    if (s0 > 0 && s1 > 0 && s2 > 0 && s3 > 0) || (s0 < 0 && s1 < 0 && s2 < 0 && s3 < 0) { continue }
                }
                out.append(UInt64(r * side + c) << 32 | UInt64(UInt32(area)))
            }
        }
    }

    /// The cell column (or row) of coordinate `v`: monotonic in `v`.
    @inline(__always)
    private static func cell(_ v: Double, _ origin: Double, _ scale: Double, _ side: Int) -> Int {
        let i = Int(((v - origin) * scale).rounded(.down))
        return i < 0 ? 0 : (i >= side ? side - 1 : i)
    }

    /// Index of the area containing `p` by the boundary rule, or `nil` outside every area.
    @inline(__always)
    func locate(_ p: GeoPoint) -> Int? {
        guard bounds.contains(p) else { return nil }
        let v = cells[Self.cell(p.y, bounds.minY, scaleY, rows) &* columns &+ Self.cell(p.x, bounds.minX, scaleX, columns)]
        if v >= 0 { return Int(v) }
        if v == -1 { return nil }
        let m = Int(-(v + 2))
        var onBoundary: Int?
        for k in Int(offsets[m])..<Int(offsets[m + 1]) {
            let e = entries[k]
            let a = Int(e >> 1)
            if e & 1 == 0 { return a }
            switch edges.locate(p, group: a) {
            case .inside: return a
            case .boundary: if onBoundary == nil { onBoundary = a }
            case .outside: continue
            }
        }
        return onBoundary
    }
}
