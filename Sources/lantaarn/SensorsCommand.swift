import ArgumentParser
import Geo
import Ingest
import LantaarnModel

/// `lantaarn sensors check`: the registry as Lantaarn reads it, with each sensor's areas.
struct SensorsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sensors", abstract: "The sensor registry in Sensors/.", subcommands: [Check.self])

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate Sensors/ and print every sensor with its gemeente, wijk and buurt (boundaries in force now); load each vendor codec and run its examples; decode each sensor's example payload.")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            let runtime = try Runtime(settings: try common.settings())
            let registry = try runtime.registry()
            var outside = 0
            for id in registry.sensors.keys.sorted() {
                let s = registry.sensors[id]!
                let areas = registry.areasBySensor[id] ?? AreaAssignment()
                let codes = AreaLevel.allCases.map { level -> String in
                    guard let match = areas[level] else { return "-" }
                    return match.code ?? "unknown"
                }
                if areas.wijk?.code == nil { outside += 1 }
                Console.line("\(id)\t\(s.kind)\t\(s.latitude), \(s.longitude)\t\(codes.joined(separator: " "))\t\(s.quantities.keys.sorted().joined(separator: ","))")
            }
            Console.line("\(registry.sensors.count) sensors; \(outside) outside every wijk (their readings count as 'wijk unknown')")
            // Each codec file is loaded and its examples run once, for all the sensors naming it.
            var problems: [String] = []
            let byCodec = Dictionary(grouping: registry.sensors.values.filter { $0.javascript != nil }, by: { $0.javascript! })
            for (file, sensors) in byCodec.sorted(by: { $0.key.label < $1.key.label }) {
                let sorted = sensors.sorted { $0.id < $1.id }
                let check = CodecCheck(file: file, sensors: sorted)
                problems += check.problems
                Console.line("codec \(file.label) (sensor \(sorted.map(\.id).joined(separator: ", "))): \(check.examples) examples run, \(check.problems.count) problems")
            }
            // Each sensor's example payload through the sensor's own codec.
            for sensor in registry.sensors.values.filter({ $0.example != nil }).sorted(by: { $0.id < $1.id }) {
                let check = SensorExampleCheck(sensor: sensor, codec: registry.codecBySensor[sensor.id] ?? LantaarnJSONCodec())
                problems += check.problems
                Console.line("example \(sensor.example!.label) (sensor \(sensor.id)): \(check.values) values, \(check.problems.count) problems")
            }
            for problem in problems { Console.line(problem) }
            if !problems.isEmpty { throw ExitCode(1) }
        }
    }
}
