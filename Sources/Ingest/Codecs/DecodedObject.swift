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
        // A number or text at the top goes by its key; anything deeper by its pointer, which grows
        // by one escaped token per level (no array of tokens per node: a vendor codec's data has
        // dozens of leaves per message). A top-level leaf builds no pointer.
        func leaf(_ node: JSONValue, name: String) {
            switch node {
            case .number(let n): if n.isFinite { values.append(DecodedValue(name, n)) }
            case .bool(let b): values.append(DecodedValue(name, b ? 1 : 0))
            case .string(let s): texts[name] = s
            case .object, .array, .null: break
            }
        }
        func walk(_ node: JSONValue, pointer: String) {
            switch node {
            case .object(let members):
                for (key, child) in members { walk(child, pointer: pointer + "/" + JSONPointer.escape(key)) }
            case .array(let items):
                for (i, child) in items.enumerated() { walk(child, pointer: pointer + "/" + String(i)) }
            default:
                leaf(node, name: pointer)
            }
        }
        guard case .object(let members) = object else { return (values, texts) }
        for (key, child) in members {
            switch child {
            case .object, .array: walk(child, pointer: "/" + JSONPointer.escape(key))
            default: leaf(child, name: key)
            }
        }
        return (values, texts)
    }
}
