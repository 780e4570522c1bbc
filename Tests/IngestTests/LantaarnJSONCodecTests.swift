@testable import Ingest
import Testing

struct LantaarnJSONCodecTests {
    func decode(_ text: String) throws(CodecError) -> DecodedMessage {
        let bytes = Array(text.utf8)
        let result = bytes.withUnsafeBytes { buf -> Result<DecodedMessage, CodecError> in
            do throws(CodecError) { return .success(try LantaarnJSONCodec.decode(buf)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    @Test func acceptsIsoEpochSecondsAndMilliseconds() throws {
        let iso = try decode(#"{"ts":"2026-11-22T10:00:00Z","values":{"pm25":12.3,"pm10":20.1}}"#)
        #expect(iso.timestamp == 1_795_341_600_000)
        #expect(iso.values.map(\.name) == ["pm25", "pm10"])
        #expect(iso.values.map(\.value) == [12.3, 20.1])
        #expect(try decode(#"{"ts":1795341600,"values":{"pm25":1}}"#).timestamp == 1_795_341_600_000)
        #expect(try decode(#"{"ts":1795341600.5,"values":{"pm25":1}}"#).timestamp == 1_795_341_600_500)
        #expect(try decode(#"{"ts":1795341600123,"values":{"pm25":1}}"#).timestamp == 1_795_341_600_123)
    }

    @Test(arguments: [
        ("not json", "not valid JSON"), (#"[1]"#, "JSON object"), (#"{"values":{"a":1}}"#, "'ts' is missing"),
        (#"{"ts":"gisteren","values":{"a":1}}"#, "ISO 8601"), (#"{"ts":true,"values":{"a":1}}"#, "string or a number"),
        (#"{"ts":-5,"values":{"a":1}}"#, "plausible"), (#"{"ts":1,"values":[1]}"#, "'values'"),
        (#"{"ts":1,"values":{}}"#, "empty"), (#"{"ts":1,"values":{"a":"hoog"}}"#, "not a number"),
        (#"{"ts":1,"values":{"a":null}}"#, "not a number"),
    ])
    func rejectsWithReason(_ payload: String, _ fragment: String) {
        do {
            _ = try decode(payload)
            Issue.record("accepted \(payload)")
        } catch {
            #expect(error.reason.contains(fragment), "\(error.reason)")
        }
    }

    /// The fast path either declines or gives exactly what the general parser gives, and it
    /// takes every valid payload of the common shape (plain names, no other members).
    @Test func fastPathAgreesWithTheGeneralParser() throws {
        var rng = SystemRandomNumberGenerator()
        let timestamps = [#""2026-11-22T10:00:00Z""#, #""2026-11-22T10:00:00.123+01:00""#, "1795341600", "1795341600.5",
                          "1795341600123", #""2026-13-01T00:00:00Z""#, "-5", "1e3", #""x""#, "null"]
        let numbers = ["0", "-0", "12.3", "1e2", "1.5E-3", "-7.25e+1", "3", "47.4", "1013.25", "0.001", "-40",
                       "123456789012345678901", "0.1", "00", "1.", ".5", "1e400", "true", #""3""#, "9007199254740993", "4.9e-324"]
        let plainNames = ["pm25", "pm10", "laeq", "no2", "a b"]
        let names = plainNames + [#"p\u006d10"#, "größe", ""]
        var agreed = 0, commonShape = 0
        for _ in 0..<5000 {
            let chosen = (0..<Int.random(in: 0...3, using: &rng)).map { _ in names.randomElement(using: &rng)! }
            let pairs = chosen.map { "\"\($0)\" : \(numbers.randomElement(using: &rng)!)" }
            var members = ["\"ts\":\(timestamps.randomElement(using: &rng)!)", "\"values\": {\(pairs.joined(separator: ","))}"]
            let extra = Int.random(in: 0..<5, using: &rng) == 0
            if extra { members.append(#""extra":[1,{"a":2}]"#) }
            if Bool.random(using: &rng) { members.reverse() }
            let text = (Bool.random(using: &rng) ? " " : "") + "{" + members.joined(separator: Bool.random(using: &rng) ? "," : " ,\n ") + "}"
            let bytes = Array(text.utf8)
            try bytes.withUnsafeBytes { buf in
                let general = try? LantaarnJSONCodec.decodeGeneral(buf)
                let fast = LantaarnJSONFastPath.decode(buf)
                // Numbers beyond the exact fast range (21 digits, 2^53 + 1, subnormals, overflow) may decline.
                if general != nil, !extra, chosen.allSatisfy(plainNames.contains) { commonShape += 1 }
                guard let fast else { return }
                agreed += 1
                let expected = try #require(general, "fast path accepted what the general parser rejects: \(text)")
                #expect(fast == expected, "\(text)")
                #expect(fast.values.map { $0.value.bitPattern } == expected.values.map { $0.value.bitPattern }, "\(text)")
            }
        }
        #expect(commonShape > 100)
        #expect(agreed >= commonShape / 2, "fast path took \(agreed) of \(commonShape) common payloads")
    }
}
