import LantaarnModel
/// The fields a pipeline file (`Pipelines/NAME.yaml`) may have.
extension YAMLSourceMap.Schema {
    static let pipeline: YAMLSourceMap.Schema = .fields([
        "name": .any, "version": .any, "owner": .any, "purpose": .any, "purpose_code": .any, "legal_basis": .any, "maturity_level": .any,
        "schedule": .any,
        "input": .fields(["quantities": .any, "meldingen": .any, "anpr": .any, "window": .any]),
        "stages": StageRegistry.schema,
        "output": .fields(["dataset": .any, "title": .any, "description": .any, "license": .any, "retention": .any,
                           "retention_basis": .any, "theme": .any, "keywords": .any, "frequency": .any, "spatial": .any, "access_rights": .any,
                           "access_reason": .any, "classification": .any]),
        "register": RawRegister.schema,
    ])
}
