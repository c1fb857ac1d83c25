"""Health tells the truth: each backing service, the workers, the queue's lag and every responder, named when down;
liveness answers without them. The API recovers when a part comes back."""
import os
import signal
import time
import unittest
import uuid

from shop import VAR, Client, assert_error, fresh, get, kill_service, service, sql, wait_until

RESPONDERS = ["products", "search", "cart", "orders", "events", "recommendations", "account"]
LEASE_SECONDS = 10  # worker_lease_seconds, the stack's default


def health():
    """(status, body) of GET /api/health; every answer must forbid caching."""
    response = get("/api/health")
    assert response.header("cache-control") == "no-store", response.headers
    return response.status, response.json()


def failing_parts():
    """The parts health names as failing now ([] when it answers 200)."""
    status, body = health()
    assert (status == 200) == (body["failing"] == []), (status, body)
    return body["failing"]


def pid_of(name):
    with open(os.path.join(VAR, "run", f"{name}.pid")) as file:
        return int(file.read())


class HealthTest(unittest.TestCase):
    def tearDown(self):
        # Whatever a test stopped runs again, and the shop is ready before the next test.
        for name in ("mariadb", "redis", "worker", *RESPONDERS):
            service("start", name)
        wait_until(lambda: failing_parts() == [], timeout=15, message="health to be ok again")

    def test_health_is_ok_when_everything_runs(self):
        status, body = health()
        self.assertEqual(status, 200, body)
        self.assertEqual(body["status"], "ok")
        self.assertEqual(body["failing"], [])
        self.assertEqual((body["db"], body["redis"]), ("ok", "ok"))
        self.assertEqual(body["workers"]["status"], "ok")
        self.assertGreaterEqual(body["workers"]["live"], 1)
        self.assertEqual(body["responders"], {name: "ok" for name in RESPONDERS})
        queue = body["queue"]
        self.assertEqual(queue["status"], "ok")
        self.assertEqual(queue["maxWaitSeconds"], 60)
        for figure in ("depth", "retrying", "deadLetters", "oldestUnclaimedSeconds"):
            self.assertIsInstance(queue[figure], int, figure)

    def test_redis_down_is_503_naming_redis_then_recovers(self):
        service("stop", "redis")
        try:
            status, body = health()
            self.assertEqual(status, 503)
            self.assertEqual(body["status"], "unavailable")
            # The workers cannot be counted without Redis: unknown, not named as a second failure.
            self.assertEqual(body["failing"], ["redis"])
            self.assertEqual((body["db"], body["redis"], body["workers"]["status"]), ("ok", "down", "unknown"))
            self.assertIsNone(body["queue"]["depth"])
        finally:
            service("start", "redis")
        wait_until(lambda: failing_parts() == [], message="health to be ok once Redis is back")

    def test_mariadb_down_is_503_and_responders_recover_without_restart(self):
        self.assertEqual(get("/api/products/prod-001").status, 200)
        service("stop", "mariadb")
        try:
            status, body = health()
            self.assertEqual(status, 503)
            self.assertEqual(body["failing"], ["db"])
            self.assertEqual(body["db"], "down")
            self.assertEqual(body["queue"]["status"], "unknown")
            assert_error(self, get(fresh("/api/products/prod-001")), 503, "service_unavailable")
        finally:
            service("start", "mariadb")
        # The same responder processes reconnect on their own.
        self.assertEqual(get("/api/products/prod-001").status, 200)
        self.assertEqual(failing_parts(), [])

    def test_liveness_stays_200_with_mariadb_and_redis_down(self):
        service("stop", "mariadb")
        service("stop", "redis")
        try:
            live = get("/api/health/live")
            self.assertEqual(live.status, 200)
            self.assertEqual(live.json(), {"status": "ok"})
            self.assertEqual(live.header("cache-control"), "no-store")
            self.assertEqual(health()[0], 503)  # readiness tells the truth meanwhile
        finally:
            service("start", "redis")
            service("start", "mariadb")

    def test_worker_stopped_is_503_naming_workers_at_once_then_200_when_back(self):
        self.assertEqual(failing_parts(), [])
        started = time.monotonic()
        service("stop", "worker")  # SIGTERM: the worker drops its lease as it leaves
        try:
            status, body = health()  # no wait: the very next answer knows, and nothing cached the last one
            self.assertEqual(status, 503)
            self.assertEqual(body["failing"], ["workers"])
            self.assertEqual(body["workers"], {"status": "down", "live": 0})
            self.assertLess(time.monotonic() - started, 5)
        finally:
            service("start", "worker")
        wait_until(lambda: failing_parts() == [], timeout=5, message="health to see the worker back")

    def test_worker_killed_is_503_naming_workers_within_its_lease(self):
        self.assertEqual(failing_parts(), [])
        kill_service("worker")  # kill -9: no clean stop, so its lease has to run out
        killed = time.monotonic()
        try:
            wait_until(lambda: failing_parts() == ["workers"], timeout=LEASE_SECONDS + 2,
                       message="health to name the killed worker")
            self.assertLessEqual(time.monotonic() - killed, LEASE_SECONDS + 1)
        finally:
            service("start", "worker")
        wait_until(lambda: failing_parts() == [], timeout=5, message="health to see the worker back")


    def test_readiness_is_for_allowed_addresses_liveness_for_all(self):
        stranger = Client(source="127.0.0.2")
        refused = stranger.get("/api/health")
        assert_error(self, refused, 403, "forbidden")
        self.assertNotIn(b"workers", refused.body)
        self.assertEqual(stranger.get("/api/health/live").status, 200)
        self.assertEqual(Client().get("/api/health").status, 200)
    def test_stopped_responder_is_503_from_nginx_and_named_by_health(self):
        service("stop", "products")
        try:
            unavailable = get(fresh("/api/products"))
            assert_error(self, unavailable, 503, "service_unavailable")
            self.assertEqual(unavailable.header("retry-after"), "5")
            self.assertEqual(unavailable.header("x-content-type-options"), "nosniff", "the security headers too")
            status, body = health()
            self.assertEqual(status, 503)
            self.assertEqual(body["failing"], ["responders.products"])
            self.assertEqual(body["responders"], {name: "down" if name == "products" else "ok" for name in RESPONDERS})
        finally:
            service("start", "products")
        self.assertEqual(get("/api/products").status, 200)
        self.assertEqual(failing_parts(), [])

    def test_responder_that_accepts_nothing_is_named_though_its_socket_connects(self):
        # The supervisor keeps the socket open and the kernel queues connections: only an answer proves life.
        pid = pid_of("cart")
        os.kill(pid, signal.SIGSTOP)
        try:
            started = time.monotonic()
            status, body = health()
            took = time.monotonic() - started
            self.assertEqual(status, 503)
            self.assertEqual(body["failing"], ["responders.cart"])
            self.assertEqual(body["responders"]["cart"], "down")
            self.assertLess(took, 1.0)  # the probes are bounded (~250 ms), health never hangs on one
        finally:
            os.kill(pid, signal.SIGCONT)
        wait_until(lambda: failing_parts() == [], message="health to see the cart responder answer again")

    def test_order_unclaimed_too_long_is_503_naming_queue(self):
        # An order accepted two minutes ago that no worker has claimed (its message lost, the sweep not due yet).
        order_id = "order-" + uuid.uuid4().hex
        sql("INSERT INTO orders (id, user_id, status, email, shipping_name, shipping_address, shipping_city,"
            " shipping_postal_code, shipping_country, total_cents, currency, enqueue_pending, enqueued_at, created_at)"
            f" VALUES ('{order_id}', '{'0' * 32}', 'PENDING', 'lag@example.com', 'Lag', '1 Lag St', 'Lagos', '1000',"
            " 'PT', 100, 'USD', 1, CURRENT_TIMESTAMP(3) + INTERVAL 1 HOUR, CURRENT_TIMESTAMP(3) - INTERVAL 120 SECOND)")
        try:
            status, body = health()
            self.assertEqual(status, 503)
            self.assertEqual(body["failing"], ["queue"])
            self.assertEqual(body["queue"]["status"], "lagging")
            self.assertGreaterEqual(body["queue"]["oldestUnclaimedSeconds"], 120)
            self.assertLess(body["queue"]["oldestUnclaimedSeconds"], 180)
        finally:
            sql(f"DELETE FROM orders WHERE id = '{order_id}'")
        status, body = health()
        self.assertEqual(status, 200, body)
        self.assertLess(body["queue"]["oldestUnclaimedSeconds"], 60)


if __name__ == "__main__":
    unittest.main()
