# Lantaarn: `make run` starts a demo, `make test` runs every test.
SHELL := /bin/bash
SWIFT ?= swift
PORT_HTTP ?= 8080

.PHONY: run test build release setup broker clean

setup:
	@scripts/setup

build: setup
	$(SWIFT) build

release: setup
	$(SWIFT) build -c release --product lantaarn

broker: setup
	@scripts/broker 1883

# Builds in release mode, starts a loopback broker if none runs, then Lantaarn with demo sensors.
run: release broker
	@echo "Dashboard: http://127.0.0.1:$(PORT_HTTP)/dashboards/luchtkwaliteit"
	.build/release/lantaarn serve --demo --listen 127.0.0.1:$(PORT_HTTP)

# Builds everything (the integration test runs the real binary), then runs all tests.
test: setup
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

clean:
	rm -rf .build
