import LantaarnModel
import Store

/// Per wijk × hoofdcategorie, a forecast of the weekly number of meldingen `horizon` weeks
/// ahead, by the method the rolling-origin backtest keeps for that series (the Poisson
/// seasonal model only where it beats the seasonal naive baseline), published with that
/// choice and its MASE. The same run judges the week just closed for early warning; alerts
/// are stored for people to acknowledge, never published.
public struct MeldingenForecastStage: Stage, Hashable {
    static let kind = "meldingen_forecast"
    static let inputs: Set<PipelineDefinition.Input.Kind> = [.meldingen]
    static let fields: [String: YAMLSourceMap.Schema] = [
        "group_by": .any, "horizon": .any, "history": .any, "alert_alpha": .any, "alert_min_excess": .any, "stacked_categories": .any,
    ]

    public var horizon: Int
    /// Weeks of history read (the backtest needs at least 64).
    public var historyWeeks: Int
    public var warning: EarlyWarning

    struct Raw: Decodable {
        var group_by: [String]
        var horizon: Int?
        var history: Int?
        var alert_alpha: Double?
        var alert_min_excess: Double?
        var stacked_categories: Int?
    }

    static func refusal(for input: PipelineDefinition.Input) -> String { MeldingenStage.refusal(for: input) }

    init(_ raw: Raw, context: StageParseContext) throws {
        let fail = context.fail
        guard raw.group_by == ["wijk", "hoofdcategorie"] else { throw fail("group_by", "only [wijk, hoofdcategorie] is supported for now") }
        horizon = raw.horizon ?? 4
        historyWeeks = raw.history ?? 104
        guard (1...12).contains(horizon) else { throw fail("horizon", "use 1 to 12 weeks") }
        guard (64...520).contains(historyWeeks) else { throw fail("history", "use 64 to 520 weeks (the backtest needs more than a year)") }
        let alpha = raw.alert_alpha ?? 0.0001
        guard alpha > 0, alpha < 0.5 else { throw fail("alert_alpha", "use a probability such as 0.0001") }
        warning = EarlyWarning(alpha: alpha, minimumExcess: raw.alert_min_excess ?? 3, stackedCategories: raw.stacked_categories ?? 3)
    }

    public init(horizon: Int = 4, historyWeeks: Int = 104, warning: EarlyWarning = EarlyWarning()) {
        self.horizon = horizon
        self.historyWeeks = historyWeeks
        self.warning = warning
    }

    public var columns: [ColumnSpec] {
        MeldingStatistics.groupColumns + [
            ColumnSpec(name: "periode_start", type: .timestamp, description: "Begin van de voorspelde week (maandag 0.00 uur Nederlandse tijd, in UTC)"),
            ColumnSpec(name: "periode_eind", type: .timestamp, description: "Einde van de voorspelde week"),
            ColumnSpec(name: "verwacht_aantal", type: .number, description: "Verwacht aantal meldingen in die week; leeg als er te weinig historie is"),
            ColumnSpec(name: "ondergrens_80", type: .number, description: "Ondergrens van het 80%-interval: het aantal ligt met 80% kans tussen onder- en bovengrens (toeval plus de fout uit de terugtoets)"),
            ColumnSpec(name: "bovengrens_80", type: .number, description: "Bovengrens van het 80%-interval"),
            ColumnSpec(name: "methode", type: .text, description: "poisson-seasonal (model met seizoen en trend) of seasonal-naive (zelfde week vorig jaar), gekozen per reeks met een terugtoets"),
            ColumnSpec(name: "mae", type: .number, description: "Gemiddelde afwijking (in meldingen per week) van de gekozen methode in de terugtoets"),
            ColumnSpec(name: "mase", type: .number, description: "Fout van de gekozen methode in de terugtoets, gedeeld door die van 'zelfde week vorig jaar' (onder 1 is beter)"),
            ColumnSpec(name: "weken_historie", type: .integer, description: "Aantal weken waarop de voorspelling rust"),
        ]
    }

    /// The 80% interval around a forecast `mean`: the wider of Poisson chance (sd √mean) and the
    /// backtest's error (sd ≈ 1.2533 × MAE for normal errors), ±1.2816 sd, never below zero.
    static func interval(mean: Double, mae: Double?) -> (lower: Double, upper: Double) {
        let sd = max(mean.squareRoot(), 1.2533 * (mae ?? 0))
        return (max(0, mean - 1.2816 * sd), mean + 1.2816 * sd)
    }

    /// The weeks of history ending with `window` (a closed week), oldest first.
    func weeks(endingWith window: TimeWindow) -> [TimeWindow] {
        var out = [window]
        while out.count < historyWeeks {
            let start = DutchTime.weekStart(out[0].start - 12 * 3_600_000)
            out.insert(TimeWindow(start: start, end: out[0].start), at: 0)
        }
        return out
    }

    /// Forecast rows and the week's alerts from the meldingen reported in the history.
    public func run(_ meldingen: [Melding], window: TimeWindow, now: Int64,
                    wijkName: (String) -> String) -> (rows: [[CellValue]], alerts: [MeldingAlert]) {
        var weeks = weeks(endingWith: window)
        // History starts at the first week with any melding: earlier weeks are not zeros, just unknown.
        if let first = meldingen.map(\.createdAt).min(), let i = weeks.firstIndex(where: { $0.end > first }) { weeks.removeFirst(i) }
        let index = Dictionary(uniqueKeysWithValues: weeks.enumerated().map { ($1.start, $0) })
        var series: [MeldingStatistics.Group: [Double]] = [:]
        for m in meldingen {
            guard m.wijk != nil, let i = index[DutchTime.weekStart(m.createdAt)] else { continue }
            series[MeldingStatistics.Group(m), default: Array(repeating: 0, count: weeks.count)][i] += 1
        }
        var future: [TimeWindow] = []
        var start = window.end
        for _ in 0..<horizon {
            let end = DutchTime.weekStart(start + 7 * 86_400_000 + 12 * 3_600_000)
            future.append(TimeWindow(start: start, end: end))
            start = end
        }
        var rows: [[CellValue]] = []
        var judged: [String: [(category: String, judgements: [EarlyWarning.Judgement])]] = [:]
        var alerts: [MeldingAlert] = []
        for group in series.keys.sorted() {
            let y = series[group]!
            var method: CountForecast.Method?, mase: Double?, mae: Double?
            if y.count >= 64 {
                let b = CountForecast.backtest(y, firstOrigin: max(60, y.count - 44), horizon: horizon)
                method = b.chosen
                mase = b.mase[b.chosen]
                mae = b.mae[b.chosen]
            } else if y.count >= CountForecast.season {
                method = .seasonalNaive
            }
            let predicted = method.map { CountForecast.forecast(y, horizon: horizon, method: $0) }
            for (h, week) in future.enumerated() {
                let band = predicted.map { Self.interval(mean: $0[h], mae: mae) }
                rows.append([.text(group.wijk), .text(wijkName(group.wijk)), .text(group.hoofdcategorie),
                             .text(ISO8601.format(milliseconds: week.start)), .text(ISO8601.format(milliseconds: week.end)),
                             predicted.map { .number(($0[h] * 10).rounded() / 10) } ?? .null,
                             band.map { .number(($0.lower * 10).rounded() / 10) } ?? .null,
                             band.map { .number(($0.upper * 10).rounded() / 10) } ?? .null,
                             .text(method?.rawValue ?? "onvoldoende historie"),
                             mae.map { .number(($0 * 100).rounded() / 100) } ?? .null,
                             mase.map { .number(($0 * 1000).rounded() / 1000) } ?? .null, .integer(Int64(y.count))])
            }
            // Early warning for the week just closed (the last of the series).
            guard y.count > CountForecast.season else { continue }
            let j = warning.judge(y, from: max(CountForecast.season, y.count - 26))
            judged[group.wijk, default: []].append((group.hoofdcategorie, j))
            if let last = j.last, last.alert {
                alerts.append(MeldingAlert(weekStart: window.start, wijk: group.wijk, kind: .spike, categories: group.hoofdcategorie,
                                           observed: Int(last.observed), expected: last.expected, tail: last.tail, createdAt: now))
            }
        }
        for (wijk, categories) in judged.sorted(by: { $0.key < $1.key }) {
            let lastWeek = (categories.first?.judgements.last?.week) ?? -1
            guard warning.stacked(categories.map(\.judgements)).contains(lastWeek) else { continue }
            let rising = categories.compactMap { c -> (String, EarlyWarning.Judgement)? in
                guard let last = c.judgements.last, last.tail < warning.risingAlpha, last.observed > last.expected else { return nil }
                return (c.category, last)
            }
            let names = rising.map(\.0).sorted()
            alerts.append(MeldingAlert(weekStart: window.start, wijk: wijk, kind: .stacked, categories: names.joined(separator: ", "),
                                       observed: Int(rising.reduce(0) { $0 + $1.1.observed }), expected: rising.reduce(0) { $0 + $1.1.expected },
                                       tail: rising.map(\.1.tail).min() ?? 1, createdAt: now))
        }
        return (rows, alerts)
    }
}

extension MeldingenForecastStage: AggregatingStage {
    static let publishes = StagePublication.estimates

    func columns(suppressed: Bool) -> [ColumnSpec] { columns }

    /// Forecasts from the history before the week's end; the week's alerts are stored for
    /// people to acknowledge (never published).
    func run(input: StageInput, window: TimeWindow) throws -> StageOutput {
        let weeks = weeks(endingWith: window)
        let meldingen = try input.stores.meldingen.meldingen(createdIn: TimeWindow(start: weeks[0].start, end: window.end)).filter(input.keeps)
        let (forecasts, alerts) = run(meldingen, window: window, now: Clock.nowMilliseconds(), wijkName: input.wijkName(at: window.start))
        try input.stores.meldingen.recordAlerts(alerts, weekStart: window.start)
        return StageOutput(rows: forecasts, rowsIn: meldingen.count, withoutWijk: meldingen.filter { $0.wijk == nil }.count,
                           lineage: [("alerts_recorded", .number(Double(alerts.count)))])
    }

    var parameters: [(String, JSONValue)] {
        [("horizon_weeks", .number(Double(horizon))), ("history_weeks", .number(Double(historyWeeks))),
         ("methods", .array([.string("seasonal-naive"), .string("poisson-seasonal")])),
         ("choice", .string("rolling-origin backtest per series; the model only where its MAE beats seasonal naive on the earlier origins; MAE and MASE from the later ones"))]
    }

    func dutch(quantities: [String]) -> String {
        "Voorspelt per wijk en hoofdcategorie het aantal meldingen voor de komende \(horizon) weken, met een rekenmodel dat per reeks wordt getoetst tegen 'zelfde week vorig jaar'; alleen als het model beter is, wordt het gebruikt. Geeft een waarschuwing als er in een wijk veel meer meldingen zijn dan verwacht, of als meerdere soorten tegelijk stijgen."
    }
}
