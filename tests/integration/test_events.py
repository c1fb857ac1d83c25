"""POST /api/events: interest is recorded for the session's shopper, validated and bounded."""
import math
import threading
import time
import unittest

from shop import Client, assert_error, checkout, interest_settles, sql, user_id, view, wait_for_status


def popularity(product_id):
    interest_settles()
    rows = sql(f"SELECT log_score FROM product_popularity WHERE product_id = '{product_id}'")
    return float(rows[0][0]) if rows else None


class EventsTest(unittest.TestCase):
    def test_view_is_accepted_and_stored_for_the_session_with_the_real_category(self):
        client = Client()
        response = client.post("/api/events", {"productId": "prod-001", "eventType": "product-view",
                                               "productType": "Books", "userId": "someone-else"})
        self.assertEqual(response.status, 202)
        self.assertEqual(response.json(), {"accepted": True})
        rows = sql(f"SELECT product_id, event_type, category FROM interactions WHERE user_id = '{user_id(client)}'")
        self.assertEqual(rows, [["prod-001", "product-view", "Electronics"]])
        self.assertEqual(sql("SELECT COUNT(*) FROM interactions WHERE user_id = 'someone-else'"), [["0"]])

    def test_search_needs_no_product(self):
        client = Client()
        response = client.post("/api/events", {"eventType": "search", "productType": "Books"})
        self.assertEqual(response.status, 202)
        self.assertEqual(sql(f"SELECT event_type, category FROM interactions WHERE user_id = '{user_id(client)}'"),
                         [["search", "Books"]])

    def test_bad_events_are_rejected_and_store_nothing(self):
        client = Client()
        client.get("/api/cart")  # a session, so "nothing stored" can be checked
        assert_error(self, client.post("/api/events", {"productId": "prod-001", "eventType": "like"}), 400,
                     "invalid_event_type")
        assert_error(self, client.post("/api/events", {"productId": "prod-001"}), 400, "invalid_event_type")
        assert_error(self, client.post("/api/events", {"eventType": "product-view"}), 400, "invalid_product_id")
        assert_error(self, client.post("/api/events", {"eventType": "product-view", "productId": 7}), 400)
        assert_error(self, client.post("/api/events", {"eventType": "product-view", "productId": "prod-001",
                                                       "productType": "x" * 65}), 400, "invalid_product_type")
        assert_error(self, client.post("/api/events", {"eventType": "product-view", "productId": "prod-nope"}), 404)
        big = {"eventType": "search", "productType": "Books", "pad": "x" * 2000}
        assert_error(self, client.post("/api/events", big), 413, "payload_too_large")
        assert_error(self, client.request("POST", "/api/events", body=b"{}", headers={"Content-Type": "text/plain"}),
                     415)
        self.assertEqual(sql(f"SELECT COUNT(*) FROM interactions WHERE user_id = '{user_id(client)}'"), [["0"]])

    def test_a_repeat_view_does_not_count_twice_towards_popularity(self):
        first, second = Client(), Client()
        view(first, "prod-060")
        once = popularity("prod-060")
        view(first, "prod-060")
        self.assertEqual(popularity("prod-060"), once, "the same shopper's repeat is not counted")
        view(second, "prod-060")
        self.assertGreater(popularity("prod-060"), once, "another shopper's view is")

    def test_many_shoppers_views_all_add_up_across_aggregation_batches(self):
        before = popularity("prod-062")
        clients = [Client() for _ in range(150)]  # more than one aggregation batch (100)
        threads = [threading.Thread(target=view, args=(c, "prod-062")) for c in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        now = time.time() / 3600 / 24  # the default half-life: 24 hours
        after = popularity("prod-062")
        # In log space: log2(2^before + 150 views * weight 1 (in tenths: 10) * 2^now)
        expected = now + math.log2((2 ** (before - now) if before is not None else 0) + 150 * 10)
        self.assertAlmostEqual(after, expected, delta=0.01)

    def test_a_shoppers_recent_products_are_paired_both_ways(self):
        products = ["prod-063", "prod-064", "prod-065"]
        keys = [(a, b) for a in products for b in products if a != b]

        def pairs():
            interest_settles()
            rows = sql("SELECT product_id, other_id, log_score FROM product_pairs WHERE product_id IN"
                       " ('prod-063', 'prod-064', 'prod-065') AND other_id IN ('prod-063', 'prod-064', 'prod-065')")
            return {(a, b): float(score) for a, b, score in rows}
        before = pairs()
        client = Client()
        for product in products:
            view(client, product)
        view(client, "prod-063")  # a repeat: counted neither for popularity nor for pairs
        after = pairs()
        for key in keys:
            self.assertGreater(after.get(key, 0), before.get(key, -math.inf), key)
        now = time.time() / 3600 / 24
        # Each pair met once: one more 2^now on each, both ways.
        for key in keys:
            added = 2 ** (after[key] - now) - (2 ** (before[key] - now) if key in before else 0)
            self.assertAlmostEqual(added, 1.0, delta=0.01, msg=key)

    def test_too_many_events_from_one_shopper_is_429(self):
        client = Client()
        statuses = [client.post("/api/events", {"eventType": "search"}).status for _ in range(125)]
        self.assertEqual(statuses[:120], [202] * 120)
        self.assertEqual(set(statuses[120:]), {429})
        assert_error(self, client.post("/api/events", {"eventType": "search"}), 429, "rate_limited")
        self.assertEqual(Client().post("/api/events", {"eventType": "search"}).status, 202, "others are unaffected")

    def test_cart_and_worker_record_add_to_cart_and_purchase(self):
        client = Client()
        client.add("prod-061", 1)
        order_id = checkout(client).json()["orderId"]
        wait_for_status(client, order_id, ("PROCESSED",))
        rows = sql(f"SELECT product_id, event_type FROM interactions WHERE user_id = '{user_id(client)}' ORDER BY id")
        self.assertEqual(rows, [["prod-061", "add-to-cart"], ["prod-061", "purchase"]])


if __name__ == "__main__":
    unittest.main()
