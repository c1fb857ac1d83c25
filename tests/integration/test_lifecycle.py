"""Responders stop promptly and cleanly on SIGTERM, as systemd and spawn-fcgi expect."""
import os
import signal
import time
import unittest

from shop import VAR, get, service


def process_gone(pid):
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ", 1)[1].startswith("Z")  # exited, not yet reaped
    except FileNotFoundError:
        return True


class LifecycleTest(unittest.TestCase):
    def test_idle_responder_exits_within_two_seconds_of_sigterm(self):
        with open(os.path.join(VAR, "run", "products.pid")) as pid_file:
            pid = int(pid_file.read())
        self.assertEqual(get("/api/products?limit=1").status, 200)
        started = time.monotonic()
        os.kill(pid, signal.SIGTERM)
        while not process_gone(pid) and time.monotonic() - started < 5:
            time.sleep(0.01)
        waited = time.monotonic() - started
        service("start", "products")
        self.assertTrue(process_gone(pid), "the responder ignored SIGTERM")
        self.assertLess(waited, 2.0)
        with open(os.path.join(VAR, "log", "products.log")) as log:
            self.assertIn("event=stopped", log.read())
        self.assertEqual(get("/api/products?limit=1").status, 200)


if __name__ == "__main__":
    unittest.main()
