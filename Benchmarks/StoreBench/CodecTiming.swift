import BenchSupport
import Foundation
import Store

/// `lantaarn-store-bench --codecs`: nanoseconds per value to encode and decode the timestamp and
/// value columns of generated day windows (686 readings: a day of one series plus the readings a
/// backfill adds to it; PM10 and PM2.5), each round checked to round-trip exactly. Not a `BENCH` figure: an aid
/// for comparing codec changes without the store around them.
enum CodecTiming {
    /// Bits per value of the steps between consecutive values (in hundredths) across all
    /// windows: what any coder of deltas without context needs at least.
    static func stepEntropy(_ windows: [[Double]]) -> Double {
        var counts: [Int64: Int] = [:], total = 0
        for vs in windows {
            for k in 1..<vs.count {
                counts[Int64((vs[k] * 100).rounded()) - Int64((vs[k - 1] * 100).rounded()), default: 0] += 1
                total += 1
            }
        }
        return counts.values.reduce(0.0) { h, c in
            let p = Double(c) / Double(total)
            return h - p * log2(p)
        }
    }

    static func run(rounds: Int) {
        let generator = SeriesGenerator(sensors: 4, readingsPerSeries: 40_000, start: 1_767_225_600_000)
        var windows: [(ts: [Int64], vs: [Double])] = []
        var quantityOf: [String] = []
        for id in 0..<generator.sensors {
            for quantity in ["P1", "P2"] {
                let rows = generator.sensor(id).filter { $0.quantity == quantity }
                var k = 0
                while k + 686 <= rows.count {
                    windows.append((rows[k..<k + 686].map(\.ts), rows[k..<k + 686].map(\.value)))
                    quantityOf.append(quantity)
                    k += 686
                }
            }
        }
        let n = Double(windows.count * 686)
        let entropies = ["P1", "P2"].map { q in stepEntropy(windows.indices.filter { quantityOf[$0] == q }.map { windows[$0].vs }) }
        print(String(format: "order-0 entropy of the value steps (the bound for a delta coder): P1 %.3f, P2 %.3f bits per value, mean %.4f bytes",
                     entropies[0], entropies[1], (entropies[0] + entropies[1]) / 16))
        func time(_ body: () throws -> Void) rethrows -> Double {
            let t0 = ContinuousClock.now
            try body()
            let d = ContinuousClock.now - t0
            return (Double(d.components.seconds) * 1e18 + Double(d.components.attoseconds)) / 1e9 / n
        }
        for round in 0..<rounds {
            var ts: [[UInt8]] = [], vs: [[UInt8]] = []
            let tsEncode = time { ts = windows.map { TimestampCodec.encode($0.ts) } }
            let vsEncode = time { vs = windows.map { DecimalValueCodec.encode($0.vs) } }
            var decodedTs: [[Int64]] = [], decodedVs: [[Double]] = []
            do {
                let tsDecode = try time { decodedTs = try ts.map { try $0.withUnsafeBytes { try TimestampCodec.decode($0) } } }
                let vsDecode = try time { decodedVs = try vs.map { try $0.withUnsafeBytes { try DecimalValueCodec.decode($0) } } }
                guard decodedTs == windows.map(\.ts), decodedVs.map({ $0.map(\.bitPattern) }) == windows.map({ $0.vs.map(\.bitPattern) }) else {
                    print("round \(round): the codecs did not round-trip")
                    exit(1)
                }
                let tsBytes = Double(ts.reduce(0) { $0 + $1.count }) / n, vsBytes = Double(vs.reduce(0) { $0 + $1.count }) / n
                print(String(format: "round %d: ns/value timestamps encode %.2f decode %.2f, values encode %.2f decode %.2f; bytes/value %.4f (timestamps %.4f, values %.4f)",
                             round, tsEncode, tsDecode, vsEncode, vsDecode, tsBytes + vsBytes, tsBytes, vsBytes))
            } catch {
                print("round \(round): \(error)")
                exit(1)
            }
        }
    }
}
