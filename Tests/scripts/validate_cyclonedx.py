#!/usr/bin/env python3
"""Validates a CycloneDX JSON SBOM with cyclonedx-python-lib's strict JSON validator (the schema of its specVersion).
Usage: validate_cyclonedx.py SBOM.json   (exit 0 and "valid", or exit 1 with the validation error)"""
import json
import sys

from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

text = open(sys.argv[1], encoding="utf-8").read()
version = SchemaVersion.from_version(json.loads(text)["specVersion"])
error = JsonStrictValidator(version).validate_str(text)
if error:
    data = getattr(error, "data", None)
    where = "/".join(str(p) for p in getattr(data, "absolute_path", []))
    message = getattr(data, "message", None) or str(error).splitlines()[0]
    print(f"{sys.argv[1]}: not valid CycloneDX {version.to_version()}: at /{where}: {message}")
    sys.exit(1)
print(f"valid CycloneDX {version.to_version()}")
