import Foundation
import Ingest
import LantaarnModel

/// Generates plausible readings for registered sensors: a diurnal cycle with rush-hour
/// peaks, per-sensor offsets, noise, and now and then an out-of-range value (as real
/// sensors produce) so the quarantine path is exercised.
struct SensorSimulator {
    let sensors: [Sensor]
    /// Chance that one value in a message is out of range.
    var faultRate = 0.002
    private var rng: SplitMix64

    /// A `seed` makes the values the same on every run (generated history for demos and tests).
    init(registry: SensorRegistry, seed: UInt64 = UInt64.random(in: 0...UInt64.max)) {
        sensors = registry.sensors.values.sorted { $0.id < $1.id }
        rng = SplitMix64(seed: seed)
    }

    /// The JSON payload for `sensor` at `time` (epoch ms).
    mutating func payload(for sensor: Sensor, at time: Int64) -> [UInt8] {
        var out = "{\"ts\":\"\(ISO8601.format(milliseconds: time))\",\"values\":{"
        for (i, quantity) in sensor.quantities.keys.sorted().enumerated() {
            let spec = sensor.quantities[quantity]!
            var value = typical(quantity, sensor: sensor, time: time)
            if Double.random(in: 0..<1, using: &rng) < faultRate {
                value = Bool.random(using: &rng) ? spec.maximum * 3 + 1 : spec.minimum - 10
            } else {
                value = min(max(value, spec.minimum), spec.maximum)
            }
            value = (value / spec.resolution).rounded() * spec.resolution
            if i > 0 { out += "," }
            JSONWriter.appendString(quantity, to: &out)
            out += ":"
            JSONWriter.appendNumber((value * 1000).rounded() / 1000, to: &out)
        }
        out += "}}"
        return Array(out.utf8)
    }

    /// Deterministic shape plus noise, in the quantity's usual unit.
    private mutating func typical(_ quantity: String, sensor: Sensor, time: Int64) -> Double {
        let hour = Double((time / 1000) % 86_400) / 3600 + 1   // roughly local time (UTC+1)
        let rush = exp(-pow(hour - 8, 2) / 2) + exp(-pow(hour - 17.5, 2) / 3)
        let day = max(0, sin((hour - 6) / 14 * .pi))
        let offset = Double(sensor.id.utf8.reduce(0) { ($0 &* 31 &+ Int($1)) & 1023 }) / 1023   // stable per sensor
        let noise = rng.normal()
        switch quantity {
        case "pm25": return 6 + 4 * offset + 9 * rush + 1.5 * noise
        case "pm10": return 11 + 6 * offset + 14 * rush + 2.5 * noise
        case "no2": return 14 + 8 * offset + 25 * rush + 3 * noise
        case "laeq": return 44 + 4 * offset + 12 * day + 4 * rush + 2 * noise
        case "lux": return day > 0.05 ? 20_000 * day + 500 * noise : 12 + 2 * noise
        case "people": return max(0, (35 * day + 40 * rush) * (0.5 + offset) + 4 * noise).rounded()
        default: return 10 + noise
        }
    }
}
