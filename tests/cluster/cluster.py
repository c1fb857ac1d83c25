"""cluster.py - what the cluster tests share: the cluster's hosts, its databases, shoppers under load, invariants.

The cluster is the one scripts/cluster built (CLUSTER_VAR, default var/cluster). HTTP goes only to the
load balancer at 10.77.0.10; SQL and Redis commands go to the current primaries (MariaDB through its unix
socket in the host's state folder, Redis at the address the Sentinels name). The order invariants are
test_chaos.py's, checked over the orders of the test's own shoppers and products.
"""
import http.client
import os
import random
import subprocess
import sys
import threading
import time
import uuid

os.environ["SHOP_URL"] = "http://10.77.0.10:80"  # before shop reads it: every Client goes through the lb
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from shop import ROOT, Client, checkout, fresh, get, user_id, wait_until  # noqa: E402
import test_chaos  # noqa: E402
from shop import queue_leftovers as stack_queue_leftovers  # noqa: E402
from test_chaos import STOCK, cancel_broken, effects_broken, unfinished  # noqa: E402

CLUSTER_VAR = os.environ.get("CLUSTER_VAR", os.path.join(ROOT, "var", "cluster"))
ADDRESS = {"lb": "10.77.0.10", "app1": "10.77.0.11", "app2": "10.77.0.12", "db1": "10.77.0.21",
           "db2": "10.77.0.22", "redis1": "10.77.0.31", "redis2": "10.77.0.32", "sen1": "10.77.0.41",
           "sen2": "10.77.0.42", "sen3": "10.77.0.43"}
SENTINELS = ("sen1", "sen2", "sen3")
APP_HOSTS = ("app1", "app2")
SHOWN = 15  # offending orders listed per broken invariant


def cluster(*args):
    """Runs scripts/cluster ARGS (kill app1, heal app1, promote-db...)."""
    subprocess.run([os.path.join(ROOT, "scripts", "cluster"), *args], check=True, stdout=subprocess.DEVNULL)


def db_primary():
    """The host MariaDB writes go to, as scripts/cluster last set it (db1, or db2 after promote-db)."""
    try:
        with open(os.path.join(CLUSTER_VAR, "db-primary")) as file:
            return file.read().strip()
    except FileNotFoundError:
        return "db1"


def sql(statement, host=None):
    """Runs SQL as root on a MariaDB host (the primary when None); returns rows as lists of strings."""
    socket = os.path.join(CLUSTER_VAR, host or db_primary(), "run", "mysql.sock")
    result = subprocess.run(["mariadb", "--no-defaults", f"--socket={socket}", "--user=root", "--batch",
                             "--skip-column-names", "shop", "-e", statement], check=True, capture_output=True,
                            text=True)
    return [line.split("\t") for line in result.stdout.splitlines()]


def redis_primary():
    """(address, port) of the Redis primary as a Sentinel names it."""
    for sentinel in SENTINELS:
        result = subprocess.run(["redis-cli", "-h", ADDRESS[sentinel], "-p", "26379", "--raw", "SENTINEL",
                                 "get-master-addr-by-name", "shop"], capture_output=True, text=True, timeout=5)
        lines = result.stdout.split()
        if result.returncode == 0 and len(lines) == 2:
            return lines[0], lines[1]
    raise AssertionError("no Sentinel names a Redis primary")


def redis(*args, address=None):
    """Runs a redis-cli command on the Redis primary (or address, "host:port"); returns its output lines."""
    host, port = address.split(":") if address else redis_primary()
    result = subprocess.run(["redis-cli", "-h", host, "-p", port, *args], check=True, capture_output=True, text=True,
                            timeout=10)
    return result.stdout.splitlines()


def spooled():
    """Order ids with a confirmation (<id>.eml) in any app host's spool."""
    found = set()
    for host in APP_HOSTS:
        folder = os.path.join(CLUSTER_VAR, host, "mail")
        found |= {name[:-len(".eml")] for name in os.listdir(folder)
                  if name.endswith(".eml") and not name.startswith(".") and name.count(".") == 1}
    return found


def worker_pid(host):
    with open(os.path.join(CLUSTER_VAR, host, "run", "worker.pid")) as file:
        return int(file.read())


def scratch_products(prefix, count=20):
    """The test's own products (PREFIX-01 ...), each with STOCK: stock conservation is checked on them alone."""
    ids = [f"{prefix}-{n:02d}" for n in range(1, count + 1)]
    sql("INSERT INTO products (id, name, description, category, price_cents, stock) VALUES "
        + ", ".join(f"('{p}', 'Test {p}', 'A test product.', 'Test', 1000, {STOCK})" for p in ids)
        + " ON DUPLICATE KEY UPDATE stock = VALUES(stock), active = 1")
    return ids


class Shopper(threading.Thread):
    """One browser in a loop: browse (an uncached list page and a product), empty the cart, add 1-2 products,
    check out (retrying with one Idempotency-Key while the shop is unavailable), 1 time in 4 cancel at once.
    Every request is logged as (start, end, ok, kind, status); a 5xx or a broken connection is a failure."""

    def __init__(self, products, stop, started):
        super().__init__(daemon=True)
        self.client, self.products, self.stop, self.started = Client(), products, stop, started
        self.log = []
        self.accepted = {}  # order id -> seconds since the load started, at its 201
        self.cancelled = set()

    def call(self, kind, method, path, **kwargs):
        begun = time.time()
        try:
            response = self.client.request(method, path, **kwargs)
        except (OSError, http.client.HTTPException):
            response = None
        self.log.append((begun, time.time(), response is not None and response.status < 500, kind,
                         response.status if response is not None else 0))
        return response

    def run(self):
        while not self.stop.is_set():
            self.shop_once()

    def shop_once(self):
        product = random.choice(self.products)
        self.call("read", "GET", fresh("/api/products?limit=12"))
        self.call("read", "GET", fresh(f"/api/products/{product}"))
        json_type = {"Content-Type": "application/json"}
        response = self.call("write", "DELETE", "/api/cart", headers=json_type)
        if response is None or response.status != 200:
            time.sleep(0.2)
            return
        for product in random.sample(self.products, random.randint(1, 2)):
            self.call("write", "POST", "/api/cart", json_body={"productId": product, "quantity": 1})
        order_id = self.place_order()
        if order_id and random.random() < 1 / 4:
            response = self.call("write", "POST", f"/api/orders/{order_id}/cancel", json_body={})
            if response is not None and response.status == 200:
                self.cancelled.add(order_id)  # 409 (a worker claimed it first) is fine too

    def place_order(self):
        key = {"Idempotency-Key": uuid.uuid4().hex}
        for _ in range(60):
            if self.stop.is_set():
                return None
            begun = time.time()
            try:
                response = checkout(self.client, headers=key)
            except (OSError, http.client.HTTPException):
                response = None
            self.log.append((begun, time.time(), response is not None and response.status < 500, "write",
                             response.status if response is not None else 0))
            if response is not None and response.status == 201:
                order_id = response.json()["orderId"]
                self.accepted.setdefault(order_id, time.time() - self.started)
                return order_id
            if response is not None and response.status < 500:
                return None  # e.g. the cart was emptied meanwhile: shop again
            time.sleep(0.25)
        return None


class Load:
    """SHOPPERS shoppers through the lb for the length of a with block; then their figures."""

    def __init__(self, products, shoppers=8):
        self.stop = threading.Event()
        self.started = time.time()
        self.shoppers = [Shopper(products, self.stop, self.started) for _ in range(shoppers)]

    def __enter__(self):
        for shopper in self.shoppers:
            shopper.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for shopper in self.shoppers:
            shopper.join(timeout=60)

    def accepted(self):
        """{order id: seconds after the start of the load at its 201} over every shopper."""
        return {order_id: at for s in self.shoppers for order_id, at in list(s.accepted.items())}

    def accepted_after(self, moment):
        return sum(1 for at in self.accepted().values() if at > moment - self.started)

    def cancelled(self):
        return set().union(*(s.cancelled for s in self.shoppers))

    def users(self):
        return [user_id(s.client) for s in self.shoppers if "sid" in s.client.cookies]

    def outage(self, kind):
        """The longest a shopper saw requests of this kind fail in a row (from the start of the first failed
        one to the end of the last, with no success between), in seconds."""
        longest = 0.0
        for shopper in self.shoppers:
            first_failed = None
            for begun, ended, ok, _, _ in sorted(entry for entry in shopper.log if entry[3] == kind):
                if ok:
                    first_failed = None
                    continue
                first_failed = begun if first_failed is None else first_failed
                longest = max(longest, ended - first_failed)
        return longest

    def entries(self, kind, since, until=float("inf")):
        return [entry for s in self.shoppers for entry in list(s.log) if entry[3] == kind and since <= entry[0] < until]

    def statuses_since(self, moment, kind):
        """The HTTP statuses (0: no answer) of requests of this kind begun since moment."""
        return [entry[4] for entry in self.entries(kind, moment)]

    def statuses_between(self, since, until, kind):
        return [entry[4] for entry in self.entries(kind, since, until)]

    def successes_since(self, moment, kind):
        return sum(1 for entry in self.entries(kind, moment) if entry[2])

    def successes_between(self, since, until, kind):
        return sum(1 for entry in self.entries(kind, since, until) if entry[2])

    def failures(self, kind):
        return sum(1 for s in self.shoppers for entry in s.log if entry[3] == kind and not entry[2])

    def requests(self, kind):
        return sum(1 for s in self.shoppers for entry in s.log if entry[3] == kind)


def queue_leftovers():
    """test_chaos's check of the queue, on the cluster's Redis primary."""
    return stack_queue_leftovers(redis)


def load_orders(users):
    return test_chaos.load_orders(users, sql)


def settle(users, timeout=60):
    return test_chaos.settle(users, timeout, sql, spooled, queue_leftovers)


def broken_invariants(load, products):
    """Settles, then checks test_chaos's invariants on the load's orders; (report lines, settled in, orders)."""
    users = load.users()
    settled_in = settle(users)
    accepted, orders, spool = load.accepted(), load_orders(users), spooled()
    broken = {"1. not final": unfinished(orders, accepted),
              "2. cancel": cancel_broken(orders, load.cancelled(), spool),
              "3. charged or mailed wrongly": effects_broken(orders, spool),
              "4. stock not conserved": test_chaos.stock_drift(users, products, sql),
              "5. queue not drained": [f"{key} holds {n}" for key, n in queue_leftovers().items()]}
    report = [f"{name} ({len(lines)}):\n  " + "\n  ".join(lines[:SHOWN] + ["..."] * (len(lines) > SHOWN))
              for name, lines in broken.items() if lines]
    return report, settled_in, orders


def figures(name, load, orders, settled_in, extra=""):
    """One line a person reads: the outage shoppers saw and the orders lost."""
    accepted = load.accepted()
    lost = sum(1 for order_id in accepted if order_id not in orders)
    return (f"\ncluster {name}: {len(accepted)} orders accepted, {lost} lost,"
            f" {sum(1 for o in orders.values() if o.status == 'PROCESSED')} processed;"
            f" outage: writes {load.outage('write'):.1f} s ({load.failures('write')} of {load.requests('write')}"
            f" failed), reads {load.outage('read'):.1f} s ({load.failures('read')} of {load.requests('read')} failed);"
            f" settled {'in %.1f s' % settled_in if settled_in is not None else 'NOT within 60 s'}{extra}")
