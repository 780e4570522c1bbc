import Foundation
import Geo
import LantaarnModel

// `make bench-geo` (issue 5): point lookups per second on one core against a brute-force
// ray-casting loop, RD New accuracy against PROJ's cs2cs, and import times.
// Usage: lantaarn-geo-bench SHARED_DIR WORK_DIR

let arguments = CommandLine.arguments
guard arguments.count == 3 else {
    FileHandle.standardError.write(Data("usage: lantaarn-geo-bench SHARED_DIR WORK_DIR\n".utf8))
    exit(2)
}
let shared = arguments[1], work = arguments[2]
try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// The peer: for every area (bounding box first), a plain crossing-number loop over every ring.
@inline(never)
func bruteForce(_ areas: [Area], _ p: GeoPoint) -> Int? {
    for (i, area) in areas.enumerated() where area.bounds.contains(p) {
        for polygon in area.polygons {
            var inside = false
            for ring in polygon.rings {
                var j = ring.count - 1
                for k in 0..<ring.count {
                    let a = ring[k], b = ring[j]
                    if (a.y > p.y) != (b.y > p.y), p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x { inside.toggle() }
                    j = k
                }
            }
            if inside { return i }
        }
    }
    return nil
}

func randomPoints(_ b: BoundingBox, _ n: Int, seed: UInt64) -> [GeoPoint] {
    var rng = SplitMix64(seed: seed)
    return (0..<n).map { _ in GeoPoint(lon: Double.random(in: b.minX...b.maxX, using: &rng), lat: Double.random(in: b.minY...b.maxY, using: &rng)) }
}

/// Best of three timed passes over `points`; returns lookups per second. The set is a
/// parameter (borrowed), as in the ingest path, not a global copied on every access.
@inline(never)
func rate(_ set: BoundarySet, _ points: [GeoPoint], bruteForce brute: Bool) -> (perSecond: Double, found: Int) {
    var best = Double.infinity, found = 0
    for _ in 0..<3 {
        var hits = 0
        let t = seconds {
            if brute {
                for p in points where bruteForce(set.areas, p) != nil { hits += 1 }
            } else {
                for p in points where set.locateIndex(p) != nil { hits += 1 }
            }
        }
        best = min(best, t)
        found = hits
    }
    return (Double(points.count) / best, found)
}

// 1. Lookups on the Haarlem set (21 wijken, 4,376 positions), one core.
let haarlemPath = shared + "/data/boundaries/haarlem_wijken.geojson"
let haarlemBytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: haarlemPath)))
var haarlem: BoundarySet!
let haarlemImport = try seconds {
    haarlem = try BoundaryImporter(level: .wijk, vintage: 2020, gemeente: "GM0392").read(haarlemBytes, source: haarlemPath).set
}
let points = randomPoints(haarlem.bounds, 2_000_000, seed: 5)
let indexed = rate(haarlem, points, bruteForce: false)
let brutePoints = Array(points.prefix(200_000))
let brute = rate(haarlem, brutePoints, bruteForce: true)
var disagreements = 0
for p in brutePoints where haarlem.locate(p)?.code != bruteForce(haarlem.areas, p).map({ haarlem.areas[$0].code }) { disagreements += 1 }
print(String(format: "Haarlem wijken 2020: %.2f M lookups/s indexed, %.3f M/s brute force (%.1fx); %d of %d inside a wijk; %d disagreements on %d points",
             indexed.perSecond / 1e6, brute.perSecond / 1e6, indexed.perSecond / brute.perSecond, indexed.found, points.count,
             disagreements, brutePoints.count))
print("BENCH lookup_disagreements_vs_bruteforce \(disagreements) points")
// The speedup only counts if both answer the same: any point they disagree on fails the run.
guard disagreements == 0 else {
    FileHandle.standardError.write(Data("lantaarn-geo-bench: the index and brute force disagree on \(disagreements) of \(brutePoints.count) points\n".utf8))
    exit(1)
}
print(String(format: "Haarlem wijken 2020 import (%d KB, parse + checks + index): %.3f s", haarlemBytes.count / 1024, haarlemImport))

// 2. RD New against cs2cs on 10,000 random points, both directions.
var rng = SplitMix64(seed: 28992)
let rd = (0..<10_000).map { _ in (Double.random(in: 13_000...278_000, using: &rng), Double.random(in: 306_000...619_000, using: &rng)) }
let process = Process()
process.executableURL = URL(fileURLWithPath: "/usr/bin/cs2cs")
process.arguments = ["-f", "%.10f", "EPSG:28992", "EPSG:4326"]
let input = Pipe(), output = Pipe()
process.standardInput = input
process.standardOutput = output
try process.run()
let text = rd.map { "\($0.0) \($0.1)" }.joined(separator: "\n") + "\n"
let feeder = Thread { input.fileHandleForWriting.write(Data(text.utf8)); try? input.fileHandleForWriting.close() }
feeder.start()
let answer = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
process.waitUntilExit()
var forwardError = 0.0, inverseError = 0.0
for (i, line) in answer.split(separator: "\n").enumerated() {
    let f = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).compactMap { Double($0) }
    let (lat, lon) = (f[0], f[1])
    let p = RDNew.toWGS84(x: rd[i].0, y: rd[i].1)
    let dy = (p.y - lat) * 111_320, dx = (p.x - lon) * 111_320 * cos(lat * .pi / 180)
    forwardError = max(forwardError, (dx * dx + dy * dy).squareRoot())
    let back = RDNew.fromWGS84(GeoPoint(lon: lon, lat: lat))
    inverseError = max(inverseError, hypot(back.x - rd[i].0, back.y - rd[i].1))
}
print(String(format: "RD New vs cs2cs on %d random points: RD->WGS84 max %.6f m, WGS84->RD max %.6f m", rd.count, forwardError, inverseError))

// 3. A national-scale layer: 2,745 polygons (as many as CBS wijken), RD New, shared
//    wavy borders with 40 positions per side. No national CBS file is available offline, so
//    it is generated; the real CBS files are coarser.
let columns = 61, rows = 45, perSide = 40
let (x0, y0, w, h) = (13_000.0, 306_000.0, (278_000.0 - 13_000) / Double(columns), (619_000.0 - 306_000) / Double(rows))
func wave(_ seed: Int, _ t: Double) -> Double {
    let phase = Double((seed &* 2_654_435_761) % 1000) / 1000 * 2 * .pi
    return sin(.pi * t) * (0.5 * sin(3 * .pi * t + phase) + 0.3 * sin(7 * .pi * t + 2 * phase))
}
/// Border from node (i, j) eastwards (horizontal) or northwards (vertical), shared by both neighbours.
func border(_ i: Int, _ j: Int, horizontal: Bool) -> [(Double, Double)] {
    let seed = (horizontal ? 1 : 2) &* 1_000_003 &+ i &* 1009 &+ j
    return (0...perSide).map { k in
        let t = Double(k) / Double(perSide)
        return horizontal
            ? (x0 + (Double(i) + t) * w, y0 + Double(j) * h + 0.08 * h * wave(seed, t))
            : (x0 + Double(i) * w + 0.08 * w * wave(seed, t), y0 + (Double(j) + t) * h)
    }
}
var national = #"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::28992"}},"features":["#
for j in 0..<rows {
    for i in 0..<columns {
        var ring = border(i, j, horizontal: true)
        ring += border(i + 1, j, horizontal: false).dropFirst()
        ring += border(i, j + 1, horizontal: true).reversed().dropFirst()
        ring += border(i, j, horizontal: false).reversed().dropFirst()
        let code = String(format: "WK%06d", j * columns + i + 1)
        if i + j > 0 { national += "," }
        national += #"{"type":"Feature","properties":{"statcode":"\#(code)","statnaam":"Gebied \#(j * columns + i + 1)"},"geometry":{"type":"Polygon","coordinates":[["#
        national += ring.map { String(format: "[%.2f,%.2f]", $0.0, $0.1) }.joined(separator: ",")
        national += "]]}}"
    }
}
national += "]}"
let nationalPath = work + "/national-synthetic.geojson"
try national.write(toFile: nationalPath, atomically: true, encoding: .utf8)
let nationalBytes = [UInt8](national.utf8)
var nationalSet: BoundarySet!
var report: ImportReport!
let nationalImport = try seconds {
    (nationalSet, report) = try BoundaryImporter(level: .wijk, vintage: 2024).read(nationalBytes, source: nationalPath)
}
let nationalPoints = randomPoints(nationalSet.bounds, 1_000_000, seed: 9)
let nationalRate = rate(nationalSet, nationalPoints, bruteForce: false)
print(String(format: "national-scale layer: %d polygons, %d positions, %.1f MB RD New GeoJSON; import (parse, RD->WGS84, checks, index) %.2f s; %.2f M lookups/s",
             report.polygons, report.vertices, Double(nationalBytes.count) / 1e6, nationalImport, nationalRate.perSecond / 1e6))

print("BENCH lookups_per_s \(Int(indexed.perSecond)) lookups/s")
print(String(format: "BENCH lookup_speedup_vs_bruteforce %.1f x", indexed.perSecond / brute.perSecond))
print(String(format: "BENCH rd_max_error_m %.6f m", max(forwardError, inverseError)))
print(String(format: "BENCH import_national_s %.2f s", nationalImport))
print(String(format: "BENCH import_haarlem_s %.3f s", haarlemImport))
print("BENCH lookups_per_s_national \(Int(nationalRate.perSecond)) lookups/s")
