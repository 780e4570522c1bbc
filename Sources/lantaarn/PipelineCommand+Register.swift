import ArgumentParser
import LantaarnModel
import Pipelines

extension PipelineCommand {
    /// `lantaarn pipeline register NAME`: the pipeline's entry in the national algorithm
    /// register (publicatiestandaard 1.0.0), as `/algoritmes/NAME.json` serves it.
    struct Register: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a pipeline's entry for the national algorithm register (JSON, publicatiestandaard 1.0.0).",
            discussion: "Organisation and contact come from lantaarn.yaml (site), the links from server.public_url, status and start date from the dataset's first release; the judgements from the pipeline's register: block.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Pipeline name (see 'lantaarn pipeline list').") var name: String

        func run() async throws {
            let settings = try common.settings()
            let runtime = try Runtime(settings: settings, label: "lantaarn.pipeline")
            let pipeline = try runtime.pipelineInForce(name)
            let publisher = AlgorithmRegisterEntry.Publisher(organisation: settings.municipality, contact: settings.contactEmail,
                                                             publicURL: settings.publicURL)
            let entry = AlgorithmRegisterEntry(pipeline, publisher: publisher,
                                               firstPublished: try runtime.store.releases.dataset(named: pipeline.output.dataset)?.issuedAt,
                                               now: Clock.nowMilliseconds())
            Console.line(JSONWriter.string(entry.json))
        }
    }
}
