"""make bench-dashboards (issue 9): every dashboard page under wrk at 64 connections, against
nginx serving the very same bytes as a static file. Lantaarn runs as `lantaarn serve` (release)
over a generated history (`lantaarn demo`: 8 days of readings of the demo sensors, 104 weeks of
meldingen, every pipeline run), without a broker. Also the first (uncached) render of each page,
the cost a page pays once per data generation, and the p99 while a second process publishes
releases of the page's dataset over and over. Ends with BENCH lines.

Usage: dashboard_bench.py WORK_DIR SECONDS"""
import datetime
import json
import os
import threading
import subprocess
import sys
import time
import urllib.request

import benchlib
import nginx_peer
from benchlib import free_port, log, stop, wait_for

work, seconds = os.path.abspath(sys.argv[1]), int(sys.argv[2])
binary = ".build/release/lantaarn"
data = os.path.join(work, "data")
dashboards = ["luchtkwaliteit", "geluid", "drukte", "meldingen"]
common = ["--data-dir", data, "--sensors", "Sensors", "--pipelines", "Pipelines", "--dashboards", "Dashboards"]
os.makedirs(work, exist_ok=True)

if not os.path.exists(os.path.join(work, "demo.done")):
    subprocess.run([binary, "demo"] + common, check=True, stdout=sys.stderr)
    open(os.path.join(work, "demo.done"), "w").close()

port = free_port()
logfile = open(os.path.join(work, "lantaarn.log"), "a")
proc = subprocess.Popen([binary, "serve"] + common + ["--listen", f"127.0.0.1:{port}", "--mqtt", f"mqtt://127.0.0.1:{free_port()}"],
                        stdout=logfile, stderr=logfile)
base = f"http://127.0.0.1:{port}"
wait_for(base + "/-/health")

www = os.path.join(work, "www")
os.makedirs(www, exist_ok=True)
first = {}
for name in dashboards:
    started = time.perf_counter()
    with urllib.request.urlopen(f"{base}/dashboards/{name}") as r, open(os.path.join(www, name + ".html"), "wb") as f:
        body = r.read()
        f.write(body)
    first[name] = ((time.perf_counter() - started) * 1000, len(body))
    log(f"{name}: first render {first[name][0]:.1f} ms, {len(body) / 1024:.0f} KiB")

nginx, nginx_port = nginx_peer.start(work, www, "text/html")
wait_for(f"http://127.0.0.1:{nginx_port}/{dashboards[0]}.html")
figures = {}
for name in dashboards:
    l_rps, l_p99, l_err = benchlib.wrk(f"{base}/dashboards/{name}", seconds)
    n_rps, n_p99, _ = benchlib.wrk(f"http://127.0.0.1:{nginx_port}/{name}.html", seconds)
    figures[name] = {"rps": l_rps, "p99_ms": l_p99, "nginx_rps": n_rps, "nginx_p99_ms": n_p99,
                     "first_render_ms": first[name][0], "bytes": first[name][1]}
    log(f"{name}: lantaarn {l_rps:.0f} req/s p99 {l_p99:.2f} ms ({l_err} errors); nginx {n_rps:.0f} req/s p99 {n_p99:.2f} ms")
    if l_err:
        raise SystemExit(f"{name}: {l_err} error responses from Lantaarn")
stop(nginx)

# While data changes: a second process re-runs the newest hour of the drukte pipeline over and
# over (each run publishes a release, so every page's generation changes), and wrk loads the
# drukte dashboard. One request renders the new page; the others get the kept one meanwhile.
hour = datetime.datetime.now(datetime.timezone.utc).replace(minute=0, second=0, microsecond=0) - datetime.timedelta(hours=1)
window = ["--from", hour.strftime("%Y-%m-%dT%H:%M:%SZ"), "--to", (hour + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")]
publishing, publishes = threading.Event(), []
def publish_loop():
    while not publishing.is_set():
        subprocess.run([binary, "pipeline", "run", "drukte-per-wijk-uur"] + window + common, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        publishes.append(time.time())
publisher = threading.Thread(target=publish_loop)
publisher.start()
c_rps, c_p99, c_err = benchlib.wrk(f"{base}/dashboards/drukte", seconds)
publishing.set()
publisher.join()
log(f"drukte while {len(publishes)} releases were published: {c_rps:.0f} req/s p99 {c_p99:.2f} ms ({c_err} errors)")
if c_err:
    raise SystemExit(f"{c_err} error responses while publishing")
stop(proc)

print(json.dumps(figures), file=sys.stderr)
print(f"BENCH dashboard_p99_ms {max(f['p99_ms'] for f in figures.values()):.2f} ms")
print(f"BENCH dashboard_rps {min(f['rps'] for f in figures.values()):.0f} req/s")
print(f"BENCH dashboard_nginx_p99_ms {max(f['nginx_p99_ms'] for f in figures.values()):.2f} ms")
print(f"BENCH dashboard_rps_ratio_vs_nginx {min(f['rps'] / f['nginx_rps'] for f in figures.values()):.3f} x")
print(f"BENCH dashboard_p99_ms_while_publishing {c_p99:.2f} ms")
print(f"BENCH dashboard_releases_during_load {len(publishes)} releases")
print(f"BENCH dashboard_first_render_ms {max(f['first_render_ms'] for f in figures.values()):.1f} ms")
print(f"BENCH dashboard_page_kib {max(f['bytes'] for f in figures.values()) / 1024:.0f} KiB")
