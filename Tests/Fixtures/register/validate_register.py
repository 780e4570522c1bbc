"""Validates algorithm register entries against the national publication standard's JSON Schema
(python-jsonschema, Draft 7, with format checks), independently of Lantaarn.

    validate_register.py SCHEMA ENTRY.json...

Prints one line per entry ("ok NAME" or each violation with its path) and exits 1 on any."""
import json
import sys

import jsonschema

schema_path, *entries = sys.argv[1:]
with open(schema_path, encoding="utf-8") as f:
    schema = json.load(f)
validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
failed = 0
for path in entries:
    with open(path, encoding="utf-8") as f:
        entry = json.load(f)
    errors = sorted(validator.iter_errors(entry), key=lambda e: list(e.absolute_path))
    if errors:
        failed += 1
        for e in errors:
            print(f"{path}: {'/'.join(map(str, e.absolute_path)) or '(entry)'}: {e.message}")
    else:
        print(f"ok {entry.get('source_id', path)}: {len(entry)} fields")
sys.exit(1 if failed else 0)
