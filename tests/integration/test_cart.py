"""The cart: add, change, remove, empty; limits; concurrency; durability."""
import threading
import unittest

from shop import Client, Stock, assert_error, sql, stack


def lines(cart):
    return [(item["productId"], item["quantity"]) for item in cart["items"]]


class CartTest(unittest.TestCase):
    def test_new_shopper_has_an_empty_cart(self):
        self.assertEqual(Client().cart(), {"items": [], "itemCount": 0, "totalCents": 0, "currency": "USD"})

    def test_add_twice_sums_quantities(self):
        client = Client()
        client.add("prod-012", 1)
        cart = client.add("prod-012", 2)
        self.assertEqual(lines(cart), [("prod-012", 3)])
        self.assertEqual(cart["itemCount"], 3)

    def test_quantity_defaults_to_one(self):
        client = Client()
        self.assertEqual(client.post("/api/cart", {"productId": "prod-013"}).json()["itemCount"], 1)

    def test_cart_is_priced_live_from_the_products_table(self):
        client = Client()
        client.add("prod-014", 2)
        client.add("prod-015", 1)
        cart = client.cart()
        prices = dict(sql("SELECT id, price_cents FROM products WHERE id IN ('prod-014', 'prod-015')"))
        item = {i["productId"]: i for i in cart["items"]}
        self.assertEqual(item["prod-014"]["unitPriceCents"], int(prices["prod-014"]))
        self.assertEqual(item["prod-014"]["lineTotalCents"], 2 * int(prices["prod-014"]))
        self.assertEqual(cart["totalCents"], 2 * int(prices["prod-014"]) + int(prices["prod-015"]))
        self.assertEqual(set(item["prod-014"]), {"productId", "name", "imageUrl", "unitPriceCents", "quantity",
                                                 "lineTotalCents", "stock"})
        sql("UPDATE products SET price_cents = price_cents + 100 WHERE id = 'prod-015'")
        try:
            self.assertEqual(client.cart()["totalCents"], cart["totalCents"] + 100)
        finally:
            sql("UPDATE products SET price_cents = price_cents - 100 WHERE id = 'prod-015'")

    def test_client_sent_prices_are_ignored(self):
        client = Client()
        cart = client.post("/api/cart", {"productId": "prod-016", "quantity": 1, "unitPriceCents": 1,
                                         "priceCents": 1, "totalCents": 1}).json()
        price = int(sql("SELECT price_cents FROM products WHERE id = 'prod-016'")[0][0])
        self.assertEqual(cart["totalCents"], price)

    def test_put_sets_and_zero_removes(self):
        client = Client()
        client.add("prod-017", 5)
        self.assertEqual(lines(client.put("/api/cart/items/prod-017", {"quantity": 2}).json()), [("prod-017", 2)])
        self.assertEqual(lines(client.put("/api/cart/items/prod-018", {"quantity": 1}).json()),
                         [("prod-017", 2), ("prod-018", 1)])
        self.assertEqual(lines(client.put("/api/cart/items/prod-017", {"quantity": 0}).json()), [("prod-018", 1)])

    def test_delete_item_and_empty_cart(self):
        client = Client()
        client.add("prod-019")
        client.add("prod-020")
        self.assertEqual(lines(client.delete("/api/cart/items/prod-019").json()), [("prod-020", 1)])
        self.assertEqual(client.delete("/api/cart/items/prod-019").status, 200)  # already gone: harmless
        emptied = client.delete("/api/cart").json()
        self.assertEqual((emptied["items"], emptied["itemCount"], emptied["totalCents"]), ([], 0, 0))

    def test_unknown_product_is_404(self):
        client = Client()
        assert_error(self, client.post("/api/cart", {"productId": "prod-nope"}), 404, "product_not_found")
        assert_error(self, client.put("/api/cart/items/prod-nope", {"quantity": 1}), 404, "product_not_found")
        assert_error(self, client.post("/api/cart", {"productId": "p" * 200}), 404, "product_not_found")
        self.assertEqual(client.cart()["items"], [])

    def test_inactive_product_is_422(self):
        client = Client()
        sql("UPDATE products SET active = 0 WHERE id = 'prod-021'")
        try:
            assert_error(self, client.post("/api/cart", {"productId": "prod-021"}), 422, "product_inactive")
        finally:
            sql("UPDATE products SET active = 1 WHERE id = 'prod-021'")
        self.assertEqual(client.cart()["items"], [])

    def test_quantity_out_of_range_is_422_and_wrong_type_400(self):
        client = Client()
        for quantity in [0, -1, 100, 10**12]:
            assert_error(self, client.post("/api/cart", {"productId": "prod-022", "quantity": quantity}), 422,
                         "invalid_quantity")
        for quantity in ["2", 1.5, True, None, [1]]:
            assert_error(self, client.post("/api/cart", {"productId": "prod-022", "quantity": quantity}), 400,
                         "invalid_quantity")
        assert_error(self, client.put("/api/cart/items/prod-022", {"quantity": 100}), 422, "invalid_quantity")
        assert_error(self, client.put("/api/cart/items/prod-022", {}), 400, "invalid_quantity")
        self.assertEqual(client.cart()["items"], [])

    def test_adding_beyond_99_is_422(self):
        client = Client()
        with Stock("prod-023", 500):
            client.add("prod-023", 60)
            assert_error(self, client.post("/api/cart", {"productId": "prod-023", "quantity": 40}), 422,
                         "quantity_limit")
        self.assertEqual(lines(client.cart()), [("prod-023", 60)])

    def test_more_than_stock_is_409_saying_how_many(self):
        client = Client()
        with Stock("prod-024", 3):
            client.add("prod-024", 2)
            error = assert_error(self, client.post("/api/cart", {"productId": "prod-024", "quantity": 2}), 409,
                                 "insufficient_stock")
            self.assertEqual((error["available"], error["inCart"]), (3, 2))
            self.assertIn("3", error["message"])
            assert_error(self, client.put("/api/cart/items/prod-024", {"quantity": 4}), 409)
        self.assertEqual(lines(client.cart()), [("prod-024", 2)])

    def test_cart_lines_say_the_stock_so_a_quantity_box_can_stop_there(self):
        client = Client()
        with Stock("prod-025", 2):
            client.add("prod-025", 1)
            self.assertEqual([(i["productId"], i["stock"]) for i in client.cart()["items"]], [("prod-025", 2)])

    def test_malformed_bodies_are_400(self):
        client = Client()
        for body in [b"", b"{", b"[]", b'"x"', b'{"productId":"prod-025"} x', b"\xff\xfe"]:
            response = client.request("POST", "/api/cart", body=body, headers={"Content-Type": "application/json"})
            assert_error(self, response, 400)
        for body in [{}, {"productId": 25}, {"productId": ""}, {"productId": None}]:
            assert_error(self, client.post("/api/cart", body), 400, "invalid_product_id")
        self.assertEqual(client.cart()["items"], [])

    def test_body_over_the_limit_is_413(self):
        client = Client()
        big = b'{"productId":"prod-025","pad":"' + b"x" * 20000 + b'"}'
        response = client.request("POST", "/api/cart", body=big, headers={"Content-Type": "application/json"})
        assert_error(self, response, 413, "payload_too_large")
        self.assertEqual(client.cart()["items"], [])

    def test_a_cart_holds_at_most_50_lines(self):
        client = Client()
        ids = [row[0] for row in sql("SELECT id FROM products WHERE active = 1 AND stock > 0 ORDER BY id LIMIT 51")]
        self.assertEqual(len(ids), 51)
        for product_id in ids[:50]:
            client.add(product_id)
        assert_error(self, client.post("/api/cart", {"productId": ids[50]}), 422, "cart_full")
        self.assertEqual(client.add(ids[0])["itemCount"], 51, "an existing line can still grow")
        self.assertEqual(len(client.cart()["items"]), 50)

    def test_fifty_parallel_adds_of_one_give_exactly_fifty(self):
        client = Client()
        client.cart()  # take a session first, so every request below shares it
        with Stock("prod-026", 500):
            results = []

            def add_one():
                results.append(client.post("/api/cart", {"productId": "prod-026", "quantity": 1}).status)

            threads = [threading.Thread(target=add_one) for _ in range(50)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            self.assertEqual(results, [200] * 50)
            self.assertEqual(lines(client.cart()), [("prod-026", 50)])

    def test_cart_survives_a_restart_of_every_server(self):
        client = Client()
        client.add("prod-027", 2)
        client.add("prod-028", 1)
        before = client.cart()
        stack("stop")
        stack("start")
        self.assertEqual(client.cart(), before)


if __name__ == "__main__":
    unittest.main()
