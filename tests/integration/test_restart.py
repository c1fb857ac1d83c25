"""Responders are replaced, or come back after a crash, without a shopper's request failing.

scripts/supervise owns each responder's socket: a restart starts the new responder on it before the old
one finishes its requests and leaves, and connections that arrive meanwhile wait in the socket's backlog.
"""
import http.client
import os
import signal
import subprocess
import threading
import unittest

from shop import ROOT, VAR, Client, ScratchProducts, checkout, fresh, process_alive, wait_until

SHOPPERS = 8


class Traffic:
    """Shoppers adding to their carts, checking out and reading uncached pages until stopped; counts failures."""

    def __init__(self, products):
        self.products = products
        self.stop, self.lock = threading.Event(), threading.Lock()
        self.requests, self.failures = 0, []
        self.threads = [threading.Thread(target=self.shop, args=(n,), daemon=True) for n in range(SHOPPERS)]

    def record(self, shopper, what, response):
        with self.lock:
            self.requests += 1
            if response is None or response.status >= 500:
                self.failures.append((shopper, f"{what}: {response!r}"))

    def call(self, shopper, what, request):
        try:
            response = request()
        except (OSError, http.client.HTTPException) as error:
            response = None
            what += f" ({error})"
        self.record(shopper, what, response)
        return response

    def shop(self, n):
        client = Client()
        while not self.stop.is_set():
            product = self.products[n % len(self.products)]
            self.call(n, "cart add", lambda: client.post("/api/cart", {"productId": product, "quantity": 1}))
            self.call(n, "cart", lambda: client.get("/api/cart"))
            self.call(n, "product", lambda: client.get(fresh(f"/api/products/{product}")))
            self.call(n, "checkout", lambda: checkout(client))

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        wait_until(lambda: self.requests > 50, message="the traffic to get going")
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join()


def stack(*args):
    subprocess.run([os.path.join(ROOT, "scripts", "stack"), *args], check=True, stdout=subprocess.DEVNULL,
                   env=dict(os.environ, SHOP_VAR=VAR))


def pid_of(name):
    with open(os.path.join(VAR, "run", f"{name}.pid")) as pidfile:
        return int(pidfile.read())


class RestartTest(unittest.TestCase):
    def test_restarting_every_responder_under_load_fails_no_request(self):
        before = {name: pid_of(name) for name in ("products", "cart", "orders", "health")}
        with ScratchProducts("restart", 4, 100000) as products, Traffic(products) as traffic:
            for _ in range(3):
                stack("restart", "all")
            served = traffic.requests
            wait_until(lambda: traffic.requests > served + 50, message="traffic after the last restart")
        after = {name: pid_of(name) for name in before}
        self.assertTrue(all(after[name] != before[name] for name in before), "every responder was replaced")
        self.assertFalse(any(process_alive(pid) for pid in before.values()), "the old responders are gone")
        self.assertEqual(traffic.failures, [], f"{len(traffic.failures)} of {traffic.requests} requests failed")

    def test_a_crashed_responder_is_back_and_its_callers_only_waited(self):
        crashed = pid_of("cart")
        with ScratchProducts("crash", 4, 100000) as products, Traffic(products) as traffic:
            os.kill(crashed, signal.SIGKILL)
            wait_until(lambda: pid_of("cart") != crashed and process_alive(pid_of("cart")),
                       message="the supervisor to start the cart responder again")
            served = traffic.requests
            wait_until(lambda: traffic.requests > served + 50, message="traffic after the crash")
        # The requests the killed process had in hand die with it (each shopper has at most one in flight);
        # every later one waits in the socket for the new process.
        shoppers = [shopper for shopper, _ in traffic.failures]
        self.assertEqual(len(shoppers), len(set(shoppers)), f"a shopper failed twice: {traffic.failures}")


if __name__ == "__main__":
    unittest.main()
