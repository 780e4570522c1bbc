"""k-anonymity of a published release, checked by pycanon (an independent implementation).

A published row of counts stands for `count` people or reports sharing its quasi-identifiers
(wijk, category, period). The rows are expanded into those records and pycanon computes k over
the quasi-identifiers; suppressed counts (empty) are not published and stand for nobody.

Usage: k_anonymity.py FILE.csv COUNT_COLUMN QI1,QI2,... K
Prints "k=N records=M" and exits 1 when N < K.
"""
import csv
import sys

import pandas as pd
from pycanon import anonymity


def main():
    path, count_column, qi, required = sys.argv[1], sys.argv[2], sys.argv[3].split(","), int(sys.argv[4])
    records = []
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            text = row[count_column].strip()
            if text == "":
                continue
            records += [{q: row[q] for q in qi}] * int(float(text))
    if not records:
        print("k=0 records=0")
        sys.exit(1)
    k = anonymity.k_anonymity(pd.DataFrame(records), qi)
    print(f"k={k} records={len(records)}")
    sys.exit(0 if k >= required else 1)


if __name__ == "__main__":
    main()
