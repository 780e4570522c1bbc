import LantaarnModel

extension AggregateQuery {
    /// Whether chunks' hour summaries can answer this query (given a window that holds their
    /// hours): statistics only, in buckets made of whole hours.
    package var hoursMayAnswer: Bool {
        statisticsSuffice && bucket % SubWindowSummary.span == 0 && TimeBucket.floor(origin, size: SubWindowSummary.span) == origin
    }

    /// Whether a chunk's summary (count, sum, min, max) is all this query needs of it: the chunk
    /// lies inside the window and inside one bucket, and no single values are asked for.
    package func summarySuffices(_ chunk: ChunkStatistics) -> Bool {
        statisticsSuffice && window.contains(chunk.minTimestamp) && window.contains(chunk.maxTimestamp)
            && bucketStart(chunk.minTimestamp) == bucketStart(chunk.maxTimestamp)
    }
}

/// Adding stored readings to an aggregate, the same for every backend.
extension AggregateTable {
    /// Adds one sealed chunk of `series`. Unless the query needs single values (energetic mean,
    /// quantiles), nothing is decoded when the chunk's statistics answer it: its row's (a chunk
    /// inside the window and inside one bucket), or its hours' (`summary`, when each hour with
    /// readings lies inside the window and inside one bucket: hourly and daily buckets over day
    /// chunks). Otherwise `decode` gives its times and values.
    package mutating func addChunk(_ chunk: ChunkStatistics, summary: [UInt8]?, series: AggregateSelection.Series, _ q: AggregateQuery,
                                   decode: () throws -> (ts: [Int64], vs: [Double])) throws {
        let firstBucket = q.bucketStart(chunk.minTimestamp)
        if q.summarySuffices(chunk) {
            var acc = AggregateAccumulator()
            acc.merge(count: chunk.count, sum: chunk.sum, min: chunk.minValue, max: chunk.maxValue)
            add(series.key(firstBucket), acc)
            return
        }
        if q.hoursMayAnswer, let summary, try addSubWindows(summary, chunk, series: series, q) { return }
        // A chunk's timestamps are sorted: walk the bucket boundaries instead of dividing
        // per value, and look a group up once per bucket rather than once per value.
        let (ts, vs) = try decode()
        let energetic = q.energeticMean, keep = keepsValues
        // A group's values: about this chunk's share times the series in the group.
        let expected = (chunk.count / max(1, Int((chunk.maxTimestamp - chunk.minTimestamp) / q.bucket) + 1) + 1) * series.peers
        var next = firstBucket
        var slot = -1
        var acc = AggregateAccumulator()
        ts.withUnsafeBufferPointer { ts in
            vs.withUnsafeBufferPointer { vs in
                // The chunk's times inside the window (sorted: one run), then its buckets' runs;
                // values for quantiles are kept a run at a time.
                var k = 0, end = ts.count
                while k < end && ts[k] < q.window.start { k += 1 }
                while end > k && ts[end - 1] >= q.window.end { end -= 1 }
                var run = k
                func close() {
                    guard acc.count > 0 else { return }
                    merge(acc, into: slot)
                    if keep { self.keep(UnsafeBufferPointer(rebasing: vs[run..<k]), in: slot, expected: expected) }
                }
                while k < end {
                    let t = ts[k]
                    if t >= next {
                        close()
                        (acc, run) = (AggregateAccumulator(), k)
                        let bucketStart = q.bucketStart(t)
                        next = bucketStart + q.bucket
                        slot = self.slot(series.key(bucketStart))
                    }
                    acc.add(vs[k], energetic: energetic)
                    k += 1
                }
                close()
            }
        }
    }

    /// Adds the chunk's hours from its summary; false (nothing added) when an hour with readings
    /// reaches outside the window or over a bucket boundary. A summary that does not decode, or
    /// disagrees with its chunk's row, fails the query with the chunk named.
    private mutating func addSubWindows(_ summary: [UInt8], _ chunk: ChunkStatistics, series: AggregateSelection.Series,
                                        _ q: AggregateQuery) throws -> Bool {
        let (window, buckets) = (q.window, q.buckets)
        do {
            return try summary.withUnsafeBytes { bytes in
                try SubWindowSummary.withSlots(bytes, chunk: chunk) { hours in
                    for h in hours {
                        guard window.contains(h.first) && window.contains(h.last) && buckets.start(h.first) == buckets.start(h.last) else { return false }
                    }
                    merge(hours, series: series, buckets)
                    return true
                }
            }
        } catch let error as ChunkCodecError {
            throw error.naming("of sensor \(series.sensorID) from \(ISO8601.format(milliseconds: chunk.minTimestamp))")
        }
    }

    /// Adds one reading of the open buffer.
    package mutating func addOpen(series: AggregateSelection.Series, timestamp: Int64, value: Double, _ q: AggregateQuery) {
        var acc = AggregateAccumulator()
        acc.add(value, energetic: q.energeticMean)
        add(series.key(q.bucketStart(timestamp)), acc, values: [value])
    }
}
