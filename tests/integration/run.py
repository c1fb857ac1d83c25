#!/usr/bin/env python3
"""Runs every integration test against the stack in SHOP_URL / SHOP_VAR.

Prints each test's outcome and a closing "N passed, N failed" line; exits 1 on
any failure. Usage: tests/integration/run.py [-k PATTERN]
"""
import os
import sys
import unittest


def main(here=os.path.dirname(os.path.abspath(__file__)), label="integration"):
    """Runs the test_*.py files of the folder here; tests/cluster/run.py runs its own folder through this."""
    sys.path.insert(0, here)
    loader = unittest.TestLoader()
    filtered = len(sys.argv) == 3 and sys.argv[1] == "-k"
    if filtered:
        loader.testNamePatterns = [f"*{sys.argv[2]}*"]
    suite = loader.discover(here, pattern="test_*.py", top_level_dir=here)
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
    failed = len(result.failures) + len(result.errors)
    passed = result.testsRun - failed - len(result.skipped)
    print(f"{label}: {passed} passed, {failed} failed")
    # Unfiltered, running nothing is a broken suite; filtered, it is a pattern for other tests.
    return 0 if failed == 0 and (result.testsRun > 0 or filtered) else 1


if __name__ == "__main__":
    sys.exit(main())
