/// Milesight EM500-CO2: channel/type records (Milesight EM500-CO2 user guide). `01 75`
/// battery %, `03 67` temperature int16 0.1 °C, `04 68` humidity u8 0.5 %RH, `05 7D` CO₂
/// u16 ppm, `06 73` pressure u16 0.1 hPa, all little-endian. History records (`20 CE`)
/// carry their own time and become values with that timestamp.
struct MilesightEM500CO2: LoRaWANFrameDecoder {
    let model = "Milesight EM500-CO2"

    func decode(_ frame: [UInt8], port: Int) throws(CodecError) -> LoRaWANFrame {
        try MilesightRecords.decode(frame, model: model) { channel, type, r, out throws(CodecError) in
            switch (channel, type) {
            case (0x01, 0x75): out.add("battery", Double(try r.u8()), unit: "%")
            case (0x03, 0x67): out.add("temperature", Double(try r.intLE(2)) / 10, unit: "°C")
            case (0x04, 0x68): out.add("humidity", Double(try r.u8()) / 2, unit: "%RH")
            case (0x05, 0x7D): out.add("co2", Double(try r.uintLE(2)), unit: "ppm")
            case (0x06, 0x73): out.add("pressure", Double(try r.uintLE(2)) / 10, unit: "hPa")
            case (0x83, 0xD7):
                out.add("temperature", Double(try r.intLE(2)) / 10, unit: "°C")
                out.add("temperature_change", Double(try r.intLE(2)) / 10, unit: "°C")
                out.texts["temperature_alarm"] = ["threshold alarm", "threshold alarm release", "mutation alarm"][safe: Int(try r.u8())] ?? "unknown"
            case (0x20, 0xCE):
                let ts = Int64(try r.uintLE(4)) * 1000
                let co2 = Double(try r.uintLE(2)), pressure = Double(try r.uintLE(2)) / 10
                let temperature = Double(try r.intLE(2)) / 10, humidity = Double(try r.u8()) / 2
                out.values += [DecodedValue("co2", co2, unit: "ppm", timestamp: ts),
                               DecodedValue("pressure", pressure, unit: "hPa", timestamp: ts),
                               DecodedValue("temperature", temperature, unit: "°C", timestamp: ts),
                               DecodedValue("humidity", humidity, unit: "%RH", timestamp: ts)]
            default:
                return false
            }
            return true
        }
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
