/// One raw message in the ingest log, exactly as received.
///
/// On disk: `[u32 bodyLength][u32 crc32(body)][body]`, little-endian, where body is
/// `[i64 receivedAt ms][u16 originLength][origin bytes][payload bytes]`.
/// Origin is the MQTT topic or the file name a message came from.
public struct LogRecord: Sendable, Equatable {
    /// When Lantaarn received the message, epoch milliseconds.
    public var receivedAt: Int64
    /// MQTT topic or source file name.
    public var origin: String
    /// Raw payload bytes.
    public var payload: [UInt8]

    /// Creates a record.
    public init(receivedAt: Int64, origin: String, payload: [UInt8]) {
        self.receivedAt = receivedAt
        self.origin = origin
        self.payload = payload
    }

    static let headerSize = 8
    /// Records larger than this are refused, so a damaged length cannot trigger a huge read.
    static let maxBodySize = 16 << 20

    /// Appends the encoded record to `out`, from raw buffers without intermediate copies.
    static func encode(receivedAt: Int64, origin: UnsafeBufferPointer<UInt8>, payload: UnsafeRawBufferPointer,
                       into out: inout [UInt8]) {
        let originCount = min(origin.count, Int(UInt16.max))
        let bodyLength = 8 + 2 + originCount + payload.count
        let start = out.count
        out.reserveCapacity(start + headerSize + bodyLength)
        append(UInt32(bodyLength), to: &out)
        append(UInt32(0), to: &out)
        append(UInt64(bitPattern: receivedAt), to: &out)
        append(UInt16(originCount), to: &out)
        out.append(contentsOf: UnsafeBufferPointer(rebasing: origin[0..<originCount]))
        out.append(contentsOf: payload)
        let crc = out.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[(start + headerSize)...])) }
        out.withUnsafeMutableBytes { $0.storeBytes(of: crc.littleEndian, toByteOffset: start + 4, as: UInt32.self) }
    }

    private static func append<T: FixedWidthInteger>(_ v: T, to out: inout [UInt8]) {
        withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) }
    }

    /// Outcome of decoding at one position of a buffer.
    enum Decoded {
        case record(LogRecord, size: Int)
        case incomplete
        case damaged(String)
    }

    /// Decodes the record at the start of `buf`.
    static func decode(_ buf: UnsafeRawBufferPointer) -> Decoded {
        guard buf.count >= headerSize else { return .incomplete }
        let length = Int(UInt32(littleEndian: buf.loadUnaligned(fromByteOffset: 0, as: UInt32.self)))
        let crc = UInt32(littleEndian: buf.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
        guard length >= 10, length <= maxBodySize else { return .damaged("record length \(length) is out of range") }
        guard buf.count >= headerSize + length else { return .incomplete }
        let body = UnsafeRawBufferPointer(rebasing: buf[headerSize..<(headerSize + length)])
        guard CRC32.checksum(body) == crc else { return .damaged("checksum mismatch") }
        let receivedAt = Int64(bitPattern: UInt64(littleEndian: body.loadUnaligned(fromByteOffset: 0, as: UInt64.self)))
        let originCount = Int(UInt16(littleEndian: body.loadUnaligned(fromByteOffset: 8, as: UInt16.self)))
        guard 10 + originCount <= length else { return .damaged("origin length exceeds the record") }
        let origin = String(decoding: UnsafeRawBufferPointer(rebasing: body[10..<(10 + originCount)]), as: UTF8.self)
        let payload = [UInt8](UnsafeRawBufferPointer(rebasing: body[(10 + originCount)...]))
        return .record(LogRecord(receivedAt: receivedAt, origin: origin, payload: payload), size: headerSize + length)
    }
}
