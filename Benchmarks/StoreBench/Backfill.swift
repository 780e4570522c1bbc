import BenchSupport
import Foundation
import LantaarnModel
import Store

/// What each sensor measured while its uplink was down: in the first half of the span, a
/// stretch of 4 h 22 min (2/11 of a day) of every day, at an hour that differs per sensor and
/// day. Section 2 leaves these readings out; section 4 loads them afterwards.
struct UplinkGaps {
    let start: Int64
    let firstHalfEnd: Int64

    func down(_ r: SeriesGenerator.Row) -> Bool {
        guard r.ts < firstHalfEnd else { return false }
        let day = Int((r.ts - start) / 86_400_000), offset = (r.ts - start) % 86_400_000
        let from = Int64((r.sensor * 7 + day * 5) % 20) * 3_600_000
        return offset >= from && offset < from + 86_400_000 * 2 / 11
    }
}

enum Backfill {
    /// Loads the readings `missing` picks into the sealed store, in batches of the CSV load's
    /// size, sensor by sensor as archives come. Clock: inside `append`, as `append_readings_per_s`.
    static func load(into store: SQLiteStore, _ generator: SeriesGenerator,
                     where missing: (SeriesGenerator.Row) -> Bool) throws -> (added: Int, backfilled: Int, seconds: Double, cpu: (thread: Double, process: Double)) {
        var batch: [Reading] = [], added = 0, offset: Int64 = 0, appendSeconds = 0.0, cpu = (thread: 0.0, process: 0.0), backfilled = 0
        batch.reserveCapacity(CSVLoad.batchSize)
        func flush() throws {
            let t0 = ContinuousClock.now, c0 = (threadCPUSeconds(), cpuSeconds(CLOCK_PROCESS_CPUTIME_ID))
            offset += 1
            let r = try store.readings.append(IngestBatch(readings: batch, quarantined: [], source: "bench-backfill", offset: offset))
            appendSeconds += seconds(ContinuousClock.now - t0)
            cpu.thread += threadCPUSeconds() - c0.0
            cpu.process += cpuSeconds(CLOCK_PROCESS_CPUTIME_ID) - c0.1
            backfilled += r.backfilled
            batch.removeAll(keepingCapacity: true)
        }
        for id in 0..<generator.sensors {
            for r in generator.sensor(id) where missing(r) {
                batch.append(Reading(series: SeriesKey(sensorID: String(r.sensor), quantity: r.quantity), timestamp: r.ts,
                                     value: r.value, wijk: WijkCode(r.wijk)))
                added += 1
            }
            if batch.count >= CSVLoad.batchSize { try flush() }
        }
        if !batch.isEmpty { try flush() }
        return (added, backfilled, appendSeconds, cpu)
    }
}

/// CPU time of the calling thread (user and system), for comparisons less noisy than the clock.
func threadCPUSeconds() -> Double { cpuSeconds(CLOCK_THREAD_CPUTIME_ID) }

/// CPU time (user and system) by `clock`: the calling thread's, or the whole process's (with the
/// appender's other threads).
func cpuSeconds(_ clock: clockid_t) -> Double {
    var t = timespec()
    clock_gettime(clock, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}
