import LantaarnModel

extension PipelineDefinition {
    /// The input the counts come from, narrowed by the pipeline's filters: datasets of one
    /// namespace count the same things and are protected together.
    var disclosureNamespace: String {
        let filters = filters
        guard !filters.isEmpty else { return input.name }
        var hash = SHA256()
        hash.update(Array(JSONWriter.string(.array(filters.map { .object($0.parameters) })).utf8))
        return input.name + "?" + hash.finalize().prefix(6).map { String(format: "%02x", $0) }.joined()
    }

    /// How the dataset's counts are protected and related (part of its public metadata).
    public var disclosure: DisclosureSpec? {
        aggregating?.disclosure(namespace: disclosureNamespace, gemeente: output.spatial)
    }
}
