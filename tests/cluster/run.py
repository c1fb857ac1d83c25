#!/usr/bin/env python3
"""Runs the cluster tests against the cluster scripts/cluster built (CLUSTER_VAR).

Prints each test's outcome and a closing "cluster: N passed, N failed" line; exits 1 on
any failure. Usage: tests/cluster/run.py [-k PATTERN]. The runner is the integration tests' own.
"""
import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("integration_run", os.path.join(HERE, "..", "integration", "run.py"))
integration_run = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(integration_run)

if __name__ == "__main__":
    sys.exit(integration_run.main(HERE, "cluster"))
