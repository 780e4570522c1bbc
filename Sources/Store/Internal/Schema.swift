import GRDB

/// Database migrations, in the one order every store applies them. Each domain keeps its own
/// (`ReadingsSchema`, `ReleasesSchema`, ...); a released migration is never edited, and the
/// identifiers are those old data directories have recorded.
enum Schema {
    static func migrator() -> DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1-walking-skeleton", migrate: SkeletonSchema.v1WalkingSkeleton)
        m.registerMigration("v2-chunked-columns", migrate: ReadingsSchema.v2ChunkedColumns)
        m.registerMigration("v3-retention", migrate: RetentionSchema.v3Retention)
        m.registerMigration("v4-shared-timestamps", migrate: ReadingsSchema.v4SharedTimestamps)
        m.registerMigration("v5-quarantine-value", migrate: ReadingsSchema.v5QuarantineValue)
        m.registerMigration("v6-ingested-files", migrate: ReadingsSchema.v6IngestedFiles)
        m.registerMigration("v7-boundaries", migrate: BoundariesSchema.v7Boundaries)
        m.registerMigration("v8-meldingen", migrate: MeldingenSchema.v8Meldingen)
        m.registerMigration("v9-melding-alerts", migrate: MeldingenSchema.v9MeldingAlerts)
        m.registerMigration("v10-release-hash", migrate: ReleasesSchema.v10ReleaseHash)
        m.registerMigration("v11-pipeline-runs", migrate: ReleasesSchema.v11PipelineRuns)
        m.registerMigration("v12-pipeline-versions", migrate: ReleasesSchema.v12PipelineVersions)
        m.registerMigration("v13-anpr", migrate: AnprSchema.v13Anpr)
        m.registerMigration("v14-release-rows", migrate: ReleasesSchema.v14ReleaseRows)
        m.registerMigration("v15-dataset-row-count", migrate: ReleasesSchema.v15DatasetRowCount)
        m.registerMigration("v16-chunk-series", migrate: ReadingsSchema.v16ChunkSeries)
        m.registerMigration("v17-disclosure-report", migrate: ReleasesSchema.v17DisclosureReport)
        m.registerMigration("v18-anpr-next-pseudonym", migrate: AnprSchema.v18AnprNextPseudonym)
        m.registerMigration("v19-hold-kinds", migrate: RetentionSchema.v19HoldKinds)
        m.registerMigration("v20-chunk-ts-index", migrate: ReadingsSchema.v20ChunkTsIndex)
        m.registerMigration("v21-data-changes", migrate: ReleasesSchema.v21DataChanges)
        m.registerMigration("v22-reading-corrections", migrate: ReadingsSchema.v22ReadingCorrections)
        m.registerMigration("v23-series-buurt", migrate: ReadingsSchema.v23SeriesBuurt)
        m.registerMigration("v24-release-window-start", migrate: ReleasesSchema.v24ReleaseWindowStart)
        m.registerMigration("v25-chunk-refs-in-code", migrate: ReadingsSchema.v25ChunkRefsInCode)
        m.registerMigration("v26-staff", migrate: StaffSchema.v26Staff)
        m.registerMigration("v27-audit-retention", migrate: StaffSchema.v27AuditRetention)
        m.registerMigration("v28-approvals", migrate: StaffSchema.v28Approvals)
        m.registerMigration("v29-ts-block-refs-by-index", migrate: ReadingsSchema.v29TsBlockRefsByIndex)
        m.registerMigration("v30-chunk-ts-deferred", migrate: ReadingsSchema.v30ChunkTsDeferred)
        m.registerMigration("v31-chunk-summary", migrate: ReadingsSchema.v31ChunkSummary)
        m.registerMigration("v32-open-runs", migrate: ReadingsSchema.v32OpenRuns)
        return m
    }
}
