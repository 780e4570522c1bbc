/// The Thrift compact protocol, write side only, as Parquet's page headers and file footer use
/// it: structs of fields with delta-encoded ids, zigzag varints, binaries and lists.
struct ThriftCompact {
    enum FieldType: UInt8 {
        case boolTrue = 1, boolFalse = 2, byte = 3, i16 = 4, i32 = 5, i64 = 6, double = 7, binary = 8, list = 9, set = 10, map = 11, structure = 12
    }

    private(set) var bytes: [UInt8] = []
    /// The last field id of each open struct (the innermost last).
    private var lastField: [Int16] = [0]

    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func zigzag(_ value: Int64) { varint(UInt64(bitPattern: (value << 1) ^ (value >> 63))) }

    mutating func fieldHeader(_ id: Int16, _ type: FieldType) {
        let delta = Int(id) - Int(lastField[lastField.count - 1])
        if delta > 0 && delta <= 15 {
            bytes.append(UInt8(delta) << 4 | type.rawValue)
        } else {
            bytes.append(type.rawValue)
            zigzag(Int64(id))
        }
        lastField[lastField.count - 1] = id
    }

    mutating func i32(_ id: Int16, _ value: Int32) { fieldHeader(id, .i32); zigzag(Int64(value)) }
    mutating func i64(_ id: Int16, _ value: Int64) { fieldHeader(id, .i64); zigzag(value) }
    mutating func i8(_ id: Int16, _ value: Int8) { fieldHeader(id, .byte); bytes.append(UInt8(bitPattern: value)) }
    mutating func bool(_ id: Int16, _ value: Bool) { fieldHeader(id, value ? .boolTrue : .boolFalse) }

    mutating func binary(_ id: Int16, _ value: [UInt8]) {
        fieldHeader(id, .binary)
        varint(UInt64(value.count))
        bytes += value
    }

    mutating func string(_ id: Int16, _ value: String) { binary(id, Array(value.utf8)) }

    /// A struct field: `body` writes its fields; the stop byte follows.
    mutating func structure(_ id: Int16, _ body: (inout ThriftCompact) -> Void) {
        fieldHeader(id, .structure)
        nested(body)
    }

    /// The fields of a struct (a list element or the top level), then its stop byte.
    mutating func nested(_ body: (inout ThriftCompact) -> Void) {
        lastField.append(0)
        body(&self)
        bytes.append(0)
        lastField.removeLast()
    }

    private mutating func listHeader(_ id: Int16, count: Int, _ element: FieldType) {
        fieldHeader(id, .list)
        if count < 15 {
            bytes.append(UInt8(count) << 4 | element.rawValue)
        } else {
            bytes.append(0xF0 | element.rawValue)
            varint(UInt64(count))
        }
    }

    mutating func list<T>(_ id: Int16, _ items: [T], _ body: (inout ThriftCompact, T) -> Void) {
        listHeader(id, count: items.count, .structure)
        for item in items { nested { body(&$0, item) } }
    }

    mutating func i32List(_ id: Int16, _ items: [Int32]) {
        listHeader(id, count: items.count, .i32)
        for item in items { zigzag(Int64(item)) }
    }

    mutating func stringList(_ id: Int16, _ items: [String]) {
        listHeader(id, count: items.count, .binary)
        for item in items {
            varint(UInt64(item.utf8.count))
            bytes += Array(item.utf8)
        }
    }

    /// A whole top-level struct.
    static func message(_ body: (inout ThriftCompact) -> Void) -> [UInt8] {
        var t = ThriftCompact()
        t.lastField = []
        t.nested(body)
        return t.bytes
    }
}
