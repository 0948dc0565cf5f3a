#!/usr/bin/env python3
"""junit_summary.py FILE — parses a JUnit XML file with junitparser (a JUnit consumer; Debian's python3-junitparser)
and prints 'tests=N failures=N errors=N skipped=N' over all test cases."""
import sys

from junitparser import JUnitXml, Failure, Error, Skipped

xml = JUnitXml.fromfile(sys.argv[1])
tests = failures = errors = skipped = 0
for suite in xml:
    n = 0
    for case in suite:
        n += 1
        tests += 1
        for r in case.result:
            failures += isinstance(r, Failure)
            errors += isinstance(r, Error)
            skipped += isinstance(r, Skipped)
    assert suite.tests == n, (suite.name, suite.tests, n)
print(f"tests={tests} failures={failures} errors={errors} skipped={skipped}")
