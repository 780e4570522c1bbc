"""`make bench-pipelines`, disclosure control (issue 27): what publishing one weekly meldingen
window and auditing everything public cost, and what an independent attacker gets.

1. `lantaarn demo` (26 weeks of meldingen releases, 8 days of readings) into a scratch directory.
2. `sdc_window_seconds`: `lantaarn pipeline run meldingen-per-wijk-week` over the newest week,
   median of 3: choosing its suppression (21 wijken x 10 categories x 3 linked counts, plus the
   gemeente rows) against all published history (the other 25 weeks and 26 weeks of tiles), and
   checking it. The clock covers the whole command: store open, reading the meldingen, the
   choice, publishing. Re-publishing the newest week is the same work as publishing a new one.
3. `sdc_audit_seconds`: `lantaarn datasets audit`, every held-back cell's exact interval.
4. The attack (Tests/Fixtures/disclosure/attack.py, scipy's HiGHS) against `lantaarn serve`:
   `sdc_cells_suppressed`, `sdc_cells_exposed`, `sdc_min_interval`, and whether it agrees with the
   audit on every cell.

Usage: sdc_bench.py LANTAARN OUTDIR
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

from benchlib import free_port, log, stop, tool, wait_for

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
UNTIL = "2026-12-01T00:00:00Z"
NEWEST_WEEK = ("2026-11-23T00:00:00+01:00", "2026-11-30T00:00:00+01:00")


def run(args, **kw):
    started = time.perf_counter()
    r = subprocess.run(args, capture_output=True, text=True, **kw)
    elapsed = time.perf_counter() - started
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({r.returncode}): {r.stderr[-2000:]}")
    return elapsed, r.stdout


def main():
    lantaarn, out = sys.argv[1], sys.argv[2]
    data = os.path.join(out, "data")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    common = ["--data-dir", data, "--pipelines", os.path.join(ROOT, "Pipelines"), "--sensors", os.path.join(ROOT, "Sensors")]
    seconds, _ = run([lantaarn, "demo", "--until", UNTIL] + common)
    log(f"demo: {seconds:.1f} s")
    print(f"demo (26 weeks of meldingen, every pipeline): {seconds:.1f} s")

    window = []
    for _ in range(3):
        seconds, _ = run([lantaarn, "pipeline", "run", "meldingen-per-wijk-week", "--from", NEWEST_WEEK[0], "--to", NEWEST_WEEK[1]] + common)
        window.append(seconds)
    print(f"one weekly window, choose + check + publish: {', '.join(f'{s:.2f}' for s in window)} s")

    cells_audit = os.path.join(out, "audit-cells.json")
    audit_seconds, report = run([lantaarn, "datasets", "audit", "--cells", cells_audit] + common)
    print(report.strip())

    empty = os.path.join(out, "no-pipelines")
    os.makedirs(empty)
    port = free_port()
    serve = subprocess.Popen([lantaarn, "serve", "--data-dir", data, "--pipelines", empty, "--sensors", os.path.join(ROOT, "Sensors"),
                              "--listen", f"127.0.0.1:{port}", "--mqtt", f"mqtt://127.0.0.1:{free_port()}"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(f"http://127.0.0.1:{port}/-/health", timeout=120)
        cells_attack = os.path.join(out, "attack-cells.json")
        started = time.perf_counter()
        attack = subprocess.run([tool("python"), os.path.join(ROOT, "Tests", "Fixtures", "disclosure", "attack.py"),
                                 f"http://127.0.0.1:{port}", "--cells", cells_attack], capture_output=True, text=True)
        attack_seconds = time.perf_counter() - started
    finally:
        stop(serve)
    print(attack.stdout.strip())
    with open(cells_audit, encoding="utf-8") as f:
        ours = json.load(f)
    with open(cells_attack, encoding="utf-8") as f:
        theirs = json.load(f)
    disagree = sorted(k for k in set(ours) | set(theirs) if ours.get(k) != theirs.get(k))
    for k in disagree[:10]:
        print(f"DISAGREE {k}: audit {ours.get(k)}, attack {theirs.get(k)}")
    print(f"attack (scipy HiGHS, one LP per bound): {attack_seconds:.1f} s; audit and attack disagree on {len(disagree)} of {len(theirs)} cells")
    bench = {line.split()[1]: line.split()[2] for line in attack.stdout.splitlines() if line.startswith("BENCH ")}
    print(f"BENCH sdc_window_seconds {statistics.median(window):.2f} s")
    print(f"BENCH sdc_audit_seconds {audit_seconds:.2f} s")
    print(f"BENCH sdc_cells_suppressed {bench.get('sdc_cells_suppressed', -1)} cells")
    print(f"BENCH sdc_cells_exposed {bench.get('sdc_cells_exposed', -1)} cells")
    print(f"BENCH sdc_min_interval {bench.get('sdc_min_interval', -1)} count")
    print(f"BENCH sdc_audit_disagreements {len(disagree)} cells")
    if attack.returncode != 0 or disagree:
        sys.exit(1)


if __name__ == "__main__":
    main()
