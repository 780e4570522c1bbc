/// Decodes the application payload (`frm_payload`) of one LoRaWAN device model, following
/// the vendor's documented layout. One file per model.
public protocol LoRaWANFrameDecoder: Sendable {
    /// Vendor and model, for messages.
    var model: String { get }
    /// Values and texts in one frame received on `port`.
    func decode(_ frame: [UInt8], port: Int) throws(CodecError) -> LoRaWANFrame
    /// Decoders that decode many frames faster at once (a vendor codec in a process of its own)
    /// name the batch they can share; `nil` (the default): one by one.
    var batchKey: String? { get }
    /// Every frame `next` gives until it gives `nil`, in order. A decoder in another process
    /// asks for the next frames while it decodes the ones before; the default decodes one by one.
    func decode(stream next: () -> FrameInput?) -> [Result<LoRaWANFrame, CodecError>]
}

extension LoRaWANFrameDecoder {
    public var batchKey: String? { nil }

    public func decode(stream next: () -> FrameInput?) -> [Result<LoRaWANFrame, CodecError>] {
        var results: [Result<LoRaWANFrame, CodecError>] = []
        while let input = next() {
            do throws(CodecError) { results.append(.success(try decode(input.bytes, port: input.port))) } catch { results.append(.failure(error)) }
        }
        return results
    }

    /// Every frame of `batch`, in order.
    public func decode(batch: [FrameInput]) -> [Result<LoRaWANFrame, CodecError>] {
        var iterator = batch.makeIterator()
        return decode(stream: { iterator.next() })
    }
}

/// One frame to decode: its bytes, the port it came on, and when the network server received it.
public struct FrameInput: Sendable, Equatable {
    public var bytes: [UInt8]
    public var port: Int
    /// Epoch milliseconds (a vendor codec's `recvTime`).
    public var receivedAt: Int64

    public init(bytes: [UInt8], port: Int, receivedAt: Int64) {
        self.bytes = bytes
        self.port = port
        self.receivedAt = receivedAt
    }
}

/// What one frame holds.
public struct LoRaWANFrame: Sendable, Equatable {
    public var values: [DecodedValue] = []
    public var texts: [String: String] = [:]
    /// What a vendor codec warned about (its `warnings`).
    public var warnings: [String] = []

    public init() {}

    mutating func add(_ name: String, _ value: Double, unit: String? = nil) { values.append(DecodedValue(name, value, unit: unit)) }
}

/// The device models Lantaarn can decode, by the name a sensor uses after `ttn-v3/`.
public enum LoRaWANFrameDecoders {
    public static let all: [String: any LoRaWANFrameDecoder] = [
        "decentlab-dl-pm": DecentlabDLPM(),
        "milesight-ws302": MilesightWS302(),
        "milesight-em500-co2": MilesightEM500CO2(),
        "milesight-vs133": MilesightVS133(),
        "nwave-parking": NwaveParking(),
    ]
}

/// Bounds-checked reads from a frame; a short frame is an error that names the offset.
struct FrameReader {
    let bytes: [UInt8]
    let model: String
    var position = 0

    init(_ bytes: [UInt8], model: String) {
        self.bytes = bytes
        self.model = model
    }

    var remaining: Int { bytes.count - position }

    mutating func u8() throws(CodecError) -> UInt8 {
        guard position < bytes.count else { throw truncated(1) }
        defer { position += 1 }
        return bytes[position]
    }

    /// Unsigned little-endian integer of `count` bytes.
    mutating func uintLE(_ count: Int) throws(CodecError) -> UInt64 {
        guard position + count <= bytes.count else { throw truncated(count) }
        var v: UInt64 = 0
        for k in 0..<count { v |= UInt64(bytes[position + k]) << UInt64(8 * k) }
        position += count
        return v
    }

    mutating func intLE(_ count: Int) throws(CodecError) -> Int64 {
        let u = try uintLE(count)
        let shift = UInt64(64 - 8 * count)
        return Int64(bitPattern: u << shift) >> Int64(shift)
    }

    /// Unsigned big-endian 16-bit integer.
    mutating func u16BE() throws(CodecError) -> UInt16 {
        guard position + 2 <= bytes.count else { throw truncated(2) }
        defer { position += 2 }
        return UInt16(bytes[position]) << 8 | UInt16(bytes[position + 1])
    }

    func truncated(_ wanted: Int) -> CodecError {
        CodecError("\(model) frame of \(bytes.count) bytes ends at byte \(position), \(wanted) more expected; the payload is cut off or not from a \(model)")
    }
}
