import PostgresNIO
import Store

extension ChunkStatistics {
    /// A chunk row's summary columns `count, min_ts, max_ts, min_value, max_value, sum`, from column `first`.
    static func decode(_ row: PostgresRow, from first: Int) throws -> ChunkStatistics {
        let c = row.makeRandomAccess()
        return ChunkStatistics(count: Int(try c[first].decode(Int32.self)), minTimestamp: try c[first + 1].decode(Int64.self),
                               maxTimestamp: try c[first + 2].decode(Int64.self), minValue: try c[first + 3].decode(Double.self),
                               maxValue: try c[first + 4].decode(Double.self), sum: try c[first + 5].decode(Double.self))
    }
}
