import GRDB
import LantaarnModel

/// Cells as SQLite values and back.
extension CellValue {
    /// The value to bind for this cell.
    var databaseValue: (any DatabaseValueConvertible)? {
        switch self {
        case .text(let s): s
        case .integer(let n): n
        case .number(let d): d
        case .null: nil
        }
    }

    /// The cell for a value SQLite returned (a blob reads as no value).
    init(_ value: DatabaseValue) {
        switch value.storage {
        case .int64(let n): self = .integer(n)
        case .double(let d): self = .number(d)
        case .string(let s): self = .text(s)
        case .blob, .null: self = .null
        }
    }
}
