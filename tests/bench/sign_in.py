#!/usr/bin/env python3
"""sign_in.py - how long one sign-in takes through nginx: N sequential sign-ins (default 50), p50 and p99.

usage: SHOP_URL=http://127.0.0.1:PORT SHOP_VAR=... python3 tests/bench/sign_in.py [N]

Signs up one account, then signs in N times from a fresh session each, one after
another (so the figure is the Argon2id verification plus the request, not a
queue). Measures; never fails on a figure.
"""
import os
import statistics
import sys
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
from shop import Client  # noqa: E402


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    email, password = f"bench-{uuid.uuid4().hex[:12]}@example.com", "plum-orchard-lantern"
    response = Client().post("/api/account", {"email": email, "password": password, "name": "Bench"})
    assert response.status == 201, response
    times = []
    for _ in range(count):
        started = time.monotonic()
        response = Client().post("/api/session", {"email": email, "password": password})
        times.append((time.monotonic() - started) * 1000)
        assert response.status == 200, response
    times.sort()
    p99 = times[min(len(times) - 1, round(0.99 * len(times)) - 1)]
    print(f"sign-ins: {count}, p50 {statistics.median(times):.1f} ms, p99 {p99:.1f} ms, max {times[-1]:.1f} ms")


if __name__ == "__main__":
    main()
