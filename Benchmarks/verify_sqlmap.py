#!/usr/bin/env python3
"""make verify, sqlmap part (issue 10): sqlmap (from PyPI, in .venv) at level 3, risk 2, every
technique, on the query API's filters, sort, facet and page parameters of `lantaarn serve` over a
generated history (the same served instance as verify_security.py); it must find no injectable
parameter. Kept apart from verify_security.py, which `make test` runs, because sqlmap is a
`make verify` tool (Tests/tools.list, scope verify).

Usage: verify_sqlmap.py LANTAARN_BIN WORK_DIR
Prints one JSON object and `VERIFY <key> <value> <unit>` lines; exits 1 on a failure."""
import os
import re
import subprocess
import sys
import time

import verify_security
from benchlib import tool
from verify_security import DATASET, check


def sqlmap(port):
    """sqlmap against the query API; every parameter must come out not injectable."""
    url = (f"http://127.0.0.1:{port}/datasets/{DATASET}/rows.json?wijk_code=WK039201&gemiddelde__gt=1"
           f"&periode_start__lte=2030-01-01T00:00:00Z&wijk_naam__contains=a&_sort=periode_start&_facet=grootheid&_size=5")
    started = time.monotonic()
    r = subprocess.run([tool("sqlmap"), "-u", url, "--batch", "--level=3", "--risk=2", "--technique=BEUSTQ", "--dbms=SQLite",
                        "--threads=4", "--skip-waf", "--disable-coloring", "--flush-session", f"--output-dir={verify_security.work}/sqlmap"],
                       capture_output=True, text=True, timeout=3600)
    out = r.stdout + r.stderr
    with open(os.path.join(verify_security.work, "sqlmap.txt"), "w") as f:
        f.write(out)
    tested = sorted(set(re.findall(r"testing if GET parameter '([^']+)' is dynamic", out)))
    injectable = sorted(set(re.findall(r"GET parameter '([^']+)' (?:is|appears to be) '?[^']*'? injectable", out)))
    verdict = "all tested parameters do not appear to be injectable" in out
    check("sqlmap", verdict and not injectable and len(tested) >= 6, parameters=tested, injectable=injectable,
          techniques_tried=len(re.findall(r"testing '", out)), seconds=round(time.monotonic() - started),
          answered_400=int(m.group(1)) if (m := re.search(r"400 \(Bad Request\) - (\d+) times", out)) else 0, exit=r.returncode)
    print(f"VERIFY security_sqlmap_parameters {len(tested)} parameters")
    print(f"VERIFY security_sqlmap_injectable {len(injectable)} parameters")



def main():
    if len(sys.argv) != 3:
        sys.exit("usage: verify_sqlmap.py LANTAARN_BIN WORK_DIR")
    verify_security.configure(sys.argv[1], sys.argv[2])
    with verify_security.served() as (port, _):
        sqlmap(port)
    verify_security.report()


if __name__ == "__main__":
    main()
