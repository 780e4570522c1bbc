import Ingest
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
}
