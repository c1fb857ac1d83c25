"""Read replica: catalog reads come from a GTID replica (db_read_*), fall back to the primary when it is gone,
go on from it while the primary is down (writes answer 503), and scripts/db-promote makes it a writable primary
holding every row the old primary committed.

Each class starts its own pair of MariaDB servers in a temp folder (a primary with a binary log and a replica
on free loopback ports), loads the shop's schema and sample catalog into the primary with shopctl setup, and
runs responders of its own (--listen on a unix socket) configured from the stack's shop.conf with the db_*
keys overridden, logging to the stack's log folder (replica-NAME.log). Requests go to the responders over FastCGI
directly. Every process is stopped by its PID.
"""
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time
import unittest

from shop import ROOT, VAR, wait_until

BUILD = os.environ.get("SHOP_BUILD", os.path.join(ROOT, "build"))
REPLICATION_PASSWORD = "replica-test-secret"
PRODUCT = "prod-001"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def conf_value(key):
    with open(os.path.join(VAR, "shop.conf")) as conf:
        for line in conf:
            name, _, value = line.partition("=")
            if name.strip() == key:
                return value.strip()
    return ""


class MariaDB:
    """One private mariadbd: its own data folder, unix socket and loopback port."""

    def __init__(self, folder, server_id, *extra):
        self.folder, self.server_id, self.extra = folder, server_id, extra
        self.data = os.path.join(folder, "data")
        self.socket = os.path.join(folder, "mysql.sock")
        self.port = free_port()
        self.process = None
        subprocess.run(["mariadb-install-db", "--no-defaults", f"--datadir={self.data}", "--user=root",
                        "--auth-root-authentication-method=normal", "--skip-test-db"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def start(self):
        self.process = subprocess.Popen(
            ["mariadbd", "--no-defaults", f"--datadir={self.data}", f"--socket={self.socket}",
             f"--port={self.port}", "--bind-address=127.0.0.1", "--user=root", "--skip-name-resolve",
             f"--server-id={self.server_id}", f"--gtid-domain-id={self.server_id}", "--log-bin=binlog",
             "--log-slave-updates", "--innodb-buffer-pool-size=64M", f"--pid-file={self.folder}/mariadb.pid",
             f"--log-error={self.folder}/mariadb.log", *self.extra],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(lambda: self.answers(), timeout=30, message=f"mariadbd {self.server_id} to answer")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=60)
        self.process = None

    def answers(self):
        try:
            self.sql("SELECT 1")
            return True
        except subprocess.CalledProcessError:
            return False

    def sql(self, statement, user="root", password=None):
        """Runs SQL; returns the rows as lists of strings."""
        env = dict(os.environ, MYSQL_PWD=password) if password is not None else None
        result = subprocess.run(
            ["mariadb", "--no-defaults", f"--socket={self.socket}", f"--user={user}", "--batch",
             "--skip-column-names", "-e", statement], check=True, capture_output=True, text=True, env=env)
        return [line.split("\t") for line in result.stdout.splitlines()]

    def value(self, statement):
        rows = self.sql(statement)
        return rows[0][0] if rows else None


class Responder:
    """A shop responder listening on its own unix socket, configured by the stack's conf plus overrides."""

    def __init__(self, folder, name, **settings):
        self.socket = os.path.join(folder, f"{name}.sock")
        # In the stack's log folder, where scripts/test --sanitizers looks for reports.
        self.log_path = os.path.join(VAR, "log", f"replica-{name}.log")
        env = dict(os.environ, SHOP_CONFIG=os.path.join(VAR, "shop.conf"))
        env.update({f"SHOP_{key.upper()}": str(value) for key, value in settings.items()})
        self.log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [os.path.join(BUILD, "fcgi-apps", f"shop-{name}"), "--listen", self.socket, "--threads", "2"],
            env=env, stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log)
        wait_until(lambda: os.path.exists(self.socket), timeout=10, message=f"{name} to listen")

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=10)
        self.log.close()

    def logged(self, event):
        with open(self.log_path) as log:
            return sum(1 for line in log if f"event={event}" in line)

    def request(self, method, path, body=b""):
        """One FastCGI request; returns (status, body bytes)."""
        path, _, query = path.partition("?")
        params = {"REQUEST_METHOD": method, "DOCUMENT_URI": path, "SCRIPT_NAME": path, "QUERY_STRING": query,
                  "REQUEST_URI": path, "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_HOST": "127.0.0.1",
                  "SHOP_REQUEST_ORIGIN": "http://127.0.0.1", "CONTENT_LENGTH": str(len(body))}
        if body:
            params["CONTENT_TYPE"] = "application/json"
        return fastcgi(self.socket, params, body)


def _record(kind, content):
    return struct.pack(">BBHHBB", 1, kind, 1, len(content), 0, 0) + content


def _pair(name, value):
    name, value = name.encode(), value.encode()
    size = lambda n: bytes([n]) if n < 128 else struct.pack(">I", n | 0x80000000)
    return size(len(name)) + size(len(value)) + name + value


def fastcgi(path, params, body):
    with socket.socket(socket.AF_UNIX) as connection:
        connection.settimeout(30)
        connection.connect(path)
        stream = _record(1, struct.pack(">HB5x", 1, 0))
        stream += _record(4, b"".join(_pair(k, v) for k, v in params.items())) + _record(4, b"")
        stream += (_record(5, body) if body else b"") + _record(5, b"")
        connection.sendall(stream)
        received = b""
        while True:
            chunk = connection.recv(65536)
            if not chunk:
                break
            received += chunk
    out, offset = b"", 0
    while offset + 8 <= len(received):
        _, kind, _, length, padding, _ = struct.unpack(">BBHHBB", received[offset:offset + 8])
        if kind == 6:
            out += received[offset + 8:offset + 8 + length]
        offset += 8 + length + padding
        if kind == 3:
            break
    head, _, content = out.partition(b"\r\n\r\n")
    status = 200
    for line in head.decode("latin-1").split("\r\n"):
        if line.lower().startswith("status:"):
            status = int(line.split(":", 1)[1].split()[0])
    return status, content


class ReplicaPair:
    """A primary and a GTID replica of it, with the shop's schema and sample catalog replicated."""

    def __init__(self):
        self.folder = tempfile.mkdtemp(prefix="shop-replica-")
        os.chmod(self.folder, 0o755)
        self.responders = []
        self.primary = self.replica = None
        for name in ("primary", "replica"):
            os.makedirs(os.path.join(self.folder, name))
        self.primary = MariaDB(os.path.join(self.folder, "primary"), 1)
        self.replica = MariaDB(os.path.join(self.folder, "replica"), 2, "--read-only")
        self.primary.start()
        self.replica.start()
        self.primary.sql(f"CREATE USER 'repl'@'127.0.0.1' IDENTIFIED BY '{REPLICATION_PASSWORD}';"
                         " GRANT REPLICATION SLAVE ON *.* TO 'repl'@'127.0.0.1'")
        self.replica.sql(f"CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = {self.primary.port},"
                         f" MASTER_USER = 'repl', MASTER_PASSWORD = '{REPLICATION_PASSWORD}',"
                         " MASTER_CONNECT_RETRY = 1, MASTER_USE_GTID = slave_pos; START SLAVE")
        env = dict(os.environ, SHOP_CONFIG=os.path.join(VAR, "shop.conf"), SHOP_DB_SOCKET=self.primary.socket)
        subprocess.run([os.path.join(BUILD, "shopctl", "shopctl"), "--sql-dir", os.path.join(ROOT, "sql"), "setup",
                        "--sample", "--admin-socket", self.primary.socket],
                       check=True, env=env, stdout=subprocess.DEVNULL)
        self.caught_up()

    def caught_up(self, timeout=30):
        """Waits until the replica applied everything the primary logged."""
        wanted = self.primary.value("SELECT @@GLOBAL.gtid_binlog_pos")
        wait_until(lambda: self.replica.value("SELECT @@GLOBAL.gtid_slave_pos") == wanted, timeout=timeout,
                   message=f"the replica to reach {wanted}")

    def responder(self, name):
        started = Responder(self.folder, name, db_socket=self.primary.socket, db_read_socket=self.replica.socket)
        self.responders.append(started)
        return started

    def close(self):
        for started in self.responders:
            started.stop()
        for server in (self.replica, self.primary):
            if server is not None:
                server.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def product_name(responder):
    status, body = responder.request("GET", f"/api/products/{PRODUCT}")
    assert status == 200, (status, body)
    return json.loads(body)["name"]


class ReadReplicaTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pair = ReplicaPair()
        try:
            cls.products = cls.pair.responder("products")
            cls.cart = cls.pair.responder("cart")
            cls.recommendations = cls.pair.responder("recommendations")
            cls.health = cls.pair.responder("health")
        except BaseException:
            cls.pair.close()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.pair.close()

    def setUp(self):
        self.name = self.pair.primary.value(f"SELECT name FROM shop.products WHERE id = '{PRODUCT}'")

    def tearDown(self):
        for server in (self.pair.primary, self.pair.replica):
            if server.process is None:
                server.start()
        # Put the replica's own change back without logging it, so the two agree again.
        self.pair.replica.sql(f"SET sql_log_bin = 0; UPDATE shop.products SET name = '{self.name}'"
                              f" WHERE id = '{PRODUCT}'")
        self.pair.caught_up()

    def test_catalog_read_is_served_from_the_replica(self):
        # A change made on the replica alone (not logged, so never on the primary) shows in the catalog.
        self.pair.replica.sql("SET sql_log_bin = 0; UPDATE shop.products SET name = 'Seen on the replica'"
                              f" WHERE id = '{PRODUCT}'")
        self.assertEqual(product_name(self.products), "Seen on the replica")
        status, body = self.products.request("GET", "/api/products?q=replica")
        self.assertEqual(status, 200, body)
        self.assertIn(PRODUCT.encode(), body)
        self.assertEqual(self.pair.primary.value(f"SELECT name FROM shop.products WHERE id = '{PRODUCT}'"),
                         self.name)

    def test_recommendations_are_read_from_the_replica(self):
        self.pair.replica.sql("SET sql_log_bin = 0; UPDATE shop.products SET name = CONCAT('R:', name)")
        try:
            status, body = self.recommendations.request("GET", "/api/recommendations?limit=10")
            self.assertEqual(status, 200, body)
            names = [item["name"] for item in json.loads(body)["items"]]
            self.assertTrue(names)
            self.assertTrue(all(name.startswith("R:") for name in names), names)
        finally:
            self.pair.replica.sql("SET sql_log_bin = 0;"
                                  " UPDATE shop.products SET name = SUBSTRING(name, 3) WHERE name LIKE 'R:%'")

    def test_health_reports_the_read_server_and_only_degrades_without_it(self):
        status, body = self.health.request("GET", "/api/health")
        body = json.loads(body)
        self.assertEqual((status, body["status"], body["dbRead"], body["degraded"]), (200, "ok", "ok", []), body)
        self.pair.replica.stop()
        status, body = self.health.request("GET", "/api/health")
        body = json.loads(body)
        self.assertEqual((status, body["status"], body["failing"]), (200, "degraded", []), body)
        self.assertEqual((body["db"], body["dbRead"], body["degraded"]), ("ok", "down", ["dbRead"]))

    def test_replica_stopped_catalog_reads_fall_back_to_the_primary(self):
        self.pair.replica.sql("SET sql_log_bin = 0; UPDATE shop.products SET name = 'Seen on the replica'"
                              f" WHERE id = '{PRODUCT}'")
        self.assertEqual(product_name(self.products), "Seen on the replica")
        before = self.products.logged("db_read_fallback")
        self.pair.replica.stop()
        for _ in range(5):
            self.assertEqual(product_name(self.products), self.name)
            status, body = self.products.request("GET", "/api/categories")
            self.assertEqual(status, 200, body)
        # Logged once per outage and thread, not per request (the responder runs 2 threads).
        self.assertIn(self.products.logged("db_read_fallback") - before, (1, 2))

    def test_primary_stopped_catalog_reads_go_on_and_cart_add_answers_503(self):
        self.pair.primary.stop()
        self.assertEqual(product_name(self.products), self.name)
        for path in ("/api/products", "/api/categories", "/api/products?q=lamp&sort=price_asc"):
            status, body = self.products.request("GET", path)
            self.assertEqual(status, 200, (path, body))
        status, body = self.cart.request("POST", "/api/cart", b'{"productId": "%s", "quantity": 1}' % PRODUCT.encode())
        self.assertEqual(status, 503, body)
        self.assertEqual(json.loads(body)["error"]["code"], "service_unavailable")


class PromoteTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pair = ReplicaPair()

    @classmethod
    def tearDownClass(cls):
        cls.pair.close()

    def promote(self, server, wait=30):
        return subprocess.run([os.path.join(ROOT, "scripts", "db-promote"), "--socket", server.socket,
                               "--wait", str(wait)], capture_output=True, text=True, timeout=120)

    def snapshot(self, server):
        return server.sql("SELECT id, name, stock, price_cents FROM shop.products ORDER BY id")

    def test_promote_refuses_a_server_that_is_not_a_replica(self):
        done = self.promote(self.pair.primary)
        self.assertEqual(done.returncode, 1, done)
        self.assertIn("not a replica", done.stderr)
        self.assertEqual(self.pair.primary.value("SELECT @@GLOBAL.read_only"), "0")

    def test_promote_turns_the_replica_into_a_writable_primary_with_every_committed_row(self):
        pair, password = self.pair, conf_value("db_password")
        # The replica applies what it receives 2 s late, so promotion has something left to wait for.
        pair.replica.sql("STOP SLAVE; CHANGE MASTER TO MASTER_DELAY = 2; START SLAVE")
        pair.primary.sql("UPDATE shop.products SET stock = stock + 7 WHERE id <= 'prod-010';"
                         " INSERT INTO shop.products (id, name, description, category, price_cents, currency, stock)"
                         " SELECT 'prod-promoted', 'Promoted', 'Written just before the primary died', category,"
                         " price_cents, currency, 3 FROM shop.products WHERE id = 'prod-001'")
        committed = self.snapshot(pair.primary)
        position = pair.primary.value("SELECT @@GLOBAL.gtid_binlog_pos")
        wait_until(lambda: self._received(pair), timeout=10, message="the replica to receive the last writes")
        self.assertNotEqual(pair.replica.value("SELECT @@GLOBAL.gtid_slave_pos"), position)  # not applied yet
        pair.primary.stop()
        with self.assertRaises(subprocess.CalledProcessError):  # read-only for the shop's own account
            pair.replica.sql("UPDATE shop.products SET stock = 1 WHERE id = 'prod-001'", user="shop",
                             password=password)

        done = self.promote(pair.replica)

        self.assertEqual(done.returncode, 0, done)
        self.assertIn("now a writable primary", done.stdout)
        self.assertIn("db_host", done.stdout)
        self.assertEqual(self.snapshot(pair.replica), committed, done.stderr)
        self.assertEqual(pair.replica.sql("SHOW SLAVE STATUS"), [])
        pair.replica.sql("UPDATE shop.products SET stock = 1 WHERE id = 'prod-001'", user="shop", password=password)
        self.assertEqual(pair.replica.value("SELECT stock FROM shop.products WHERE id = 'prod-001'"), "1")

    def _received(self, pair):
        """The replica's IO thread has every event the primary logged (whatever its SQL thread applied)."""
        status = subprocess.run(["mariadb", "--no-defaults", f"--socket={pair.replica.socket}", "--user=root",
                                 "-e", "SHOW SLAVE STATUS\\G"], capture_output=True, text=True).stdout
        fields = {name.strip(): value.strip() for name, _, value in (line.partition(":") for line in status.splitlines())}
        master = pair.primary.sql("SHOW MASTER STATUS")[0]
        return fields.get("Master_Log_File") == master[0] and fields.get("Read_Master_Log_Pos") == master[1]


if __name__ == "__main__":
    unittest.main()
