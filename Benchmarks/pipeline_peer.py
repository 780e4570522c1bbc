"""DuckDB peer for `make bench-pipelines`, run in the same invocation as Lantaarn's pipeline.

Loads WORK_DIR/readings.csv (written by lantaarn-pipeline-bench) into a native DuckDB table
(not timed: Lantaarn's store was loaded before its clock started too), then times the same
computation end to end: the hourly per-wijk count/mean/min/max of both quantities, written to
an output table. Checks that DuckDB and Lantaarn agree (number of rows, total count, sum of the
means) and prints `BENCH <key> <value> <unit>` lines.
Usage: pipeline_peer.py WORK_DIR LANTAARN_JSON
"""
import json
import os
import sys
import time

import duckdb

work, ours_path = sys.argv[1], sys.argv[2]
ours = json.load(open(ours_path))
db = os.path.join(work, "peer.duckdb")
for p in (db, db + ".wal"):
    if os.path.exists(p):
        os.remove(p)
con = duckdb.connect(db)
t0 = time.perf_counter()
con.execute(f"""CREATE TABLE readings AS SELECT * FROM read_csv('{work}/readings.csv', header = true,
                columns = {{'wijk': 'VARCHAR', 'quantity': 'VARCHAR', 'ts': 'BIGINT', 'value': 'DOUBLE'}})""")
con.execute("CHECKPOINT")
print(f"duckdb load {time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)

QUERY = """CREATE OR REPLACE TABLE release AS
           SELECT wijk, quantity, ts // 3600000 * 3600000 AS periode_start, count(*) AS aantal, avg(value) AS gemiddelde,
                  min(value) AS minimum, max(value) AS maximum
           FROM readings GROUP BY ALL ORDER BY periode_start, wijk, quantity"""


def run():
    t = time.perf_counter()
    con.execute(QUERY)
    con.execute("CHECKPOINT")
    return time.perf_counter() - t


run()  # warm, as Lantaarn's store pages are warm after its load
duck = min(run(), run())
rows, count, means = con.execute("SELECT count(*), sum(aantal), sum(gemiddelde) FROM release").fetchone()
print(f"duckdb: {rows} rows in {duck:.2f} s; lantaarn: {ours['rows_out']} rows in {ours['pipeline_s']:.2f} s", file=sys.stderr)
if rows != ours["rows_out"] or count != ours["checksum_count"] or abs(means - ours["checksum_mean"]) > 1e-6 * max(1, abs(means)):
    sys.exit(f"DuckDB and Lantaarn disagree: rows {rows} / {ours['rows_out']}, count {count} / {ours['checksum_count']}, "
             f"sum of means {means} / {ours['checksum_mean']}")
print(f"BENCH pipeline_readings {ours['readings']} readings")
print(f"BENCH pipeline_windows {ours['windows']} windows")
print(f"BENCH pipeline_lantaarn_s {ours['pipeline_s']:.3f} s")
print(f"BENCH pipeline_duckdb_s {duck:.3f} s")
print(f"BENCH pipeline_ratio_vs_duckdb {ours['pipeline_s'] / duck:.3f} x")
