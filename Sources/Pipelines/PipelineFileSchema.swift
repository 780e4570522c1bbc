/// The fields a pipeline file (`Pipelines/NAME.yaml`) may have.
extension YAMLSourceMap.Schema {
    static let pipeline: YAMLSourceMap.Schema = .fields([
        "name": .any, "version": .any, "owner": .any, "purpose": .any, "purpose_code": .any, "legal_basis": .any, "maturity_level": .any,
        "schedule": .any,
        "input": .fields(["quantities": .any, "meldingen": .any, "anpr": .any, "window": .any]),
        "stages": .list(.fields([
            "filter": .fields(["sensors": .any, "wijken": .any, "hoofdcategorie": .any, "cameras": .any]),
            "pseudonymise": .fields(["field": .any, "key_period": .any]),
            "generalise": .fields(["space": .any, "time": .any, "cell": .any]),
            "scrub": .fields(["field": .any]),
            "aggregate": .fields(["functions": .any]),
            "suppress": .fields(["k": .any, "round_to": .any, "complementary": .any]),
            "travel_time": .fields(["routes": .list(.fields(["from": .any, "to": .any])), "max_travel": .any]),
            "meldingen": .fields(["group_by": .any]),
            "meldingen_forecast": .fields(["group_by": .any, "horizon": .any, "history": .any, "alert_alpha": .any,
                                           "alert_min_excess": .any, "stacked_categories": .any]),
            "meldingen_tiles": .fields(["group_by": .any, "norms": .any]),
            "meldingen_text": .fields([:]),
        ])),
        "output": .fields(["dataset": .any, "title": .any, "description": .any, "license": .any, "retention": .any,
                           "retention_basis": .any, "theme": .any, "frequency": .any, "spatial": .any, "access_rights": .any,
                           "access_reason": .any, "classification": .any]),
    ])
}
