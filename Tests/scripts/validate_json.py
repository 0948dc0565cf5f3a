#!/usr/bin/env python3
"""validate_json.py SCHEMA FILE... — validates each FILE against SCHEMA (any JSON Schema draft it declares), one
line per error, and a closing count."""
import json
import sys

import jsonschema

schema = json.load(open(sys.argv[1]))
cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
cls.check_schema(schema)
validator = cls(schema, format_checker=jsonschema.FormatChecker())
bad = 0
for path in sys.argv[2:]:
    doc = json.load(open(path))
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    for e in errors:
        print(f"{path}: {'/'.join(map(str, e.path)) or '(root)'}: {e.message}")
    bad += bool(errors)
print(f"{len(sys.argv) - 2 - bad} valid, {bad} invalid")
sys.exit(1 if bad else 0)
