import PostgresNIO

extension PGSession {
    /// Inserts `rows` into `table` with multi-row statements of up to `batch` rows each (no round
    /// trip per row); `bind` appends one row's values in `columns` order.
    func insert<Row>(into table: String, columns: [String], _ rows: [Row], batch: Int = 1_000,
                     bind: (Row, inout PostgresBindings) throws -> Void) throws {
        let width = columns.count
        for start in stride(from: 0, to: rows.count, by: batch) {
            let part = rows[start..<min(start + batch, rows.count)]
            var bindings = PostgresBindings(capacity: part.count * width)
            var tuples: [String] = []
            tuples.reserveCapacity(part.count)
            for (k, row) in part.enumerated() {
                tuples.append("(" + (1...width).map { "$\(width * k + $0)" }.joined(separator: ", ") + ")")
                try bind(row, &bindings)
            }
            try query(PostgresQuery(unsafeSQL: "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
                                        + tuples.joined(separator: ", "), binds: bindings))
        }
    }
}
