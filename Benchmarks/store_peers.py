"""Peers for `make bench-store`, measured in the same run as Lantaarn's store.

Reads Lantaarn's figures (JSON from lantaarn-store-bench) and the CSVs it wrote, loads
the same readings into a plain SQLite row table (sensor, ts, quantity, value, wijk, with an
index), into DuckDB (native table, and Parquet with zstd) and into InfluxDB 1.6 (influx_peer.py),
runs the same per-wijk hourly count/mean/min/max query and an exact p95 (DuckDB quantile_cont)
hot, checks that all of them give the same answer, and prints `BENCH <key> <value> <unit>` lines
with the ratios.
Usage: store_peers.py WORK_DIR LANTAARN_JSON
"""
import json
import os
import sqlite3
import subprocess
import sys
import time

import duckdb

import influx_peer

work, ours_path = sys.argv[1], sys.argv[2]
ours = json.load(open(ours_path))
log = lambda *a: print(*a, file=sys.stderr, flush=True)

AGG_SQLITE = """SELECT wijk, quantity, ts / 3600000 AS h, count(*), avg(value), min(value), max(value)
                FROM reading GROUP BY wijk, quantity, h"""
AGG_DUCK = """SELECT wijk, quantity, ts // 3600000 AS h, count(*), avg(value), min(value), max(value)
              FROM readings GROUP BY wijk, quantity, h"""
P95_DUCK = """SELECT wijk, quantity, ts // 3600000 AS h, quantile_cont(value, 0.95) AS p95
              FROM readings GROUP BY wijk, quantity, h"""


def hot(run):
    run()  # warm the cache
    t0 = time.perf_counter()
    result = run()
    return result, time.perf_counter() - t0


def sqlite_rows(csv_path, db_path, query):
    """A row per reading, as a municipality would start: table + index, loaded by the sqlite3 CLI."""
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db_path + suffix):
            os.remove(db_path + suffix)
    script = f"""CREATE TABLE reading (sensor INTEGER, wijk TEXT, quantity TEXT, ts INTEGER, value REAL);
.mode csv
.import --skip 1 {csv_path} reading
CREATE INDEX reading_quantity_ts ON reading(quantity, ts);
VACUUM;
"""
    t0 = time.perf_counter()
    subprocess.run(["sqlite3", db_path], input=script, text=True, check=True)
    load = time.perf_counter() - t0
    con = sqlite3.connect(db_path)
    rows = None
    seconds = None
    if query:
        rows, seconds = hot(lambda: con.execute(query).fetchall())
    con.close()
    return os.path.getsize(db_path), load, rows, seconds


def duck(csv_path, db_path, parquet_path, with_queries):
    for p in (db_path, db_path + ".wal", parquet_path):
        if os.path.exists(p):
            os.remove(p)
    con = duckdb.connect(db_path)
    t0 = time.perf_counter()
    con.execute(f"""CREATE TABLE readings AS SELECT * FROM read_csv('{csv_path}', header = true,
                    columns = {{'sensor': 'INTEGER', 'wijk': 'VARCHAR', 'quantity': 'VARCHAR', 'ts': 'BIGINT', 'value': 'DOUBLE'}})""")
    con.execute("CHECKPOINT")
    load = time.perf_counter() - t0
    con.execute(f"COPY readings TO '{parquet_path}' (FORMAT parquet, COMPRESSION zstd)")
    out = {"file": os.path.getsize(db_path), "parquet": os.path.getsize(parquet_path), "load": load}
    if with_queries:
        rows, out["agg"] = hot(lambda: con.execute(AGG_DUCK).fetchall())
        out["checksum_mean"] = sum(r[4] for r in rows)
        out["groups"] = len(rows)
        p95, out["p95"] = hot(lambda: con.execute(P95_DUCK).fetchall())
        out["p95_checksum"] = sum(r[3] for r in p95)
    con.close()
    return out


real_values, gen_values = ours["real_values"], ours["gen_values"]
log("peers: real archive…")
real_sqlite_bytes, _, _, _ = sqlite_rows(f"{work}/real.csv", f"{work}/real-rows.sqlite", None)
real_duck = duck(f"{work}/real.csv", f"{work}/real.duckdb", f"{work}/real.parquet", False)
log("peers: InfluxDB 1.6, real archive…")
real_influx = influx_peer.measure(work, f"{work}/real.csv", "real")
log("peers: generated set in SQLite rows…")
gen_sqlite_bytes, sqlite_load, sqlite_rows_result, sqlite_agg = sqlite_rows(f"{work}/generated.csv", f"{work}/gen-rows.sqlite", AGG_SQLITE)
log("peers: generated set in DuckDB…")
gen_duck = duck(f"{work}/generated.csv", f"{work}/gen.duckdb", f"{work}/gen.parquet", True)
log("peers: InfluxDB 1.6, generated set…")
gen_influx = influx_peer.measure(work, f"{work}/generated.csv", "gen", query=True)

# The same answer from all three (sum of the group means), so the timings compare like with like.
checks = {"lantaarn": ours["agg_checksum_mean"], "sqlite": sum(r[4] for r in sqlite_rows_result), "duckdb": gen_duck["checksum_mean"],
          "influxdb": gen_influx["checksum_mean"]}
log("checksums (sum of group means):", checks, "groups:", ours["agg_groups"], len(sqlite_rows_result), gen_duck["groups"])
log("p95 checksums: lantaarn", ours["p95_checksum"], "duckdb", gen_duck["p95_checksum"])
assert abs(checks["lantaarn"] - checks["duckdb"]) < 1e-6 * abs(checks["duckdb"]), "Lantaarn and DuckDB disagree"
assert abs(checks["sqlite"] - checks["duckdb"]) < 1e-6 * abs(checks["duckdb"]), "SQLite and DuckDB disagree"
assert abs(checks["influxdb"] - checks["duckdb"]) < 1e-6 * abs(checks["duckdb"]), "InfluxDB and DuckDB disagree"
assert abs(ours["p95_checksum"] - gen_duck["p95_checksum"]) < 1e-6 * abs(gen_duck["p95_checksum"]), "p95 differs from quantile_cont"

ours_real, ours_gen = ours["bytes_per_value_real"], ours["bytes_per_value_gen"]
peer_real = {"sqlite_rows": real_sqlite_bytes, "duckdb": real_duck["file"], "parquet": real_duck["parquet"], "influxdb": real_influx["bytes"]}
peer_gen = {"sqlite_rows": gen_sqlite_bytes, "duckdb": gen_duck["file"], "parquet": gen_duck["parquet"], "influxdb": gen_influx["bytes"]}
bench = [("bytes_per_value_real", ours_real, "B"),
         ("bytes_per_value_real_without_schema", ours["bytes_per_value_real_without_schema"], "B"),
         ("bytes_per_value_real_one_copy", ours["bytes_per_value_real_one_copy"], "B"),
         ("bytes_per_value_real_one_copy_without_schema", ours["bytes_per_value_real_one_copy_without_schema"], "B"),
         ("real_values", real_values, "values")]
for peer, size in peer_real.items():
    bench += [(f"bytes_per_value_real_{peer}", size / real_values, "B"), (f"size_ratio_real_{peer}_vs_lantaarn", size / real_values / ours_real, "x")]
bench += [("bytes_per_value_100m", ours_gen, "B"), ("gen_values", gen_values, "values")]
for peer, size in peer_gen.items():
    bench += [(f"bytes_per_value_100m_{peer}", size / gen_values, "B"), (f"size_ratio_100m_{peer}_vs_lantaarn", size / gen_values / ours_gen, "x")]
bench += [
    ("append_readings_per_s", ours["append_readings_per_s"], "readings/s"),
    ("load_readings_per_s_sqlite_cli_import", gen_values / sqlite_load, "readings/s"),
    ("load_readings_per_s_duckdb_read_csv", gen_values / gen_duck["load"], "readings/s"),
    ("load_readings_per_s_influxdb_http", gen_values / gen_influx["load_seconds"], "readings/s"),
    ("append_ratio_vs_sqlite_cli_import", ours["append_readings_per_s"] / (gen_values / sqlite_load), "x"),
    ("append_ratio_vs_duckdb_read_csv", ours["append_readings_per_s"] / (gen_values / gen_duck["load"]), "x"),
    ("append_ratio_vs_influxdb_http", ours["append_readings_per_s"] / (gen_values / gen_influx["load_seconds"]), "x"),
    ("agg_seconds", ours["agg_seconds"], "s"),
    ("agg_seconds_sqlite_rows", sqlite_agg, "s"),
    ("agg_seconds_duckdb", gen_duck["agg"], "s"),
    ("agg_seconds_influxdb", gen_influx["agg_seconds"], "s"),
    ("agg_speedup_vs_sqlite", sqlite_agg / ours["agg_seconds"], "x"),
    ("agg_speedup_vs_influxdb", gen_influx["agg_seconds"] / ours["agg_seconds"], "x"),
    ("agg_ratio_vs_duckdb", ours["agg_seconds"] / gen_duck["agg"], "x"),
    ("p95_seconds", ours["p95_seconds"], "s"),
    ("p95_seconds_duckdb_quantile_cont", gen_duck["p95"], "s"),
    ("p95_ratio_vs_duckdb", ours["p95_seconds"] / gen_duck["p95"], "x"),
]
for key, value, unit in bench:
    print(f"BENCH {key} {value:.4g} {unit}" if isinstance(value, float) else f"BENCH {key} {value} {unit}")
