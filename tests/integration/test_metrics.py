"""GET /metrics as a real Prometheus sees it: Debian's prometheus scrapes the stack's nginx every second.

Each test does something to the shop, then asks Prometheus's HTTP API what it scraped, so what is proved is the
whole path: the counting in every process, the sum over their files, the text format, nginx, Prometheus.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.parse
import urllib.request

from shop import (ROOT, URL, VAR, Client, StackWorkerStopped, checkout, fresh, get, kill_service, service,
                  wait_for_status, wait_until)

SCRAPE_SECONDS = 1
ALERT_RULES = os.path.join(ROOT, "etc", "prometheus", "fcgi-shop-alerts.yml")
CART_ADDS = {"resource": "cart", "method": "POST", "route": "/api/cart", "status": "200"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def selector(name, labels):
    return name + "{" + ",".join(f'{key}="{value}"' for key, value in sorted(labels.items())) + "}"


class Prometheus:
    """A prometheus server of the test's own, in a temporary folder, scraping the stack's /metrics every second."""

    def __init__(self):
        self.folder = tempfile.mkdtemp(prefix="shop-prometheus-")
        self.port = free_port()
        target = urllib.parse.urlsplit(URL).netloc
        with open(os.path.join(self.folder, "prometheus.yml"), "w") as config:
            config.write(f"""global:
  scrape_interval: {SCRAPE_SECONDS}s
  evaluation_interval: {SCRAPE_SECONDS}s
rule_files: ["{ALERT_RULES}"]
scrape_configs:
  - job_name: fcgi-shop
    metrics_path: /metrics
    static_configs: [{{targets: ["{target}"]}}]
""")
        self.log = open(os.path.join(VAR, "log", "prometheus.log"), "ab")
        self.process = subprocess.Popen(
            ["prometheus", f"--config.file={self.folder}/prometheus.yml", f"--storage.tsdb.path={self.folder}/data",
             f"--web.listen-address=127.0.0.1:{self.port}"],
            stdout=self.log, stderr=self.log, stdin=subprocess.DEVNULL, start_new_session=True)
        wait_until(self.ready, timeout=60, interval=0.2, message="prometheus to be ready")
        wait_until(lambda: self.query('up{job="fcgi-shop"} == 1'), timeout=30, interval=0.2,
                   message="prometheus to scrape the shop")

    def ready(self):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/-/ready", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    def api(self, path, **params):
        url = f"http://127.0.0.1:{self.port}/api/v1/{path}?" + urllib.parse.urlencode(params)
        with urllib.request.urlopen(url, timeout=10) as response:
            body = json.load(response)
        assert body["status"] == "success", body
        return body["data"]

    def query(self, expr):
        """The instant vector of expr now: [(labels, value)]."""
        return [(r["metric"], float(r["value"][1])) for r in self.api("query", query=expr)["result"]]

    def value(self, expr):
        """The one value of expr now, or None when it has no series."""
        result = self.query(expr)
        assert len(result) <= 1, result
        return result[0][1] if result else None

    def scrape_count(self):
        """How many scrapes of the shop Prometheus has stored so far."""
        return self.value('count_over_time(up{job="fcgi-shop"}[1h])') or 0

    def next_scrape(self):
        """Waits until a scrape that began after now is stored."""
        seen = self.scrape_count()
        wait_until(lambda: self.scrape_count() >= seen + 2, timeout=15, interval=0.1, message="two more scrapes")

    def stop(self):
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)
        self.log.close()
        shutil.rmtree(self.folder, ignore_errors=True)


class MetricsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.prometheus = Prometheus()

    @classmethod
    def tearDownClass(cls):
        cls.prometheus.stop()

    def setUp(self):
        # What earlier tests did is in Prometheus before this one reads its "before" values.
        self.prometheus.next_scrape()

    def value(self, name, **labels):
        """The scraped value of one series now (0 when it has none yet)."""
        return self.prometheus.value(selector(name, labels)) or 0

    def wait_for_value(self, expected, name, **labels):
        """Waits until Prometheus scraped expected for the series, and asserts exactly that."""
        expr = selector(name, labels)
        wait_until(lambda: (self.prometheus.value(expr) or 0) >= expected, timeout=15, interval=0.2,
                   message=f"{expr} to reach {expected}")
        self.prometheus.next_scrape()
        self.assertEqual(self.prometheus.value(expr), expected, expr)

    def test_requests_are_counted_by_resource_route_and_status(self):
        added = self.value("fcgi_shop_http_requests_total", **CART_ADDS)
        missing = self.value("fcgi_shop_http_requests_total", resource="products", method="GET",
                             route="/api/products/{id}", status="404")
        shopper = Client()
        for _ in range(3):
            shopper.add("prod-001")
        self.assertEqual(get(fresh("/api/products/no-such-product")).status, 404)
        self.wait_for_value(added + 3, "fcgi_shop_http_requests_total", **CART_ADDS)
        self.wait_for_value(missing + 1, "fcgi_shop_http_requests_total", resource="products", method="GET",
                            route="/api/products/{id}", status="404")

    def test_a_request_no_route_takes_is_counted_as_unmatched(self):
        before = self.value("fcgi_shop_http_requests_total", resource="cart", method="", route="unmatched",
                            status="404")
        self.assertEqual(get("/api/cart/nothing/here").status, 404)
        self.wait_for_value(before + 1, "fcgi_shop_http_requests_total", resource="cart", method="", route="unmatched",
                            status="404")

    def test_latency_histogram_buckets_only_grow_towards_inf_which_is_the_count(self):
        Client().add("prod-002")
        labels = {"resource": "cart", "method": "POST", "route": "/api/cart"}
        wait_until(lambda: self.value("fcgi_shop_http_request_duration_seconds_count", **labels) > 0,
                   message="a cart add in the histogram")
        buckets = self.prometheus.query(selector("fcgi_shop_http_request_duration_seconds_bucket", labels))
        series = sorted((float(metric["le"]), value) for metric, value in buckets)
        self.assertGreaterEqual(len(series), 10, "sensible buckets from sub-millisecond to seconds")
        self.assertEqual(series[-1][0], float("inf"))
        self.assertLessEqual(series[0][0], 0.001)
        values = [value for _, value in series]
        self.assertEqual(values, sorted(values), "cumulative buckets never decrease")
        count = self.value("fcgi_shop_http_request_duration_seconds_count", **labels)
        self.assertEqual(values[-1], count)
        self.assertGreater(self.value("fcgi_shop_http_request_duration_seconds_sum", **labels), 0)

    def test_an_order_processed_is_counted_with_its_payment_and_email(self):
        processed = self.value("fcgi_shop_worker_orders_total", program="worker", outcome="processed")
        charged = self.value("fcgi_shop_payments_total", program="worker", outcome="charged")
        sent = self.value("fcgi_shop_emails_total", program="worker", outcome="sent")
        batches = self.value("fcgi_shop_worker_batches_total", program="worker")
        in_status = self.value("fcgi_shop_orders", status="PROCESSED")
        shopper = Client()
        shopper.add("prod-003")
        order = checkout(shopper)
        self.assertEqual(order.status, 201, order)
        wait_for_status(shopper, order.json()["orderId"], ("PROCESSED",))
        self.wait_for_value(processed + 1, "fcgi_shop_worker_orders_total", program="worker", outcome="processed")
        self.wait_for_value(charged + 1, "fcgi_shop_payments_total", program="worker", outcome="charged")
        # Other orders' e-mails (declines, cancels of earlier tests) may be sent meanwhile: at least this one.
        expr = selector("fcgi_shop_emails_total", {"program": "worker", "outcome": "sent"})
        wait_until(lambda: (self.prometheus.value(expr) or 0) >= sent + 1, timeout=15, interval=0.2,
                   message=f"{expr} to count the confirmation")
        self.wait_for_value(in_status + 1, "fcgi_shop_orders", status="PROCESSED")
        self.assertGreater(self.value("fcgi_shop_worker_batches_total", program="worker"), batches)
        last_batch = self.value("fcgi_shop_worker_last_batch_timestamp_seconds")
        self.assertLess(abs(time.time() - last_batch), 60, "the batch just handled")

    def test_a_declined_card_is_counted(self):
        declined = self.value("fcgi_shop_payments_total", program="worker", outcome="declined")
        failed = self.value("fcgi_shop_worker_orders_total", program="worker", outcome="payment_failed")
        shopper = Client()
        shopper.add("prod-004")
        order = checkout(shopper, email="ana+decline@example.com")
        wait_for_status(shopper, order.json()["orderId"], ("PAYMENT_FAILED",))
        self.wait_for_value(declined + 1, "fcgi_shop_payments_total", program="worker", outcome="declined")
        self.wait_for_value(failed + 1, "fcgi_shop_worker_orders_total", program="worker", outcome="payment_failed")

    def test_a_stopped_worker_shows_as_none_live_and_the_queue_waits(self):
        with StackWorkerStopped():
            wait_until(lambda: self.prometheus.value("fcgi_shop_workers_live") == 0, timeout=15,
                       message="no live worker in the scrape")
            shopper = Client()
            shopper.add("prod-005")
            order = checkout(shopper)
            self.assertEqual(order.status, 201, order)
            wait_until(lambda: self.value("fcgi_shop_queue_length", list="queue") >= 1,
                       message="the order waiting in the queue")
            wait_until(lambda: self.value("fcgi_shop_orders_oldest_pending_age_seconds") > 0,
                       message="a pending order's age")
        wait_for_status(shopper, order.json()["orderId"], ("PROCESSED",))
        wait_until(lambda: self.prometheus.value("fcgi_shop_workers_live") == 1, timeout=15,
                   message="the worker live again")
        wait_until(lambda: self.value("fcgi_shop_queue_length", list="queue") == 0, message="the queue empty again")

    def test_events_accepted_and_rate_limited_are_counted(self):
        accepted = self.value("fcgi_shop_events_total", program="events", outcome="accepted")
        limited = self.value("fcgi_shop_events_total", program="events", outcome="rate_limited")
        shopper = Client()
        statuses = [shopper.post("/api/events", {"productId": "prod-001", "eventType": "product-view"}).status
                    for _ in range(125)]
        self.assertEqual(statuses.count(202) + statuses.count(429), 125, statuses)
        self.assertGreater(statuses.count(429), 0, "the shopper went over the per-minute limit")
        self.wait_for_value(accepted + statuses.count(202), "fcgi_shop_events_total", program="events",
                            outcome="accepted")
        self.wait_for_value(limited + statuses.count(429), "fcgi_shop_events_total", program="events",
                            outcome="rate_limited")

    def test_counters_never_go_back_when_responders_restart_or_die(self):
        shopper = Client()
        before = self.value("fcgi_shop_http_requests_total", **CART_ADDS)
        subprocess.run([os.path.join(ROOT, "scripts", "stack"), "restart", "cart"], check=True,
                       stdout=subprocess.DEVNULL, env=dict(os.environ, SHOP_VAR=VAR))
        shopper.add("prod-001")
        self.wait_for_value(before + 1, "fcgi_shop_http_requests_total", **CART_ADDS)
        kill_service("cart")  # a crash: its supervisor starts another
        wait_until(lambda: shopper.post("/api/cart", {"productId": "prod-001"}).status == 200,
                   message="a cart add served by the replacement")
        self.wait_for_value(before + 2, "fcgi_shop_http_requests_total", **CART_ADDS)
        resets = self.prometheus.value(f'resets({selector("fcgi_shop_http_requests_total", CART_ADDS)}[10m])')
        self.assertEqual(resets, 0, "Prometheus never saw the counter go back")
        archives = os.listdir(os.path.join(VAR, "run", "metrics"))
        self.assertIn("archive-cart.metrics", archives, "the dead responders' counts were folded into the archive")

    def test_redis_outage_counts_errors_and_the_reconnect(self):
        # Every program that talks to Redis counts; shop-metrics itself does at each scrape, so both move.
        lost = 'sum(fcgi_shop_redis_errors_total)'
        reconnects = 'sum(fcgi_shop_redis_reconnects_total)'
        errors_before = self.prometheus.value(lost)
        reconnects_before = self.prometheus.value(reconnects)
        service("stop", "redis")
        try:
            self.assertEqual(get("/api/health").status, 503)
            wait_until(lambda: self.value("fcgi_shop_scrape_source_up", source="redis") == 0,
                       message="the scrape to report Redis unreadable")
            self.assertEqual(self.value("fcgi_shop_scrape_source_up", source="mariadb"), 1)
        finally:
            service("start", "redis")
        wait_until(lambda: get("/api/health").status == 200, message="health back")
        wait_until(lambda: self.prometheus.value(lost) > errors_before, message="Redis errors counted")
        wait_until(lambda: self.prometheus.value(reconnects) > reconnects_before, message="the reconnect counted")
        wait_until(lambda: self.value("fcgi_shop_scrape_source_up", source="redis") == 1, message="Redis readable")

    def test_the_alert_rules_load_and_no_live_worker_is_not_firing(self):
        groups = self.prometheus.api("rules")["groups"]
        names = {rule["name"] for group in groups for rule in group["rules"]}
        self.assertTrue({"FcgiShopNoLiveWorker", "FcgiShopQueueLag", "FcgiShopDeadLetters",
                         "FcgiShopHigh5xxRate"} <= names, names)
        for group in groups:
            for rule in group["rules"]:
                self.assertEqual(rule["health"], "ok", rule)
        check = subprocess.run(["promtool", "check", "rules", ALERT_RULES], capture_output=True, text=True)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)


class MetricsEndpointTest(unittest.TestCase):
    def test_metrics_text_passes_promtool_and_names_each_family_once(self):
        response = get("/metrics")
        self.assertEqual(response.status, 200, response)
        self.assertEqual(response.header("content-type"), "text/plain; charset=utf-8; version=0.0.4")
        check = subprocess.run(["promtool", "check", "metrics"], input=response.body, capture_output=True)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)
        text = response.body.decode()
        types = [line.split()[2] for line in text.splitlines() if line.startswith("# TYPE ")]
        self.assertEqual(len(types), len(set(types)), "one # TYPE per family")
        for family in ("fcgi_shop_http_requests_total", "fcgi_shop_http_request_duration_seconds",
                       "fcgi_shop_db_errors_total", "fcgi_shop_redis_reconnects_total", "fcgi_shop_orders",
                       "fcgi_shop_queue_length", "fcgi_shop_workers_live", "fcgi_shop_worker_batches_total",
                       "fcgi_shop_payments_total", "fcgi_shop_emails_total", "fcgi_shop_events_total"):
            self.assertIn(family, types)

    def test_metrics_are_denied_to_other_addresses_whatever_headers_say(self):
        target = urllib.parse.urlsplit(URL)
        request = (f"GET /metrics HTTP/1.1\r\nHost: {target.netloc}\r\nX-Forwarded-For: 127.0.0.1\r\n"
                   "X-Real-IP: 127.0.0.1\r\nForwarded: for=127.0.0.1\r\nConnection: close\r\n\r\n").encode()
        for source, expected in (("127.0.0.2", 403), ("127.0.0.1", 200)):
            with socket.create_connection((target.hostname, target.port), timeout=10,
                                          source_address=(source, 0)) as connection:
                connection.sendall(request)
                status_line = connection.makefile("rb").readline().decode()
            self.assertEqual(int(status_line.split()[1]), expected, f"from {source}: {status_line}")


if __name__ == "__main__":
    unittest.main()
