import Foundation
import Ingest
import LantaarnModel
import Logging
import MQTTClient

/// Publishes simulated readings: first an optional backlog of history (one message per
/// sensor per minute), then live at a fixed rate.
struct SimulationRun {
    let endpoint: MQTTEndpoint
    let registry: SensorRegistry
    /// Live messages per second across all sensors.
    let rate: Double
    /// Seconds to run live; `nil` runs until cancelled.
    let duration: Double?
    let backlogHours: Int
    let logger: Logger

    /// Unacknowledged messages allowed before the publisher waits for the broker.
    static let window = 5000

    func run(shouldStop: @Sendable () -> Bool = { false }) async throws -> Int {
        var simulator = SensorSimulator(registry: registry)
        guard !simulator.sensors.isEmpty else { throw CLIError("no sensors registered; add YAML files to Sensors/") }
        let publisher = try MQTTPublisher(endpoint: endpoint, logger: logger)
        defer { publisher.close() }
        var sent = 0
        if backlogHours > 0 {
            let now = Clock.nowMilliseconds()
            var t = TimeBucket.floor(now - Int64(backlogHours) * TimeBucket.hour, size: TimeBucket.minute)
            while t < now, !shouldStop() {
                for s in simulator.sensors {
                    try publisher.publish(topic: s.topic, payload: simulator.payload(for: s, at: t))
                    sent += 1
                }
                t += TimeBucket.minute
                while sent - publisher.acknowledged > Self.window, !shouldStop() { try await Task.sleep(for: .milliseconds(5)) }
            }
            logger.info("simulator published backlog", metadata: ["simulator.messages": "\(sent)", "simulator.hours": "\(backlogHours)"])
        }
        let start = ContinuousClock.now
        let interval = 1.0 / max(rate, 0.001)
        var next = 0
        while !shouldStop() {
            let elapsed = ContinuousClock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            if let duration, seconds >= duration { break }
            let due = Int(seconds / interval) + 1
            // Behind schedule and the broker is the bottleneck: the rate drops instead of
            // messages piling up in libmosquitto's queue.
            while next < due, sent - publisher.acknowledged < Self.window {
                let s = simulator.sensors[next % simulator.sensors.count]
                try publisher.publish(topic: s.topic, payload: simulator.payload(for: s, at: Clock.nowMilliseconds()))
                next += 1
                sent += 1
            }
            let waitMilliseconds = next < due ? 1 : min(100, max(1, Int(interval * 1000)))
            try await Task.sleep(for: .milliseconds(waitMilliseconds))
        }
        let complete = await publisher.flush(timeoutSeconds: 30)
        if !complete { logger.warning("simulator stopped before the broker acknowledged every message") }
        return sent
    }
}
