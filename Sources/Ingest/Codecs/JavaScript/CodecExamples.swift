import Foundation
import LantaarnModel
import Yams

/// The worked examples that come with a vendor codec: a codec YAML of The Things Network
/// Device Repository's form next to the codec file,
///
/// ```yaml
/// uplinkDecoder:
///   fileName: elsys.js
///   examples:
///     - description: ERS temperature, humidity, light and motion
///       input: {fPort: 1, bytes: [0x01, 0x00, 0xE2]}
///       output: {data: {temperature: 22.6}}
/// ```
///
/// `lantaarn sensors check` and the tests run every example through Lantaarn's engine and
/// compare the result with `output` (numbers to 1e-9, relative).
public struct CodecExample: Sendable {
    public var description: String
    public var port: Int
    public var bytes: [UInt8]
    /// What the codec must return: `data`, and `errors`/`warnings` when the example names them.
    public var output: JSONValue
    /// The codec YAML and the line the example starts on.
    public var file: String
    public var line: Int
}

public enum CodecExamples {
    /// The examples for the codec at `codecPath`: from every YAML in its folder whose
    /// `uplinkDecoder.fileName` is that file. Errors name the YAML file and line.
    public static func examples(for codecPath: String) throws -> [CodecExample] {
        let folder = (codecPath as NSString).deletingLastPathComponent
        let name = (codecPath as NSString).lastPathComponent
        let yamls = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        var all: [CodecExample] = []
        for yaml in yamls {
            let file = (folder as NSString).appendingPathComponent(yaml)
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { continue }
            let root: Node?
            do { root = try Yams.compose(yaml: text) } catch {
                // Only codec YAMLs matter here; a device YAML that does not parse is not ours to judge.
                if text.contains("uplinkDecoder") { throw RegistryError(file: file, path: "", reason: "not valid YAML: \(error)") }
                continue
            }
            guard let decoder = root?["uplinkDecoder"], decoder["fileName"]?.string == name else { continue }
            for (k, example) in (decoder["examples"]?.sequence ?? []).enumerated() {
                let at = "uplinkDecoder.examples[\(k)]"
                let line = example.mark.map { $0.line } ?? 0
                guard let input = example["input"], let port = input["fPort"]?.int,
                      let bytes = input["bytes"]?.sequence?.compactMap({ $0.int }), bytes.allSatisfy({ (0...255).contains($0) }),
                      let output = example["output"] else {
                    throw RegistryError(file: "\(file):\(line)", path: at, reason: "an example needs input.fPort, input.bytes (0 to 255 each) and output")
                }
                all.append(CodecExample(description: example["description"]?.string ?? "example \(k + 1)", port: port,
                                        bytes: bytes.map { UInt8($0) }, output: json(output), file: file, line: line))
            }
        }
        return all
    }

    /// What differs between the codec's result and the example's `output` (empty: it matches).
    public static func differences(result: JSONValue, expected: JSONValue) -> [String] {
        var found: [String] = []
        for key in ["data", "errors", "warnings"] {
            let got = result[key]
            guard let want = expected[key] else {
                if key != "data", let list = got?.arrayValue, !list.isEmpty { found.append("\(key): \(list.count) more than the example") }
                continue
            }
            compare(got ?? .null, want, at: "/" + key, into: &found)
        }
        return found
    }

    private static func compare(_ got: JSONValue, _ want: JSONValue, at path: String, into found: inout [String]) {
        switch (got, want) {
        case let (.number(a), .number(b)):
            if abs(a - b) > 1e-9 * max(1, abs(b)) { found.append("\(path): \(a), the example says \(b)") }
        case let (.object(a), .object(b)):
            let mine = Dictionary(a, uniquingKeysWith: { x, _ in x })
            let theirs = Dictionary(b, uniquingKeysWith: { x, _ in x })
            for (key, value) in b {
                guard let other = mine[key] else { found.append("\(path)/\(key) is missing"); continue }
                compare(other, value, at: "\(path)/\(key)", into: &found)
            }
            for (key, _) in a where theirs[key] == nil { found.append("\(path)/\(key) is not in the example") }
        case let (.array(a), .array(b)):
            guard a.count == b.count else { found.append("\(path): \(a.count) items, the example has \(b.count)"); return }
            for (i, pair) in zip(a, b).enumerated() { compare(pair.0, pair.1, at: "\(path)/\(i)", into: &found) }
        default:
            if got != want { found.append("\(path): \(text(got)), the example says \(text(want))") }
        }
    }

    private static func text(_ value: JSONValue) -> String {
        switch value {
        case .null: return "nothing"
        case .bool(let b): return String(b)
        case .number(let n): return String(n)
        case .string(let s): return "'\(s)'"
        case .array: return "a list"
        case .object: return "an object"
        }
    }

    /// A YAML node as JSON (YAML's ints, floats and booleans as numbers and booleans).
    static func json(_ node: Node) -> JSONValue {
        switch node {
        case .scalar(let scalar):
            switch node.tag.description {
            case "tag:yaml.org,2002:null": return .null
            case "tag:yaml.org,2002:bool": return .bool(node.bool ?? false)
            case "tag:yaml.org,2002:int": return node.int.map { .number(Double($0)) } ?? .string(scalar.string)
            case "tag:yaml.org,2002:float": return node.float.map { .number($0) } ?? .string(scalar.string)
            default: return .string(scalar.string)
            }
        case .sequence(let items): return .array(items.map(json))
        case .mapping(let pairs): return .object(pairs.map { ($0.key.string ?? "", json($0.value)) })
        case .alias: return .null
        }
    }
}

/// What `lantaarn sensors check` finds wrong with a sensor's vendor codec: it does not load,
/// an example's result differs from its output, or a quantity's field is in no example's data.
public struct CodecCheck: Sendable {
    /// How many examples ran.
    public var examples = 0
    /// Each problem, naming the file (and line) to fix.
    public var problems: [String] = []

    /// Loads the codec of `sensor` and runs its examples; nothing to check without a codec file.
    public init(sensor: Sensor) {
        if let file = sensor.javascript { self.init(file: file, sensors: [sensor]) } else { self.init(examples: 0, problems: []) }
    }

    private init(examples: Int, problems: [String]) {
        self.examples = examples
        self.problems = problems
    }

    /// Loads the codec `file` and runs its examples once, then checks the fields of each of the
    /// `sensors` that name it.
    public init(file: Sensor.CodecFile, sensors: [Sensor]) {
        let who = "sensor \(sensors.map(\.id).joined(separator: ", "))"
        let decoder = JavaScriptFrameDecoder(path: file.path, label: file.label)
        if case .failure(let error) = decoder.load() {
            problems.append("\(who): \(error.reason)")
            return
        }
        let examples: [CodecExample]
        do { examples = try CodecExamples.examples(for: file.path) } catch {
            problems.append("\(who): \(error)")
            return
        }
        var fields = Set<String>()
        for example in examples {
            self.examples += 1
            let at = "\(example.file):\(example.line): example '\(example.description)'"
            switch decoder.result(of: FrameInput(bytes: example.bytes, port: example.port, receivedAt: Clock.nowMilliseconds())) {
            case .failure(let error): problems.append("\(at): \(error.reason)")
            case .success(let result):
                problems += CodecExamples.differences(result: result, expected: example.output).map { "\(at): \($0)" }
                if let data = example.output["data"], let (values, _) = try? DecodedObject.values(data, where: "data") {
                    fields.formUnion(values.map(\.name))
                }
            }
        }
        guard !fields.isEmpty else { return }
        let near = fields.sorted().prefix(12).joined(separator: ", ")
        for sensor in sensors {
            for (quantity, spec) in sensor.quantities.sorted(by: { $0.key < $1.key }) where !fields.contains(spec.field ?? quantity) {
                let field = spec.field ?? quantity
                let hint = YAMLSourceMap.closest(field, in: fields.sorted()).map { "did you mean '\($0)'?" } ?? "its numbers are \(near)"
                problems.append(sensor.problem(at: sensor.fieldPath(of: quantity), "quantity \(quantity) reads field '\(field)', which no example of \(file.label) gives; \(hint)"))
            }
        }
    }
}
