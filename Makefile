# Lantaarn: `make run` starts a demo, `make test` runs every test.
SHELL := /bin/bash
# A recipe line that pipes a command into grep or tee fails when the command fails.
.SHELLFLAGS := -o pipefail -c
SWIFT ?= swift
PORT_HTTP ?= 8080

.PHONY: run test build release setup broker clean bench bench-store bench-cluster bench-ingest bench-geo bench-pipelines bench-server bench-dashboards docs verify fuzz venv venv-test

setup:
	@scripts/setup

build: setup
	$(SWIFT) build

release: setup
	$(SWIFT) build -c release --product lantaarn
	$(SWIFT) build -c release --product lantaarn-codec

broker: setup
	@scripts/broker 1883

# Builds in release mode, starts a loopback broker if none runs, then Lantaarn with demo sensors.
run: release broker
	@echo "Dashboards: http://127.0.0.1:$(PORT_HTTP)/dashboards"
	.build/release/lantaarn serve --demo --listen 127.0.0.1:$(PORT_HTTP)

# Builds everything (the integration test runs the real binary), then runs all tests.
# pycanon (in .venv) checks the k-anonymity of published releases independently; ckanapi
# lists and shows every dataset through the CKAN Action API, as a harvester would; schemathesis
# checks the query API against /openapi.json; pyshacl validates the DCAT-AP-NL catalogue;
# frost-sta-client pages through the SensorThings interface; selenium with axe-core opens every
# dashboard in headless Chromium (WCAG 2.1 AA, same origin only, keyboard).
test: setup venv-test
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

venv-test: setup
	@scripts/venv test

# Python peers (DuckDB, Datasette) live in .venv, never installed globally. Every Python package
# and program a test or benchmark uses is named in Tests/tools.list; scripts/venv installs them.
venv: setup
	@scripts/venv test bench

# Store benchmark: BENCH_SENSORS × 2 quantities × BENCH_PER_SERIES readings (default 1,000 × 2 × 50,000 = 100 M).
BENCH_SENSORS ?= 1000
BENCH_PER_SERIES ?= 50000
BENCH_DIR ?= data/bench
bench-store: venv
	@scripts/setup --bench
	$(SWIFT) build -c release --product lantaarn-store-bench
	@mkdir -p $(BENCH_DIR)
	.build/release/lantaarn-store-bench $(BENCH_DIR) ../shared $(BENCH_SENSORS) $(BENCH_PER_SERIES) > $(BENCH_DIR)/lantaarn.json
	.venv/bin/python Benchmarks/store_peers.py $(BENCH_DIR) $(BENCH_DIR)/lantaarn.json
	@# Exact recovery: 50 SIGKILLs of a draining writer (Tests/IntegrationTests/RecoveryTests.swift).
	@$(SWIFT) build --build-tests > /dev/null
	@$(SWIFT) test --skip-build --filter RecoveryTests 2>&1 | grep "^BENCH recovery"

# Cluster benchmark (issue 29), store part: the PostgreSQL store next to the SQLite store on the
# same 10 M readings (1,000 sensors × 2 quantities × 5,000): append in time-major batches, sealing,
# and the per-wijk hourly aggregate. PostgreSQL 15 runs durable on a free loopback port.
BENCH_CLUSTER_SENSORS ?= 1000
BENCH_CLUSTER_PER_SERIES ?= 5000
# Then end to end: BENCH_CLUSTER_MESSAGES QoS 1 messages through one mosquitto into one SQLite node,
# and into BENCH_CLUSTER_NODES ingest nodes on one PostgreSQL (Benchmarks/cluster_ingest.py).
BENCH_CLUSTER_MESSAGES ?= 300000
BENCH_CLUSTER_NODES ?= 3
bench-cluster: setup
	@scripts/setup --bench
	$(SWIFT) build -c release --product lantaarn-cluster-bench
	$(SWIFT) build -c release --product lantaarn
	$(SWIFT) build -c release --product lantaarn-codec
	@mkdir -p $(BENCH_DIR)
	.build/release/lantaarn-cluster-bench $(BENCH_DIR)/cluster $(BENCH_CLUSTER_SENSORS) $(BENCH_CLUSTER_PER_SERIES)
	python3 Benchmarks/cluster_ingest.py .build/release/lantaarn $(BENCH_DIR)/cluster-ingest $(BENCH_CLUSTER_MESSAGES) $(BENCH_CLUSTER_NODES)

# Ingest benchmark (issue 4): the broker's own QoS 1 delivery rate to mosquitto_sub against
# Lantaarn end to end (published -> durable in the store) on the same 500 k messages, then
# decode rates per codec and file ingest throughput.
BENCH_MQTT_MESSAGES ?= 500000
BENCH_MQTT_ROUNDS ?= 3
bench-ingest: setup
	$(SWIFT) build -c release --product lantaarn
	$(SWIFT) build -c release --product lantaarn-codec
	$(SWIFT) build -c release --product lantaarn-ingest-bench
	@mkdir -p $(BENCH_DIR)
	python3 Benchmarks/broker_ingest.py .build/release/lantaarn $(BENCH_DIR)/broker-ingest $(BENCH_MQTT_MESSAGES) $(BENCH_MQTT_ROUNDS) | tee $(BENCH_DIR)/broker.txt
	.build/release/lantaarn-ingest-bench decode ../shared 2 | tee $(BENCH_DIR)/decode.txt
	taskset -c 0 .build/release/lantaarn-ingest-bench decode ../shared 2 one-core | tee -a $(BENCH_DIR)/decode.txt
	.build/release/lantaarn-ingest-bench file $(BENCH_DIR)/file-ingest 2000000 | tee $(BENCH_DIR)/file.txt
	@grep "^BENCH " $(BENCH_DIR)/broker.txt
	@grep "^BENCH decode_" $(BENCH_DIR)/decode.txt
	@grep "^BENCH " $(BENCH_DIR)/file.txt

# Geo benchmark (issue 5): point lookups per second on one core against a brute-force
# ray-casting loop, RD New against PROJ's cs2cs on 10,000 points, and import times
# (the Haarlem file and a generated national-scale layer of 2,745 polygons).
bench-geo: setup
	$(SWIFT) build -c release --product lantaarn-geo-bench
	@mkdir -p $(BENCH_DIR)
	.build/release/lantaarn-geo-bench ../shared $(BENCH_DIR)/geo | tee $(BENCH_DIR)/geo.txt
	@grep "^BENCH " $(BENCH_DIR)/geo.txt

# Issue 7: hourly per-wijk pipeline over 100 M readings, end to end, against DuckDB on the same rows.
BENCH_PIPELINE_SENSORS ?= 1000
BENCH_PIPELINE_PER_SERIES ?= 50000
# Issue 27: publishing one weekly meldingen window with its disclosure control, the full audit,
# and the independent attack (Benchmarks/sdc_bench.py).
bench-pipelines: venv
	@scripts/setup --bench
	$(SWIFT) build -c release --product lantaarn-pipeline-bench
	$(SWIFT) build -c release --product lantaarn
	$(SWIFT) build -c release --product lantaarn-codec
	@mkdir -p $(BENCH_DIR)/pipelines
	.build/release/lantaarn-pipeline-bench $(BENCH_DIR)/pipelines . $(BENCH_PIPELINE_SENSORS) $(BENCH_PIPELINE_PER_SERIES) > $(BENCH_DIR)/pipelines/lantaarn.json
	.venv/bin/python Benchmarks/pipeline_peer.py $(BENCH_DIR)/pipelines $(BENCH_DIR)/pipelines/lantaarn.json | tee $(BENCH_DIR)/pipelines/bench.txt
	@rm -f $(BENCH_DIR)/pipelines/readings.csv
	.venv/bin/python Benchmarks/sdc_bench.py .build/release/lantaarn $(BENCH_DIR)/sdc | tee -a $(BENCH_DIR)/pipelines/bench.txt
	@grep "^BENCH " $(BENCH_DIR)/pipelines/bench.txt

# `make bench-server`: wrk (64 connections) against /datasets and a 50-row rows.json page, with
# nginx serving the same bytes; a BENCH_SERVER_ROWS-row CSV export against Datasette's
# _stream=on export of the same table; peak RSS during the export; then the same rows as Parquet
# against DuckDB's own COPY ... (FORMAT PARQUET, COMPRESSION ZSTD) (Benchmarks/parquet_bench.py).
BENCH_SERVER_ROWS ?= 10000000
BENCH_SERVER_SECONDS ?= 10
bench-server: venv
	@scripts/setup --bench
	$(SWIFT) build -c release --product lantaarn-server-bench
	@mkdir -p $(BENCH_DIR)/server
	python3 Benchmarks/server_bench.py $(BENCH_DIR)/server $(BENCH_SERVER_ROWS) $(BENCH_SERVER_SECONDS) | tee $(BENCH_DIR)/server/bench.txt
	.venv/bin/python Benchmarks/parquet_bench.py $(BENCH_DIR)/server $(BENCH_SERVER_ROWS) | tee -a $(BENCH_DIR)/server/bench.txt
	@grep "^BENCH " $(BENCH_DIR)/server/bench.txt

# Issue 9: every dashboard page under wrk (64 connections) against nginx serving the same
# bytes, over a generated history (`lantaarn demo`); also the first, uncached render.
BENCH_DASHBOARD_SECONDS ?= 10
bench-dashboards: setup
	@scripts/setup --bench
	$(SWIFT) build -c release --product lantaarn
	$(SWIFT) build -c release --product lantaarn-codec
	@mkdir -p $(BENCH_DIR)/dashboards
	python3 Benchmarks/dashboard_bench.py $(BENCH_DIR)/dashboards $(BENCH_DASHBOARD_SECONDS) | tee $(BENCH_DIR)/dashboards/bench.txt
	@grep "^BENCH " $(BENCH_DIR)/dashboards/bench.txt

bench: bench-store bench-cluster bench-ingest bench-geo bench-pipelines bench-server bench-dashboards

# Issue 10: the reliability suite; figures in RELIABILITY.md. Exits non-zero when a promise is
# broken. The CI-sized part runs in `make test` (ChaosTests, SecuritySuiteTests, CanaryTests,
# SoakTests, FuzzTargetTests). VERIFY_SUITES picks suites (`make verify VERIFY_SUITES="chaos soak"`).
#   chaos:    100 SIGKILLs of `lantaarn serve` under a 10,500 msg/s QoS 1 publisher, 10 broker
#             restarts, sensor clocks jumped by ±1 h, a full disk (a tmpfs; needs root), every
#             acknowledged message accounted for, none in quarantine;
#   security: admin routes, token timing, an injection corpus, traversal, oversized requests,
#             slowloris, secrets in the log, TLS brokers with a wrong certificate;
#   sqlmap:   sqlmap (level 3, risk 2, every technique) on the query API's parameters;
#   canaries: personal data through every way in, every pipeline and a crawl of every public URL;
#             pycanon's k on every release;
#   soak:     10 minutes of 64 HTTP clients on every public endpoint plus 5,000 msg/s;
#   fuzz:     `make fuzz` (below);
#   cluster:  three ingest nodes on one PostgreSQL under a QoS 1 stream, one SIGKILLed and restarted
#             every 10 s for 2 minutes: every reading stored exactly once (ScaleOutTests, full length).
VERIFY_DIR ?= data/verify
VERIFY_SUITES ?= chaos security sqlmap canaries soak fuzz cluster
SOAK_SECONDS ?= 600
verify: setup venv-test
	@scripts/venv verify
	$(SWIFT) build -c release --product lantaarn
	$(SWIFT) build -c release --product lantaarn-codec
	$(SWIFT) build -c release --product lantaarn-verify
	@mkdir -p $(VERIFY_DIR)
	@# Every suite runs, even after one fails; the report lists them all, and the exit status says whether any failed.
	@failed=""; reports=""; \
	for suite in $(VERIFY_SUITES); do \
	  case $$suite in \
	    chaos)    cmd=".venv/bin/python Benchmarks/verify_chaos.py .build/release $(VERIFY_DIR)/chaos 10500 100 10 --disk-full" ;; \
	    security) cmd=".venv/bin/python Benchmarks/verify_security.py .build/release/lantaarn $(VERIFY_DIR)/security" ;; \
	    sqlmap)   cmd=".venv/bin/python Benchmarks/verify_sqlmap.py .build/release/lantaarn $(VERIFY_DIR)/sqlmap" ;; \
	    canaries) cmd=".venv/bin/python Benchmarks/verify_canaries.py .build/release/lantaarn $(VERIFY_DIR)/canaries .venv/bin/python" ;; \
	    soak)     cmd=".venv/bin/python Benchmarks/verify_soak.py .build/release $(VERIFY_DIR)/soak $(SOAK_SECONDS) 5000 64" ;; \
	    fuzz)     cmd="scripts/setup --fuzz && $(FUZZ_BUILD) && $(FUZZ_RUN)" ;; \
	    cluster)  cmd="$(SWIFT) build --build-tests && LANTAARN_FAULT_SECONDS=120 $(SWIFT) test --skip-build --filter ScaleOutTests && echo 'VERIFY cluster_faults_lost_doubled_published_twice 0'" ;; \
	    *)        echo "make verify: unknown suite '$$suite'; use chaos, security, sqlmap, canaries, soak, fuzz or cluster"; exit 2 ;; \
	  esac; \
	  echo "make verify: $$suite ..."; \
	  bash -c "$$cmd" > $(VERIFY_DIR)/$$suite.txt 2>&1 || failed="$$failed $$suite"; \
	  reports="$$reports $(VERIFY_DIR)/$$suite.txt"; \
	done; \
	grep -h "^VERIFY " $$reports; \
	if [ -n "$$failed" ]; then echo "make verify: broken promises in:$$failed (details in $(VERIFY_DIR)/*.txt)"; exit 1; fi

# libFuzzer with AddressSanitizer on every parser of untrusted input (Benchmarks/Fuzz), FUZZ_RUNS
# executions per target, FUZZ_JOBS targets at a time, seeded from ../shared/data and the
# repository. Its own scratch folder: every module is built with ASan, and Lantaarn's own modules
# also get libFuzzer's coverage counters (Package.swift, under LANTAARN_FUZZ=1).
FUZZ_RUNS ?= 10000000
FUZZ_JOBS ?= 2
FUZZ_DIR ?= data/fuzz
# Coverage comes from -sanitize-coverage=, not a second -sanitize= flag: swiftc keeps only its
# last -sanitize=. fuzz_run.py checks the objects for both before it runs.
FUZZ_BUILD = LANTAARN_FUZZ=1 $(SWIFT) build -c release --scratch-path .build-fuzz --product lantaarn-fuzz --sanitize=address -Xswiftc -enable-testing
FUZZ_RUN = mkdir -p $(FUZZ_DIR) && python3 Benchmarks/fuzz_run.py .build-fuzz/release/lantaarn-fuzz $(FUZZ_DIR) $(FUZZ_RUNS) $(FUZZ_JOBS) $(FUZZ_TARGETS)
fuzz: setup
	@scripts/setup --fuzz
	$(FUZZ_BUILD)
	$(FUZZ_RUN) | tee $(FUZZ_DIR)/fuzz.txt

# Screenshots of every dashboard at 1280 px and 375 px (headless Chromium) in docs/screenshots/,
# over a generated history.
DOCS_DIR ?= data/docs
docs: release venv-test
	@rm -rf $(DOCS_DIR) && mkdir -p $(DOCS_DIR) docs/screenshots
	.build/release/lantaarn demo --data-dir $(DOCS_DIR)/data
	@port=$$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'); \
	.build/release/lantaarn serve --data-dir $(DOCS_DIR)/data --listen 127.0.0.1:$$port --mqtt mqtt://127.0.0.1:1 > $(DOCS_DIR)/serve.log 2>&1 & pid=$$!; \
	for i in $$(seq 1 100); do curl -sf http://127.0.0.1:$$port/-/health > /dev/null && break; sleep 0.2; done; \
	.venv/bin/python Tests/Fixtures/dashboards/browser_check.py screenshots http://127.0.0.1:$$port docs/screenshots luchtkwaliteit geluid drukte meldingen; \
	status=$$?; kill $$pid; exit $$status

clean:
	rm -rf .build
