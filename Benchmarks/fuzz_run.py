#!/usr/bin/env python3
"""`make fuzz`: runs every libFuzzer target of `lantaarn-fuzz` (Benchmarks/Fuzz) for a number
of executions, seeded from ../shared/data and the repository, with AddressSanitizer.

    fuzz_run.py FUZZ_BINARY OUT_DIR RUNS_PER_TARGET JOBS [TARGET ...]

Each target gets OUT_DIR/TARGET/corpus (kept between runs, so later runs start from what
earlier ones found) and OUT_DIR/TARGET/fuzz.log. A crash, a sanitizer report, a timeout or an
out-of-memory leaves its input in OUT_DIR/TARGET/ (crash-*, leak-*, timeout-*, oom-*): copy it
to Tests/Fixtures/fuzz/TARGET/ to make it a regression test (FuzzTargetTests replays those).
The next run of the target moves such inputs to OUT_DIR/TARGET/previous/.

Prints `FUZZ` lines per target and `VERIFY` lines for the report; exits 1 when any target
found anything or ran fewer executions than asked.
"""
import concurrent.futures
import os
import re
import subprocess
import sys
import time

from benchlib import tool

# Lantaarn's own modules: each must carry both libFuzzer's coverage counters and ASan's checks.
OWN_MODULES = ("LantaarnModel", "Geo", "Ingest", "Store", "Pipelines", "Server", "LantaarnFuzzTargets")


def uninstrumented(binary):
    """The own modules whose objects next to `binary` lack coverage counters or ASan. swiftc keeps
    only its last `-sanitize=` flag, so a build given two can silently get one; `make fuzz` gives
    ASan with `--sanitize=address` and coverage with `-sanitize-coverage=` on these modules only
    (Package.swift), and this checks that both arrived."""
    missing = []
    for module in OWN_MODULES:
        folder = os.path.join(os.path.dirname(binary), f"{module}.build")
        objects = [os.path.join(folder, f) for f in sorted(os.listdir(folder)) if f.endswith(".o")] if os.path.isdir(folder) else []
        sections = subprocess.run([tool("objdump"), "-h"] + objects, capture_output=True, text=True).stdout if objects else ""
        symbols = subprocess.run([tool("nm"), "-u"] + objects, capture_output=True, text=True).stdout if objects else ""
        if "__sancov_cntrs" not in sections:
            missing.append(f"{module} (no coverage counters)")
        if "__asan_" not in symbols:
            missing.append(f"{module} (no AddressSanitizer)")
    return missing


def targets(binary):
    out = subprocess.run([binary], env=dict(os.environ, LANTAARN_FUZZ_TARGET="list", ASAN_OPTIONS="detect_leaks=0"),
                         capture_output=True, text=True, check=True).stdout
    return [(name, int(max_len), covers) for name, max_len, covers in
            (line.split("\t") for line in out.splitlines() if line.strip())]


def run(binary, out_dir, name, max_len, runs):
    folder = os.path.join(out_dir, name)
    corpus = os.path.join(folder, "corpus")
    os.makedirs(corpus, exist_ok=True)
    env = dict(os.environ, LANTAARN_FUZZ_TARGET=name, LANTAARN_FUZZ_SEEDS=corpus,
               LANTAARN_FUZZ_REPO=os.getcwd(),
               # Swift's runtime keeps metadata caches for the life of the process, which
               # LeakSanitizer would report on exit; memory errors are what ASan is here for.
               ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1",
               # libFuzzer reports a trap itself; Swift's backtracer would read freed memory doing so.
               SWIFT_BACKTRACE="enable=no")
    command = [binary, f"-runs={runs}", f"-max_len={max_len}", "-timeout=10", "-rss_limit_mb=3072",
               "-print_final_stats=1", f"-artifact_prefix={folder}/", corpus]
    # Findings of earlier runs move to previous/ (not deleted: a crash input is evidence until it
    # is a regression test), so that this run's findings are the ones in the folder.
    for old in os.listdir(folder):
        if re.match(r"(crash|leak|timeout|oom|slow-unit)-", old):
            os.makedirs(os.path.join(folder, "previous"), exist_ok=True)
            os.replace(os.path.join(folder, old), os.path.join(folder, "previous", old))
    started = time.monotonic()
    with open(os.path.join(folder, "fuzz.log"), "w") as log:
        code = subprocess.run(command, env=env, stdout=log, stderr=subprocess.STDOUT).returncode
    seconds = time.monotonic() - started
    text = open(os.path.join(folder, "fuzz.log"), errors="replace").read()

    def stat(key):
        m = re.search(rf"stat::{key}:\s+(\d+)", text)
        return int(m.group(1)) if m else 0
    coverage = re.findall(r"cov: (\d+) ft: (\d+)", text)
    findings = sorted(f for f in os.listdir(folder) if re.match(r"(crash|leak|timeout|oom)-", f))
    sanitizer = "ERROR: AddressSanitizer" in text or "ERROR: libFuzzer" in text or "Fatal error" in text
    return {
        "name": name, "code": code, "execs": stat("number_of_executed_units"), "seconds": seconds,
        "rate": stat("average_exec_per_sec"), "rss": stat("peak_rss_mb"),
        "edges": int(coverage[-1][0]) if coverage else 0, "features": int(coverage[-1][1]) if coverage else 0,
        "corpus": len(os.listdir(corpus)), "findings": findings, "sanitizer": sanitizer,
    }


def main():
    binary, out_dir, runs, jobs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    missing = uninstrumented(binary)
    if missing:
        print("VERIFY fuzz_uninstrumented_modules %d modules" % len(missing))
        sys.exit(f"fuzz: {binary} is not fully instrumented: {', '.join(missing)}. Build it with "
                 f"LANTAARN_FUZZ=1 and --sanitize=address, as make fuzz does: Package.swift then adds the coverage flags.")
    wanted = set(sys.argv[5:])
    chosen = [t for t in targets(binary) if not wanted or t[0] in wanted]
    if wanted - {t[0] for t in chosen}:
        sys.exit(f"unknown fuzz targets: {', '.join(sorted(wanted - {t[0] for t in chosen}))}")
    print(f"fuzzing {len(chosen)} targets, {runs:,} executions each, {jobs} at a time", flush=True)
    results = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(run, binary, out_dir, name, max_len, runs) for name, max_len, _ in chosen]
        for future in concurrent.futures.as_completed(futures):
            r = future.result()
            results.append(r)
            if r["edges"] == 0:
                r["findings"].append("no-coverage")   # an uninstrumented binary fuzzes nothing
            verdict = "ok" if r["code"] == 0 and not r["findings"] and not r["sanitizer"] else "FOUND " + " ".join(r["findings"] or ["see fuzz.log"])
            print(f"FUZZ {r['name']}: {r['execs']:,} executions in {r['seconds']:.0f} s ({r['rate']:,}/s), "
                  f"{r['edges']} edges, {r['features']} features, corpus {r['corpus']}, peak RSS {r['rss']} MB: {verdict}", flush=True)
    results.sort(key=lambda r: r["name"])
    failed = [r for r in results if r["code"] != 0 or r["findings"] or r["sanitizer"]]
    short = [r for r in results if r["execs"] < runs]
    for r in results:
        print(f"VERIFY fuzz_{r['name'].replace('-', '_')}_execs {r['execs']} executions")
    print(f"VERIFY fuzz_targets {len(results)} targets")
    print(f"VERIFY fuzz_min_execs {min((r['execs'] for r in results), default=0)} executions")
    print(f"VERIFY fuzz_findings {sum(len(r['findings']) or (1 if r in failed else 0) for r in results)} inputs")
    for r in short:
        print(f"fuzz: {r['name']} ran {r['execs']:,} executions, fewer than {runs:,}; see {out_dir}/{r['name']}/fuzz.log", file=sys.stderr)
    for r in failed:
        if "no-coverage" in r["findings"]:
            print(f"fuzz: {r['name']} saw no coverage: its code is not instrumented; rebuild with make fuzz", file=sys.stderr)
            continue
        print(f"fuzz: {r['name']} found {', '.join(r['findings']) or 'a failure'}; see {out_dir}/{r['name']}/fuzz.log, "
              f"and copy the input to Tests/Fixtures/fuzz/{r['name']}/ once fixed", file=sys.stderr)
    sys.exit(1 if failed or short else 0)


if __name__ == "__main__":
    main()
