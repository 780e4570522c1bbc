import Testing

/// Suites that load the machine (chaos kills, a browser) or measure time (reconnects after a
/// broker restart) run one after another, nested here: side by side on two cores, the load of one
/// made the timings of another fail.
@Suite(.serialized) enum TimingSensitiveTests {}
