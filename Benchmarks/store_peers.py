"""Peers for `make bench-store`, measured in the same run as Lantaarn's store.

Reads Lantaarn's figures (JSON from lantaarn-store-bench), its groups (lantaarn-groups.csv) and
the CSVs it wrote, loads the same readings from the same files into a plain SQLite row table
(sensor, wijk, quantity, ts, value; the page size, WAL and memory map of Lantaarn's store, and a
covering index that answers the hourly per-wijk query in index order), into DuckDB (native table,
and Parquet with zstd) and into InfluxDB 1.6 (influx_peer.py), runs the same per-wijk hourly
count/sum/mean/min/max query and an exact p95 (DuckDB quantile_cont) hot, checks group by group
that every store gives the same groups and the same count, sum, mean, min, max (and p95), and
prints `BENCH <key> <value> <unit>` lines with the ratios. Any disagreement fails the run.
Usage: store_peers.py WORK_DIR LANTAARN_JSON
"""
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import time

import duckdb

import influx_peer
from benchlib import tool

work, ours_path = sys.argv[1], sys.argv[2]
ours = json.load(open(ours_path))
log = lambda *a: print(*a, file=sys.stderr, flush=True)

# Every group as (wijk, quantity, hour) -> (count, sum, mean, min, max).
AGG_SQLITE = """SELECT wijk, quantity, ts / 3600000 AS h, count(*), sum(value), avg(value), min(value), max(value)
                FROM reading GROUP BY wijk, quantity, h"""
AGG_DUCK = """SELECT wijk, quantity, ts // 3600000 AS h, count(*), sum(value), avg(value), min(value), max(value)
              FROM readings GROUP BY wijk, quantity, h"""
# The settings of Lantaarn's store (Sources/Store/SQLiteStore.swift): 16 KiB pages, WAL with
# synchronous NORMAL, SQLite's default page cache, and reads through a memory map.
SQLITE_FILE_SETTINGS = "PRAGMA page_size = 16384;\nPRAGMA journal_mode = WAL;\nPRAGMA synchronous = NORMAL;\n"
SQLITE_MMAP = "PRAGMA mmap_size = 68719476736"
# What an SQLite user adds for this query: an index that holds every column it reads, in the
# order of its GROUP BY, so the query reads the index in order (no temporary B-tree, no table).
SQLITE_INDEX = "CREATE INDEX reading_wijk_quantity_hour ON reading(wijk, quantity, ts / 3600000, value, ts)"
P95_DUCK = """SELECT wijk, quantity, ts // 3600000 AS h, quantile_cont(value, 0.95) AS p95
              FROM readings GROUP BY wijk, quantity, h"""


def hot(run, repeats=3):
    """The median of `repeats` timed runs after one that warms the cache (as the Lantaarn side
    times its aggregates: one sample swung by a third from run to run on this machine)."""
    run()  # warm the cache
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - t0)
    return result, statistics.median(times)


def sqlite_rows(csv_path, db_path, query):
    """A row per reading: table and covering index, loaded by the sqlite3 CLI with the file
    settings of Lantaarn's store; the load clock covers the import, the index and the final
    checkpoint (the WAL folded into the file), as Lantaarn's covers its sealing."""
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db_path + suffix):
            os.remove(db_path + suffix)
    script = f"""{SQLITE_FILE_SETTINGS}CREATE TABLE reading (sensor INTEGER, wijk TEXT, quantity TEXT, ts INTEGER, value REAL);
.mode csv
.import --skip 1 {csv_path} reading
{SQLITE_INDEX};
PRAGMA wal_checkpoint(TRUNCATE);
"""
    t0 = time.perf_counter()
    subprocess.run([tool("sqlite3"), db_path], input=script, text=True, check=True, stdout=subprocess.DEVNULL)
    load = time.perf_counter() - t0
    con = sqlite3.connect(db_path)
    con.execute(SQLITE_MMAP)
    plan = " ".join(str(r[-1]) for r in con.execute("EXPLAIN QUERY PLAN " + AGG_SQLITE).fetchall())
    log("sqlite query plan:", plan)
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
        out["rows"], out["agg"] = hot(lambda: con.execute(AGG_DUCK).fetchall())
        out["p95_rows"], out["p95"] = hot(lambda: con.execute(P95_DUCK).fetchall())
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

# The same answer from every store, group by group, so the timings compare like with like.
def lantaarn_groups(path):
    groups, p95 = {}, {}
    with open(path) as f:
        next(f)
        for line in f:
            wijk, quantity, hour, count, total, low, high, q95 = line.rstrip("\n").split(",")
            key = (wijk, quantity, int(hour))
            groups[key] = (int(count), float(total), float(total) / int(count), float(low), float(high))
            p95[key] = float(q95)
    return groups, p95


def keyed(rows):
    """(wijk, quantity, hour, count, sum, mean, min, max) rows as a dict."""
    return {(r[0], r[1], int(r[2])): (int(r[3]), r[4], r[5], r[6], r[7]) for r in rows}


def close(a, b, rel):
    return abs(a - b) <= rel * max(abs(a), abs(b), 1e-300)


def disagreements(name, theirs, ours):
    """Groups where `theirs` differs from Lantaarn's: missing or extra groups, another count,
    min or max (to 1e-12), or sum or mean (to 1e-9, the order of summation differs)."""
    out = [f"{name}: group {k} missing" for k in ours.keys() - theirs.keys()]
    out += [f"{name}: extra group {k}" for k in theirs.keys() - ours.keys()]
    for k in ours.keys() & theirs.keys():
        (c1, s1, m1, lo1, hi1), (c2, s2, m2, lo2, hi2) = ours[k], theirs[k]
        if c1 != c2 or not (close(s1, s2, 1e-9) and close(m1, m2, 1e-9) and close(lo1, lo2, 1e-12) and close(hi1, hi2, 1e-12)):
            out.append(f"{name}: group {k}: lantaarn {ours[k]}, {name} {theirs[k]}")
    return out


ours_groups, ours_p95 = lantaarn_groups(f"{work}/lantaarn-groups.csv")
problems = disagreements("sqlite", keyed(sqlite_rows_result), ours_groups)
problems += disagreements("duckdb", keyed(gen_duck["rows"]), ours_groups)
problems += disagreements("influxdb", gen_influx["groups"], ours_groups)
duck_p95 = {(r[0], r[1], int(r[2])): r[3] for r in gen_duck["p95_rows"]}
problems += [f"p95: group {k}: lantaarn {ours_p95.get(k)}, duckdb {duck_p95.get(k)}" for k in ours_p95.keys() | duck_p95.keys()
             if k not in ours_p95 or k not in duck_p95 or not close(ours_p95[k], duck_p95[k], 1e-9)]
log(f"groups: lantaarn {len(ours_groups)}, sqlite {len(sqlite_rows_result)}, duckdb {len(gen_duck['rows'])}, influxdb {len(gen_influx['groups'])}; "
    f"{len(problems)} disagreements")
if problems:
    for p in problems[:20]:
        log(p)
    raise SystemExit(f"store_peers: {len(problems)} disagreements between the stores (first ones above)")

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
    ("agree_groups", len(ours_groups), "groups"),
    ("agree_disagreements", len(problems), "groups"),
    # Loads of the same CSV file: parse, check, store, final sealing/checkpoint (Benchmarks/README.md).
    ("load_readings_per_s", ours["load_readings_per_s"], "readings/s"),
    ("load_readings_per_s_sqlite_cli_import", gen_values / sqlite_load, "readings/s"),
    ("load_readings_per_s_duckdb_read_csv", gen_values / gen_duck["load"], "readings/s"),
    # InfluxDB's clock covers only its HTTP writes of line protocol made from the CSV beforehand,
    # not the parse of the CSV nor its compaction: not the same work, so no ratio.
    ("load_readings_per_s_influxdb_http", gen_values / gen_influx["load_seconds"], "readings/s"),
    ("load_ratio_vs_sqlite_cli_import", ours["load_readings_per_s"] / (gen_values / sqlite_load), "x"),
    ("load_ratio_vs_duckdb_read_csv", ours["load_readings_per_s"] / (gen_values / gen_duck["load"]), "x"),
    # The store's own share of that load (time inside append): no peer has a figure like it.
    ("append_readings_per_s", ours["append_readings_per_s"], "readings/s"),
    # Backfill (issue 28): the tenth of the readings the set left out (4 h 22 min of every day of the
    # first half, per sensor), loaded after the sealed store; each merges into its day's sealed
    # chunk. Target: at least half the append rate; size within 5 % (after the purge's compaction,
    # whose time is the settle figure).
    ("backfill_readings_per_s", ours["backfill_readings_per_s"], "readings/s"),
    ("backfill_ratio_vs_append", ours["backfill_readings_per_s"] / ours["append_readings_per_s"], "x"),
    ("bytes_per_value_after_backfill", ours["bytes_per_value_after_backfill"], "B"),
    ("bytes_ratio_after_backfill", ours["bytes_per_value_after_backfill"] / ours_gen, "x"),
    ("settle_after_backfill_seconds", ours["settle_after_backfill_seconds"], "s"),
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
