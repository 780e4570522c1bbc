import LantaarnModel

/// A payload a network server already decoded (The Things Stack's `decoded_payload`,
/// ChirpStack's `object`, a vendor codec's `data`) as decoded values: every number (and yes/no,
/// as 1 or 0) in it, named by its key when it sits at the top and by its JSON Pointer when it is
/// nested (`/climate/temperature`, `/readings/0/value`), which is what a quantity's `field:`
/// names. Text values go to `texts` under the same names.
enum DecodedObject {
    /// Values and texts of `object`; `where_` names it in errors (e.g. `uplink_message.decoded_payload`).
    static func values(_ object: JSONValue, where where_: String) throws(CodecError) -> (values: [DecodedValue], texts: [String: String]) {
        guard case .object = object else { throw CodecError("\(where_) is not an object") }
        var values: [DecodedValue] = []
        var texts: [String: String] = [:]
        // Names grow by one escaped token per level (`/climate` + `/temperature`), without an
        // array of tokens per node: a vendor codec's data has dozens of leaves per message.
        func walk(_ node: JSONValue, name: String, pointer: String) {
            switch node {
            case .number(let n): if n.isFinite { values.append(DecodedValue(name, n)) }
            case .bool(let b): values.append(DecodedValue(name, b ? 1 : 0))
            case .string(let s): texts[name] = s
            case .object(let members):
                for (key, child) in members {
                    let deeper = pointer + "/" + JSONPointer.escape(key)
                    walk(child, name: deeper, pointer: deeper)
                }
            case .array(let items):
                for (i, child) in items.enumerated() {
                    let deeper = pointer + "/" + String(i)
                    walk(child, name: deeper, pointer: deeper)
                }
            case .null: break
            }
        }
        guard case .object(let members) = object else { return (values, texts) }
        for (key, child) in members { walk(child, name: key, pointer: "/" + JSONPointer.escape(key)) }
        return (values, texts)
    }
}
