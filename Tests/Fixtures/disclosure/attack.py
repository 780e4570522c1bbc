"""An attacker who holds every published number: how narrowly can each suppressed cell be pinned?

Independent of Lantaarn's own solver: it downloads every public dataset from a running Lantaarn
(`/datasets.json`, then `/datasets/NAME.json`), builds the linear relations between the published
counts itself, and computes for every suppressed count the feasible interval with
`scipy.optimize.linprog` (HiGHS), under non-negativity; the bounds are rounded inwards to whole
numbers (integrality). One programme per bound; a lower bound is 0 without one when an earlier
solution already had the cell at 0.

Relations it uses:
- those a dataset declares in its metadata (`disclosure.relations`): `total` (a total row is the
  sum of the rows it covers), `stock_flow` (a stock at the end of a period is the stock at its
  start plus inflow minus outflow) and `parts` (counts that add up to another dataset's count,
  plus a non-negative remainder);
- and, whatever a dataset declares, the identity every meldingen table obeys:
  open_einde_week(t) = open_einde_week(t-1) + aantal_meldingen(t) - afgehandeld(t).
A group without a row in a published period has zero in every count of that period (rows are
published for every group with something to count), which the attacker uses too.

Usage: attack.py BASE_URL [--cells OUT.json] [--protection N]
Prints `BENCH sdc_cells_suppressed N`, `BENCH sdc_cells_exposed N`, `BENCH sdc_min_interval N`,
and one `EXPOSED ...` line per cell whose interval is narrower than the protection width; exits 1
when any is. `--cells` writes every suppressed cell's interval as JSON (label -> [low, high],
high null when unbounded), to compare with `lantaarn datasets audit --json`.
"""
import json
import math
import sys
import urllib.request

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

# The meldingen identity the issue found, used even when a dataset does not declare it.
MELDINGEN_COUNTS = [
    {"column": "aantal_meldingen", "statistic": "meldingen.nieuw", "time": "periode_start", "of": "meldingen"},
    {"column": "open_einde_week", "statistic": "meldingen.open", "time": "periode_eind", "of": "meldingen"},
    {"column": "afgehandeld", "statistic": "meldingen.afgehandeld", "time": "periode_start", "of": "meldingen"},
]
MELDINGEN_IDENTITY = {"kind": "stock_flow", "stock": "meldingen.open", "inflow": "meldingen.nieuw",
                      "outflow": "meldingen.afgehandeld", "from": "periode_start", "to": "periode_eind"}


def get(url):
    with urllib.request.urlopen(url, timeout=120) as r:
        return json.load(r)


def spec_of(meta):
    """The dataset's declared disclosure spec, with the meldingen identity added where it applies."""
    spec = meta.get("disclosure")
    columns = {c["name"] for c in meta["columns"]}
    if spec is None:
        if not {"aantal_meldingen", "open_einde_week", "afgehandeld", "wijk_code", "hoofdcategorie"} <= columns:
            return None
        # Code from before declared relations: the attacker names the cells itself.
        spec = {"namespace": meta["name"], "protection": 5, "keys": {"wijk_code": "wijk", "hoofdcategorie": "hoofdcategorie"},
                "counts": MELDINGEN_COUNTS, "relations": []}
    spec = dict(spec)
    if {"aantal_meldingen", "open_einde_week", "afgehandeld"} <= columns:
        spec["counts"] = [c for c in spec["counts"] if c["column"] not in {m["column"] for m in MELDINGEN_COUNTS}] + MELDINGEN_COUNTS
        spec["relations"] = list(spec["relations"]) + [MELDINGEN_IDENTITY]
    return spec


def cell_id(namespace, statistic, time, dims):
    return namespace + "|" + statistic + "|" + time + "|" + "|".join(f"{d}={v}" for d, v in sorted(dims.items()))


def label(dataset, row, spec, count):
    keys = "|".join(f"{c}={row[c]}" for c in sorted(spec["keys"]))
    return f"{dataset}|{row[count['time']]}|{keys}|{count['column']}"


class System:
    def __init__(self):
        self.published = {}     # cell id -> value
        self.suppressed = {}    # cell id -> (label, protection)
        self.relations = []     # ([(cell id, coefficient)], has non-negative remainder)
        self.covered = set()    # (namespace, statistic, time, dimension names): rows exist there
        self.remainders = 0

    def known(self, cell, namespace, statistic, time, dims):
        """A cell never published in a period whose rows are published is zero."""
        if cell not in self.published and cell not in self.suppressed \
                and (namespace, statistic, time, tuple(sorted(dims))) in self.covered:
            self.published[cell] = 0.0


def load(base):
    system = System()
    catalogue = get(base + "/datasets.json")["datasets"]
    tables = []
    for meta in catalogue:
        if not meta.get("public", True):
            continue
        spec = spec_of(meta)
        if spec is None:
            continue
        rows = get(base + f"/datasets/{meta['name']}.json")["rows"]
        print(f"dataset {meta['name']}: {len(rows)} rows, relations "
              + ("declared: " if "disclosure" in meta else "not declared, assumed: ")
              + ", ".join(r["kind"] for r in spec["relations"]))
        tables.append((meta["name"], spec, rows))
    for name, spec, rows in tables:
        for row in rows:
            dims = {d: row[c] for c, d in spec["keys"].items()}
            dims.update(spec.get("fixed", {}))
            for count in spec["counts"]:
                if count.get("of") == "metingen":
                    continue    # readings of sensors, not people: not protected
                cid = cell_id(spec["namespace"], count["statistic"], row[count["time"]], dims)
                system.covered.add((spec["namespace"], count["statistic"], row[count["time"]], tuple(sorted(dims))))
                value = row[count["column"]]
                if value is None:
                    system.suppressed[cid] = (label(name, row, spec, count), spec.get("protection", 5))
                else:
                    system.published[cid] = float(value)
    for name, spec, rows in tables:
        relate(system, spec, rows)
    return system


def relate(system, spec, rows):
    ns = spec["namespace"]
    counts = [c for c in spec["counts"] if c.get("of") != "metingen"]
    stat_time = {c["statistic"]: c["time"] for c in counts}

    def ref(statistic, time, dims):
        cid = cell_id(ns, statistic, time, dims)
        system.known(cid, ns, statistic, time, dims)
        return cid

    def dims_of(row):
        d = {dim: row[c] for c, dim in spec["keys"].items()}
        d.update(spec.get("fixed", {}))
        return d

    for rel in spec["relations"]:
        if rel["kind"] == "total":
            dim, code = rel["dimension"], rel["code"]
            # Per statistic and time: every total row against the rows it covers.
            parts = {}
            totals = []
            for row in rows:
                d = dims_of(row)
                for c in counts:
                    other = tuple(sorted((k, v) for k, v in d.items() if k != dim))
                    key = (c["statistic"], row[c["time"]], other)
                    if d[dim] == code:
                        totals.append((key, cell_id(ns, c["statistic"], row[c["time"]], d)))
                    else:
                        parts.setdefault(key, []).append(cell_id(ns, c["statistic"], row[c["time"]], d))
            for key, total in totals:
                if not parts.get(key):
                    continue    # a total with no rows under it (the gemeente row of all categories, per wijk)
                system.relations.append(([(total, 1.0)] + [(p, -1.0) for p in parts.get(key, [])], False))
        elif rel["kind"] == "stock_flow":
            start_col, end_col = rel["from"], rel["to"]
            groups = {tuple(sorted(dims_of(r).items())) for r in rows}
            periods = {(r[start_col], r[end_col]) for r in rows}
            for g in groups:
                d = dict(g)
                for start, end in periods:
                    terms = [(ref(rel["stock"], end, d), 1.0), (ref(rel["stock"], start, d), -1.0),
                             (ref(rel["inflow"], start if stat_time[rel["inflow"]] == start_col else end, d), -1.0),
                             (ref(rel["outflow"], start if stat_time[rel["outflow"]] == start_col else end, d), 1.0)]
                    system.relations.append((terms, False))
        elif rel["kind"] == "parts":
            seen = set()
            for row in rows:
                d = dims_of(row)
                time = row[counts[0]["time"]]
                if (time, tuple(sorted(d.items()))) in seen:
                    continue
                seen.add((time, tuple(sorted(d.items()))))
                whole_dims = {k: v for k, v in d.items() if k not in rel.get("drop", [])}
                whole_dims.update(rel["whole_dims"])
                terms = [(ref(p, time, d), 1.0) for p in rel["parts"]]
                terms.append((ref(rel["whole"], time, whole_dims), -1.0))
                system.relations.append((terms, rel.get("remainder") == "nonnegative"))


def intervals(system):
    """Feasible interval of every suppressed cell, per connected component of unknowns."""
    unknown_index = {}
    equations = []
    for terms, remainder in system.relations:
        constant = 0.0
        row = {}
        for cid, coefficient in terms:
            if cid in system.published:
                constant += coefficient * system.published[cid]
            else:
                row[cid] = row.get(cid, 0.0) + coefficient
        if remainder:
            system.remainders += 1
            row[f"remainder#{system.remainders}"] = -1.0
        row = {c: v for c, v in row.items() if v != 0.0}
        if not row:
            if abs(constant) > 1e-6:
                raise SystemExit(f"published numbers break a declared relation: {terms}")
            continue
        for c in row:
            unknown_index.setdefault(c, len(unknown_index))
        equations.append((row, -constant))
    parent = list(range(len(unknown_index)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for row, _ in equations:
        cells = [unknown_index[c] for c in row]
        for c in cells[1:]:
            parent[find(c)] = find(cells[0])
    components = {}
    for cid, i in unknown_index.items():
        components.setdefault(find(i), []).append(cid)
    by_component = {}
    for row, rhs in equations:
        by_component.setdefault(find(unknown_index[next(iter(row))]), []).append((row, rhs))

    result = {}
    for cid, (lbl, _) in system.suppressed.items():
        if cid not in unknown_index:
            result[cid] = (0.0, None)    # in no relation: anything from 0 up
    for root, cells in components.items():
        targets = [c for c in cells if c in system.suppressed]
        if not targets:
            continue
        local = {c: i for i, c in enumerate(cells)}
        rows_i, cols_i, data, rhs = [], [], [], []
        for r, (row, b) in enumerate(by_component[root]):
            for c, v in row.items():
                rows_i.append(r)
                cols_i.append(local[c])
                data.append(v)
            rhs.append(b)
        a_eq = coo_matrix((data, (rows_i, cols_i)), shape=(len(rhs), len(cells))).tocsr()
        b_eq = np.array(rhs)
        # Every solution is a feasible point: a cell seen at 0 in one has 0 as its exact lower
        # bound (non-negativity), so its minimisation is skipped.
        seen_zero = np.zeros(len(cells), dtype=bool)
        for c in targets:
            objective = np.zeros(len(cells))
            objective[local[c]] = 1.0
            high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
            if high.status == 2:
                raise SystemExit("the published numbers admit no solution under the declared relations")
            if high.status == 0:
                seen_zero |= high.x < 1e-9
            if seen_zero[local[c]]:
                lo = 0
            else:
                low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
                if low.status == 2:
                    raise SystemExit("the published numbers admit no solution under the declared relations")
                seen_zero |= low.x < 1e-9
                lo = math.ceil(low.fun - 1e-6)
            hi = None if high.status == 3 else math.floor(-high.fun + 1e-6)
            result[c] = (lo, hi)
    return result


def main():
    base = sys.argv[1].rstrip("/")
    out = None
    override = None
    args = sys.argv[2:]
    while args:
        flag = args.pop(0)
        if flag == "--cells":
            out = args.pop(0)
        elif flag == "--protection":
            override = int(args.pop(0))
        else:
            raise SystemExit(f"unknown option {flag}")
    system = load(base)
    print(f"relations {len(system.relations)}, published cells {len(system.published)}, suppressed cells {len(system.suppressed)}")
    result = intervals(system)
    exposed = []
    widths = []
    for cid, (lo, hi) in result.items():
        lbl, protection = system.suppressed[cid]
        protection = override or protection
        width = math.inf if hi is None else hi - lo
        widths.append(width)
        if width < protection:
            exposed.append((lbl, lo, hi))
    for lbl, lo, hi in sorted(exposed):
        print(f"EXPOSED {lbl} interval [{lo}, {hi}]")
    if out:
        with open(out, "w", encoding="utf-8") as f:
            json.dump({system.suppressed[c][0]: [lo, hi] for c, (lo, hi) in result.items()}, f, indent=0, sort_keys=True)
    finite = [w for w in widths if w != math.inf]
    print(f"BENCH sdc_cells_suppressed {len(result)} cells")
    print(f"BENCH sdc_cells_exposed {len(exposed)} cells")
    print(f"BENCH sdc_min_interval {min(finite) if finite else -1} count")
    sys.exit(1 if exposed else 0)


if __name__ == "__main__":
    main()
