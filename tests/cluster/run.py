#!/usr/bin/env python3
"""Runs the cluster tests against the cluster scripts/cluster built (CLUSTER_VAR).

Prints each test's outcome and a closing "cluster: N passed, N failed" line; exits 1 on
any failure. Usage: tests/cluster/run.py [-k PATTERN]
"""
import os
import sys
import unittest


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, here)
    loader = unittest.TestLoader()
    filtered = len(sys.argv) == 3 and sys.argv[1] == "-k"
    if filtered:
        loader.testNamePatterns = [f"*{sys.argv[2]}*"]
    suite = loader.discover(here, pattern="test_*.py", top_level_dir=here)
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
    failed = len(result.failures) + len(result.errors)
    passed = result.testsRun - failed - len(result.skipped)
    print(f"cluster: {passed} passed, {failed} failed")
    return 0 if failed == 0 and (result.testsRun > 0 or filtered) else 1


if __name__ == "__main__":
    sys.exit(main())
