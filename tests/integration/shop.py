"""shop.py - what the integration tests share: HTTP to the stack, its database, its services.

The stack under test is the one scripts/test started: SHOP_URL is its address,
SHOP_VAR its state folder (sockets, logs), SHOP_ROOT the checkout.
"""
import http.client
import json
import os
import subprocess
import urllib.parse

URL = os.environ.get("SHOP_URL", "http://127.0.0.1:8080")
VAR = os.environ.get("SHOP_VAR", os.path.join(os.path.dirname(__file__), "..", "..", "var"))
ROOT = os.environ.get("SHOP_ROOT", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
_host = urllib.parse.urlsplit(URL)


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)

    def header(self, name):
        return self.headers.get(name.lower())

    def __repr__(self):
        return f"<{self.status} {self.body[:200]!r}>"


class Client:
    """One browser: keeps the cookies the shop sets, like a browser would.

    source: the loopback address to send from (127.0.0.2, ...), so a test has
    nginx's per-address limits to itself; 127.0.0.1 when None.
    """

    def __init__(self, source=None):
        self.cookies = {}
        self.source = source

    def request(self, method, path, body=None, headers=None, json_body=None):
        headers = dict(headers or {})
        if json_body is not None:
            body = json.dumps(json_body).encode()
            headers.setdefault("Content-Type", "application/json")
        if isinstance(body, str):
            body = body.encode()
        if self.cookies and "Cookie" not in headers:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection = http.client.HTTPConnection(_host.hostname, _host.port, timeout=30,
                                                source_address=(self.source, 0) if self.source else None)
        try:
            connection.request(method, path, body=body, headers=headers)
            raw = connection.getresponse()
            data = raw.read()
            response_headers = {}
            for name, value in raw.getheaders():
                key = name.lower()
                response_headers[key] = response_headers[key] + ", " + value if key in response_headers else value
                if key == "set-cookie":
                    pair = value.split(";", 1)[0]
                    cookie_name, _, cookie_value = pair.partition("=")
                    self.cookies[cookie_name.strip()] = cookie_value.strip()
            return Response(raw.status, response_headers, data)
        finally:
            connection.close()

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, json_body=None, **kwargs):
        return self.request("POST", path, json_body=json_body, **kwargs)

    def put(self, path, json_body=None, **kwargs):
        return self.request("PUT", path, json_body=json_body, **kwargs)

    def delete(self, path, **kwargs):
        """DELETE with the JSON content type every state-changing call must carry."""
        headers = dict(kwargs.pop("headers", {}) or {})
        headers.setdefault("Content-Type", "application/json")
        return self.request("DELETE", path, headers=headers, **kwargs)

    def add(self, product_id, quantity=1):
        """POST /api/cart, asserting success; returns the cart."""
        response = self.post("/api/cart", {"productId": product_id, "quantity": quantity})
        assert response.status == 200, response
        return response.json()

    def cart(self):
        response = self.get("/api/cart")
        assert response.status == 200, response
        return response.json()


def raw(data):
    """Sends bytes as they are (for requests no HTTP library would send); returns the Response."""
    import socket
    with socket.create_connection((_host.hostname, _host.port), timeout=10) as connection:
        connection.sendall(data)
        chunks = []
        while True:
            chunk = connection.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Response(int(lines[0].split()[1]), headers, body)


CATALOG_CACHE_SECONDS = 1  # nginx keeps catalog answers this long (nginx/fcgi-shop.conf)


def catalog_settles():
    """Waits until every cached catalog answer is older than the cache keeps it."""
    import time
    time.sleep(CATALOG_CACHE_SECONDS + 0.1)


def fresh(path):
    """path with a query nobody asked before: never answered from nginx's cache."""
    import uuid
    return path + ("&" if "?" in path else "?") + "nocache=" + uuid.uuid4().hex


def get(path, **kwargs):
    """A request from a fresh browser with no cookies."""
    return Client().get(path, **kwargs)


def sql(statement):
    """Runs SQL on the stack's database as root; returns rows as lists of strings."""
    result = subprocess.run(
        ["mariadb", "--no-defaults", f"--socket={VAR}/run/mysql.sock", "--user=root", "--batch",
         "--skip-column-names", "shop", "-e", statement],
        check=True, capture_output=True, text=True)
    return [line.split("\t") for line in result.stdout.splitlines()]


def service(action, name, conf_extra=None):
    """Starts or stops one service of the stack: action is 'start' or 'stop'. A start with conf_extra (a file)
    appends its lines to shop.conf first, where they win (scripts/stack's SHOP_CONF_EXTRA)."""
    env = dict(os.environ, SHOP_VAR=VAR, SHOP_PORT=str(_host.port))
    if conf_extra:
        env["SHOP_CONF_EXTRA"] = conf_extra
    subprocess.run([os.path.join(ROOT, "scripts", "stack"), f"{action}-service", name], check=True, env=env)


def stack(action):
    """Runs scripts/stack ACTION (start, stop, rotate-secret) on the stack under test."""
    subprocess.run([os.path.join(ROOT, "scripts", "stack"), action], check=True, stdout=subprocess.DEVNULL,
                   env=dict(os.environ, SHOP_VAR=VAR, SHOP_PORT=str(_host.port)))


class Stock:
    """Sets a product's stock for one test and puts the old value back afterwards."""

    def __init__(self, product_id, stock):
        self.product_id, self.stock = product_id, stock

    def __enter__(self):
        self.saved = sql(f"SELECT stock FROM products WHERE id = '{self.product_id}'")[0][0]
        sql(f"UPDATE products SET stock = {int(self.stock)} WHERE id = '{self.product_id}'")
        return self

    def __exit__(self, *exc):
        sql(f"UPDATE products SET stock = {self.saved} WHERE id = '{self.product_id}'")


def assert_error(test, response, status, code=None):
    """The response is the shop's JSON error answer with this status (and code)."""
    test.assertEqual(response.status, status, response)
    test.assertTrue(response.header("content-type").startswith("application/json"), response.headers)
    error = response.json()["error"]
    test.assertIsInstance(error["message"], str)
    test.assertTrue(error["message"])
    if code is not None:
        test.assertEqual(error["code"], code)
    return error


def redis(*args):
    """Runs a redis-cli command on the stack's Redis; returns its output lines."""
    result = subprocess.run(["redis-cli", "-s", f"{VAR}/run/redis.sock", *args], check=True,
                            capture_output=True, text=True)
    return result.stdout.splitlines()


def wait_until(condition, timeout=10.0, interval=0.05, message="condition"):
    """Polls condition() until it returns something truthy; fails the test after timeout seconds."""
    import time
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)


class RateLimitsOn:
    """Runs a block with nginx's per-address rate limits on (the test stack runs with SHOP_RATE_LIMIT=off)."""

    def __enter__(self):
        _reload_nginx("on")

    def __exit__(self, *exc):
        _reload_nginx("off")


def _reload_nginx(rate_limit):
    subprocess.run([os.path.join(ROOT, "scripts", "stack"), "reload-nginx"], check=True, stdout=subprocess.DEVNULL,
                   env=dict(os.environ, SHOP_VAR=VAR, SHOP_PORT=str(_host.port), SHOP_RATE_LIMIT=rate_limit))


class StackWorkerStopped:
    """Runs a block with the stack's own worker stopped, restarting it afterwards."""

    def __enter__(self):
        service("stop", "worker")

    def __exit__(self, *exc):
        service("start", "worker")


class Worker:
    """An extra shop-worker process with its own settings (SHOP_* variables), logging to the stack's log folder."""

    def __init__(self, name="extra", **settings):
        build = os.environ.get("SHOP_BUILD", os.path.join(ROOT, "build"))
        env = dict(os.environ, SHOP_CONFIG=os.path.join(VAR, "shop.conf"))
        env.update({f"SHOP_{key.upper()}": str(value) for key, value in settings.items()})
        self.log = open(os.path.join(VAR, "log", f"worker-{name}.log"), "ab")
        self.process = subprocess.Popen([os.path.join(build, "worker", "shop-worker")], env=env,
                                        stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log)

    def kill(self):
        self.process.kill()
        self.process.wait()
        self.log.close()

    def stop(self, timeout=30):
        self.process.terminate()
        code = self.process.wait(timeout=timeout)
        self.log.close()
        return code

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.process.poll() is None:
            self.stop()


SHIPPING = {"name": "Ana Lima", "email": "ana@example.com", "address": "Rua das Flores 12", "city": "Lisboa",
            "postalCode": "1000-001", "country": "PT"}


def checkout(client, headers=None, **shipping):
    """POST /api/orders with valid shipping details (fields overridable); returns the Response."""
    return client.post("/api/orders", {"shipping": dict(SHIPPING, **shipping)}, headers=headers)


def order_status(client, order_id):
    return client.get(f"/api/orders/{order_id}").json()["status"]


def wait_for_status(client, order_id, statuses=("PROCESSED", "PAYMENT_FAILED", "FAILED"), timeout=15):
    """Waits until the order reaches one of statuses; returns the order."""
    def reached():
        order = client.get(f"/api/orders/{order_id}").json()
        return order if order.get("status") in statuses else None
    return wait_until(reached, timeout=timeout, message=f"{order_id} to reach {statuses}")


def user_id(client):
    """The shopper id inside the client's session cookie (what the server stores)."""
    import base64
    payload = client.cookies["sid"].split(".")[0]
    return base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).hex()


def view(client, product_id, event_type="product-view"):
    """Records an event as the storefront does: from a shopper the shop knows (its first page fetched the cart).

    An event from a session the request itself creates never counts in the shared aggregates.
    """
    if "sid" not in client.cookies:
        client.cart()
    response = client.post("/api/events", {"productId": product_id, "eventType": event_type})
    assert response.status == 202, response
    return response


def interest_settles(timeout=10.0):
    """Waits until the worker has folded every recorded event into the popularity and pair aggregates."""
    wait_until(lambda: sql("SELECT COUNT(*) FROM interactions WHERE aggregated = 0") == [["0"]], timeout=timeout,
               message="the worker to aggregate the pending interest events")


def process_alive(pid):
    """The process runs; an exited one nobody reaped yet (a zombie) counts as gone, as in scripts/common.sh."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


def kill_service(name, timeout=10.0):
    """SIGKILLs one service of the stack (a crash: no clean shutdown) and waits until its process is gone.

    The pid file stays, naming a dead process, so service("start", name) starts it again.
    """
    import signal
    with open(os.path.join(VAR, "run", f"{name}.pid")) as file:
        pid = int(file.read())
    os.kill(pid, signal.SIGKILL)
    wait_until(lambda: not process_alive(pid), timeout=timeout, message=f"{name} (pid {pid}) to die")
    return pid


def queue_leftovers(command=None):
    """{key: length} of the order queue, the retry set and the processing lists still holding messages.

    command: how to ask Redis (the cluster tests pass theirs); this stack's redis() when None."""
    command = command or redis
    lengths = {"shop:orders": int(command("LLEN", "shop:orders")[0]),
               "shop:orders:retry": int(command("ZCARD", "shop:orders:retry")[0])}
    for key in command("--scan", "--pattern", "shop:orders:processing:*"):
        lengths[key] = int(command("LLEN", key)[0])
    return {key: length for key, length in lengths.items() if length > 0}


def queue_settled():
    """Nothing queued, due for a retry, or in any worker's processing list."""
    return not queue_leftovers()


class ScratchProducts:
    """Products of a test's own (PREFIX-01 ...), removed afterwards with every trace of interest in them, so a test
    that buys thousands of them moves no other test's figures (sales counts, popularity, recommendations)."""

    def __init__(self, prefix, count, stock):
        self.prefix, self.stock = prefix, stock
        self.ids = [f"{prefix}-{n:02d}" for n in range(1, count + 1)]

    def __enter__(self):
        sql("INSERT INTO products (id, name, description, category, price_cents, stock) VALUES "
            + ", ".join(f"('{p}', 'Test {p}', 'A test product.', 'Test', 1000, {self.stock})" for p in self.ids)
            + " ON DUPLICATE KEY UPDATE stock = VALUES(stock), active = 1")
        return self.ids

    def __exit__(self, *exc):
        stack("start")  # whatever the test did, every service runs again
        interest_settles(timeout=60)  # the purchases are in the aggregates: remove them whole
        like = f"'{self.prefix}-%'"
        sql(f"DELETE FROM interactions WHERE product_id LIKE {like};"
            f" DELETE FROM product_pairs WHERE product_id LIKE {like} OR other_id LIKE {like};"
            f" DELETE FROM product_popularity WHERE product_id LIKE {like};"
            f" DELETE FROM cart_items WHERE product_id LIKE {like}; DELETE FROM products WHERE id LIKE {like}")


def order_effects(order_id):
    """(payments, confirmation e-mail rows, confirmation spool files) of an order: each must end at most 1.

    Only the confirmation: a declined, failed or cancelled order has an e-mail of its own kind (test_order_mail.py).
    """
    import glob
    payments = int(sql(f"SELECT COUNT(*) FROM payments WHERE order_id = '{order_id}'")[0][0])
    emails = int(sql(f"SELECT COUNT(*) FROM emails WHERE order_id = '{order_id}' AND kind = 'confirmation'")[0][0])
    files = len(glob.glob(os.path.join(VAR, "mail", f"{order_id}.eml")))
    return payments, emails, files


def reference(order_id):
    """The order's short reference as the shop shows it (lib/order): its first 8 hex digits, "7F3A-91C2"."""
    digits = order_id[len("order-"):][:8].upper()
    return f"{digits[:4]}-{digits[4:]}"


def db_status(order_id):
    """The order's status as stored, or None when there is no such order."""
    rows = sql(f"SELECT status FROM orders WHERE id = '{order_id}'")
    return rows[0][0] if rows else None
