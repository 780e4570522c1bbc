import LantaarnModel

/// Lantaarn's own payload: `{"ts":"2026-11-22T10:00:00Z","values":{"pm25":12.3,"pm10":20.1}}`.
/// `ts` may also be epoch seconds or milliseconds (a number above 10^11 is read as milliseconds).
public struct LantaarnJSONCodec: PayloadCodec {
    /// Epoch numbers at or above this are milliseconds (10^11 s is the year 5138).
    static let millisecondThreshold = 100_000_000_000.0

    public init() {}

    public func decode(_ payload: UnsafeRawBufferPointer, receivedAt: Int64) throws(CodecError) -> DecodedMessage {
        try Self.decode(payload)
    }

    /// Epoch seconds or milliseconds as milliseconds; `nil` when not plausible.
    static func epochMilliseconds(_ n: Double) -> Int64? {
        guard n.isFinite, n >= 0, n < 1e15 else { return nil }
        return n >= millisecondThreshold ? Int64(n) : Int64((n * 1000).rounded())
    }

    /// Decodes one payload: the fast path for the common shape, else the general parser.
    public static func decode(_ payload: UnsafeRawBufferPointer) throws(CodecError) -> DecodedMessage {
        if let fast = LantaarnJSONFastPath.decode(payload) { return fast }
        return try decodeGeneral(payload)
    }

    /// Decodes through a full JSON tree; this path words every error.
    static func decodeGeneral(_ payload: UnsafeRawBufferPointer) throws(CodecError) -> DecodedMessage {
        let root = try PayloadCodecs.parseJSON(payload, format: "{\"ts\":..., \"values\":{...}}")
        guard case .object = root else { throw CodecError("payload must be a JSON object with 'ts' and 'values'") }
        guard let ts = root["ts"] else { throw CodecError("field 'ts' is missing; add an ISO 8601 time or epoch seconds") }
        let timestamp: Int64
        switch ts {
        case .string(let s):
            guard let t = ISO8601.parse(s) else {
                throw CodecError("field 'ts' is not an ISO 8601 time such as 2026-11-22T10:00:00Z")
            }
            timestamp = t
        case .number(let n):
            guard let t = epochMilliseconds(n) else { throw CodecError("field 'ts' is not a plausible epoch time") }
            timestamp = t
        default:
            throw CodecError("field 'ts' must be a string or a number")
        }
        guard case .object(let members) = root["values"] else {
            throw CodecError("field 'values' is missing or not an object of quantity: number")
        }
        guard !members.isEmpty else { throw CodecError("field 'values' is empty") }
        var values: [DecodedValue] = []
        values.reserveCapacity(members.count)
        for (name, v) in members {
            guard case .number(let n) = v else {
                throw CodecError("value of '\(name)' is not a number")
            }
            values.append(DecodedValue(name, n))
        }
        return DecodedMessage(timestamp: timestamp, values: values)
    }
}
