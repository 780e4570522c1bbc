"""Downloads every public dataset of a running Lantaarn as CSV and as Parquet (and each
dataset's newest release in both), reads the Parquet with pyarrow and with DuckDB, and checks
that every cell equals the CSV's, with the type the dataset's column declares: integer, number,
timestamp (milliseconds, UTC) or text; an empty CSV field is a null.

    compare_downloads.py BASE_URL

Prints one line per file compared and a summary; exits 1 on any difference."""
import csv
import io
import json
import math
import sys
import tempfile
import urllib.request
from datetime import datetime

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

base = sys.argv[1].rstrip("/")
expected_arrow = {"integer": "int64", "number": "double", "timestamp": "timestamp[ms, tz=UTC]", "text": "string"}
expected_duck = {"integer": "BIGINT", "number": "DOUBLE", "timestamp": "TIMESTAMP WITH TIME ZONE", "text": "VARCHAR"}


def get(path, accept="application/json"):
    with urllib.request.urlopen(urllib.request.Request(base + path, headers={"Accept": accept})) as r:
        return r.read(), r.headers


def csv_value(text, kind):
    if text == "":
        return None
    if kind == "integer":
        return int(text)
    if kind == "number":
        return float(text)
    if kind == "timestamp":
        return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)
    return text[1:] if text[:1] == "'" and text[1:2] in "=+-@" else text   # CSV-injection guard


def same(a, b):
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b)) or abs(a - b) <= 1e-12 * max(abs(a), abs(b))
    return a == b


failures, compared, cells = [], 0, 0
datasets = json.loads(get("/datasets")[0])["datasets"]
for d in datasets:
    if not d.get("public"):
        continue
    kinds = [c["type"] for c in d["columns"]]
    releases = json.loads(get(f"/datasets/{d['name']}/releases")[0])["releases"]
    targets = [f"/datasets/{d['name']}"] + [f"/datasets/{d['name']}/releases/{r['id']}" for r in [r for r in releases if r["rows_out"] > 0][-1:]]
    for target in targets:
        body, _ = get(target + ".csv", "text/csv")
        rows = list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))
        header, rows = rows[0], [[csv_value(v, k) for v, k in zip(r, kinds)] for r in rows[1:]]
        data, headers = get(target + ".parquet", "application/vnd.apache.parquet")
        if headers.get("Content-Type") != "application/vnd.apache.parquet":
            failures.append(f"{target}.parquet: Content-Type {headers.get('Content-Type')}")
        with tempfile.NamedTemporaryFile(suffix=".parquet") as f:
            f.write(data)
            f.flush()
            table = pq.read_table(f.name)
            arrow_types = [str(t) for t in table.schema.types]
            columns = [pc.cast(c, pa.int64()) if pa.types.is_timestamp(c.type) else c for c in table.columns]
            arrow_rows = [list(r) for r in zip(*[c.to_pylist() for c in columns])] if columns else []
            con = duckdb.connect()
            described = con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [f.name]).fetchall()
            duck_types = [r[1] for r in described]
            select = ", ".join(f'epoch_ms("{r[0]}")' if r[1].startswith("TIMESTAMP") else f'"{r[0]}"' for r in described)
            duck_rows = [list(r) for r in con.execute(f"SELECT {select} FROM read_parquet(?)", [f.name]).fetchall()]
        if table.schema.names != header:
            failures.append(f"{target}: columns {table.schema.names} != {header}")
        if arrow_types != [expected_arrow[k] for k in kinds]:
            failures.append(f"{target}: pyarrow types {arrow_types} for {kinds}")
        if duck_types != [expected_duck[k] for k in kinds]:
            failures.append(f"{target}: duckdb types {duck_types} for {kinds}")
        for reader, got in (("pyarrow", arrow_rows), ("duckdb", duck_rows)):
            if len(got) != len(rows):
                failures.append(f"{target}: {reader} read {len(got)} rows, the CSV has {len(rows)}")
                continue
            for i, (g, e) in enumerate(zip(got, rows)):
                if len(g) != len(e) or not all(same(a, b) for a, b in zip(g, e)):
                    failures.append(f"{target} row {i}: {reader} {g} != CSV {e}")
                    break
        compared += 1
        cells += len(rows) * len(kinds)
        print(f"ok {target}.parquet: {len(rows)} rows" if not failures else f"checked {target}.parquet")

print(f"compared {compared} Parquet downloads ({cells} cells) with their CSV in pyarrow and DuckDB; {len(failures)} differences")
for f in failures[:20]:
    print("DIFF", f)
sys.exit(1 if failures or compared == 0 else 0)
