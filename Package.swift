// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "lantaarn",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "lantaarn", targets: ["lantaarn"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/adam-fowler/compress-nio", from: "1.5.0"),
        // NIOCore and NIOHTTPTypes (already in the graph through Hummingbird): the request-head deadline.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        // The PostgreSQL backend (issue 29).
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // Bearer JWTs from the municipality's identity provider (issue 30).
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.8.0"),
    ],
    targets: [
        // System library: libmosquitto (Debian: libmosquitto-dev).
        .systemLibrary(name: "CMosquitto", path: "Sources/CMosquitto"),

        // System library: libcurl for HTTP pulls (Debian: libcurl4-openssl-dev).
        .systemLibrary(name: "CCurl", path: "Sources/CCurl"),

        // System library: OpenSSL's libcrypto for SHA-256 (Debian: libssl-dev).
        .systemLibrary(name: "CLibCrypto", path: "Sources/CLibCrypto"),

        // System library: zstd, the compression of Parquet pages (Debian: libzstd-dev).
        .systemLibrary(name: "CZstd", path: "Sources/CZstd"),

        // Apache Parquet writer (flat schemas; see ParquetWriter.swift for the parts of the format).
        .target(name: "Parquet", dependencies: ["CZstd"]),

        // System library: JavaScriptCore's C API, the engine of vendor codecs (Debian: libjavascriptcoregtk-4.1-dev).
        .systemLibrary(name: "CJavaScriptCore", path: "Sources/CJavaScriptCore", pkgConfig: "javascriptcoregtk-4.1"),

        // `lantaarn-codec`: one vendor codec (JavaScript) in a sandboxed process of its own; the
        // ingest talks to it over a pipe (Ingest/Codecs/JavaScript). Written in C: no Swift runtime
        // to start, and nothing in it but the engine, the limits and the protocol.
        .executableTarget(name: "lantaarn-codec", dependencies: ["CJavaScriptCore"], path: "Sources/CodecWorker"),

        // System library: GLPK, the linear programmes of disclosure control (Debian: libglpk-dev).
        .systemLibrary(name: "CGLPK", path: "Sources/CGLPK"),

        // Plain value types shared by every module.
        .target(name: "LantaarnModel", dependencies: ["CLibCrypto", .product(name: "Yams", package: "Yams")]),

        // libmosquitto wrapper; only MQTTClient/Internal calls mosquitto_*.
        .target(
            name: "MQTTClient",
            dependencies: [
                "CMosquitto",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Boundaries, point-in-polygon.
        .target(
            name: "Geo",
            dependencies: ["LantaarnModel"],
            resources: [.copy("Resources")]
        ),

        // The store behind one narrow interface.
        .target(
            name: "Store",
            dependencies: [
                "LantaarnModel",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // The same domain protocols on PostgreSQL (`store: postgresql://...`): the scale-out backend.
        .target(
            name: "StorePostgres",
            dependencies: [
                "LantaarnModel", "Store",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),

        // Ingest log, codecs, registry validation, quarantine.
        .target(
            name: "Ingest",
            dependencies: [
                "LantaarnModel", "Store", "Geo", "MQTTClient", "CCurl",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),

        // Pipeline definitions, stages, scheduler, releases, disclosure control (only
        // Pipelines/Disclosure/LinearProgram.swift calls GLPK).
        .target(
            name: "Pipelines",
            dependencies: [
                "LantaarnModel", "Store", "Geo", "CGLPK",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // HTTP surface.
        .target(
            name: "Server",
            dependencies: [
                "LantaarnModel", "Store", "Pipelines", "Parquet",
                .product(name: "Hummingbird", package: "hummingbird"),
                // HTTPS with a configured certificate and key (swift-nio-ssl).
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                // gzip for streamed downloads (zlib).
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                // OIDC: signatures of bearer JWTs against the issuer's JWKS.
                .product(name: "JWTKit", package: "jwt-kit"),
            ]
        ),

        // The CLI; the only place that bootstraps logging and builds the ServiceGroup.
        .executableTarget(
            name: "lantaarn",
            dependencies: [
                "LantaarnModel", "MQTTClient", "Ingest", "Geo", "Store", "StorePostgres", "Pipelines", "Server",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),

        // `make bench-store`: Lantaarn's store; its peers run from Benchmarks/store_peers.py.
        // Generated readings shared by the benchmarks.
        .target(name: "BenchSupport", dependencies: ["LantaarnModel"], path: "Benchmarks/BenchSupport"),
        .executableTarget(
            name: "lantaarn-store-bench",
            dependencies: ["Store", "LantaarnModel", "BenchSupport", .product(name: "GRDB", package: "GRDB.swift")],
            path: "Benchmarks/StoreBench"
        ),
        // `make bench-cluster`: the PostgreSQL store next to the SQLite store (append, sealing, aggregate).
        .executableTarget(
            name: "lantaarn-cluster-bench",
            dependencies: ["Store", "StorePostgres", "LantaarnModel", "BenchSupport", "TestSupport"],
            path: "Benchmarks/ClusterBench"
        ),
        // `make bench-ingest`: payload decode rates per codec (more of the ingest path follows).
        .executableTarget(
            name: "lantaarn-ingest-bench",
            dependencies: ["Ingest", "LantaarnModel", "Store", "Geo"],
            path: "Benchmarks/IngestBench"
        ),

        // `make bench-geo`: point lookups against brute force, RD New against cs2cs, import times.
        .executableTarget(
            name: "lantaarn-geo-bench",
            dependencies: ["Geo", "LantaarnModel"],
            path: "Benchmarks/GeoBench"
        ),
        // `make bench-pipelines`: an hourly per-wijk pipeline over 100 M readings, end to end;
        // its DuckDB peer runs from Benchmarks/pipeline_peer.py.
        .executableTarget(
            name: "lantaarn-pipeline-bench",
            dependencies: ["Pipelines", "Store", "LantaarnModel", "Geo", "BenchSupport", .product(name: "Logging", package: "swift-log")],
            path: "Benchmarks/PipelineBench"
        ),

        // `make bench-server`: the HTTP surface over a generated dataset; its peers (nginx,
        // Datasette) and wrk run from Benchmarks/server_bench.sh.
        .executableTarget(
            name: "lantaarn-server-bench",
            dependencies: ["Server", "Store", "LantaarnModel", .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "Logging", package: "swift-log"),
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
            path: "Benchmarks/ServerBench"
        ),

        // `make verify` (issue 10): accounts every published message against the store.
        .executableTarget(
            name: "lantaarn-verify",
            dependencies: ["Store", "LantaarnModel"],
            path: "Benchmarks/Verify"
        ),

        // `make fuzz` and `FuzzTargetTests` (issue 10): every parser of untrusted input, as fuzz targets.
        .target(
            name: "LantaarnFuzzTargets",
            dependencies: ["Ingest", "Pipelines", "Server", "Geo", "Store", "LantaarnModel"],
            path: "Benchmarks/Fuzz/Targets"
        ),

        // What the test targets share: the only way a test starts a process (a `Tool` from
        // Tests/tools.list, or a built executable), and a log handler that keeps lines in memory.
        // tools.py is the same helper for the fixture scripts.
        .target(name: "TestSupport", dependencies: ["LantaarnModel", .product(name: "Logging", package: "swift-log")], path: "Tests/TestSupport",
                exclude: ["tools.py"]),

        .testTarget(name: "LantaarnModelTests", dependencies: ["LantaarnModel"]),
        .testTarget(name: "ParquetTests", dependencies: ["Parquet", "TestSupport"]),
        .testTarget(name: "MQTTClientTests", dependencies: ["MQTTClient", "TestSupport"]),
        .testTarget(name: "GeoTests", dependencies: ["Geo", "LantaarnModel", "TestSupport"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "LantaarnModel", "TestSupport"]),
        // The store contract, written once and run against SQLite and a private PostgreSQL 15.
        .testTarget(name: "StoreConformanceTests", dependencies: ["Store", "StorePostgres", "LantaarnModel", "TestSupport"]),
        .testTarget(name: "IngestTests", dependencies: ["Ingest", "Store", "Geo", "LantaarnModel", "TestSupport"]),
        .testTarget(name: "PipelinesTests", dependencies: ["Pipelines", "Store", "LantaarnModel", "Geo", "TestSupport"]),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "Server", "Store", "Pipelines", "LantaarnModel", "Geo", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                // Signs the OIDC tests' tokens with their own RSA and EC keys.
                .product(name: "JWTKit", package: "jwt-kit"),
            ]
        ),
        .testTarget(name: "lantaarnTests", dependencies: ["lantaarn", "Store", "MQTTClient", "Geo", "LantaarnModel"]),
        .testTarget(name: "FuzzTargetTests", dependencies: ["LantaarnFuzzTargets", "LantaarnModel"]),
        .testTarget(name: "IntegrationTests", dependencies: ["lantaarn", "Ingest", "Store", "StorePostgres", "LantaarnModel", "MQTTClient", "TestSupport"],
                    exclude: ["Support/conditional_http_server.py"]),
        // Every program a test runs is on Tests/tools.list and installed by `make test`'s setup.
        .testTarget(name: "ToolListTests", dependencies: ["TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)

// `make fuzz` only (LANTAARN_FUZZ=1, built with `--sanitize=address` into .build-fuzz): the
// libFuzzer entry points, and a `main` that hands over to libFuzzer's driver (CFuzzMain).
// Only Lantaarn's own modules get libFuzzer's coverage counters (the same instrumentation as
// `-sanitize=fuzzer`); every module gets ASan. libFuzzer scans all counters after each input,
// and with every dependency instrumented (824,104 counters, four fifths of them in GRDB, NIO,
// Hummingbird and the like) that scan took a third of the fuzzing time (perf, boundary-import).
// Benchmarks/fuzz_run.py checks the same list of modules.
if Context.environment["LANTAARN_FUZZ"] == "1" {
    let fuzzedModules: Set<String> = ["LantaarnModel", "Geo", "Ingest", "Store", "Pipelines", "Server", "LantaarnFuzzTargets"]
    for target in package.targets where fuzzedModules.contains(target.name) {
        target.swiftSettings = (target.swiftSettings ?? [])
            + [.unsafeFlags(["-sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp"])]
    }
    package.targets.append(.target(name: "CFuzzMain", path: "Benchmarks/Fuzz/Main"))
    package.targets.append(.executableTarget(
        name: "lantaarn-fuzz",
        dependencies: ["LantaarnFuzzTargets", "CFuzzMain"],
        path: "Benchmarks/Fuzz/Entry",
        swiftSettings: [.unsafeFlags(["-parse-as-library"])],
        // Links libFuzzer (its driver and the coverage callbacks) next to ASan's runtime.
        linkerSettings: [.unsafeFlags(["-sanitize=fuzzer,address"])]
    ))
}
