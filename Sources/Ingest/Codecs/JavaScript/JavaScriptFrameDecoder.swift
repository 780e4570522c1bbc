import Foundation
import LantaarnModel

/// A vendor's codec file as a device model's frame decoder: The Things Network Device
/// Repository's form (`decodeUplink({bytes, fPort, recvTime})` returning `{data, errors,
/// warnings}`), or the legacy `Decoder(bytes, port)` returning the data. `data` becomes values
/// and texts the way a network server's decoded payload does (nested numbers by JSON Pointer);
/// `errors` fail the frame with the codec's own words; `warnings` are kept beside it.
/// The codec runs sandboxed in its own process (``JavaScriptWorker``); sensors naming the same
/// file share it, and their frames are decoded in batches.
public struct JavaScriptFrameDecoder: LoRaWANFrameDecoder {
    let worker: JavaScriptWorker
    /// The names of the values the worker answers alone (``JavaScriptWorker/fields``).
    let names: [String]?

    /// The codec at `path`, named `label` (as the sensor file writes it) in messages. With
    /// `fields` (the quantities' fields of every sensor that names the file: a key, or a JSON
    /// Pointer into `data`), the worker answers those numbers alone; without, every value.
    public init(path: String, label: String, fields: [String]? = nil) {
        // Sorted: sensors listing the same fields in another order share the worker.
        let wanted = fields.map { JSONPointer.fields($0.sorted()) }
        worker = JavaScriptCodecs.worker(path: path, label: label, fields: wanted?.map(\.pointer))
        names = wanted?.map(\.name)
    }

    public var model: String { "codec \(worker.label)" }

    public var batchKey: String? { "javascript \(worker.path)" }

    public func decode(_ frame: [UInt8], port: Int) throws(CodecError) -> LoRaWANFrame {
        try decode(batch: [FrameInput(bytes: frame, port: port, receivedAt: Clock.nowMilliseconds())])[0].get()
    }

    public func decode(stream next: () -> FrameInput?) -> [Result<LoRaWANFrame, CodecError>] {
        let label = worker.label, names = names ?? []
        return worker.decode(stream: next) { answer in
            switch answer {
            case .failed(let reason): return .failure(CodecError(reason))
            case .result(let json): return Self.frame(json, label: label)
            case .values(let numbers):
                var frame = LoRaWANFrame()
                frame.values.reserveCapacity(numbers.count)
                for (name, number) in zip(names, numbers) where number.isFinite { frame.values.append(DecodedValue(name, number)) }
                return .success(frame)
            }
        }
    }

    /// Starts the codec: the entry point it defines, or why it does not load (file and line).
    public func load() -> Result<String, CodecError> { worker.load() }

    /// The codec's result as JSON (`result`), for `sensors check` to compare with an example's output.
    public func result(of input: FrameInput) -> Result<JSONValue, CodecError> {
        switch JavaScriptCodecs.worker(path: worker.path, label: worker.label, fields: nil).decode([input], { $0 })[0] {
        case .failed(let reason): return .failure(CodecError(reason))
        case .result(let json): return Self.parse(json, label: worker.label)
        case .values: return .failure(CodecError("codec \(worker.label): the worker answered numbers where its whole result was asked for"))
        }
    }

    static func parse(_ json: String, label: String) -> Result<JSONValue, CodecError> {
        do {
            return .success(try Array(json.utf8).withUnsafeBytes { buf throws(JSONParseError) in try JSONParser.parse(buf) })
        } catch {
            return .failure(CodecError("codec \(label) returned what is not JSON (\(error))"))
        }
    }

    static func frame(_ json: String, label: String) -> Result<LoRaWANFrame, CodecError> {
        let root: JSONValue
        switch parse(json, label: label) {
        case .failure(let error): return .failure(error)
        case .success(let value): root = value
        }
        let errors = root["errors"]?.arrayValue?.map { $0.stringValue ?? "\($0)" } ?? []
        guard errors.isEmpty else { return .failure(CodecError("codec \(label) reports: \(errors.joined(separator: "; "))")) }
        guard let data = root["data"] else { return .failure(CodecError("codec \(label) returned no data (nor errors)")) }
        do throws(CodecError) {
            var frame = LoRaWANFrame()
            (frame.values, frame.texts) = try DecodedObject.values(data, where: "the data of codec \(label)")
            frame.warnings = root["warnings"]?.arrayValue?.map { "codec \(label) warns: \($0.stringValue ?? "\($0)")" } ?? []
            return .success(frame)
        } catch {
            return .failure(error)
        }
    }
}

/// The running codecs, one worker per file: sensors naming the same file share its process.
/// A file that changed on disk (a registry reload after an edit) gets a new worker.
enum JavaScriptCodecs {
    private struct Running {
        var worker: JavaScriptWorker
        var stamp: String
    }

    /// A file's worker for whole results (`fields` nil) and the one answering some fields.
    private struct Key: Hashable {
        var path: String
        var fields: [JSONPointer]?
    }

    nonisolated(unsafe) private static var running: [Key: Running] = [:]
    private static let lock = NSLock()

    /// The worker of the file at `path` answering `fields` (`nil`: whole results). The registry
    /// gives every sensor naming a file the same fields, so a file has one worker in service.
    static func worker(path: String, label: String, fields: [JSONPointer]?) -> JavaScriptWorker {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        let stamp = "\((attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0) \((attributes?[.size] as? Int) ?? -1)"
        let key = Key(path: path, fields: fields)
        lock.lock()
        defer { lock.unlock() }
        if let current = running[key], current.stamp == stamp { return current.worker }
        // A registry reloaded with other fields replaces the file's previous answering worker,
        // which ends once the old registry's decoders are gone.
        if fields != nil {
            for other in running.keys where other.path == path && other.fields != nil { running[other] = nil }
        }
        let worker = JavaScriptWorker(path: path, label: label, fields: fields)
        running[key] = Running(worker: worker, stamp: stamp)
        return worker
    }
}
