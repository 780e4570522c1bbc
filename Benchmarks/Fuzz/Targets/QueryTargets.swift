import LantaarnModel
@testable import Server

/// The query API's query string: strict percent-decoding and the `col__op=value`, `_sort`,
/// `_size`, `_next` and `_facet` parameters read against a dataset's columns.
enum QueryTargets {
    static let all: [FuzzTarget] = [
        FuzzTarget(name: "query-string", covers: "/datasets/X.json?…: query string and filter parser", maxLength: 4_200,
                   run: { bytes in
                       guard let parameters = try? QueryString(String(decoding: bytes, as: UTF8.self)) else { return }
                       _ = try? RowQueryRequest(parameters, columns: columns)
                   },
                   seeds: { _ in inline(
                       ("filters", "wijk=WK039201&waarde__gte=3.5&aantal__lt=10&_sort=-periode_start&_size=25"),
                       ("in", "wijk__in=WK039201,WK039202&naam__contains=Centr%C3%BCm&waarde__isnull=1"),
                       ("facet", "_facet=wijk&_facet=naam&periode_start__gt=2026-11-01T00:00:00Z&_sort_desc=aantal"),
                       ("next", "_next=eyJ2IjoxfQ&_size=1000"),
                       ("plus", "naam=Haarlem+Noord&_shape=objects")) })
    ]

    private static let columns = [
        ColumnSpec(name: "wijk", type: .text, description: "Wijkcode"),
        ColumnSpec(name: "naam", type: .text, description: "Wijknaam"),
        ColumnSpec(name: "periode_start", type: .timestamp, description: "Begin"),
        ColumnSpec(name: "aantal", type: .integer, description: "Aantal"),
        ColumnSpec(name: "waarde", type: .number, unit: "µg/m³", description: "Waarde"),
    ]
}
