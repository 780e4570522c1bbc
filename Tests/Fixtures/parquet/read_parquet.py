"""Reads Parquet files with pyarrow and with DuckDB, independently of Lantaarn, and prints for
each one JSON line: what each reader makes of the column types, the rows (timestamps as
milliseconds since 1970 UTC, NaN as "NaN"), and pyarrow's view of the footer (row groups,
codec, encodings, statistics).

    read_parquet.py FILE...
"""
import json
import math
import sys

import duckdb
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pyarrow as pa


def plain(v):
    if isinstance(v, float) and math.isnan(v):
        return "NaN"
    return v


for path in sys.argv[1:]:
    table = pq.read_table(path)
    columns = []
    for i, field in enumerate(table.schema):
        column = table.column(i)
        if pa.types.is_timestamp(field.type):
            column = pc.cast(column, pa.int64())
        columns.append([plain(v) for v in column.to_pylist()])
    arrow_rows = [list(r) for r in zip(*columns)] if columns else []

    con = duckdb.connect()
    described = con.execute("SELECT * FROM read_parquet(?) LIMIT 0", [path]).description
    kinds = [row[1] for row in con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [path]).fetchall()]
    select = ", ".join(f'epoch_ms("{d[0]}")' if k.startswith("TIMESTAMP") else f'"{d[0]}"' for d, k in zip(described, kinds))
    duck_rows = [[plain(v) for v in r] for r in con.execute(f"SELECT {select} FROM read_parquet(?)", [path]).fetchall()] if described else []

    meta = pq.ParquetFile(path).metadata
    chunks = []
    for g in range(meta.num_row_groups):
        for c in range(meta.num_columns):
            col = meta.row_group(g).column(c)
            s = col.statistics
            chunks.append({
                "group": g, "column": col.path_in_schema, "codec": col.compression, "encodings": sorted(col.encodings),
                "has_dictionary": col.has_dictionary_page,
                "null_count": s.null_count if s is not None else None,
                "min": plain(s.min) if s is not None and s.has_min_max else None,
                "max": plain(s.max) if s is not None and s.has_min_max else None,
            })
    print(json.dumps({
        "file": path,
        "pyarrow": {"types": [str(f.type) for f in table.schema], "names": table.schema.names, "rows": arrow_rows},
        "duckdb": {"types": kinds, "rows": duck_rows},
        "row_groups": meta.num_row_groups, "num_rows": meta.num_rows, "created_by": meta.created_by,
        "chunks": chunks,
    }, default=str))
