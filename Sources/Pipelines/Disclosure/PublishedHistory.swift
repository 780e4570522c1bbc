import LantaarnModel
import Store

/// What an attacker downloads: the current rows of every public dataset whose counts are
/// protected (a ``DisclosureSpec`` in its metadata), as ``PublishedTable``s.
enum PublishedHistory {
    /// The public tables of `namespace` (all namespaces when `nil`), without the current release
    /// of `excluding`'s window (the one about to be replaced) and of that dataset's windows in
    /// `replacing` (published again later in the same run).
    static func tables(_ store: any ReleaseStore, namespace: String?, excluding: (dataset: String, window: Int64)? = nil,
                       replacing: Set<Int64> = []) throws -> [PublishedTable] {
        var tables: [PublishedTable] = []
        for summary in try store.datasets() {
            let metadata = summary.metadata
            guard metadata.isPublic, let spec = metadata.disclosure, namespace == nil || spec.namespace == namespace,
                  spec.counts.contains(where: \.isProtected) else { continue }
            var rows: [[CellValue]] = []
            for release in try store.releases(dataset: metadata.name) where release.current {
                if let excluding, excluding.dataset == metadata.name,
                   excluding.window == release.window.start || replacing.contains(release.window.start) { continue }
                var after: Int?
                repeat {
                    let page = try store.releaseRows(release, after: after, limit: 10_000)
                    rows += page.rows
                    after = page.next
                } while after != nil
            }
            tables.append(PublishedTable(dataset: metadata.name, spec: spec, columns: metadata.columns.map(\.name), rows: rows))
        }
        return tables
    }
}
