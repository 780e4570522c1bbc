/// Decentlab DL-PM (particulate matter, temperature, humidity, pressure), protocol v2:
/// `u8 version=2, u16 device id, u16 flags`, then for each flag bit set, that sensor's
/// big-endian 16-bit words (decentlab.com, DL-PM datasheet).
struct DecentlabDLPM: LoRaWANFrameDecoder {
    let model = "Decentlab DL-PM"

    private struct Sensor {
        var words: Int
        var values: [(name: String, unit: String, convert: @Sendable ([Double]) -> Double)]
    }

    private static let sensors: [Sensor] = [
        Sensor(words: 1, values: [("battery_voltage", "V", { $0[0] / 1000 })]),
        Sensor(words: 10, values: [
            ("pm1_0_mass_concentration", "µg/m³", { $0[0] / 10 }),
            ("pm2_5_mass_concentration", "µg/m³", { $0[1] / 10 }),
            ("pm4_mass_concentration", "µg/m³", { $0[2] / 10 }),
            ("pm10_mass_concentration", "µg/m³", { $0[3] / 10 }),
            ("typical_particle_size", "nm", { $0[4] }),
            ("pm0_5_number_concentration", "1/cm³", { $0[5] / 10 }),
            ("pm1_0_number_concentration", "1/cm³", { $0[6] / 10 }),
            ("pm2_5_number_concentration", "1/cm³", { $0[7] / 10 }),
            ("pm4_number_concentration", "1/cm³", { $0[8] / 10 }),
            ("pm10_number_concentration", "1/cm³", { $0[9] / 10 }),
        ]),
        Sensor(words: 2, values: [
            ("air_temperature", "°C", { 175.72 * $0[0] / 65536 - 46.85 }),
            ("air_humidity", "%", { 125 * $0[1] / 65536 - 6 }),
        ]),
        Sensor(words: 1, values: [("barometric_pressure", "Pa", { $0[0] * 2 })]),
    ]

    func decode(_ frame: [UInt8], port: Int) throws(CodecError) -> LoRaWANFrame {
        var r = FrameReader(frame, model: model)
        let version = try r.u8()
        guard version == 2 else { throw CodecError("\(model) protocol version \(version) is not 2") }
        var out = LoRaWANFrame()
        out.texts["device_id"] = String(try r.u16BE())
        var flags = try r.u16BE()
        for sensor in Self.sensors {
            defer { flags >>= 1 }
            guard flags & 1 == 1 else { continue }
            var words: [Double] = []
            for _ in 0..<sensor.words { words.append(Double(try r.u16BE())) }
            for v in sensor.values { out.add(v.name, v.convert(words), unit: v.unit) }
        }
        return out
    }
}
