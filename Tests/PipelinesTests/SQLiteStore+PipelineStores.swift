import Pipelines
import Store

extension SQLiteStore {
    /// The store's domains a pipeline run uses.
    var pipelineStores: PipelineStores {
        PipelineStores(readings: readings, releases: releases, meldingen: meldingen, anpr: anpr)
    }
}
