"""make bench-server (issues 8 and 26): Lantaarn's HTTP server against its peers on this machine.

Small pages: wrk (64 connections) against /datasets and a 50-row rows.json page, which Lantaarn
answers from its response cache, and against nginx serving the very same bytes as static files.
Uncached queries: wrk (64 connections, 30 s) cycling through 10,400 distinct query URLs (4,000
filters on the 10 M-row dataset, 4,000 sorts of a year of hourly per-wijk rows, and 2,400 second
pages of both through their `_next` tokens), then through each family alone: every list is
longer than the response cache's 2,000 answers and asked in an order that drops every answer
before its URL comes round again, so every request is a cache miss. Full export: the 10 M-row dataset as
CSV (streamed from the store, then again from the kept export), and Datasette exporting the same
table with _stream=on, its file warmed the same way and the same five runs; peak RSS of Lantaarn
during its export. Ends with BENCH lines.

Usage: server_bench.py WORK_DIR ROWS SECONDS"""
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
import urllib.request

import benchlib
import nginx_peer
from benchlib import free_port, log, stop, tool, wait_for

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
    curl = subprocess.Popen([tool("curl"), "-s", "-o", path, "-w", "%{size_download} %{time_total} %{http_code}", url], stdout=subprocess.PIPE, text=True)
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
marker = os.path.join(work, f"prepared-v3-{rows}")
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
nginx, nginx_port = nginx_peer.start(work, www, "application/json")
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


# 3. Uncached queries: per family more distinct URLs than the response cache keeps (2,000), asked
# in turn, so every answer is dropped before its URL comes round again: every request is a miss.
UNCACHED_SECONDS = max(30, seconds)


def query_urls(base, filters_count=4000, sorts_count=4000, pages_count=2400):
    """Filters on the 10 M-row dataset, sorts on the year, and second pages of both (the `_next`
    of a first page fetched here: the cache then holds first pages, which the run never asks)."""
    rng = random.Random(26)
    big, year = "/datasets/bench-export/rows.json?", "/datasets/bench-jaar/rows.json?"
    wijk = lambda: f"WK0392{rng.randint(1, 21):02d}"
    number = lambda low, high: f"{rng.uniform(low, high):.2f}"
    filters = [lambda: f"wijk_code={wijk()}", lambda: f"wijk_code__in={wijk()},{wijk()}", lambda: f"pm25_gemiddeld__gt={number(5, 38)}",
               lambda: f"pm10_gemiddeld__lte={number(8, 60)}", lambda: f"aantal_metingen={rng.randint(50, 60)}",
               lambda: f"wijk_code={wijk()}&pm25_gemiddeld__lt={number(3, 30)}", lambda: f"aantal_metingen__gte={rng.randint(50, 60)}&pm10_gemiddeld__gt={number(5, 50)}"]
    sorts = ["pm25_gemiddeld", "-pm25_gemiddeld", "pm10_gemiddeld", "-pm10_gemiddeld", "aantal_metingen", "-aantal_metingen", "-periode_start"]
    size = lambda: f"_size={rng.choice([10, 20, 25, 50, 100, 200])}"
    families = {"filter": set(), "sort": set()}
    while len(families["filter"]) < filters_count:
        families["filter"].add(big + rng.choice(filters)() + "&" + size())
    while len(families["sort"]) < sorts_count:
        where = rng.choice([lambda: "", lambda: f"wijk_code={wijk()}&", lambda: f"pm25_gemiddeld__gt={number(5, 35)}&"])()
        families["sort"].add(year + where + "_sort=" + rng.choice(sorts) + "&" + size())
    # Second pages: of fresh filters on the 10 M rows, and of fresh sorts on the year.
    pages = set()
    while len(pages) < pages_count:
        first = big + rng.choice(filters)() + "&" + size() if len(pages) % 4 else year + "_sort=" + rng.choice(sorts) + f"&wijk_code={wijk()}&" + size()
        if first in families["filter"] or first in families["sort"]:
            continue
        with urllib.request.urlopen(base + first, timeout=30) as r:
            nxt = json.load(r).get("next_url")
        if nxt:
            pages.add(nxt)
    families["page"] = pages
    return {name: sorted(urls) for name, urls in families.items()}


families = query_urls(base)
stop(proc)
urls = [u for name in ("filter", "sort", "page") for u in families[name]]
random.Random(8).shuffle(urls)
assert len(set(urls)) == len(urls) and min(len(f) for f in families.values()) > 2000, {n: len(f) for n, f in families.items()}
# Every family answers 200 (a sample, asked of the process that made the list).
proc, base = start_lantaarn()
for name, family in families.items():
    for url in family[::25]:
        with urllib.request.urlopen(base + url, timeout=30) as r:
            assert r.status == 200, (url, r.status)
stop(proc)
uncached = {}
for name, family in [("all", urls)] + [(n, families[n]) for n in ("filter", "sort", "page")]:
    path = os.path.join(work, f"query-urls-{name}.txt")
    with open(path, "w") as f:
        f.write("\n".join(family) + "\n")
    proc, base = start_lantaarn()   # a fresh process: an empty response cache
    uncached[name] = benchlib.wrk_run(base, UNCACHED_SECONDS, paths=path, timeout="30s")
    stop(proc)
    r = uncached[name]
    log(f"uncached queries, {name} ({len(family)} URLs): {r['rps']:.0f} req/s, p99 {r['p99_ms']:.1f} ms, "
        f"{r['requests']} requests, statuses {r['statuses']}")
    if r["errors"] or set(r["statuses"]) != {"200"}:
        raise SystemExit(f"uncached queries ({name}): responses other than 200: {r['statuses']} {r['socket_errors']}")
    if r["requests"] > 2 * len(family):
        log(f"  note: {r['requests']} requests over {len(family)} URLs: every URL came round "
            f"{r['requests'] / len(family):.1f} times, each time after {len(family) - 1} others (cache: 2,000)")

# 4. Full export, on a fresh process so that its peak RSS is the export's. The database file
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

# 5. Datasette: the same rows in a SQLite table, exported with _stream=on. Set up as its docs
# advise: immutable mode (`-i`, for a file no other process changes: no locking or change
# checks, row counts cached at start), max_returned_rows at the value its documentation gives
# (2,000; every page of a streamed CSV is that many rows), no 100 MB cap on CSV (max_csv_mb 0),
# and a time limit that lets each page finish. Its file is warmed as Lantaarn's was, and it gets
# the same five runs; the median counts.
DATASETTE_MAX_ROWS = 2000
peer = os.path.join(work, "peer.db")
if not os.path.exists(peer + f".{rows}"):
    if os.path.exists(peer):
        os.remove(peer)
    subprocess.run([tool("sqlite3"), peer], input=f"""
CREATE TABLE bench_export (wijk_code TEXT, periode_start TEXT, pm25_gemiddeld REAL, pm10_gemiddeld REAL, aantal_metingen INTEGER);
.import --csv --skip 1 {csv_path} bench_export
""", text=True, check=True)
    open(peer + f".{rows}", "w").close()
count = int(subprocess.run([tool("sqlite3"), peer, "SELECT count(*) FROM bench_export"], capture_output=True, text=True, check=True).stdout)
assert count == rows, (count, rows)
warm(peer)
ds_port = free_port()
datasette = subprocess.Popen([tool("datasette"), "serve", "-i", peer, "-p", str(ds_port), "--setting", "sql_time_limit_ms", "600000",
                              "--setting", "max_csv_mb", "0", "--setting", "max_returned_rows", str(DATASETTE_MAX_ROWS)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
wait_for(f"http://127.0.0.1:{ds_port}/-/versions.json", timeout=300)
ds_runs = []
for _ in range(5):
    ds_size, ds_time, _ = download(f"http://127.0.0.1:{ds_port}/peer/bench_export.csv?_stream=on&_size=max")
    assert ds_size > 0.9 * size, f"Datasette sent {ds_size} bytes of about {size}: truncated"
    ds_runs.append(ds_time)
stop(datasette)
ds_time = sorted(ds_runs)[len(ds_runs) // 2]
ds_mb_s = ds_size / ds_time / 1e6
log(f"datasette: {ds_size / 1e6:.0f} MB in {', '.join(f'{t:.1f}' for t in ds_runs)} s (median {ds_mb_s:.1f} MB/s)")
os.remove(csv_path)

rps_ratio = min(figures[n][0] / figures[n][2] for n in figures)
p99 = max(figures[n][1] for n in figures)
print(json.dumps({"pages": figures, "export_bytes": size, "datasette_bytes": ds_size}), file=sys.stderr)
print(f"BENCH small_rps_datasets {figures['datasets'][0]:.0f} req/s")
print(f"BENCH small_rps_rows {figures['rows'][0]:.0f} req/s")
print(f"BENCH small_rps_nginx {min(figures[n][2] for n in figures):.0f} req/s")
print(f"BENCH small_rps_ratio_vs_nginx {rps_ratio:.3f} x")
print(f"BENCH small_p99_ms {p99:.2f} ms")
print(f"BENCH query_uncached_urls {len(urls)} urls")
print(f"BENCH query_uncached_requests {uncached['all']['requests']} requests")
print(f"BENCH query_uncached_rps {uncached['all']['rps']:.0f} req/s")
print(f"BENCH query_uncached_p99_ms {uncached['all']['p99_ms']:.1f} ms")
for name in ("filter", "sort", "page"):
    print(f"BENCH query_uncached_{name}_rps {uncached[name]['rps']:.0f} req/s")
    print(f"BENCH query_uncached_{name}_p99_ms {uncached[name]['p99_ms']:.1f} ms")
print(f"BENCH export_mb_per_s {export_mb_s:.1f} MB/s")
print(f"BENCH export_kept_mb_per_s {kept_size / kept_time / 1e6:.1f} MB/s")
print(f"BENCH export_datasette_mb_per_s {ds_mb_s:.1f} MB/s")
print(f"BENCH export_ratio_vs_datasette {export_mb_s / ds_mb_s:.1f} x")
print(f"BENCH export_peak_rss_mb {peak_mb:.0f} MB")
