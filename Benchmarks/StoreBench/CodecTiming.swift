import BenchSupport
import Foundation
import Store

/// `lantaarn-store-bench --codecs`: nanoseconds per value to encode and decode the timestamp and
/// value columns of generated day windows (686 readings: a day of one series plus the readings a
/// backfill adds to it), each round checked to round-trip exactly. Not a `BENCH` figure: an aid
/// for comparing codec changes without the store around them.
enum CodecTiming {
    static func run(rounds: Int) {
        let generator = SeriesGenerator(sensors: 4, readingsPerSeries: 40_000, start: 1_767_225_600_000)
        var windows: [(ts: [Int64], vs: [Double])] = []
        for id in 0..<generator.sensors {
            let rows = generator.sensor(id).filter { $0.quantity == "P1" }
            var k = 0
            while k + 686 <= rows.count {
                windows.append((rows[k..<k + 686].map(\.ts), rows[k..<k + 686].map(\.value)))
                k += 686
            }
        }
        let n = Double(windows.count * 686)
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
                let bytes = Double(ts.reduce(0) { $0 + $1.count } + vs.reduce(0) { $0 + $1.count }) / n
                print(String(format: "round %d: ns/value timestamps encode %.2f decode %.2f, values encode %.2f decode %.2f; %.4f bytes/value",
                             round, tsEncode, tsDecode, vsEncode, vsDecode, bytes))
            } catch {
                print("round \(round): \(error)")
                exit(1)
            }
        }
    }
}
