"""The Python side of TestTools.swift: fixture scripts and benchmarks reach external programs only
through `tool(name)`, which resolves a program on Tests/tools.list and refuses any other name.

When a test starts a process (TestTools.swift sets LANTAARN_TOOL_SCOPES=test), only programs of
scope test are allowed, because those are what `make test` installs on a fresh machine. Outside
tests (`make bench-*`, `make verify`) every listed program is allowed. ToolListTests scans the
fixture scripts for any process launch that does not go through here."""
import glob
import os
import shutil

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LIST = os.path.join(REPO, "Tests", "tools.list")


def entries():
    """Every line of the list as (scope, kind, name, source)."""
    out = []
    with open(LIST) as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            fields = line.split(None, 4)
            if len(fields) < 4:
                raise SystemExit(f"{LIST} line {number} is not 'SCOPE KIND NAME SOURCE PURPOSE': {line}")
            out.append(tuple(fields[:4]))
    return out


def tool(name):
    """Absolute path of the listed program `name`; exits with what to do when it is not listed for
    the running scope, or not installed."""
    scopes = os.environ.get("LANTAARN_TOOL_SCOPES")
    allowed = scopes.split(",") if scopes else ["test", "bench", "verify", "fuzz"]
    listed = [e for e in entries() if e[1] == "program" and e[2] == name]
    usable = [e for e in listed if e[0] in allowed]
    if not usable:
        if listed:
            raise SystemExit(f"'{name}' is on Tests/tools.list for {listed[0][0]}, not for {','.join(allowed)}: "
                             f"`make test` does not install it. Move it to scope test if a test needs it")
        raise SystemExit(f"'{name}' is not on Tests/tools.list: add it with its scope and the package that installs it")
    source = usable[0][3]
    if source == "venv" or source.startswith("pip:"):
        path = os.path.join(REPO, ".venv", "bin", name)
        if not os.access(path, os.X_OK):
            raise SystemExit(f"{path} is missing: run `scripts/venv {usable[0][0]}` (make venv-test, make venv)")
        return path
    # Debian keeps PostgreSQL's server programs (initdb, postgres) out of PATH, per version.
    extra = ["/usr/local/sbin", "/usr/sbin", "/sbin"] + sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    path = shutil.which(name, path=os.environ.get("PATH", "") + ":" + ":".join(extra))
    if not path:
        flag = {"test": "", "bench": " --bench", "fuzz": " --fuzz"}.get(usable[0][0], "")
        raise SystemExit(f"'{name}' is not installed: run scripts/setup{flag}, which installs {source[4:]}")
    return path
