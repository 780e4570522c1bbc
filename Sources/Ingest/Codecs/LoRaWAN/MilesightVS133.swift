/// Milesight VS133 people counter (port 85): channel/type records (Milesight VS133 user
/// guide), little-endian. Lines 1-4: total in (`03/06/09/0C D2`, u32), total out
/// (`04/07/0A/0D D2`, u32), period in/out (`05/08/0B/0E CC`, u16 each); region counts
/// (`0F E3`, 4 × u8); region dwell time (`10 E4`, region, avg and max u16 s).
struct MilesightVS133: LoRaWANFrameDecoder {
    let model = "Milesight VS133"

    func decode(_ frame: [UInt8], port: Int) throws(CodecError) -> LoRaWANFrame {
        guard port == 85 else { return LoRaWANFrame() }   // other ports carry device information, not counts
        return try MilesightRecords.decode(frame, model: model) { channel, type, r, out throws(CodecError) in
            switch (channel, type) {
            case (0x03, 0xD2), (0x06, 0xD2), (0x09, 0xD2), (0x0C, 0xD2):
                out.add("line_\(Int(channel) / 3)_total_in", Double(try r.uintLE(4)))
            case (0x04, 0xD2), (0x07, 0xD2), (0x0A, 0xD2), (0x0D, 0xD2):
                out.add("line_\((Int(channel) - 1) / 3)_total_out", Double(try r.uintLE(4)))
            case (0x05, 0xCC), (0x08, 0xCC), (0x0B, 0xCC), (0x0E, 0xCC):
                let line = (Int(channel) - 2) / 3
                out.add("line_\(line)_period_in", Double(try r.uintLE(2)))
                out.add("line_\(line)_period_out", Double(try r.uintLE(2)))
            case (0x0F, 0xE3):
                for region in 1...4 { out.add("region_\(region)_count", Double(try r.u8())) }
            case (0x10, 0xE4):
                let region = try r.u8()
                out.add("region_\(region)_avg_dwell", Double(try r.uintLE(2)), unit: "s")
                out.add("region_\(region)_max_dwell", Double(try r.uintLE(2)), unit: "s")
            default:
                return false
            }
            return true
        }
    }
}
