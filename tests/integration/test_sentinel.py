"""Redis through Sentinel: the shop finds the primary, follows a failover, and says so when it cannot.

A Redis primary, its replica and three Sentinels (quorum 2) run in a temp folder
on free loopback ports; the shop's list names first a fourth "Sentinel" that
accepts connections and never answers, as a hung host would. The stack's orders and health responders are started
again with redis_sentinels naming them, and a worker of the test's own uses
them too (the stack's worker is stopped): every order below goes through the
primary the Sentinels name. Every process is stopped by its pid.
"""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

from shop import (ROOT, VAR, Client, Worker, checkout, get, order_effects, process_alive, wait_for_status,
                  wait_until, _host)

MASTER_NAME = "shop-test"
DOWN_AFTER_MS = 1000
FAILOVER_TIMEOUT_MS = 5000
RESPONDERS = ("orders", "health")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cli(port, *args):
    """redis-cli against 127.0.0.1:port; its output lines ([] when nothing answers)."""
    result = subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", str(port), *args], capture_output=True,
                            text=True, timeout=10)
    return result.stdout.splitlines()


class SentinelCluster:
    """Two Redis nodes (a primary, a replica) and three Sentinels, each a process of its own with a known pid."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="shop-sentinel-")
        self.nodes = [free_port(), free_port()]
        self.sentinels = [free_port() for _ in range(3)]
        self.processes = {}
        # A Sentinel host that hangs: the kernel accepts connections, nothing ever answers. Listed first.
        self.silent = socket.socket()
        self.silent.bind(("127.0.0.1", 0))
        self.silent.listen(64)

    def start_node(self, port, replica_of=None):
        args = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", self.dir,
                "--dbfilename", f"dump-{port}.rdb", "--save", "", "--appendonly", "no",
                "--logfile", os.path.join(self.dir, f"redis-{port}.log")]
        if replica_of is not None:
            args += ["--replicaof", "127.0.0.1", str(replica_of)]
        self.processes[port] = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                                stderr=subprocess.DEVNULL)
        wait_until(lambda: cli(port, "PING") == ["PONG"], message=f"redis on {port}")

    def start_sentinel(self, port, primary=None):
        path = os.path.join(self.dir, f"sentinel-{port}.conf")
        if primary is not None:  # else its own config, which it rewrote as it learned, is kept
            with open(path, "w") as conf:
                conf.write(f"port {port}\nbind 127.0.0.1\ndir {self.dir}\n"
                           f"logfile {os.path.join(self.dir, f'sentinel-{port}.log')}\n"
                           f"sentinel monitor {MASTER_NAME} 127.0.0.1 {primary} 2\n"
                           f"sentinel down-after-milliseconds {MASTER_NAME} {DOWN_AFTER_MS}\n"
                           f"sentinel failover-timeout {MASTER_NAME} {FAILOVER_TIMEOUT_MS}\n")
        self.processes[port] = subprocess.Popen(["redis-server", path, "--sentinel"], stdin=subprocess.DEVNULL,
                                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(lambda: cli(port, "PING") == ["PONG"], message=f"sentinel on {port}")

    def start(self):
        self.start_node(self.nodes[0])
        self.start_node(self.nodes[1], replica_of=self.nodes[0])
        for port in self.sentinels:
            self.start_sentinel(port, primary=self.nodes[0])
        self.wait_healthy()

    def kill(self, port):
        """SIGKILL: no clean shutdown, as a crash."""
        process = self.processes.pop(port)
        process.send_signal(signal.SIGKILL)
        process.wait()

    def stop(self):
        for port in list(self.processes):
            self.kill(port)
        self.silent.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def alive(self, port):
        return port in self.processes and process_alive(self.processes[port].pid)

    def primary(self, sentinel=None):
        """The primary's port as a Sentinel names it (None when it does not answer)."""
        for port in [sentinel] if sentinel else self.sentinels:
            answer = cli(port, "SENTINEL", "get-master-addr-by-name", MASTER_NAME) if self.alive(port) else []
            if len(answer) == 2:
                return int(answer[1])
        return None

    def replica(self):
        primary = self.primary()
        return next(port for port in self.nodes if port != primary)

    def all_sentinels_name(self, port):
        return all(self.primary(sentinel) == port for sentinel in self.sentinels)

    def settled(self):
        """Every Sentinel agrees on the primary, sees the other two and a live replica that is in sync."""
        primary = self.primary()
        if primary is None or not self.all_sentinels_name(primary):
            return False
        for sentinel in self.sentinels:
            if cli(sentinel, "SENTINEL", "sentinels", MASTER_NAME).count("runid") != 2:
                return False
            replicas = cli(sentinel, "SENTINEL", "replicas", MASTER_NAME)
            if "flags" not in replicas or replicas[replicas.index("flags") + 1] != "slave":
                return False
        replica = self.replica()
        return "master_link_status:up" in cli(replica, "INFO", "replication")

    def wait_healthy(self):
        """Restarts whatever is down (a killed node rejoins as a replica) and waits until the Sentinels settle."""
        primary = self.primary()
        for port in self.sentinels:
            if not self.alive(port):
                self.start_sentinel(port)
        primary = primary or self.primary()
        for port in self.nodes:
            if not self.alive(port):
                self.start_node(port, replica_of=primary)
        wait_until(self.settled, timeout=40, interval=0.2, message="the Sentinels to agree on a primary and replica")

    def settings(self):
        ports = [self.silent.getsockname()[1]] + self.sentinels
        return {"redis_sentinels": ",".join(f"127.0.0.1:{port}" for port in ports),
                "redis_master_name": MASTER_NAME, "redis_socket": "", "redis_host": "127.0.0.1", "redis_port": "1"}


def stack_service(action, name, settings=None):
    """scripts/stack start-service/stop-service NAME; settings (SHOP_* variables) reach what it starts."""
    env = dict(os.environ, SHOP_VAR=VAR, SHOP_PORT=str(_host.port))
    env.update({f"SHOP_{key.upper()}": str(value) for key, value in (settings or {}).items()})
    subprocess.run([os.path.join(ROOT, "scripts", "stack"), f"{action}-service", name], check=True, env=env,
                   stdout=subprocess.DEVNULL)


def pid_of(name):
    with open(os.path.join(VAR, "run", f"{name}.pid")) as file:
        return int(file.read())


def log_has(name, text, since=0):
    with open(os.path.join(VAR, "log", f"{name}.log"), errors="replace") as log:
        log.seek(since)
        return text in log.read()


def redis_lines(name, since=0):
    """The Redis events of a log since an offset: what a failed assertion shows."""
    with open(os.path.join(VAR, "log", f"{name}.log"), errors="replace") as log:
        log.seek(since)
        return "\n".join(line for line in log.read().splitlines() if "event=redis_" in line)


def master_changes(program):
    """fcgi_shop_redis_master_changes_total of program, as GET /metrics sums it."""
    prefix = f'fcgi_shop_redis_master_changes_total{{program="{program}"}} '
    lines = [line for line in get("/metrics").body.decode().splitlines() if line.startswith(prefix)]
    return int(lines[0][len(prefix):]) if lines else 0


def log_size(name):
    return os.path.getsize(os.path.join(VAR, "log", f"{name}.log"))


class SentinelTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cluster = SentinelCluster()
        try:
            cls.cluster.start()
            stack_service("stop", "worker")
            cls.log_start = log_size("orders")
            for name in RESPONDERS:
                stack_service("stop", name)
                # One thread each: the connection a test holds open is the one its next request uses.
                stack_service("start", name, dict(cls.cluster.settings(), threads=1))
            # The order sweeper runs often, so an order whose push failed is queued again soon.
            cls.worker = Worker("sentinel", worker_sweep_after_ms=1000, worker_sweep_interval_ms=200,
                                worker_lease_seconds=3, **cls.cluster.settings())
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        if getattr(cls, "worker", None) is not None:
            cls.worker.stop()
        for name in RESPONDERS:
            stack_service("stop", name)
            stack_service("start", name)
        stack_service("start", "worker")
        cls.cluster.stop()

    def tearDown(self):
        self.cluster.wait_healthy()
        wait_until(lambda: get("/api/health").status == 200, timeout=30, message="health to be ok again")

    def place_order(self, product="prod-060"):
        client = Client()
        client.add(product)
        response = checkout(client)
        self.assertEqual(response.status, 201, response)
        return client, response.json()["orderId"]

    def assert_processed(self, client, order_id, timeout=30):
        self.assertEqual(wait_for_status(client, order_id, timeout=timeout)["status"], "PROCESSED")
        self.assertEqual(order_effects(order_id), (1, 1, 1))

    def pushes_on(self, port):
        stats = [line for line in cli(port, "INFO", "commandstats") if line.startswith("cmdstat_lpush:")]
        return int(stats[0].split("calls=")[1].split(",")[0]) if stats else 0

    def test_orders_are_queued_on_the_primary_the_sentinels_name(self):
        primary = self.cluster.primary()
        before = self.pushes_on(primary)
        client, order_id = self.place_order()
        self.assertEqual(self.pushes_on(primary), before + 1)
        self.assert_processed(client, order_id)
        # The only worker there is the test's: it holds its listed lease on that primary.
        self.assertEqual(cli(primary, "ZCARD", "shop:orders:workers"), ["1"])
        health = get("/api/health")
        self.assertEqual(health.status, 200, health)
        self.assertEqual(health.json()["workers"]["live"], 1)
        self.assertTrue(any(log_has("orders", f"event=redis_master_found master=127.0.0.1:{port}", self.log_start)
                            for port in self.cluster.nodes), redis_lines("orders", self.log_start))

    def test_a_silent_sentinel_costs_a_reconnect_no_more_than_its_short_timeout(self):
        client, first = self.place_order()
        self.assert_processed(client, first)
        log_start = log_size("orders")
        cli(self.cluster.primary(), "CLIENT", "KILL", "TYPE", "normal")  # the next push must find the primary again

        client = Client()
        client.add("prod-060")
        started = time.monotonic()
        response = checkout(client)
        elapsed = time.monotonic() - started
        self.assertEqual(response.status, 201, response)
        order_id = response.json()["orderId"]
        # The silent one is asked first and given 300 ms; the next one answers. No deferral.
        self.assertLess(elapsed, 1.5)
        self.assertFalse(log_has("orders", f"event=order_enqueue_deferred order={order_id}", log_start))
        self.assert_processed(client, order_id)

    def test_a_killed_primary_is_replaced_and_orders_go_on_without_a_restart(self):
        pids = {name: pid_of(name) for name in RESPONDERS}
        client, first = self.place_order()
        self.assert_processed(client, first)
        old, replica = self.cluster.primary(), self.cluster.replica()
        log_start, changes = log_size("orders"), master_changes("orders")

        self.cluster.kill(old)
        # While no primary is promoted an order is still accepted; its push waits for the sweeper.
        during = [self.place_order("prod-061")]
        wait_until(lambda: self.cluster.all_sentinels_name(replica), timeout=30, interval=0.1,
                   message="the Sentinels to promote the replica")
        after = [self.place_order("prod-062") for _ in range(3)]

        for client, order_id in during + after:
            self.assert_processed(client, order_id)
        self.assertTrue(log_has("orders", f"event=redis_master_changed from=127.0.0.1:{old} to=127.0.0.1:{replica}",
                                log_start), redis_lines("orders", log_start))
        self.assertEqual(master_changes("orders"), changes + 1)
        self.assertGreaterEqual(self.pushes_on(replica), 3)
        self.assertEqual({name: pid_of(name) for name in RESPONDERS}, pids)
        self.assertIsNone(self.worker.process.poll())

    def test_a_connection_to_a_node_turned_replica_is_dropped_and_the_new_primary_found(self):
        client, first = self.place_order()  # the orders responder now holds a connection to the primary
        self.assert_processed(client, first)
        old, new = self.cluster.primary(), self.cluster.replica()
        log_start = log_size("orders")

        # Demoted behind the shop's back: no Sentinel drops its clients, the connection stays open.
        self.assertEqual(cli(new, "REPLICAOF", "NO", "ONE"), ["OK"])
        self.assertEqual(cli(old, "REPLICAOF", "127.0.0.1", str(new)), ["OK"])
        for sentinel in self.cluster.sentinels:  # and the Sentinels told, as an operator would
            cli(sentinel, "SENTINEL", "REMOVE", MASTER_NAME)
            self.assertEqual(cli(sentinel, "SENTINEL", "MONITOR", MASTER_NAME, "127.0.0.1", str(new), "2"), ["OK"])
            cli(sentinel, "SENTINEL", "SET", MASTER_NAME, "down-after-milliseconds", str(DOWN_AFTER_MS),
                "failover-timeout", str(FAILOVER_TIMEOUT_MS))

        client, order_id = self.place_order()
        # Its push went through at once, on the new primary: no sweep was needed.
        self.assertFalse(log_has("orders", f"event=order_enqueue_deferred order={order_id}", log_start))
        self.assert_processed(client, order_id)
        self.assertTrue(log_has("orders", "event=redis_node_unusable command=LPUSH error=\"READONLY", log_start),
                        redis_lines("orders", log_start))
        self.assertTrue(log_has("orders", f"event=redis_master_changed from=127.0.0.1:{old} to=127.0.0.1:{new}",
                                log_start), redis_lines("orders", log_start))

    def test_with_every_sentinel_down_the_shop_answers_unavailable_then_recovers(self):
        pids = {name: pid_of(name) for name in RESPONDERS}
        primary = self.cluster.primary()
        for port in self.cluster.sentinels:
            self.cluster.kill(port)
        cli(primary, "CLIENT", "KILL", "TYPE", "normal")  # the shop's connections break: it must ask again

        started = time.monotonic()
        health = get("/api/health")
        self.assertLess(time.monotonic() - started, 10)
        self.assertEqual(health.status, 503, health)
        self.assertEqual(health.json()["redis"], "down")
        # Checkout still takes the order (MariaDB has it, marked for the sweeper); nothing crashed.
        client, order_id = self.place_order("prod-063")
        self.assertEqual({name: pid_of(name) for name in RESPONDERS}, pids)
        self.assertTrue(all(process_alive(pid) for pid in pids.values()))

        self.cluster.wait_healthy()  # the Sentinels come back
        self.assert_processed(client, order_id)


if __name__ == "__main__":
    unittest.main()
