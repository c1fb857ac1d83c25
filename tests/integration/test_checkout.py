"""Checkout and the order lifecycle, as the storefront sees it."""
import os
import threading
import time
import unittest

from shop import (SHIPPING, VAR, Client, Stock, assert_error, checkout, service, sql, user_id,
                  wait_for_status, wait_until)


def stock_of(product_id):
    return int(sql(f"SELECT stock FROM products WHERE id = '{product_id}'")[0][0])


def spool_file(order_id):
    return os.path.join(VAR, "mail", f"{order_id}.eml")


class CheckoutTest(unittest.TestCase):
    def test_happy_path_processed_with_email_stock_and_cart(self):
        client = Client()
        client.add("prod-030", 2)
        client.add("prod-031", 1)
        stock = {p: stock_of(p) for p in ("prod-030", "prod-031")}
        prices = {row[0]: int(row[1]) for row in sql(
            "SELECT id, price_cents FROM products WHERE id IN ('prod-030', 'prod-031')")}
        started = time.monotonic()
        response = checkout(client, name="Zoë Ångström")
        answered = time.monotonic() - started
        self.assertEqual(response.status, 201, response)
        body = response.json()
        self.assertEqual(body["status"], "Order Received")
        self.assertRegex(body["orderId"], r"^order-[0-9a-f]{32}$")
        self.assertLess(answered, 2.0, "checkout answers at once, without waiting for the worker")
        order = wait_for_status(client, body["orderId"], ("PROCESSED",))
        total = 2 * prices["prod-030"] + prices["prod-031"]
        self.assertEqual(order["totalCents"], total)
        self.assertEqual(order["currency"], "USD")
        self.assertEqual([(i["productId"], i["quantity"], i["unitPriceCents"], i["lineTotalCents"]) for i in order["items"]],
                         [("prod-030", 2, prices["prod-030"], 2 * prices["prod-030"]),
                          ("prod-031", 1, prices["prod-031"], prices["prod-031"])])
        self.assertRegex(order["createdAt"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual(stock_of("prod-030"), stock["prod-030"] - 2)
        self.assertEqual(stock_of("prod-031"), stock["prod-031"] - 1)
        self.assertEqual(client.cart()["items"], [], "the worker clears what was ordered from the cart")
        self.assertEqual(sql(f"SELECT outcome, amount_cents FROM payments WHERE order_id = '{body['orderId']}'"),
                         [["CHARGED", str(total)]])
        with open(spool_file(body["orderId"]), encoding="utf-8", newline="") as mail:
            text = mail.read()
        self.assertIn("To: <ana@example.com>\r\n", text)
        self.assertIn(f"Subject: Your order {order['reference']} is confirmed\r\n", text)
        self.assertIn("Hello Zoë Ångström,", text)
        name = sql("SELECT name FROM products WHERE id = 'prod-030'")[0][0]
        self.assertIn(f"2 x {name}", text)
        self.assertIn(f"Total: {total // 100}.{total % 100:02d} USD", text)

    def test_prices_come_from_the_products_table(self):
        client = Client()
        client.add("prod-032", 1)
        response = client.post("/api/orders", {"shipping": SHIPPING, "totalCents": 1, "items": [
            {"productId": "prod-032", "unitPriceCents": 1, "quantity": 1}], "userId": "someone-else"})
        self.assertEqual(response.status, 201)
        price = int(sql("SELECT price_cents FROM products WHERE id = 'prod-032'")[0][0])
        order_id = response.json()["orderId"]
        self.assertEqual(client.get(f"/api/orders/{order_id}").json()["totalCents"], price)
        self.assertEqual(sql(f"SELECT user_id FROM orders WHERE id = '{order_id}'")[0][0], user_id(client),
                         "the session's shopper, not the body's userId")

    def test_declined_card_is_payment_failed_with_stock_back_and_cart_kept(self):
        client = Client()
        client.add("prod-033", 3)
        stock = stock_of("prod-033")
        response = checkout(client, email="ana+decline@example.com")
        self.assertEqual(response.status, 201)
        order_id = response.json()["orderId"]
        self.assertEqual(wait_for_status(client, order_id)["status"], "PAYMENT_FAILED")
        self.assertEqual(stock_of("prod-033"), stock)
        self.assertFalse(os.path.exists(spool_file(order_id)), "no confirmation for a declined card")
        self.assertEqual([(i["productId"], i["quantity"]) for i in client.cart()["items"]], [("prod-033", 3)])
        self.assertEqual(sql(f"SELECT outcome FROM payments WHERE order_id = '{order_id}'"), [["DECLINED"]])

    def test_empty_cart_is_422(self):
        assert_error(self, checkout(Client()), 422, "cart_empty")

    def test_invalid_shipping_is_422_naming_each_field_and_changes_nothing(self):
        client = Client()
        client.add("prod-034")
        orders_before = sql("SELECT COUNT(*) FROM orders")
        cases = {"name": "", "email": "not-an-email", "address": " ", "city": "x" * 101,
                 "postalCode": "<script>", "country": "Portugal"}
        for field, value in cases.items():
            error = assert_error(self, checkout(client, **{field: value}), 422, "invalid_shipping")
            self.assertEqual(list(error["fields"]), [field])
        error = assert_error(self, checkout(client, email="a@example.com\r\nBcc: x@evil.example"), 422)
        self.assertIn("email", error["fields"])
        missing = dict(SHIPPING)
        del missing["city"]
        error = assert_error(self, client.post("/api/orders", {"shipping": missing}), 422)
        self.assertEqual(list(error["fields"]), ["city"])
        assert_error(self, client.post("/api/orders", {}), 400, "invalid_shipping")
        assert_error(self, client.post("/api/orders", {"shipping": "Lisboa"}), 400)
        self.assertEqual(sql("SELECT COUNT(*) FROM orders"), orders_before)

    def test_short_stock_is_409_listing_lines_and_changes_nothing(self):
        client = Client()
        with Stock("prod-035", 5), Stock("prod-036", 5):
            client.add("prod-035", 4)
            client.add("prod-036", 1)
            sql("UPDATE products SET stock = 3 WHERE id = 'prod-035'")
            orders_before = sql("SELECT COUNT(*) FROM orders")
            error = assert_error(self, checkout(client), 409, "insufficient_stock")
            self.assertEqual([(line["productId"], line["requested"], line["available"]) for line in error["lines"]],
                             [("prod-035", 4, 3)])
            self.assertEqual((stock_of("prod-035"), stock_of("prod-036")), (3, 5))
            self.assertEqual(sql("SELECT COUNT(*) FROM orders"), orders_before)

    def test_inactive_product_in_cart_is_409_with_none_available(self):
        client = Client()
        client.add("prod-037")
        sql("UPDATE products SET active = 0 WHERE id = 'prod-037'")
        try:
            error = assert_error(self, checkout(client), 409, "insufficient_stock")
            self.assertEqual(error["lines"][0]["available"], 0)
        finally:
            sql("UPDATE products SET active = 1 WHERE id = 'prod-037'")

    def test_idempotency_key_retry_returns_the_first_answer(self):
        client = Client()
        client.add("prod-038")
        key = {"Idempotency-Key": "checkout-7f3a"}
        first = checkout(client, headers=key)
        self.assertEqual(first.status, 201)
        again = checkout(client, headers=key)
        self.assertEqual((again.status, again.json()), (201, first.json()))
        order_id = first.json()["orderId"]
        self.assertEqual(sql(f"SELECT COUNT(*) FROM orders WHERE user_id = "
                             f"(SELECT user_id FROM orders WHERE id = '{order_id}')"), [["1"]])
        assert_error(self, checkout(client, headers=key, city="Porto"), 422, "idempotency_key_reused")
        assert_error(self, client.post("/api/orders", {"shipping": {"name": "x"}}, headers=key), 422,
                     "idempotency_key_reused")
        other = Client()
        other.add("prod-038")
        self.assertNotEqual(checkout(other, headers=key).json()["orderId"], order_id, "keys are per shopper")

    def test_concurrent_requests_with_one_key_create_one_order(self):
        client = Client()
        client.add("prod-039")
        answers = []

        def place():
            answers.append(checkout(client, headers={"Idempotency-Key": "double-click"}))

        threads = [threading.Thread(target=place) for _ in range(10)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual([a.status for a in answers], [201] * 10)
        self.assertEqual(len({a.json()["orderId"] for a in answers}), 1)
        order_id = answers[0].json()["orderId"]
        user = sql(f"SELECT user_id FROM orders WHERE id = '{order_id}'")[0][0]
        self.assertEqual(sql(f"SELECT COUNT(*) FROM orders WHERE user_id = '{user}'"), [["1"]])

    def test_twenty_buyers_for_five_in_stock_get_five_orders(self):
        buyers = [Client() for _ in range(20)]
        with Stock("prod-040", 20):
            for buyer in buyers:
                buyer.add("prod-040", 1)
            sql("UPDATE products SET stock = 5 WHERE id = 'prod-040'")
            answers = []
            gate = threading.Barrier(20)

            def buy(client):
                gate.wait()
                answers.append(checkout(client))

            threads = [threading.Thread(target=buy, args=(b,)) for b in buyers]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            statuses = sorted(a.status for a in answers)
            self.assertEqual(statuses, [201] * 5 + [409] * 15)
            self.assertEqual(stock_of("prod-040"), 0)
            buyer_ids = "','".join(user_id(buyer) for buyer in buyers)
            sold = sql("SELECT COALESCE(SUM(i.quantity), 0) FROM order_items i JOIN orders o ON o.id = i.order_id "
                       f"WHERE i.product_id = 'prod-040' AND o.user_id IN ('{buyer_ids}')"
                       " AND o.status IN ('PENDING', 'PROCESSED')")
            self.assertEqual(sold, [["5"]])

    def test_orders_belong_to_their_shopper_only(self):
        owner, stranger = Client(), Client()
        owner.add("prod-041")
        order_id = checkout(owner).json()["orderId"]
        assert_error(self, stranger.get(f"/api/orders/{order_id}"), 404, "order_not_found")
        assert_error(self, stranger.post(f"/api/orders/{order_id}/cancel", {}), 404, "order_not_found")
        self.assertEqual(stranger.get("/api/orders").json()["items"], [])
        assert_error(self, owner.get("/api/orders/order-" + "0" * 32), 404)
        assert_error(self, owner.get("/api/orders/" + "x" * 60), 404)

    def test_order_history_is_newest_first_and_pages(self):
        client = Client()
        placed = []
        for product in ("prod-042", "prod-043", "prod-044"):
            client.add(product)
            placed.append(checkout(client).json()["orderId"])
            time.sleep(1.05)  # createdAt has one-second resolution in the answer, not in the order
        listing = client.get("/api/orders").json()
        self.assertEqual([o["orderId"] for o in listing["items"]], placed[::-1])
        self.assertEqual(listing["items"][0]["itemCount"], 1)
        pages, cursor = [], None
        while True:
            page = client.get("/api/orders?limit=1" + (f"&cursor={cursor}" if cursor else "")).json()
            pages += [o["orderId"] for o in page["items"]]
            cursor = page["nextCursor"]
            if cursor is None:
                break
        self.assertEqual(pages, placed[::-1])
        assert_error(self, client.get("/api/orders?limit=0"), 400, "invalid_limit")
        assert_error(self, client.get("/api/orders?cursor=forged"), 400, "invalid_cursor")

    def test_cursor_of_one_list_is_refused_by_the_other(self):
        client = Client()
        for product in ("prod-052", "prod-053"):
            client.add(product)
            self.assertEqual(checkout(client).status, 201)
        orders_cursor = client.get("/api/orders?limit=1").json()["nextCursor"]
        products_cursor = client.get("/api/products?limit=1").json()["nextCursor"]
        self.assertIsNotNone(orders_cursor)
        self.assertIsNotNone(products_cursor)
        self.assertEqual(client.get(f"/api/orders?limit=1&cursor={orders_cursor}").status, 200)
        self.assertEqual(client.get(f"/api/products?limit=1&cursor={products_cursor}").status, 200)
        assert_error(self, client.get(f"/api/products?cursor={orders_cursor}"), 400, "invalid_cursor")
        assert_error(self, client.get(f"/api/orders?cursor={products_cursor}"), 400, "invalid_cursor")

    def test_cancel_pending_order_restores_stock_and_is_final(self):
        client = Client()
        client.add("prod-045", 2)
        stock = stock_of("prod-045")
        service("stop", "worker")
        try:
            order_id = checkout(client).json()["orderId"]
            self.assertEqual(stock_of("prod-045"), stock - 2)
            cancelled = client.post(f"/api/orders/{order_id}/cancel", {})
            self.assertEqual(cancelled.status, 200, cancelled)
            self.assertEqual(cancelled.json()["status"], "CANCELLED")
            self.assertEqual(stock_of("prod-045"), stock)
            assert_error(self, client.post(f"/api/orders/{order_id}/cancel", {}), 409, "not_cancellable")
        finally:
            service("start", "worker")
        # The worker took the message, saw the order is no longer PENDING, and left it alone.
        wait_until(lambda: f"event=order_skipped order={order_id}" in open(os.path.join(VAR, "log", "worker.log")).read(),
                   message="the worker to skip the cancelled order")
        self.assertEqual(client.get(f"/api/orders/{order_id}").json()["status"], "CANCELLED")
        self.assertEqual(sql(f"SELECT COUNT(*) FROM payments WHERE order_id = '{order_id}'"), [["0"]])

    def test_processed_order_cannot_be_cancelled(self):
        client = Client()
        client.add("prod-046")
        order_id = checkout(client).json()["orderId"]
        wait_for_status(client, order_id, ("PROCESSED",))
        assert_error(self, client.post(f"/api/orders/{order_id}/cancel", {}), 409, "not_cancellable")


if __name__ == "__main__":
    unittest.main()
