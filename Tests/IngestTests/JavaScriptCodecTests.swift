import Foundation
import Geo
@testable import Ingest
import LantaarnModel
import TestSupport
import Testing

/// Issue 32, item 3: vendor codecs of The Things Network Device Repository
/// (../shared/data/sensors/lorawan/device-repository) in the sandboxed JavaScript worker.
struct JavaScriptCodecTests {
    static let repository = PayloadCodecTests.sensors + "/lorawan/device-repository/vendor"
    static let ttn = PayloadCodecTests.sensors + "/ttn_v3"

    /// Every uplink codec file of the repository copy (downlink codecs are not Lantaarn's: it sends no downlinks).
    static var codecFiles: [String] {
        let vendors = (try? FileManager.default.contentsOfDirectory(atPath: repository)) ?? []
        return vendors.sorted().flatMap { vendor -> [String] in
            let folder = repository + "/" + vendor
            return ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
                .filter { $0.hasSuffix(".js") && !$0.contains("downlink") }.sorted().map { folder + "/" + $0 }
        }
    }

    // The workers are waited for on a dispatch thread (offPool), not on the test pool's two threads.

    @Test func everyCodecOfTheRepositoryLoads() async throws {
        #expect(Self.codecFiles.count == 6)
        let loads = try await offPool { Self.codecFiles.map { ($0, JavaScriptFrameDecoder(path: $0, label: ($0 as NSString).lastPathComponent).load()) } }
        for (file, load) in loads {
            switch load {
            case .failure(let error): Issue.record("\(file): \(error.reason)")
            case .success(let entry): #expect(entry == (file.hasSuffix("em500-co2.js") ? "Decoder" : "decodeUplink"), "\(file)")
            }
        }
    }

    @Test func everyExampleDecodesToItsOutput() async throws {
        var ran = 0
        for file in Self.codecFiles {
            let decoder = JavaScriptFrameDecoder(path: file, label: (file as NSString).lastPathComponent)
            for example in try CodecExamples.examples(for: file) {
                ran += 1
                let input = FrameInput(bytes: example.bytes, port: example.port, receivedAt: 1_700_000_000_000)
                let result = try await offPool { try decoder.result(of: input).get() }
                let differences = CodecExamples.differences(result: result, expected: example.output)
                #expect(differences.isEmpty, "\(example.file):\(example.line) \(example.description): \(differences)")
            }
        }
        // Elsys ERS and ERS CO2 (2), Decentlab DL-PM (3), Nwave NPS405 (4), Milesight VS133 (1).
        #expect(ran == 10)
    }

    @Test func aWrongExampleIsReportedWithFileAndLine() async throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "function decodeUplink(input) { return {data: {t: input.bytes[0] / 10}}; }\n".write(toFile: dir + "/t.js", atomically: true, encoding: .utf8)
        try """
        uplinkDecoder:
          fileName: t.js
          examples:
            - description: right
              input: {fPort: 1, bytes: [0x10]}
              output: {data: {t: 1.6}}
            - description: wrong
              input: {fPort: 1, bytes: [0x10]}
              output: {data: {t: 1.7, h: 2}}
        """.write(toFile: dir + "/t-codec.yaml", atomically: true, encoding: .utf8)
        var sensor = Sensor(id: "t1", lamppost: "L", latitude: 52.38, longitude: 4.63, topic: "t", kind: "k",
                            quantities: ["temp": QuantitySpec(unit: "°C", minimum: -40, maximum: 80, resolution: 0.1, field: "/temp")], codec: "ttn-v3")
        sensor.javascript = Sensor.CodecFile(path: dir + "/t.js", label: "t.js")
        let checked = sensor
        let check = try await offPool { CodecCheck(sensor: checked) }
        #expect(check.examples == 2)
        #expect(check.problems.count == 3, "\(check.problems)")
        #expect(check.problems.contains { $0.contains("t-codec.yaml:7") && $0.contains("/data/t: 1.6, the example says 1.7") }, "\(check.problems)")
        #expect(check.problems.contains { $0.contains("/data/h is missing") })
        #expect(check.problems.contains { $0.contains("quantity temp reads field '/temp', which no example of t.js gives") })
    }

    @Test func aCodecThatDoesNotParseIsNamedWithItsLine() async throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "function decodeUplink(input) {\n  return {data: {a: 1,, }};\n}\n".write(toFile: dir + "/broken.js", atomically: true, encoding: .utf8)
        let decoder = JavaScriptFrameDecoder(path: dir + "/broken.js", label: "codecs/broken.js")
        let (load, frame) = try await offPool { (decoder.load(), decoder.decode(batch: [FrameInput(bytes: [1], port: 1, receivedAt: 0)])[0]) }
        guard case .failure(let error) = load else { Issue.record("a broken codec loaded"); return }
        #expect(error.reason.contains("codecs/broken.js does not load: broken.js: line 2: SyntaxError"), "\(error.reason)")
        // Its messages are quarantined with the same reason.
        guard case .failure(let again) = frame else { Issue.record("a broken codec decoded"); return }
        #expect(again.reason == error.reason)
    }

    // MARK: the sandbox

    /// A codec that misbehaves in every way the sandbox must stop, by its first byte (also used
    /// end to end by DecodedUplinkEndToEndTests).
    static let hostile = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Fixtures/codecs/hostile.js").standardizedFileURL.path

    @Test func eachRunawayIsStoppedWithItsReasonAndTheNextFrameDecodes() async throws {
        let decoder = JavaScriptFrameDecoder(path: Self.hostile, label: "codecs/hostile.js")
        let slow = "codecs/hostile.js ran longer than 100 ms and was stopped"
        // A 1 GB fill passes the memory limit first, unless a loaded machine slows it so much that
        // the time limit comes first: either stops it.
        let reasons: [(UInt8, [String])] = [
            (1, [slow]),
            (2, ["codecs/hostile.js used more than 64 MiB of memory and was stopped", slow]),
            (3, ["threw at line 5: ReferenceError: Can't find variable: require"]),
            (4, ["threw at line 6: Error: frame type 9 unknown"]),
            (5, ["codecs/hostile.js reports: battery frame too short"]),
            (7, ["RangeError: Maximum call stack size exceeded"]),
        ]
        // One batch: each bad frame fails alone, every good frame between them is decoded.
        var frames: [FrameInput] = []
        for (first, _) in reasons {
            frames.append(FrameInput(bytes: [first, 9], port: 1, receivedAt: 1_795_341_600_000))
            frames.append(FrameInput(bytes: [215], port: 2, receivedAt: 1_795_341_600_000))
        }
        let batch = frames
        let results = try await offPool { decoder.decode(batch: batch) }
        #expect(results.count == frames.count)
        for (k, (_, reason)) in reasons.enumerated() {
            switch results[2 * k] {
            case .success(let frame): Issue.record("frame \(reasons[k].0) decoded: \(frame)")
            case .failure(let error): #expect(reason.contains { error.reason.contains($0) }, "\(error.reason)")
            }
            let good = try results[2 * k + 1].get()
            #expect(good.values == [DecodedValue("t", 21.5), DecodedValue("port", 2), DecodedValue("year", 2026)])
        }
        let warned = try await offPool { try decoder.decode(batch: [FrameInput(bytes: [6], port: 1, receivedAt: 0)])[0].get() }
        #expect(warned.values == [DecodedValue("t", 21.5)] && warned.warnings == ["codec codecs/hostile.js warns: sensor not calibrated"])
        let globals = try await offPool { try decoder.decode(batch: [FrameInput(bytes: [8], port: 1, receivedAt: 0)])[0].get() }
        #expect(globals.texts["files"] == String(repeating: "undefined", count: 5))
    }

    /// The same runaways with the fields read, so the good frames are answered as numbers and
    /// frames waiting in the pipe are decoded in one entry into the engine: the numbers of the
    /// frames decoded before a frame the process is ended for still arrive, each in its place.
    @Test func runawaysInsideABatchOfNumbersKeepTheAnswersAroundThem() async throws {
        let decoder = JavaScriptFrameDecoder(path: Self.hostile, label: "codecs/hostile.js", fields: ["t", "port"])
        var frames: [FrameInput] = []
        enum Expected { case reading(Double), failure([String]) }
        var expected: [Expected] = []
        let slow = "codecs/hostile.js ran longer than 100 ms and was stopped"
        let bad: [(UInt8, [String])] = [
            (1, [slow]), (2, ["codecs/hostile.js used more than 64 MiB of memory and was stopped", slow]),
            (4, ["threw at line 6: Error: frame type 9 unknown"]), (7, ["RangeError: Maximum call stack size exceeded"]), (1, [slow]),
        ]
        for (k, (first, reasons)) in bad.enumerated() {
            for good in 0..<(3 + k) {
                frames.append(FrameInput(bytes: [UInt8(200 + good)], port: 2, receivedAt: 0))
                expected.append(.reading(Double(200 + good) / 10))
            }
            frames.append(FrameInput(bytes: [first, 9], port: 1, receivedAt: 0))
            expected.append(.failure(reasons))
        }
        let batch = frames
        let results = try await offPool { decoder.decode(batch: batch) }
        #expect(results.count == frames.count)
        for (result, wanted) in zip(results, expected) {
            switch (result, wanted) {
            case (.success(let frame), .reading(let t)):
                #expect(frame.values.sorted { $0.name > $1.name } == [DecodedValue("t", t), DecodedValue("port", 2)])
            case (.failure(let error), .failure(let reasons)):
                #expect(reasons.contains { error.reason.contains($0) }, "\(error.reason)")
            default: Issue.record("expected \(wanted), got \(result)")
            }
        }
    }

    /// The engine's time limit counts from its entry, which a batch shares: a frame it stops
    /// after others of the same batch is decoded again alone, with the whole limit to itself.
    @Test func aSlowFrameAfterOthersInItsBatchGetsTheWholeLimit() async throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try """
        function busy(ms) { var t = Date.now(); while (Date.now() - t < ms) {} }
        function decodeUplink(input) {
          busy(input.bytes[0]);
          return {data: {ms: input.bytes[0]}};
        }
        """.write(toFile: dir + "/slow.js", atomically: true, encoding: .utf8)
        let decoder = JavaScriptFrameDecoder(path: dir + "/slow.js", label: "slow.js", fields: ["ms"])
        // 4 ms, then 88 ms: the second starts inside the batch's first 5 ms, and together they
        // pass the engine's 90 ms (of processor time: on a busy machine they may not).
        let frames = [4, 88, 1].map { FrameInput(bytes: [UInt8($0)], port: 1, receivedAt: 0) }
        let results = try await offPool { decoder.decode(batch: frames) }
        #expect(try results.map { try $0.get().values } == [[DecodedValue("ms", 4)], [DecodedValue("ms", 88)], [DecodedValue("ms", 1)]])
    }

    /// With the fields its sensors read, the worker answers those numbers alone: present ones
    /// (a yes/no as 1 or 0, nested ones by pointer), nothing for a field the data lacks or only
    /// inherits (`constructor`); a result with warnings or errors comes whole, as without fields.
    @Test func theWorkerAnswersOnlyTheFieldsItIsGiven() async throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try """
        function decodeUplink(input) {
          var b = input.bytes[0];
          if (b === 1) return {data: {t: 21.5, nested: {on: true, x: [4, 5]}, label: "kamer"}};
          if (b === 2) return {data: {t: 19}, warnings: ["battery low"]};
          if (b === 3) return {errors: ["unknown frame"]};
          return {data: {t: -1, extra: 7}};
        }
        """.write(toFile: dir + "/f.js", atomically: true, encoding: .utf8)
        let decoder = JavaScriptFrameDecoder(path: dir + "/f.js", label: "f.js", fields: ["t", "/nested/on", "/nested/x/1", "label", "missing", "constructor"])
        let frames = (1...4).map { FrameInput(bytes: [UInt8($0)], port: 1, receivedAt: 0) }
        let results = try await offPool { decoder.decode(batch: frames) }
        #expect(try results[0].get().values.sorted { $0.name < $1.name } == [DecodedValue("/nested/on", 1), DecodedValue("/nested/x/1", 5), DecodedValue("t", 21.5)])
        let warned = try results[1].get()
        #expect(warned.values == [DecodedValue("t", 19)] && warned.warnings == ["codec f.js warns: battery low"])
        #expect(throws: CodecError("codec f.js reports: unknown frame")) { try results[2].get() }
        #expect(try results[3].get().values == [DecodedValue("t", -1)])
    }

    /// A worker keeps none of the ingest's other descriptors: a pipe another thread had open
    /// without close-on-exec while the worker started is not among the worker's descriptors, so
    /// it reaches its end when its owner closes it (a CI run hung on a `sqlite3` child's pipe
    /// held open by a worker).
    @Test func aWorkerHoldsNoneOfTheIngestsOtherDescriptors() async throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "function decodeUplink(input) { return {data: {n: input.bytes.length}}; }\n".write(toFile: dir + "/n.js", atomically: true, encoding: .utf8)
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0)
        defer { close(ends[0]); close(ends[1]) }
        var status = stat()
        try #require(fstat(ends[1], &status) == 0)
        let decoder = JavaScriptFrameDecoder(path: dir + "/n.js", label: "n.js")
        let frame = try await offPool { try decoder.decode(batch: [FrameInput(bytes: [1, 2], port: 1, receivedAt: 0)])[0].get() }
        #expect(frame.values == [DecodedValue("n", 2)])
        // The worker is still running (the decoder keeps it for the next batch): what it holds is
        // read from /proc, not inferred from the pipe's end, which any process another test
        // starts meanwhile would inherit as well.
        let workers = try FileManager.default.contentsOfDirectory(atPath: "/proc").filter { entry in
            entry.allSatisfy(\.isNumber)
                && (FileManager.default.contents(atPath: "/proc/\(entry)/cmdline").map { String(decoding: $0, as: UTF8.self) } ?? "").contains(dir + "/n.js")
        }
        try #require(!workers.isEmpty, "no lantaarn-codec process for \(dir)/n.js")
        let pipeName = "pipe:[\(status.st_ino)]"
        for pid in workers {
            let held = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
            let targets = held.compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\($0)") }
            #expect(!targets.isEmpty && !targets.contains(pipeName), "worker \(pid) holds \(targets)")
        }
    }


    // MARK: the built-in decoders and the vendors' codecs agree

    /// Device models Lantaarn decodes itself, their vendor codec, and the codec's name for each built-in value.
    static let pairs: [(model: String, codec: String, uplinks: String, field: @Sendable (String) -> String)] = [
        ("decentlab-dl-pm", "decentlab/dl-pm.js", "Decentlab_DL-PM", { "/\($0)/value" }),
        ("milesight-ws302", "milesight-iot/ws302.js", "Milesight_WS302", { ["LAF": "la", "LAeq": "laeq", "LAFmax": "lamax"][$0] ?? $0 }),
        ("milesight-em500-co2", "milesight-iot/em500-co2.js", "Milesight_EM500-CO2", { $0 }),
        ("milesight-vs133", "milesight-iot/vs133.js", "Milesight_VS133", { name in
            // line_1_total_in → /line_1/total_in
            let parts = name.split(separator: "_", maxSplits: 2)
            return parts.count == 3 ? "/\(parts[0])_\(parts[1])/\(parts[2])" : name
        }),
        ("nwave-parking", "nwave/nps405.js", "Nwave_G4_NPS_SM", { $0 }),
    ]

    @Test(arguments: 0..<5)
    func builtInAndVendorCodecGiveIdenticalReadings(pair index: Int) async throws {
        let pair = Self.pairs[index]
        let builtIn = try #require(LoRaWANFrameDecoders.all[pair.model])
        // Every shared uplink: the TTN uplinks of ../shared/data/sensors/ttn_v3, and the codec's examples.
        var frames: [FrameInput] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: Self.ttn).sorted() where name.hasPrefix(pair.uplinks) && name.contains("payload") {
            let uplink = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.ttn + "/" + name))) as? [String: Any]
            let message = try #require(uplink?["uplink_message"] as? [String: Any])
            let encoded = try #require(message["frm_payload"] as? String)
            let bytes = try #require(Data(base64Encoded: encoded))
            frames.append(FrameInput(bytes: [UInt8](bytes), port: try #require(message["f_port"] as? Int), receivedAt: 1_795_341_600_000))
        }
        let codecFile = Self.repository + "/" + pair.codec
        frames += try CodecExamples.examples(for: codecFile).map { FrameInput(bytes: $0.bytes, port: $0.port, receivedAt: 1_795_341_600_000) }
        try #require(!frames.isEmpty)

        var compared = 0
        for (n, frame) in frames.enumerated() {
            let own = try builtIn.decode(frame.bytes, port: frame.port)
            // Two sensors with the same quantities: one reads the built-in names, one the codec's.
            var quantities: [String: QuantitySpec] = [:]
            var fields: [String: QuantitySpec] = [:]
            for v in own.values {
                quantities[v.name] = QuantitySpec(unit: v.unit ?? "1", minimum: -1e9, maximum: 1e9, resolution: 1e-9, field: v.name)
                fields[v.name] = QuantitySpec(unit: v.unit ?? "1", minimum: -1e9, maximum: 1e9, resolution: 1e-9, field: pair.field(v.name))
            }
            let mine = Sensor(id: "own", lamppost: "L", latitude: 52.38, longitude: 4.63, topic: "own", kind: "k", quantities: quantities,
                              codec: "ttn-v3/\(pair.model)")
            var vendor = Sensor(id: "vendor", lamppost: "L", latitude: 52.38, longitude: 4.63, topic: "vendor", kind: "k", quantities: fields,
                                codec: "ttn-v3")
            vendor.javascript = Sensor.CodecFile(path: codecFile, label: pair.codec)
            let validator = ReadingValidator(registry: SensorRegistry(sensors: [mine, vendor], boundaries: try DefaultBoundaries.haarlemWijken()))
            let uplink = #"{"end_device_ids":{"device_id":"d"},"uplink_message":{"f_port":\#(frame.port),"f_cnt":\#(n),"frm_payload":"\#(Data(frame.bytes).base64EncodedString())","received_at":"2026-11-23T08:00:00Z"}}"#
            let received = try #require(ISO8601.parse("2026-11-23T08:00:01Z"))
            let outcomes = try await offPool {
                validator.validate([LogRecord(receivedAt: received, origin: "own", payload: Array(uplink.utf8)),
                                    LogRecord(receivedAt: received, origin: "vendor", payload: Array(uplink.utf8))], source: "test")
            }
            #expect(outcomes[0].quarantined.isEmpty && outcomes[1].quarantined.isEmpty,
                    "\(pair.model) frame \(n): \(outcomes.flatMap(\.quarantined).map(\.reason))")
            let a = outcomes[0].readings.map { "\($0.series.quantity)=\($0.value)@\($0.timestamp)" }.sorted()
            let b = outcomes[1].readings.map { "\($0.series.quantity)=\($0.value)@\($0.timestamp)" }.sorted()
            #expect(a == b, "\(pair.model) frame \(n) (port \(frame.port)): built-in \(a), vendor codec \(b)")
            compared += a.count
        }
        #expect(compared > 0)
    }

    func scratch() throws -> String {
        let dir = NSTemporaryDirectory() + "lantaarn-js-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }
}
