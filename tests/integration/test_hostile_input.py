"""Hostile input: text outside an id's alphabet, invalid UTF-8, null quantities, reordered bodies, page limits.

Each answer is the API's JSON error with its status (never a 500), and changes nothing.
"""
import json
import unittest

from shop import SHIPPING, Client, ScratchProducts, assert_error, checkout, sql, user_id

NON_ASCII_IDS = ["%C3%BC", "%F0%9F%98%80", "%D0%BA%D0%BB%D1%8E%D1%87"]

# Bodies the JSON reader must refuse: each is well-formed JSON but for its text.
INVALID_UTF8_BODIES = {
    "overlong slash": b'{"productId":"prod-001","note":"\xc0\xaf"}',
    "overlong NUL": b'{"productId":"prod-001","note":"\xe0\x80\x80"}',
    "raw surrogate": b'{"productId":"prod-001","note":"\xed\xa0\x80"}',
    "above U+10FFFF": b'{"productId":"prod-001","note":"\xf4\x90\x80\x80"}',
    "lone continuation byte": b'{"productId":"prod-001","note":"\x80"}',
    "raw surrogate in a key": b'{"productId":"prod-001","\xed\xb0\x80":1}',
    "escaped lone high surrogate": b'{"productId":"prod-001","note":"\\ud800"}',
    "escaped high surrogate, then text": b'{"productId":"prod-001","note":"\\ud800x"}',
    "escaped high surrogate, then a letter escape": b'{"productId":"prod-001","note":"\\ud800\\u0041"}',
    "escaped two high surrogates": b'{"productId":"prod-001","note":"\\ud800\\ud800"}',
    "escaped lone low surrogate": b'{"productId":"prod-001","note":"\\udc00"}',
    "escaped lone surrogate in a key": b'{"productId":"prod-001","\\ud83d":1}',
}


def interactions(client):
    return sql(f"SELECT COUNT(*) FROM interactions WHERE user_id = '{user_id(client)}'")[0][0]


class NonAsciiIdTest(unittest.TestCase):
    """Ids and keys are checked against their alphabet before any query."""

    def shopper_with_a_line(self):
        client = Client()
        client.add("prod-001", 2)
        return client

    def assert_cart_holds_only_the_first_line(self, client):
        cart = client.cart()
        self.assertEqual([(line["productId"], line["quantity"]) for line in cart["items"]], [("prod-001", 2)])

    def test_product_path_outside_the_id_alphabet_is_404(self):
        for product_id in NON_ASCII_IDS + ["a%20b", "a.b", "x" * 33]:
            assert_error(self, Client().get(f"/api/products/{product_id}"), 404, "product_not_found")

    def test_cart_add_of_a_non_ascii_product_id_is_404_and_changes_nothing(self):
        client = self.shopper_with_a_line()
        before = interactions(client)
        for product_id in ["ü", "😀", "prod-001ü", "prod 001"]:
            assert_error(self, client.post("/api/cart", {"productId": product_id}), 404, "product_not_found")
        self.assert_cart_holds_only_the_first_line(client)
        self.assertEqual(interactions(client), before)

    def test_cart_set_of_a_non_ascii_product_id_is_404_and_changes_nothing(self):
        client = self.shopper_with_a_line()
        for product_id in NON_ASCII_IDS:
            assert_error(self, client.put(f"/api/cart/items/{product_id}", {"quantity": 1}), 404,
                         "product_not_found")
        self.assert_cart_holds_only_the_first_line(client)

    def test_cart_remove_of_a_non_ascii_product_id_is_harmless_like_any_unknown_id(self):
        client = self.shopper_with_a_line()
        for product_id in NON_ASCII_IDS:
            response = client.delete(f"/api/cart/items/{product_id}")
            self.assertEqual(response.status, 200, response)
            self.assertEqual(response.json(), client.cart())
        self.assert_cart_holds_only_the_first_line(client)

    def test_order_paths_outside_the_id_alphabet_are_404(self):
        client = self.shopper_with_a_line()
        for order_id in NON_ASCII_IDS:
            assert_error(self, client.get(f"/api/orders/{order_id}"), 404, "order_not_found")
            assert_error(self, client.post(f"/api/orders/{order_id}/cancel", {}), 404, "order_not_found")

    def test_event_with_a_non_ascii_product_id_is_404_and_records_nothing(self):
        client = self.shopper_with_a_line()
        before = interactions(client)
        for product_id in ["ü", "😀", "prod-001\u00e9"]:
            response = client.post("/api/events", {"eventType": "product-view", "productId": product_id})
            assert_error(self, response, 404, "product_not_found")
        self.assertEqual(interactions(client), before)

    def test_idempotency_key_outside_printable_ascii_is_400_and_orders_nothing(self):
        client = self.shopper_with_a_line()
        keys = ["ключ".encode(), "😀".encode(), "key\x7f".encode(), b"k\xff", ("k" * 129).encode()]
        for key in keys:
            response = checkout(client, headers={"Idempotency-Key": key})
            assert_error(self, response, 400, "invalid_idempotency_key")
        self.assertEqual(sql(f"SELECT COUNT(*) FROM orders WHERE user_id = '{user_id(client)}'"), [["0"]])
        self.assert_cart_holds_only_the_first_line(client)

    def test_idempotency_key_of_printable_ascii_is_accepted(self):
        with ScratchProducts("hostile-key", 1, 10) as (product,):
            client = Client()
            client.add(product)
            key = {"Idempotency-Key": "a" * 64 + "~!#$%&'*+-.^_`|" + "Z" * 49}
            first = checkout(client, headers=key)
            self.assertEqual(first.status, 201, first)
            self.assertEqual(checkout(client, headers=key).json(), first.json())


class InvalidUtf8Test(unittest.TestCase):
    """The JSON reader refuses text that is not well-formed UTF-8 (RFC 3629), raw or escaped."""

    def test_invalid_utf8_in_a_body_is_400_and_changes_nothing(self):
        client = Client()
        client.add("prod-002")
        for name, body in INVALID_UTF8_BODIES.items():
            with self.subTest(name):
                response = client.request("POST", "/api/cart", body=body,
                                          headers={"Content-Type": "application/json"})
                assert_error(self, response, 400, "invalid_request")
        self.assertEqual([(line["productId"], line["quantity"]) for line in client.cart()["items"]],
                         [("prod-002", 1)])

    def test_valid_utf8_and_surrogate_pairs_are_accepted(self):
        client = Client()
        for note in [b'"\xc3\xbc\xe2\x82\xac\xf0\x9f\x98\x80"', b'"\\ud83d\\ude00"', b'"\\u00fc\\uffff"']:
            body = b'{"productId":"prod-002","note":' + note + b'}'
            response = client.request("POST", "/api/cart", body=body, headers={"Content-Type": "application/json"})
            self.assertEqual(response.status, 200, (note, response))


class QuantityTest(unittest.TestCase):
    """A quantity is a whole number wherever it is read; null is not one."""

    def test_null_or_non_integer_quantity_on_add_is_400_and_adds_nothing(self):
        client = Client()
        for quantity in [None, "1", 1.5, True, [1], {}]:
            response = client.post("/api/cart", {"productId": "prod-003", "quantity": quantity})
            assert_error(self, response, 400, "invalid_quantity")
        self.assertEqual(client.cart()["items"], [])

    def test_null_or_non_integer_quantity_on_set_is_400_and_changes_nothing(self):
        client = Client()
        client.add("prod-003", 2)
        for quantity in [None, "0", 0.5, False]:
            response = client.put("/api/cart/items/prod-003", {"quantity": quantity})
            assert_error(self, response, 400, "invalid_quantity")
        self.assertEqual([line["quantity"] for line in client.cart()["items"]], [2])

    def test_absent_quantity_on_add_is_one(self):
        client = Client()
        response = client.post("/api/cart", {"productId": "prod-003"})
        self.assertEqual(response.status, 200, response)
        self.assertEqual([line["quantity"] for line in response.json()["items"]], [1])


class IdempotencyMeaningTest(unittest.TestCase):
    """An Idempotency-Key retry is the same request when it means the same, whatever the byte order."""

    def test_same_shipping_in_another_key_order_answers_the_first_order(self):
        with ScratchProducts("hostile-idem", 1, 10) as (product,):
            client = Client()
            client.add(product)
            key = {"Idempotency-Key": "reordered-fields-1", "Content-Type": "application/json"}
            first = client.request("POST", "/api/orders", headers=key,
                                   body=json.dumps({"shipping": SHIPPING}))
            self.assertEqual(first.status, 201, first)
            reordered = dict(reversed(list(SHIPPING.items())))
            for body in [{"shipping": reordered}, {"shipping": reordered, "comment": None}]:
                again = client.request("POST", "/api/orders", headers=key, body=json.dumps(body, indent=2))
                self.assertEqual((again.status, again.json()), (201, first.json()))
            changed = dict(reordered, city="Porto")
            assert_error(self, client.request("POST", "/api/orders", headers=key,
                                              body=json.dumps({"shipping": changed})), 422, "idempotency_key_reused")
            self.assertEqual(sql(f"SELECT COUNT(*) FROM orders WHERE user_id = '{user_id(client)}'"), [["1"]])


class OrdersPageLimitTest(unittest.TestCase):
    """GET /api/orders takes a limit of 1 to 100, as the README says."""

    def test_limit_from_1_to_100_is_accepted(self):
        client = Client()
        client.cart()
        for limit in [1, 50, 51, 100]:
            response = client.get(f"/api/orders?limit={limit}")
            self.assertEqual(response.status, 200, (limit, response))
            self.assertEqual(response.json()["items"], [])

    def test_limit_outside_1_to_100_is_400(self):
        client = Client()
        for limit in ["0", "101", "-1", "1e2", ""]:
            assert_error(self, client.get(f"/api/orders?limit={limit}"), 400, "invalid_limit")


if __name__ == "__main__":
    unittest.main()
