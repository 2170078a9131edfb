#!/usr/bin/python3
"""json_schema_check.py NAME [FILE]: check one JSON document that dpvsctl
printed against its schema, docs/schema/NAME.json (JSON Schema draft
2020-12, with the formats ipv4 and ipv6 checked).

In:  the document on stdin (or in FILE); every docs/schema/*.json is loaded,
     so that one schema may refer to another by its $id (list-stats.json
     builds on list.json). Each schema is first checked against the draft's
     meta-schema.
Out: exit 0 and nothing printed if the document conforms; exit 1 and one
     line per violation on stderr ("NAME: at $.path: what") if it does not;
     exit 2 if the document is not JSON or the schema is missing or invalid.

Used by tests/system/test_m_cli_json.sh and tests/unit/test_ctl_lbnode.c;
needs Debian's python3-jsonschema (deploy/install-deps.sh).
"""
import glob
import json
import os
import sys

import jsonschema
from jsonschema import Draft202012Validator, FormatChecker

SCHEMA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs",
                          "schema")


def load_schemas():
    """Every schema file, checked against the meta-schema; by file name and by $id."""
    by_name, by_id = {}, {}
    for path in sorted(glob.glob(os.path.join(SCHEMA_DIR, "*.json"))):
        with open(path, encoding="utf-8") as f:
            schema = json.load(f)
        Draft202012Validator.check_schema(schema)
        by_name[os.path.basename(path)[:-len(".json")]] = schema
        by_id[schema["$id"]] = schema
    return by_name, by_id


def where(path):
    return "$" + "".join("[%d]" % p if isinstance(p, int) else ".%s" % p for p in path)


def main():
    if len(sys.argv) not in (2, 3):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    name = sys.argv[1]
    try:
        by_name, by_id = load_schemas()
    except (OSError, ValueError, jsonschema.SchemaError) as e:
        print("%s: a schema in %s is broken: %s" % (name, SCHEMA_DIR, e), file=sys.stderr)
        return 2
    if name not in by_name:
        print("%s: no schema %s/%s.json" % (name, SCHEMA_DIR, name), file=sys.stderr)
        return 2
    text = open(sys.argv[2], encoding="utf-8").read() if len(sys.argv) == 3 else sys.stdin.read()
    try:
        doc = json.loads(text)
    except ValueError as e:
        print("%s: not JSON (%s): %r" % (name, e, text[:200]), file=sys.stderr)
        return 2
    schema = by_name[name]
    resolver = jsonschema.RefResolver.from_schema(schema, store=by_id)
    validator = Draft202012Validator(schema, resolver=resolver, format_checker=FormatChecker())
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    for e in errors:
        print("%s: at %s: %s" % (name, where(e.absolute_path), e.message), file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
