import ArgumentParser
import Ingest
import LantaarnModel
import MQTTClient

/// `lantaarn simulate`: publish realistic readings for the registered sensors.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate", abstract: "Publish realistic sensor readings over MQTT.")

    @OptionGroup var common: CommonOptions

    @Option(name: .long, help: "Broker URL, mqtt://HOST:PORT.")
    var mqtt: String?

    @Option(name: .long, help: "Messages per second across all sensors (e.g. 50 or 50/s).")
    var rate: String = "10/s"

    @Option(name: .long, help: "Seconds to run; omit to run until interrupted.")
    var duration: Double?

    @Option(name: .long, help: "Hours of history to publish first (one message per sensor per minute).")
    var backlogHours: Int = 0

    func run() async throws {
        var settings = try common.settings()
        if let mqtt { settings.mqttURL = mqtt }
        let runtime = try Runtime(settings: settings, label: "lantaarn.simulate")
        let text = rate.hasSuffix("/s") ? String(rate.dropLast(2)) : rate
        guard let perSecond = Double(text), perSecond > 0 else {
            throw ValidationError("--rate must be a positive number of messages per second, like 50/s")
        }
        let run = SimulationRun(endpoint: try MQTTEndpoint(url: settings.mqttURL), registry: try runtime.registry(),
                                rate: perSecond, duration: duration, backlogHours: backlogHours, logger: runtime.logger)
        let sent = try await run.run()
        Console.line("simulate: published \(sent) messages to \(settings.mqttURL)")
    }
}
