"""Checkout orders the cart the shopper saw, or nothing: expectedTotalCents and expectedItems."""
import unittest

from shop import SHIPPING, Client, assert_error, checkout, sql


def stock_of(product_id):
    return int(sql(f"SELECT stock FROM products WHERE id = '{product_id}'")[0][0])


def orders_of(client):
    return client.get("/api/orders").json()["items"]


def seen(cart):
    """What the storefront sends: the total and lines it showed."""
    return {"expectedTotalCents": cart["totalCents"],
            "expectedItems": [{"productId": i["productId"], "quantity": i["quantity"]} for i in cart["items"]]}


def place(client, **fields):
    return client.post("/api/orders", dict({"shipping": SHIPPING}, **fields))


class CheckoutChangedTest(unittest.TestCase):
    def test_other_tab_added_is_409_cart_changed_with_the_new_cart_and_nothing_moves(self):
        client = Client()
        client.add("prod-040", 1)
        shown = client.cart()  # tab A's checkout
        client.add("prod-041", 2)  # tab B
        now = client.cart()
        stock = {p: stock_of(p) for p in ("prod-040", "prod-041")}
        error = assert_error(self, place(client, **seen(shown)), 409, "cart_changed")
        self.assertEqual(error["cart"], now, "the cart as GET /api/cart shows it")
        self.assertEqual(orders_of(client), [])
        self.assertEqual({p: stock_of(p) for p in stock}, stock)
        self.assertEqual(client.cart(), now)
        # Placed again with what the shopper now sees: ordered, at the server's prices.
        response = place(client, **seen(error["cart"]))
        self.assertEqual(response.status, 201, response)
        order = client.get(f"/api/orders/{response.json()['orderId']}").json()
        self.assertEqual(order["totalCents"], now["totalCents"])

    def test_a_different_total_alone_is_409(self):
        client = Client()
        client.add("prod-042", 1)
        expected = seen(client.cart())
        expected["expectedTotalCents"] += 1  # a price changed since
        assert_error(self, place(client, **expected), 409, "cart_changed")
        assert_error(self, place(client, expectedTotalCents=expected["expectedTotalCents"]), 409, "cart_changed")
        self.assertEqual(orders_of(client), [])

    def test_different_items_with_the_same_total_are_409(self):
        client = Client()
        client.add("prod-043", 2)
        cart = client.cart()
        expected = seen(cart)
        for items in ([{"productId": "prod-043", "quantity": 1}],
                      [{"productId": "prod-043", "quantity": 2}, {"productId": "prod-044", "quantity": 1}],
                      [{"productId": "prod-044", "quantity": 2}], []):
            assert_error(self, place(client, expectedTotalCents=expected["expectedTotalCents"], expectedItems=items),
                         409, "cart_changed")
        self.assertEqual(orders_of(client), [])

    def test_malformed_expectations_are_400_naming_the_field(self):
        client = Client()
        client.add("prod-045", 1)
        good = seen(client.cart())
        many = [{"productId": f"prod-{n:03d}", "quantity": 1} for n in range(1, 52)]
        cases = {
            "expectedTotalCents": ["5999", 59.99, -1, None, True, 10 ** 15],
            "expectedItems": [{}, "prod-045", [1], [{"productId": "prod-045"}],
                              [{"productId": "prod-045", "quantity": 0}], [{"productId": "prod-045", "quantity": "1"}],
                              [{"productId": "../x", "quantity": 1}],
                              [{"productId": "prod-045", "quantity": 1}, {"productId": "prod-045", "quantity": 1}],
                              many],
        }
        for field, values in cases.items():
            for value in values:
                error = assert_error(self, place(client, **dict(good, **{field: value})), 400, "invalid_expected_cart")
                self.assertEqual(list(error["fields"]), [field], value)
        self.assertEqual(orders_of(client), [])

    def test_matching_expectations_order_as_before_and_are_optional(self):
        client = Client()
        client.add("prod-046", 2)
        client.add("prod-047", 1)
        cart = client.cart()
        expected = seen(cart)
        expected["expectedItems"].reverse()  # any order
        response = place(client, **expected)
        self.assertEqual(response.status, 201, response)
        order = client.get(f"/api/orders/{response.json()['orderId']}").json()
        self.assertEqual(order["totalCents"], cart["totalCents"])
        other = Client()
        other.add("prod-048", 1)
        self.assertEqual(checkout(other).status, 201, "API clients may leave the expectations out")

    def test_an_empty_cart_seen_empty_is_still_cart_empty(self):
        client = Client()
        assert_error(self, place(client, expectedTotalCents=0, expectedItems=[]), 422, "cart_empty")
        client.add("prod-049", 1)
        error = assert_error(self, place(client, expectedTotalCents=0, expectedItems=[]), 409, "cart_changed")
        self.assertEqual([i["productId"] for i in error["cart"]["items"]], ["prod-049"])


if __name__ == "__main__":
    unittest.main()
