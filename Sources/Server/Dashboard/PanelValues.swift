import LantaarnModel

/// What a panel's rows come to: one value per (series, time), per category or per area,
/// reduced as the panel says (mean, optionally weighted; sum; max; min; last).
struct PanelValues {
    /// One reduced value, with the band around it (forecasts) and how many rows it stands for.
    struct Point {
        var time: Int64
        var value: Double
        var lower: Double?
        var upper: Double?
        var rows: Int
    }

    struct Series {
        var name: String
        var points: [Point]
    }

    struct Category {
        /// The area code (maps) or the category text.
        var key: String
        var name: String
        var value: Double
        var rows: Int
    }

    /// Combines the values of several rows.
    struct Accumulator {
        var reduce: DashboardPanel.Reduce
        private(set) var rows = 0
        private var sum = 0.0, weights = 0.0, low = Double.infinity, high = -Double.infinity
        private var lastTime = Int64.min, lastValue = 0.0
        // Band: sums of bounds, and of squared half-widths (a sum's band assumes independent errors).
        private var lowerSum = 0.0, upperSum = 0.0, halfSquares = 0.0, bandRows = 0
        private var lowest = Double.infinity, highest = -Double.infinity

        init(_ reduce: DashboardPanel.Reduce) { self.reduce = reduce }

        mutating func add(_ v: Double, weight: Double = 1, time: Int64 = 0, lower: Double? = nil, upper: Double? = nil) {
            rows += 1
            sum += v * weight
            weights += weight
            low = Swift.min(low, v)
            high = Swift.max(high, v)
            if time >= lastTime { (lastTime, lastValue) = (time, v) }
            if let lower, let upper {
                bandRows += 1
                lowerSum += lower
                upperSum += upper
                let half = Swift.max(upper - v, v - lower)
                halfSquares += half * half
                lowest = Swift.min(lowest, lower)
                highest = Swift.max(highest, upper)
            }
        }

        var value: Double? {
            guard rows > 0 else { return nil }
            switch reduce {
            case .mean: return weights > 0 ? sum / weights : nil
            case .sum: return sum
            case .max: return high
            case .min: return low
            case .last: return lastValue
            }
        }

        /// The band of the reduced value, when every row had one.
        var band: (lower: Double, upper: Double)? {
            guard rows > 0, bandRows == rows, let v = value else { return nil }
            switch reduce {
            case .sum:
                let half = halfSquares.squareRoot()
                return (Swift.max(0, v - half), v + half)
            case .mean: return (lowerSum / Double(rows), upperSum / Double(rows))
            case .max, .min, .last: return (lowest, highest)
            }
        }
    }

    /// Series over time (line panels): per value of `series` (one series without it).
    static func series(_ panel: DashboardPanel, _ data: PanelRows) -> [Series] {
        guard let iTime = data.column(panel.time), let iValue = panel.value.flatMap(data.column) else { return [] }
        let iSeries = panel.series.flatMap(data.column)
        let iWeight = panel.weight.flatMap(data.column)
        let iLower = panel.band.flatMap { data.column($0.lower) }, iUpper = panel.band.flatMap { data.column($0.upper) }
        var groups: [String: [Int64: Accumulator]] = [:]
        for row in data.rows {
            guard let t = PanelRows.time(row[iTime]), let v = PanelRows.number(row[iValue]) else { continue }
            let name = iSeries.flatMap { PanelRows.text(row[$0]) } ?? ""
            let weight = iWeight.flatMap { PanelRows.number(row[$0]) } ?? 1
            groups[name, default: [:]][t, default: Accumulator(panel.reduce)]
                .add(v, weight: weight, time: t, lower: iLower.flatMap { PanelRows.number(row[$0]) }, upper: iUpper.flatMap { PanelRows.number(row[$0]) })
        }
        return groups.keys.sorted().map { name in
            let points = groups[name]!.compactMap { t, acc -> Point? in
                acc.value.map { Point(time: t, value: $0, lower: acc.band?.lower, upper: acc.band?.upper, rows: acc.rows) }
            }.sorted { $0.time < $1.time }
            return Series(name: name, points: points)
        }
    }

    /// One value per category (bar panels: `series`, default the area name) or per area
    /// (maps: area code, with its name).
    static func categories(_ panel: DashboardPanel, _ data: PanelRows, byArea: Bool) -> [Category] {
        let keyColumn = byArea ? panel.area : (panel.series ?? panel.areaName)
        guard let iKey = data.column(keyColumn), let iValue = panel.value.flatMap(data.column) else { return [] }
        let iName = byArea ? data.column(panel.areaName) : nil
        let iWeight = panel.weight.flatMap(data.column), iTime = data.column(panel.time)
        var groups: [String: (name: String, acc: Accumulator)] = [:]
        for row in data.rows {
            guard let key = PanelRows.text(row[iKey]), let v = PanelRows.number(row[iValue]) else { continue }
            let name = iName.flatMap { PanelRows.text(row[$0]) } ?? key
            groups[key, default: (name, Accumulator(panel.reduce))].acc
                .add(v, weight: iWeight.flatMap { PanelRows.number(row[$0]) } ?? 1, time: iTime.flatMap { PanelRows.time(row[$0]) } ?? 0)
        }
        return groups.compactMap { key, g in g.acc.value.map { Category(key: key, name: g.name, value: $0, rows: g.acc.rows) } }
            .sorted { $0.name < $1.name }
    }

    /// One value over every row (KPI tiles).
    static func total(_ panel: DashboardPanel, _ data: PanelRows) -> Accumulator? {
        guard let iValue = panel.value.flatMap(data.column) else { return nil }
        let iWeight = panel.weight.flatMap(data.column), iTime = data.column(panel.time)
        var acc = Accumulator(panel.reduce)
        for row in data.rows {
            guard let v = PanelRows.number(row[iValue]) else { continue }
            acc.add(v, weight: iWeight.flatMap { PanelRows.number(row[$0]) } ?? 1, time: iTime.flatMap { PanelRows.time(row[$0]) } ?? 0)
        }
        return acc.rows > 0 ? acc : nil
    }
}
