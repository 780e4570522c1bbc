"""What Python scripts run and import, for ToolListTests.

Reads each script given (and, transitively, every local module it imports: one in the importer's
folder, Benchmarks/ or Tests/TestSupport/) with Python's own parser and prints one JSON object:

  {"PATH": {"imports": [third-party top-level modules],
            "tools": [names passed to tool("...")],
            "bypasses": ["LINE: what", ...]}, ...}

A bypass is any way to start a program other than `tool()`: a subprocess/os call whose program is
a string literal, `shutil.which`, `os.system`/`os.popen`/`os.exec*`/`os.spawn*`, or a string literal
naming a program folder (/usr/bin/..., /usr/sbin/..., /bin/...). Programs held in variables (the
built `lantaarn` binary, the venv's own python) are the caller's and pass.

Usage: scan_scripts.py REPO SCRIPT..."""
import ast
import json
import os
import re
import sys

LAUNCHERS = {("subprocess", n) for n in ("run", "Popen", "call", "check_call", "check_output", "getoutput", "getstatusoutput")}
OS_LAUNCHERS = re.compile(r"^(system|popen|exec\w*|spawn\w*|posix_spawn\w*)$")
PROGRAM_FOLDER = re.compile(r"^/(usr/)?(local/)?s?bin/")


def dotted(node):
    """`a.b.c` of an attribute chain, or None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def literal_program(arg):
    """The program a launch's first argument names literally, or None."""
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return arg.value
    if isinstance(arg, ast.BinOp):   # ["prog", ...] + more
        return literal_program(arg.left)
    if isinstance(arg, (ast.List, ast.Tuple)) and arg.elts:
        first = arg.elts[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            return first.value
    return None


def scan(path, folders):
    tree = ast.parse(open(path).read(), path)
    imports, tools, bypasses, local = set(), set(), [], []

    def resolve(module):
        for folder in folders(path):
            candidate = os.path.join(folder, module + ".py")
            if os.path.exists(candidate):
                return candidate
        return None

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                found = resolve(top)
                (local.append(found) if found else imports.add(top))
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            top = node.module.split(".")[0]
            found = resolve(top)
            (local.append(found) if found else imports.add(top))
        elif isinstance(node, ast.Call):
            name = dotted(node.func) or ""
            head, _, attr = name.rpartition(".")
            if name in ("tool", "benchlib.tool", "tools.tool", "mqttlib.tool"):
                if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                    tools.add(node.args[0].value)
                else:
                    bypasses.append(f"{node.lineno}: tool() with a name that is not a string literal")
            elif (head, attr) in LAUNCHERS and node.args and literal_program(node.args[0]) is not None:
                bypasses.append(f"{node.lineno}: {name}() starts '{literal_program(node.args[0])}' without tool()")
            elif head == "os" and OS_LAUNCHERS.match(attr):
                bypasses.append(f"{node.lineno}: {name}() starts a program without tool()")
            elif name == "shutil.which":
                bypasses.append(f"{node.lineno}: shutil.which() finds a program without tool()")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and PROGRAM_FOLDER.match(node.value):
            bypasses.append(f"{node.lineno}: '{node.value}' names a program by its path; use tool()")
    if path.endswith(os.path.join("Tests", "TestSupport", "tools.py")):
        bypasses = []   # the helper itself: it is what finds the programs
    stdlib = set(sys.stdlib_module_names)
    return {"imports": sorted(m for m in imports if m not in stdlib), "tools": sorted(tools), "bypasses": bypasses}, local


def main():
    repo = os.path.abspath(sys.argv[1])

    def folders(path):
        return [os.path.dirname(os.path.abspath(path)), os.path.join(repo, "Benchmarks"), os.path.join(repo, "Tests", "TestSupport")]

    todo = [os.path.abspath(p) for p in sys.argv[2:]]
    out = {}
    while todo:
        path = todo.pop()
        if path in out:
            continue
        out[path], local = scan(path, folders)
        todo += [os.path.abspath(p) for p in local]
    print(json.dumps({os.path.relpath(k, repo): v for k, v in sorted(out.items())}))


if __name__ == "__main__":
    main()
