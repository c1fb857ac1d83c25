"""Abuse: pumped charts, floods of writes, and nginx's own errors answered in the API's JSON shape.

The test stack runs with nginx's per-address rate limits off (SHOP_RATE_LIMIT=off, as load tests need);
RateLimitTest turns them on for its tests, each sending from a loopback address of its own.
"""
import os
import re
import time
import unittest

from shop import ROOT, Client, RateLimitsOn, assert_error, interest_settles, raw, sql, user_id, view


def least_popular_product():
    """An active product in stock that is least popular (never seen, if there is one)."""
    return sql("SELECT p.id FROM products p LEFT JOIN product_popularity pp ON pp.product_id = p.id"
               " WHERE p.active = 1 AND p.stock > 50 ORDER BY pp.log_score IS NOT NULL, pp.log_score, p.id LIMIT 1")[0][0]


def aggregates_of(product_id):
    """What the shared aggregates hold for a product: its popularity and its pairs."""
    interest_settles()
    return (sql(f"SELECT log_score FROM product_popularity WHERE product_id = '{product_id}'"),
            sql(f"SELECT product_id, other_id, log_score FROM product_pairs"
                f" WHERE product_id = '{product_id}' OR other_id = '{product_id}' ORDER BY product_id, other_id"))


def popular_now():
    response = Client().get("/api/recommendations?limit=8")
    assert response.status == 200, response
    return [item["id"] for item in response.json()["items"] if item["reason"] == "Popular now"]


def site_rate(zone):
    """(requests per second, burst) of a limit_req zone, as nginx/fcgi-shop.conf sets them."""
    with open(os.path.join(ROOT, "nginx", "fcgi-shop.conf")) as file:
        site = file.read()
    rate = re.search(rf"zone={zone}:\S+ rate=(\d+)r/s;", site)
    burst = re.search(rf"limit_req zone={zone} burst=(\d+) nodelay;", site)
    assert rate and burst, f"zone {zone} in nginx/fcgi-shop.conf"
    return int(rate.group(1)), int(burst.group(1))


def count(table):
    return int(sql(f"SELECT COUNT(*) FROM {table}")[0][0])


class PumpedChartsTest(unittest.TestCase):
    def test_clients_cannot_send_purchase_events(self):
        client = Client()
        client.cart()
        assert_error(self, client.post("/api/events", {"eventType": "purchase", "productId": "prod-001"}), 400,
                     "invalid_event_type")
        self.assertEqual(sql(f"SELECT COUNT(*) FROM interactions WHERE user_id = '{user_id(client)}'"), [["0"]])

    def test_300_anonymous_events_cannot_move_a_product_into_popular_now(self):
        product = least_popular_product()
        before = aggregates_of(product)
        for _ in range(150):
            for event in ("add-to-cart", "product-view"):
                response = Client().post("/api/events", {"eventType": event, "productId": product})
                self.assertEqual(response.status, 202, response)
        self.assertEqual(aggregates_of(product), before, "popularity and pairs unchanged")
        self.assertNotIn(product, popular_now())

    def test_anonymous_cart_adds_do_not_count_towards_popularity(self):
        product = least_popular_product()
        before = aggregates_of(product)
        for _ in range(30):
            client = Client()
            client.add(product)
            stored = sql(f"SELECT event_type FROM interactions WHERE user_id = '{user_id(client)}'")
            self.assertEqual(stored, [["add-to-cart"]], "kept for the shopper's own recommendations")
        self.assertEqual(aggregates_of(product), before)

    def test_a_known_shoppers_event_still_counts(self):
        product = least_popular_product()
        before = aggregates_of(product)[0]
        view(Client(), product)
        self.assertNotEqual(aggregates_of(product)[0], before)


class RateLimitTest(unittest.TestCase):
    """nginx's per-address limits, on as in production; each test sends from its own loopback address."""

    @classmethod
    def setUpClass(cls):
        cls.limits = RateLimitsOn()
        cls.limits.__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.limits.__exit__(None, None, None)

    def burst(self, send, requests):
        """Sends requests as fast as it can; returns (statuses, seconds taken, the first 429)."""
        started = time.monotonic()
        responses = [send() for _ in range(requests)]
        refused = [r for r in responses if r.status == 429]
        return [r.status for r in responses], time.monotonic() - started, refused[0] if refused else None

    def assert_limited(self, statuses, seconds, refused, zone, ok):
        rate, burst = site_rate(zone)
        accepted = statuses.count(ok)
        self.assertEqual(set(statuses), {ok, 429}, statuses)
        self.assertGreaterEqual(accepted, burst, "the burst allowance is served")
        self.assertLessEqual(accepted, burst + 1 + rate * seconds + 1, f"{accepted} in {seconds:.1f}s")
        assert_error(self, refused, 429, "rate_limited")
        self.assertTrue(refused.header("retry-after").isdigit(), refused.headers)
        self.assertEqual(refused.header("x-content-type-options"), "nosniff", "the security headers too")
        return accepted

    def test_a_burst_of_cookieless_cart_writes_is_429_after_the_allowance_and_adds_bounded_rows(self):
        carts, items, interactions = count("carts"), count("cart_items"), count("interactions")
        statuses, seconds, refused = self.burst(
            lambda: Client("127.0.0.2").post("/api/cart", {"productId": "prod-001", "quantity": 1}), 150)
        accepted = self.assert_limited(statuses, seconds, refused, "shop_writes", 200)
        self.assertEqual(count("carts") - carts, accepted)
        self.assertEqual(count("cart_items") - items, accepted)
        self.assertEqual(count("interactions") - interactions, accepted)

    def test_a_burst_of_events_from_one_address_is_429_after_the_allowance(self):
        client = Client("127.0.0.3")
        client.cart()
        statuses, seconds, refused = self.burst(
            lambda: client.post("/api/events", {"eventType": "product-view", "productId": "prod-002"}), 100)
        accepted = self.assert_limited(statuses, seconds, refused, "shop_events", 202)
        self.assertEqual(sql(f"SELECT COUNT(*) FROM interactions WHERE user_id = '{user_id(client)}'"),
                         [[str(accepted)]])

    def test_reads_and_other_addresses_are_not_limited(self):
        flooder = Client("127.0.0.4")
        statuses, _, _ = self.burst(lambda: flooder.post("/api/events", {"eventType": "search"}), 100)
        self.assertIn(429, statuses)
        self.assertEqual({flooder.get("/api/cart").status for _ in range(100)}, {200}, "reads are not limited")
        self.assertEqual(Client("127.0.0.5").post("/api/events", {"eventType": "search"}).status, 202)


def raw_request(head, body=b""):
    return raw(head + b"\r\nHost: shop\r\nConnection: close\r\n\r\n" + body)


class NginxErrorsTest(unittest.TestCase):
    def test_an_8k_cookie_is_400_json(self):
        response = raw_request(b"GET /api/products HTTP/1.1\r\nCookie: a=" + b"x" * 8500)
        assert_error(self, response, 400, "header_too_large")

    def test_too_many_large_headers_are_400_json(self):
        headers = b"".join(b"\r\nX-Pad-%d: %s" % (i, b"y" * 1000) for i in range(40))
        assert_error(self, raw_request(b"GET /api/cart HTTP/1.1" + headers), 400, "header_too_large")

    def test_trace_and_connect_are_405_json(self):
        for method in (b"TRACE", b"CONNECT"):
            assert_error(self, raw_request(method + b" /api/products HTTP/1.1"), 405, "method_not_allowed")
        assert_error(self, raw_request(b"CONNECT shop:443 HTTP/1.1"), 400, "invalid_request")

    def test_an_unknown_transfer_encoding_is_501_json(self):
        response = raw_request(b"POST /api/cart HTTP/1.1\r\nTransfer-Encoding: gzip")
        assert_error(self, response, 501, "not_implemented")

    def test_a_write_to_a_storefront_file_is_405_json(self):
        response = raw_request(b"POST /index.html HTTP/1.1\r\nContent-Length: 0")
        assert_error(self, response, 405, "method_not_allowed")


if __name__ == "__main__":
    unittest.main()
