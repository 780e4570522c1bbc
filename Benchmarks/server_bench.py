"""make bench-server (issue 8): Lantaarn's HTTP server against its peers on this machine.

Small pages: wrk (64 connections) against /datasets and a 50-row rows.json page, and against
nginx serving the very same bytes as static files. Full export: the 10 M-row dataset as CSV
(streamed from the store, then again from the kept export), and Datasette exporting the same
table with _stream=on; peak RSS of Lantaarn during its export. Ends with BENCH lines.

Usage: server_bench.py WORK_DIR ROWS SECONDS"""
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request

import benchlib
from benchlib import free_port, log, stop, wait_for

work, rows, seconds = os.path.abspath(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
bench = ".build/release/lantaarn-server-bench"
store = os.path.join(work, "store")
os.makedirs(work, exist_ok=True)


def wrk(url):
    return benchlib.wrk(url, seconds)


def start_lantaarn():
    port = free_port()
    logfile = open(os.path.join(work, "lantaarn.log"), "a")
    proc = subprocess.Popen([bench, "serve", store, str(port)], stderr=logfile, stdout=logfile)
    wait_for(f"http://127.0.0.1:{port}/-/health")
    return proc, f"http://127.0.0.1:{port}"


def download(url, path="/dev/null", sample_pid=None):
    """Downloads url with curl; returns (bytes, seconds, peak RSS in MB of sample_pid)."""
    curl = subprocess.Popen(["curl", "-s", "-o", path, "-w", "%{size_download} %{time_total} %{http_code}", url], stdout=subprocess.PIPE, text=True)
    peak = 0
    while curl.poll() is None:
        if sample_pid:
            with open(f"/proc/{sample_pid}/status") as f:
                peak = max(peak, int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1)))
        time.sleep(0.05)
    size, total, code = curl.stdout.read().split()
    if code != "200":
        raise SystemExit(f"{url} answered {code}")
    if sample_pid:
        with open(f"/proc/{sample_pid}/status") as f:
            peak = max(peak, int(re.search(r"VmHWM:\s+(\d+)", f.read()).group(1)))
    return int(size), float(total), peak / 1024


# 1. The dataset.
marker = os.path.join(work, f"prepared-v2-{rows}")
if not os.path.exists(marker):
    shutil.rmtree(store, ignore_errors=True)
    subprocess.run([bench, "prepare", store, str(rows)], check=True)
    open(marker, "w").close()
shutil.rmtree(os.path.join(store, "exports"), ignore_errors=True)

# 2. Small pages: Lantaarn and nginx with the same bytes.
proc, base = start_lantaarn()
www = os.path.join(work, "www")
os.makedirs(www, exist_ok=True)
pages = {"datasets": "/datasets", "rows": "/datasets/bench-export/rows.json?_size=50"}
for name, path in pages.items():
    with urllib.request.urlopen(base + path) as r, open(os.path.join(www, name + ".json"), "wb") as f:
        f.write(r.read())
nginx, nginx_port = benchlib.start_nginx(work, www, "application/json")
wait_for(f"http://127.0.0.1:{nginx_port}/datasets.json")
figures = {}
for name, path in pages.items():
    l_rps, l_p99, l_err = wrk(base + path)
    n_rps, n_p99, _ = wrk(f"http://127.0.0.1:{nginx_port}/{name}.json")
    figures[name] = (l_rps, l_p99, n_rps, n_p99)
    log(f"{name}: lantaarn {l_rps:.0f} req/s p99 {l_p99:.2f} ms ({l_err} errors); nginx {n_rps:.0f} req/s p99 {n_p99:.2f} ms")
    if l_err:
        raise SystemExit(f"{name}: {l_err} error responses from Lantaarn")
stop(nginx)
stop(proc)

# 3. Full export, on a fresh process so that its peak RSS is the export's. The database file
# is read once first, so both Lantaarn and Datasette (whose file was just written) start
# with it in the OS page cache; the streamed rate is the median of five downloads (the kept
# file is removed before each, so each one streams from the store; this machine's disk and
# page cache make single runs vary by ±20 %).
def warm(path):
    with open(path, "rb") as f:
        while f.read(1 << 24):
            pass


warm(os.path.join(store, "lantaarn.sqlite"))
proc, base = start_lantaarn()
runs = []
for _ in range(5):
    shutil.rmtree(os.path.join(store, "exports"), ignore_errors=True)
    size, streamed, peak = download(base + "/datasets/bench-export.csv", "/dev/null", sample_pid=proc.pid)
    runs.append((streamed, peak))
streamed = sorted(t for t, _ in runs)[len(runs) // 2]
peak_mb = max(p for _, p in runs)
csv_path = os.path.join(work, "export.csv")
kept_size, kept_time, _ = download(base + "/datasets/bench-export.csv", csv_path)
assert kept_size == size, (kept_size, size)
stop(proc)
export_mb_s = size / streamed / 1e6
log(f"export: {size / 1e6:.0f} MB streamed in {', '.join(f'{t:.2f}' for t, _ in runs)} s (median {export_mb_s:.0f} MB/s, "
    f"peak RSS {peak_mb:.0f} MB); from the kept file {kept_size / kept_time / 1e6:.0f} MB/s")

# 4. Datasette: the same rows in a SQLite table, exported with _stream=on.
peer = os.path.join(work, "peer.db")
if not os.path.exists(peer + f".{rows}"):
    if os.path.exists(peer):
        os.remove(peer)
    subprocess.run(["sqlite3", peer], input=f"""
CREATE TABLE bench_export (wijk_code TEXT, periode_start TEXT, pm25_gemiddeld REAL, pm10_gemiddeld REAL, aantal_metingen INTEGER);
.import --csv --skip 1 {csv_path} bench_export
""", text=True, check=True)
    open(peer + f".{rows}", "w").close()
count = int(subprocess.run(["sqlite3", peer, "SELECT count(*) FROM bench_export"], capture_output=True, text=True, check=True).stdout)
assert count == rows, (count, rows)
ds_port = free_port()
# max_csv_mb 0: Datasette otherwise stops a streamed CSV at 100 MB.
datasette = subprocess.Popen([".venv/bin/datasette", "serve", peer, "-p", str(ds_port), "--setting", "sql_time_limit_ms", "600000",
                              "--setting", "max_csv_mb", "0"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
wait_for(f"http://127.0.0.1:{ds_port}/-/versions.json")
ds_size, ds_time, _ = download(f"http://127.0.0.1:{ds_port}/peer/bench_export.csv?_stream=on&_size=max")
assert ds_size > 0.9 * size, f"Datasette sent {ds_size} bytes of about {size}: truncated"
stop(datasette)
ds_mb_s = ds_size / ds_time / 1e6
log(f"datasette: {ds_size / 1e6:.0f} MB in {ds_time:.2f} s ({ds_mb_s:.1f} MB/s)")
os.remove(csv_path)

rps_ratio = min(figures[n][0] / figures[n][2] for n in figures)
p99 = max(figures[n][1] for n in figures)
print(json.dumps({"pages": figures, "export_bytes": size, "datasette_bytes": ds_size}), file=sys.stderr)
print(f"BENCH small_rps_datasets {figures['datasets'][0]:.0f} req/s")
print(f"BENCH small_rps_rows {figures['rows'][0]:.0f} req/s")
print(f"BENCH small_rps_nginx {min(figures[n][2] for n in figures):.0f} req/s")
print(f"BENCH small_rps_ratio_vs_nginx {rps_ratio:.3f} x")
print(f"BENCH small_p99_ms {p99:.2f} ms")
print(f"BENCH export_mb_per_s {export_mb_s:.1f} MB/s")
print(f"BENCH export_kept_mb_per_s {kept_size / kept_time / 1e6:.1f} MB/s")
print(f"BENCH export_datasette_mb_per_s {ds_mb_s:.1f} MB/s")
print(f"BENCH export_ratio_vs_datasette {export_mb_s / ds_mb_s:.1f} x")
print(f"BENCH export_peak_rss_mb {peak_mb:.0f} MB")
