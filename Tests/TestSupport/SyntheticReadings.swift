import Foundation
import LantaarnModel

/// Readings shaped like a real air-quality archive, for store tests.
public enum SyntheticReadings {
    public static let day: Int64 = 86_400_000
    /// 2026-01-01T00:00Z.
    public static let base: Int64 = 1_767_225_600_000

    /// Days after ``base`` of two sensors (`a`, `b`) × two quantities (`pm25`, `pm10`) in wijk
    /// WK039201, a reading every 2 minutes with a slow wave and one decimal like a real sensor's.
    public static func days(_ range: Range<Int>) -> [Reading] {
        var out: [Reading] = []
        for d in range {
            for m in stride(from: 0, to: 1440, by: 2) {
                let ts = base + Int64(d) * day + Int64(m) * 60_000
                for sensor in ["a", "b"] {
                    for (q, scale) in [("pm25", 1.0), ("pm10", 1.8)] {
                        let v = ((8 + 4 * sin(Double(m) / 90) + Double(d % 7)) * scale * 10).rounded() / 10
                        out.append(Reading(series: SeriesKey(sensorID: sensor, quantity: q), timestamp: ts, value: v, wijk: WijkCode("WK039201")))
                    }
                }
            }
        }
        return out
    }
}
