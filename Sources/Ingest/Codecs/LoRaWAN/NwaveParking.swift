/// Nwave G4 parking sensor (NPS), after Nwave's uplink guide §4.2: port 1 parking status
/// (bit 0 occupied, bits 1-7 the compressed duration of the previous state, minutes),
/// port 2 heartbeat (battery `2500 + 4·X` mV with X unsigned, temperature), port 3
/// startup (firmware version, reset cause), port 10 SDI tag registration.
struct NwaveParking: LoRaWANFrameDecoder {
    let model = "Nwave parking sensor"

    func decode(_ frame: [UInt8], port: Int) throws(CodecError) -> LoRaWANFrame {
        var r = FrameReader(frame, model: model)
        var out = LoRaWANFrame()
        switch port {
        case 1:
            let b = try r.u8()
            out.texts["type"] = "parking_status"
            out.add("occupied", Double(b & 1))
            addPreviousState(b >> 1, to: &out)
        case 2:
            let status = try r.u8(), battery = try r.u8(), temperatureByte = try r.u8()
            out.texts["type"] = "heartbeat"
            out.add("occupied", Double(status & 1))
            out.add("hw_health_status", Double(status & 0x7F))
            let temperature = Double(Int8(bitPattern: temperatureByte)) / 2 + 10
            out.add("temperature", temperature, unit: "°C")
            let millivolts = 2500 + 4 * Double(battery)
            out.add("battery_voltage", millivolts / 1000, unit: "V")
            let (critical, low): (Double, Double) = temperature >= -5 ? (2900, 3000) : (2800, 2900)
            out.texts["battery_health"] = millivolts >= low ? "normal" : millivolts >= critical ? "low" : "critical"
        case 3:
            let major = try r.u8(), minor = try r.u8(), micro = try r.u8(), cause = try r.u8(), status = try r.u8()
            out.texts["type"] = "startup"
            out.texts["firmware_version"] = "\(major).\(minor).\(micro)"
            out.texts["reset_cause"] = ["rejoining_lorawan_network", "watchdog", "power_on", "user_request", "unknown", "unknown",
                                        "brownout", "other"][safe: Int(cause)] ?? "unknown"
            out.add("occupied", Double(status & 1))
        case 10:
            let b = try r.u8()
            out.texts["type"] = "user_registration"
            if b & 1 == 1 {
                out.add("occupied", 1)
                addPreviousState(b >> 1, to: &out)
            }
            var tag: UInt32 = 0
            for _ in 0..<4 { tag = tag << 8 | UInt32(try r.u8()) }   // big-endian
            out.texts["tag_id"] = String(tag, radix: 16, uppercase: true)
        case 6:
            out.texts["type"] = "debug"
        default:
            throw CodecError("\(model): port \(port) is not one of 1 (status), 2 (heartbeat), 3 (startup), 6 (debug), 10 (tag)")
        }
        return out
    }

    /// Nwave's compressed duration table: exact below 90 min, 5-minute steps to 240, hours to 600, then "≥ 660".
    private func addPreviousState(_ compressed: UInt8, to out: inout LoRaWANFrame) {
        let c = Double(compressed)
        switch compressed {
        case 0..<90:
            out.add("previous_state_duration", c, unit: "min")
            out.add("previous_state_duration_error", 0, unit: "min")
        case 90..<120:
            out.add("previous_state_duration", 90 + (c - 90) * 5, unit: "min")
            out.add("previous_state_duration_error", 4, unit: "min")
        case 120..<127:
            out.add("previous_state_duration", 240 + (c - 120) * 60, unit: "min")
            out.add("previous_state_duration_error", 59, unit: "min")
        default:
            out.add("previous_state_duration", 660, unit: "min")
        }
        out.add("previous_state_duration_overflow", compressed == 127 ? 1 : 0)
    }
}
