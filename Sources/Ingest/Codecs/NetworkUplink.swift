import Foundation
import LantaarnModel

/// A LoRaWAN network server's uplink as read from its envelope, before the frame is decoded.
public struct NetworkUplink: Sendable {
    /// The server's own decoding of the frame (`decoded_payload`, `object`), named for errors.
    var decoded: JSONValue?
    var decodedName: String
    /// The base64 application payload, named for errors.
    var frame: JSONValue?
    var frameName: String
    var metadata: UplinkMetadata
    var device: String?
    /// Why a message without a decoded payload cannot be read when no frame decoder is named.
    var missingDecoded: String
    /// The server's names of the port and the frame counter, for errors.
    var counters: (port: String, count: String)
}

/// The uplink format of a LoRaWAN network server (The Things Stack, ChirpStack): the envelope
/// is read here, the frame by the device model's decoder (built in, or a vendor codec).
/// Messages whose frames go to the same vendor codec are decoded as one batch.
public protocol NetworkUplinkCodec: PayloadCodec {
    /// The device model's frame decoder; `nil`: the server's decoded payload is required.
    var frames: (any LoRaWANFrameDecoder)? { get }
    /// With `frames`: take the server's decoded payload when the uplink has one.
    var preferDecoded: Bool { get }
    /// Reads the envelope of one uplink.
    func uplink(_ payload: UnsafeRawBufferPointer) throws(CodecError) -> NetworkUplink
}

extension NetworkUplinkCodec {
    public func decode(_ payload: UnsafeRawBufferPointer, receivedAt: Int64) throws(CodecError) -> DecodedMessage {
        let uplink = try self.uplink(payload)
        switch try UplinkFields.plan(uplink, frames: frames, preferDecoded: preferDecoded, receivedAt: receivedAt) {
        case .decoded(let message): return message
        case .frame(let input):
            return try UplinkFields.message(uplink, frame: frames!.decode(batch: [input])[0], receivedAt: receivedAt)
        }
    }

    public var batchKey: String? {
        frames?.batchKey.map { "\(Self.self) \(preferDecoded ? "decoded" : "frame") \($0)" }
    }

    /// Reads the envelopes one after the other, handing each frame to the decoder as it comes
    /// (a decoder in another process decodes the frames before meanwhile), then puts each message
    /// together; an envelope that cannot be read fails alone.
    public func decode(batch: [LogRecord]) -> [Result<DecodedMessage, CodecError>] {
        var results = [Result<DecodedMessage, CodecError>?](repeating: nil, count: batch.count)
        var uplinks: [Int: NetworkUplink] = [:]
        var pending: [Int] = []
        var next = 0
        // The next frame to decode; messages read from the server's decoded payload, and
        // envelopes that fail, are settled on the way.
        func nextFrame() -> FrameInput? {
            while next < batch.count {
                let i = next
                next += 1
                let read = batch[i].payload.withUnsafeBytes { buf -> Result<NetworkUplink, CodecError> in
                    do throws(CodecError) { return .success(try self.uplink(buf)) } catch { return .failure(error) }
                }
                do throws(CodecError) {
                    let uplink = try read.get()
                    switch try UplinkFields.plan(uplink, frames: frames, preferDecoded: preferDecoded, receivedAt: batch[i].receivedAt) {
                    case .decoded(let message): results[i] = .success(message)
                    case .frame(let input):
                        uplinks[i] = uplink
                        pending.append(i)
                        return input
                    }
                } catch {
                    results[i] = .failure(error)
                }
            }
            return nil
        }
        if let frames {
            for (k, frame) in frames.decode(stream: nextFrame).enumerated() {
                let i = pending[k]
                do throws(CodecError) {
                    results[i] = .success(try UplinkFields.message(uplinks[i]!, frame: frame, receivedAt: batch[i].receivedAt))
                } catch {
                    results[i] = .failure(error)
                }
            }
        } else {
            while nextFrame() != nil {}
        }
        return results.map { $0! }
    }
}

/// Fields LoRaWAN network servers' uplinks share, read the same way for each.
enum UplinkFields {
    /// A whole number in `range`; `nil` when absent.
    static func whole(_ value: JSONValue?, _ name: String, in range: ClosedRange<Int64>) throws(CodecError) -> Int64? {
        guard let value else { return nil }
        guard let n = value.numberValue, let whole = Int64(exactly: n), range.contains(whole) else {
            throw CodecError("\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return whole
    }

    enum Plan {
        /// The server's decoded payload gave the message.
        case decoded(DecodedMessage)
        /// The frame goes to the device model's decoder.
        case frame(FrameInput)
    }

    /// Whether the uplink is read from the server's decoded object (there is no device model,
    /// or the sensor prefers it) or its base64 frame goes to the model's decoder.
    static func plan(_ uplink: NetworkUplink, frames: (any LoRaWANFrameDecoder)?, preferDecoded: Bool,
                     receivedAt: Int64) throws(CodecError) -> Plan {
        let timestamp = uplink.metadata.receivedAt ?? receivedAt
        if let decoded = uplink.decoded, frames == nil || preferDecoded {
            let (values, texts) = try DecodedObject.values(decoded, where: uplink.decodedName)
            return .decoded(DecodedMessage(timestamp: timestamp, values: values, texts: texts, device: uplink.device, uplink: uplink.metadata))
        }
        guard frames != nil else { throw CodecError(uplink.missingDecoded) }
        guard let encoded = uplink.frame?.stringValue else {
            throw CodecError("\(uplink.frameName) is missing: the frame has no application payload")
        }
        guard let bytes = Data(base64Encoded: encoded) else { throw CodecError("\(uplink.frameName) is not base64") }
        return .frame(FrameInput(bytes: [UInt8](bytes), port: uplink.metadata.port ?? 0, receivedAt: timestamp))
    }

    /// The message of an uplink whose frame was decoded (or failed to), with its counters in an error.
    static func message(_ uplink: NetworkUplink, frame: Result<LoRaWANFrame, CodecError>, receivedAt: Int64) throws(CodecError) -> DecodedMessage {
        switch frame {
        case .success(let decoded):
            var message = DecodedMessage(timestamp: uplink.metadata.receivedAt ?? receivedAt, values: decoded.values, texts: decoded.texts,
                                         device: uplink.device, uplink: uplink.metadata)
            message.warnings = decoded.warnings
            return message
        case .failure(let error):
            let counter = uplink.metadata.frameCounter.map(String.init) ?? "?"
            throw CodecError("\(error.reason) (\(uplink.counters.port) \(uplink.metadata.port ?? 0), \(uplink.counters.count) \(counter))")
        }
    }

    /// RSSI and SNR of the gateway that heard the uplink best.
    static func bestGateway(_ gateways: JSONValue?) -> (rssi: Double?, snr: Double?) {
        guard let list = gateways?.arrayValue else { return (nil, nil) }
        let best = list.max { ($0["rssi"]?.numberValue ?? -.infinity) < ($1["rssi"]?.numberValue ?? -.infinity) }
        return (best?["rssi"]?.numberValue, best?["snr"]?.numberValue)
    }
}
