import Foundation
import LantaarnModel

/// Sensor.Community-like PM series at scale: a reading every ~148 s with whole-second
/// jitter, values with two decimals, a diurnal cycle, slow weather swings and AR(1) noise,
/// PM10 tracking PM2.5. Calibrated on the real SDS011 archive in ../shared/data: interval
/// median 148 s (p90 149 s), median |ΔP2| 0.19-0.43 and |ΔP1| 0.77-1.43 µg/m³ between readings.
public struct SeriesGenerator {
    public let sensors: Int
    public let readingsPerSeries: Int
    public let start: Int64

    public init(sensors: Int, readingsPerSeries: Int, start: Int64) {
        self.sensors = sensors
        self.readingsPerSeries = readingsPerSeries
        self.start = start
    }

    public static let wijken = (1...21).map { String(format: "WK0392%02d", $0) }

    public struct Row {
        public var sensor: Int
        public var wijk: String
        public var quantity: String
        public var ts: Int64
        public var value: Double

        public init(sensor: Int, wijk: String, quantity: String, ts: Int64, value: Double) {
            self.sensor = sensor
            self.wijk = wijk
            self.quantity = quantity
            self.ts = ts
            self.value = value
        }
    }

    /// All readings of one sensor (both quantities), in time order.
    public func sensor(_ id: Int) -> [Row] {
        var rng = SplitMix64(seed: UInt64(id) &* 0x9E37_79B9_7F4A_7C15 &+ 1)
        let wijk = Self.wijken[id % Self.wijken.count]
        let base = 1 + rng.unit() * 6
        var t = start + Int64(rng.unit() * 148_000) / 1000 * 1000
        var noise = 0.0, weather = 0.0
        var rows: [Row] = []
        rows.reserveCapacity(readingsPerSeries * 2)
        for _ in 0..<readingsPerSeries {
            let hour = Double((t / 1000) % 86_400) / 3600
            let diurnal = 1.5 * sin((hour - 8) / 24 * 2 * .pi) + exp(-pow(hour - 18, 2) / 4)
            weather = 0.999 * weather + 0.05 * rng.gaussian()
            noise = 0.8 * noise + 0.3 * rng.gaussian()
            let pm25 = max(0, base + diurnal + 2 * weather + noise)
            let pm10 = max(pm25, pm25 * 1.6 + 1.2 * abs(rng.gaussian()))
            rows.append(Row(sensor: id, wijk: wijk, quantity: "P2", ts: t, value: (pm25 * 100).rounded() / 100))
            rows.append(Row(sensor: id, wijk: wijk, quantity: "P1", ts: t, value: (pm10 * 100).rounded() / 100))
            // Mostly 148 s ± 1 s; now and then a missed reading.
            t += (147 + Int64(rng.unit() * 3) + (rng.unit() < 0.01 ? 148 : 0)) * 1000
        }
        return rows
    }
}

/// Uniform and normal draws on top of the reproducible generator.
extension SplitMix64 {
    public mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
    public mutating func gaussian() -> Double {
        let u1 = max(unit(), 1e-300), u2 = unit()
        return sqrt(-2 * log(u1)) * cos(2 * .pi * u2)
    }
}
