/// Milesight WS302 sound level sensor: channel/type records (Milesight WS302 user guide).
/// `01 75` battery %; `05 5B` weighting byte then little-endian u16 level, Leq and max in
/// 0.1 dB, named after the weighting (`LAF`, `LAeq`, `LAFmax` in dB(A)); `FF 0F` LoRaWAN class.
struct MilesightWS302: LoRaWANFrameDecoder {
    let model = "Milesight WS302"

    func decode(_ frame: [UInt8], port: Int) throws(CodecError) -> LoRaWANFrame {
        try MilesightRecords.decode(frame, model: model) { channel, type, r, out throws(CodecError) in
            switch (channel, type) {
            case (0x01, 0x75):
                out.add("battery", Double(try r.u8()), unit: "%")
            case (0x05, 0x5B):
                let weighting = try r.u8()
                let frequency = ["Z", "A", "C", "?"][Int(weighting & 0x03)]
                let time = ["I", "F", "S", "?"][Int((weighting >> 2) & 0x03)]
                let unit = "dB(\(frequency))"
                out.add("L\(frequency)\(time)", Double(try r.uintLE(2)) / 10, unit: unit)
                out.add("L\(frequency)eq", Double(try r.uintLE(2)) / 10, unit: unit)
                out.add("L\(frequency)\(time)max", Double(try r.uintLE(2)) / 10, unit: unit)
            case (0xFF, 0x0F):
                out.texts["lorawan_class"] = ["ClassA", "ClassB", "ClassC", "ClassCtoB"][Int(min(3, try r.u8()))]
            default:
                return false
            }
            return true
        }
    }
}
