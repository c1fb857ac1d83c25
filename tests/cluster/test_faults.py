"""The shop across several hosts (scripts/cluster) keeps its promises while a host fails under load.

Eight shoppers browse, fill carts, check out and sometimes cancel through the load balancer while one
fault happens; afterwards the orders of those shoppers must meet test_chaos.py's invariants (every
accepted order final, none lost, doubled or oversold, stock conserved, payments charged once, the queue
drained). Each test prints the outage shoppers saw (the longest run of failed requests) and leaves the
cluster healthy for the next. The throughput through the lb with one and with two app hosts is printed,
never asserted.
"""
import os
import re
import subprocess
import time
import unittest

from cluster import (ADDRESS, CLUSTER_VAR, ROOT, Load, broken_invariants, cluster, figures, fresh, get, redis,
                     redis_primary, scratch_products, sql, wait_until, worker_pid)

BENCH_SECONDS = 5
DOWN_SECONDS = 6  # a host stays down this long: twice the workers' lease (worker_lease_seconds = 3)


def setUpModule():
    cluster("up")  # quick when scripts/test --cluster already built it


def wrk(products):
    """Requests per second of GET /api/products/{id} (never from nginx's cache) through the lb, and non-2xx."""
    result = subprocess.run(["wrk", "-t2", "-c32", f"-d{BENCH_SECONDS}s", "-s",
                             os.path.join(ROOT, "tests", "bench", "products_uncached.lua"), f"http://{ADDRESS['lb']}/"],
                            env=dict(os.environ, BENCH_PRODUCTS=",".join(products)), capture_output=True, text=True,
                            check=True)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", result.stdout).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", result.stdout)
    return rate, int(errors.group(1)) if errors else 0


def swept_since(moment):
    """Orders the app hosts' workers re-queued by their enqueue mark since this time (event=sweeper_queued)."""
    since = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(moment)) + f".{int(moment * 1000) % 1000:03d}Z"
    total = 0
    for host in ("app1", "app2"):
        with open(os.path.join(CLUSTER_VAR, host, "log", "worker.log")) as log:
            for line in log:
                found = re.match(r"ts=(\S+) .*event=sweeper_queued orders=(\d+)", line)
                if found and found.group(1) >= since:
                    total += int(found.group(2))
    return total


def lb_uses(host, timeout=15):
    """Waits until requests through the lb reach this app host again (its access log grows)."""
    log = os.path.join(CLUSTER_VAR, host, "log", "nginx-access.log")
    before = os.path.getsize(log)

    def reached():
        for _ in range(4):
            get(fresh("/api/products?limit=1"))
        return os.path.getsize(log) > before
    wait_until(reached, timeout=timeout, interval=0.2, message=f"the lb to send requests to {host} again")


def held_by(pid):
    """Pending orders whose claim the worker with this pid holds (its id is host-pid-suffix)."""
    return [row[0] for row in sql(f"SELECT id FROM orders WHERE status = 'PENDING' AND claimed_by LIKE '%-{pid}-%'")]


class ClusterFaultsTest(unittest.TestCase):
    def check(self, name, load, products, extra=""):
        report, settled_in, orders = broken_invariants(load, products)
        print(figures(name, load, orders, settled_in, extra), flush=True)
        self.assertTrue(load.accepted(), "no order was accepted at all")
        if report:
            self.fail(f"invariants broken ({'settled' if settled_in is not None else 'NOT settled'}):\n"
                      + "\n".join(report))

    def test_1_throughput_through_the_lb_with_one_and_two_app_hosts(self):
        products = [row[0] for row in sql("SELECT id FROM products WHERE active = 1 ORDER BY id LIMIT 50")]
        two = wrk(products)
        cluster("kill", "app2")
        try:
            one = wrk(products)
        finally:
            cluster("start", "app2")
            lb_uses("app2")  # the lb tries a failed host again only after fail_timeout: the next test's fault is its own
        print(f"\ncluster throughput (GET /api/products/{{id}} uncached, wrk 32 connections, {BENCH_SECONDS} s):"
              f" two app hosts {two[0]:.0f} requests/s ({two[1]} non-2xx), one app host {one[0]:.0f} requests/s"
              f" ({one[1]} non-2xx)", flush=True)

    def test_2_killed_app_host_moves_traffic_to_the_other_and_loses_no_order(self):
        products = scratch_products("cla")
        with Load(products) as load:
            wait_until(lambda: len(load.accepted()) >= 10, timeout=30, message="10 orders before the fault")
            killed = time.time()
            cluster("kill", "app1")
            wait_until(lambda: load.accepted_after(killed) >= 20 and time.time() > killed + DOWN_SECONDS, timeout=30,
                       message="20 orders through app2 alone")
            cluster("start", "app1")  # returns once its /api/health answers 200
            time.sleep(2)
        self.check("kill app1", load, products, f"; {load.accepted_after(killed)} accepted after the kill")

    def test_3_killed_redis_primary_fails_over_and_lost_pushes_are_swept_once(self):
        products = scratch_products("clb")
        old = redis_primary()
        host = next(name for name in ("redis1", "redis2") if ADDRESS[name] == old[0])
        with Load(products) as load:
            wait_until(lambda: len(load.accepted()) >= 10, timeout=30, message="10 orders before the fault")
            # The replica's link dropped a moment before the crash, as a network blip would: the pushes of
            # that moment reach only the primary and die with it, so the enqueue mark must bring them back.
            redis("CLIENT", "KILL", "TYPE", "replica")
            time.sleep(0.3)
            killed = time.time()
            cluster("kill", host)
            new = wait_until(lambda: redis_primary() != old and redis_primary(), timeout=30, interval=0.1,
                             message="the Sentinels to promote the replica")
            failed_over = time.time() - killed
            wait_until(lambda: load.accepted_after(killed) >= 20 and time.time() > killed + DOWN_SECONDS,
                       timeout=30, message="20 orders after the failover")
            cluster("start", host)  # the old primary comes back, and the Sentinels make it a replica
            wait_until(lambda: "role:slave" in redis("INFO", "replication", address=f"{old[0]}:{old[1]}"),
                       timeout=30, interval=0.2, message=f"{host} to come back as a replica")
            time.sleep(2)
        swept = swept_since(killed)
        self.check("kill the Redis primary", load, products,
                   f"; Sentinel promoted {new[0]} {failed_over:.1f} s after the kill;"
                   f" {swept} orders re-queued by the sweeper afterwards")
        self.assertGreater(swept, 0, "no push was lost, so the sweeper was not put to the test")

    def test_4_partitioned_worker_host_loses_its_orders_to_the_other_worker_once(self):
        products = scratch_products("clc")
        with Load(products) as load:
            wait_until(lambda: len(load.accepted()) >= 10, timeout=30, message="10 orders before the fault")
            held, pid = [], worker_pid("app1")
            for _ in range(20):  # cut app1 off while its worker holds claims, so there is something to take over
                wait_until(lambda: held_by(pid), timeout=20, interval=0.01, message="app1's worker to hold orders")
                cluster("partition", "app1")
                held = held_by(pid)  # frozen now: app1 reaches no database
                if held:
                    break
                cluster("heal", "app1")
            self.assertTrue(held, "app1's worker held no order at the moment it was cut off")
            cut = time.time()
            try:
                finals = "', '".join(("PROCESSED", "PAYMENT_FAILED", "CANCELLED"))
                ids = "', '".join(held)
                wait_until(lambda: sql(f"SELECT COUNT(*) FROM orders WHERE id IN ('{ids}')"
                                       f" AND status IN ('{finals}')") == [[str(len(held))]],
                           timeout=30, interval=0.2, message="app2's worker to finish app1's orders")
                taken_over = time.time() - cut
            finally:
                cluster("heal", "app1")
            time.sleep(3)  # app1's worker comes back to orders it no longer holds
        self.check("partition app1", load, products,
                   f"; app1's worker held {len(held)} orders when cut off, all finished by app2 within"
                   f" {taken_over:.1f} s")


    def test_5_stopped_mariadb_primary_answers_503_reads_from_the_replica_and_promotion_brings_writes_back(self):
        products = scratch_products("cld")
        wait_until(lambda: len(sql("SELECT id FROM products WHERE id LIKE 'cld-%'", host="db2")) == len(products),
                   timeout=30, message="the replica to have the test's products")
        with Load(products) as load:
            wait_until(lambda: len(load.accepted()) >= 10, timeout=30, message="10 orders before the fault")
            stopped = time.time()
            cluster("kill", "db1")
            wait_until(lambda: load.statuses_since(stopped, "write").count(503) >= 5
                       and load.successes_since(stopped + 1, "read") >= 20, timeout=30,
                       message="writes refused with 503 and reads served while db1 is down")
            promoting = time.time()
            cluster("promote-db")
            promoted = time.time()
            wait_until(lambda: load.accepted_after(promoted) >= 10, timeout=30, message="10 orders after promotion")
            time.sleep(2)
        during = [status for status in load.statuses_between(stopped + 1, promoting, "write")]
        self.assertNotIn(500, during, "a write failed otherwise than with 503 while the primary was down")
        failed_reads = [status for status in load.statuses_between(stopped + 1, promoting, "read") if status >= 500
                        or status == 0]
        self.assertEqual(failed_reads, [], "catalog reads failed while the replica could serve them")
        self.check("stop the MariaDB primary", load, products,
                   f"; while db1 was down: {during.count(503)} writes answered 503,"
                   f" {load.successes_between(stopped + 1, promoting, 'read')} reads served by the replica;"
                   f" promote-db took {promoted - promoting:.1f} s")


if __name__ == "__main__":
    unittest.main()
