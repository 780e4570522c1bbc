/// Milesight frames are a sequence of records `u8 channel, u8 type, data`, little-endian.
enum MilesightRecords {
    /// Walks the records of `frame`; `record` reads one record's data and returns false for a
    /// channel/type pair it does not know, which makes the frame an error.
    static func decode(_ frame: [UInt8], model: String,
                       _ record: (_ channel: UInt8, _ type: UInt8, inout FrameReader, inout LoRaWANFrame) throws(CodecError) -> Bool)
        throws(CodecError) -> LoRaWANFrame {
        var r = FrameReader(frame, model: model)
        var out = LoRaWANFrame()
        while r.remaining > 0 {
            let channel = try r.u8(), type = try r.u8()
            guard try record(channel, type, &r, &out) else {
                throw CodecError("\(model): unknown channel \(hex(channel)) type \(hex(type)) at byte \(r.position - 2)")
            }
        }
        return out
    }

    static func hex(_ b: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return "0x" + String(digits[Int(b >> 4)]) + String(digits[Int(b & 0x0F)])
    }
}
