"""GET /api/recommendations: affinity, "viewed with", popularity, exclusions, decay, reasons."""
import unittest

from shop import Client, Stock, assert_error, checkout, interest_settles, sql, user_id, view, wait_for_status


def recommend(client, limit=8):
    response = client.get(f"/api/recommendations?limit={limit}")
    assert response.status == 200, response
    return response.json()["items"]


def categories_of(category):
    return [row[0] for row in sql(f"SELECT id FROM products WHERE category = '{category}' ORDER BY id")]


class RecommendationsTest(unittest.TestCase):
    def test_new_shopper_gets_what_is_popular_now(self):
        interest_settles()
        items = recommend(Client())
        expected = [row[0] for row in sql(
            "SELECT pp.product_id FROM product_popularity pp JOIN products p ON p.id = pp.product_id"
            " WHERE p.active = 1 AND p.stock > 0 ORDER BY pp.log_score DESC, pp.product_id DESC LIMIT 8")]
        self.assertEqual(len(items), 8)
        popular = [item for item in items if item["reason"] == "Popular now"]
        self.assertEqual([item["id"] for item in popular], expected[:len(popular)])
        self.assertGreaterEqual(len(popular), min(len(expected), 8))
        for item in items:
            self.assertIn(item["reason"], ("Popular now", "Featured in the shop"))
            self.assertTrue({"id", "name", "priceCents", "imageUrl", "category", "reason"} <= set(item))

    def test_three_electronics_and_a_book_give_mostly_electronics_not_bought(self):
        client = Client()
        electronics = categories_of("Electronics")
        client.add(electronics[5])
        order_id = checkout(client).json()["orderId"]
        wait_for_status(client, order_id, ("PROCESSED",))
        for product in electronics[:3]:
            view(client, product)
        view(client, categories_of("Books")[0])
        items = recommend(client)
        self.assertGreater(sum(item["category"] == "Electronics" for item in items), len(items) / 2)
        self.assertNotIn(electronics[5], [item["id"] for item in items], "bought: left out")
        # The verb is the shopper's strongest kind of interest there: here a purchase.
        self.assertIn("Because you bought Electronics", [item["reason"] for item in items])
        fresh = [item for item in items if item["category"] == "Electronics" and item["id"] not in electronics[:3]]
        self.assertTrue(fresh, "it suggests Electronics the shopper has not seen yet")
        self.assertEqual(items[0]["category"], "Electronics")

    def test_affinity_follows_views(self):
        client = Client()
        for product in categories_of("Toys & Games")[:3]:
            view(client, product)
        items = recommend(client)
        self.assertEqual(items[0]["category"], "Toys & Games")
        self.assertEqual(items[0]["reason"], "Because you viewed Toys & Games")
        for product in categories_of("Clothing")[:6]:
            view(client, product)
        items = recommend(client)
        self.assertEqual(items[0]["category"], "Clothing")

    def test_cart_items_are_left_out(self):
        client = Client()
        books = categories_of("Books")
        for product in books[:3]:
            view(client, product)
        top = recommend(client, 5)[0]["id"]
        client.add(top)
        self.assertNotIn(top, [item["id"] for item in recommend(client, 50)])

    def test_inactive_and_sold_out_products_are_left_out(self):
        client = Client()
        for product in categories_of("Sports & Outdoors")[:3]:
            view(client, product)
        first, second = [item["id"] for item in recommend(client, 2)]
        sql(f"UPDATE products SET active = 0 WHERE id = '{first}'")
        try:
            with Stock(second, 0):
                ids = [item["id"] for item in recommend(client, 50)]
                self.assertNotIn(first, ids)
                self.assertNotIn(second, ids)
        finally:
            sql(f"UPDATE products SET active = 1 WHERE id = '{first}'")

    def test_old_interest_fades(self):
        client = Client()
        view(client, categories_of("Toys & Games")[0])
        user = user_id(client)
        # Long ago this shopper was very into Books; lately it viewed two Home & Kitchen products.
        old = ",".join(f"('{user}', '{p}', 'product-view', 'Books', NOW(3) - INTERVAL 30 DAY)"
                       for p in categories_of("Books")[:8])
        sql(f"INSERT INTO interactions (user_id, product_id, event_type, category, created_at) VALUES {old}")
        for product in categories_of("Home & Kitchen")[:2]:
            view(client, product)
        items = recommend(client)
        self.assertEqual(items[0]["category"], "Home & Kitchen")
        self.assertNotIn("Because you viewed Books", [item["reason"] for item in items])

    def test_often_viewed_with_comes_from_other_shoppers(self):
        anchor, partner = categories_of("Electronics")[8], categories_of("Toys & Games")[9]
        for _ in range(3):
            earlier = Client()
            view(earlier, anchor)
            view(earlier, partner)
        client = Client()
        view(client, anchor)
        interest_settles()
        items = {item["id"]: item["reason"] for item in recommend(client, 30)}
        name = sql(f"SELECT name FROM products WHERE id = '{anchor}'")[0][0]
        self.assertEqual(items.get(partner), f"Often viewed with {name}")

    def test_one_shoppers_events_never_show_in_anothers_reasons(self):
        books_fan, other = Client(), Client()
        for product in categories_of("Books")[:4]:
            view(books_fan, product)
        view(other, categories_of("Clothing")[0])
        reasons = [item["reason"] for item in recommend(other, 50)]
        self.assertFalse([r for r in reasons if "Books" in r], reasons)
        self.assertFalse([r for r in [i["reason"] for i in recommend(Client(), 50)] if r.startswith("Because")])

    def test_same_data_gives_the_same_answer(self):
        client = Client()
        for product in categories_of("Books")[:2]:
            view(client, product)
        self.assertEqual(recommend(client, 20), recommend(client, 20))

    def test_invalid_limit_is_400(self):
        for limit in ["0", "51", "abc", "-1", "2.5"]:
            assert_error(self, Client().get(f"/api/recommendations?limit={limit}"), 400, "invalid_limit")
        self.assertEqual(len(recommend(Client(), 3)), 3)


if __name__ == "__main__":
    unittest.main()
