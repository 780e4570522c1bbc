"""make bench-server, Parquet part (issue 31): the 10 M-row dataset of server_bench.py as Parquet.

Lantaarn: /datasets/bench-export.parquet streamed from the store (typed columns, dictionary
strings, zstd pages, a row group per 65,536 rows), the kept file removed before each of three
downloads; the median counts. Peer: DuckDB, set up as its users would: the same rows in a DuckDB
table (loaded from Lantaarn's CSV export beforehand, with the same column types: VARCHAR,
TIMESTAMPTZ, DOUBLE, DOUBLE, BIGINT; not timed), then its own
`COPY bench_export TO 'x.parquet' (FORMAT PARQUET, COMPRESSION ZSTD)`, three times, median; it
uses both cores. Both files are read back by DuckDB: row counts and column sums must agree.
Ends with BENCH lines: parquet_mb_per_s (Lantaarn's Parquet bytes per second), parquet_ratio_vs_duckdb
(rows per second, Lantaarn / DuckDB) and parquet_size_ratio_vs_duckdb (file size, Lantaarn / DuckDB).

Usage: parquet_bench.py WORK_DIR ROWS"""
import os
import shutil
import subprocess
import sys
import time

import duckdb

import benchlib
from benchlib import free_port, log, stop, tool, wait_for

work, rows = os.path.abspath(sys.argv[1]), int(sys.argv[2])
bench = ".build/release/lantaarn-server-bench"
store = os.path.join(work, "store")
marker = os.path.join(work, f"prepared-v3-{rows}")
if not os.path.exists(marker):
    shutil.rmtree(store, ignore_errors=True)
    subprocess.run([bench, "prepare", store, str(rows)], check=True)
    open(marker, "w").close()

port = free_port()
proc = subprocess.Popen([bench, "serve", store, str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
base = f"http://127.0.0.1:{port}"
wait_for(base + "/-/health")


def download(path, target):
    shutil.rmtree(os.path.join(store, "exports"), ignore_errors=True)
    started = time.perf_counter()
    subprocess.run([tool("curl"), "-sf", "-o", target, base + path], check=True)
    return os.path.getsize(target), time.perf_counter() - started


ours = os.path.join(work, "lantaarn.parquet")
runs = [download("/datasets/bench-export.parquet", ours) for _ in range(3)]
size, seconds = runs[0][0], sorted(t for _, t in runs)[1]
csv_path = os.path.join(work, "export.csv")
download("/datasets/bench-export.csv", csv_path)
stop(proc)
log(f"lantaarn: {size / 1e6:.1f} MB of Parquet in {', '.join(f'{t:.2f}' for _, t in runs)} s (median {seconds:.2f} s)")

con = duckdb.connect(os.path.join(work, "peer.duckdb"))
con.execute("DROP TABLE IF EXISTS bench_export")
con.execute("""CREATE TABLE bench_export (wijk_code VARCHAR, periode_start TIMESTAMPTZ, pm25_gemiddeld DOUBLE,
               pm10_gemiddeld DOUBLE, aantal_metingen BIGINT)""")
con.execute("INSERT INTO bench_export SELECT * FROM read_csv(?, header = true, columns = {'wijk_code': 'VARCHAR', "
            "'periode_start': 'TIMESTAMPTZ', 'pm25_gemiddeld': 'DOUBLE', 'pm10_gemiddeld': 'DOUBLE', 'aantal_metingen': 'BIGINT'})", [csv_path])
peer = os.path.join(work, "duckdb.parquet")
peer_runs = []
for _ in range(3):
    if os.path.exists(peer):
        os.remove(peer)
    started = time.perf_counter()
    con.execute(f"COPY bench_export TO '{peer}' (FORMAT PARQUET, COMPRESSION ZSTD)")
    peer_runs.append(time.perf_counter() - started)
peer_seconds, peer_size = sorted(peer_runs)[1], os.path.getsize(peer)
log(f"duckdb: {peer_size / 1e6:.1f} MB of Parquet in {', '.join(f'{t:.2f}' for t in peer_runs)} s (median {peer_seconds:.2f} s)")

check = "SELECT count(*), sum(aantal_metingen), round(sum(pm25_gemiddeld), 3), count(DISTINCT wijk_code), min(periode_start) FROM read_parquet(?)"
mine, theirs = con.execute(check, [ours]).fetchone(), con.execute(check, [peer]).fetchone()
con.close()
if mine != theirs or mine[0] != rows:
    raise SystemExit(f"the files differ: lantaarn {mine}, duckdb {theirs} (expected {rows} rows)")
os.remove(csv_path)

print(f"BENCH parquet_rows {rows} rows")
print(f"BENCH parquet_mb_per_s {size / seconds / 1e6:.1f} MB/s")
print(f"BENCH parquet_duckdb_mb_per_s {peer_size / peer_seconds / 1e6:.1f} MB/s")
print(f"BENCH parquet_ratio_vs_duckdb {(rows / seconds) / (rows / peer_seconds):.3f} x")
print(f"BENCH parquet_size_mb {size / 1e6:.1f} MB")
print(f"BENCH parquet_size_ratio_vs_duckdb {size / peer_size:.3f} x")
