"""GET /api/recommendations: affinity, "viewed with", popularity, exclusions, decay, reasons."""
import unittest

from shop import (Client, Stock, assert_error, checkout, interest_settles, service, sql, user_id, view,
                  wait_for_status)


def recommend(client, limit=8):
    response = client.get(f"/api/recommendations?limit={limit}")
    assert response.status == 200, response
    return response.json()["items"]


def categories_of(category):
    return [row[0] for row in sql(f"SELECT id FROM products WHERE category = '{category}' ORDER BY id")]


def best_sellers():
    """What the responder ranks as best sellers: units bought or being bought in the last 30 days, in stock."""
    return [row[0] for row in sql(
        "SELECT i.product_id FROM orders o JOIN order_items i ON i.order_id = o.id"
        " JOIN products p ON p.id = i.product_id AND p.active = 1 AND p.stock > 0"
        " WHERE o.created_at >= NOW(3) - INTERVAL 30 DAY AND o.status IN ('PENDING', 'PROCESSED')"
        " GROUP BY i.product_id ORDER BY SUM(i.quantity) DESC, i.product_id LIMIT 20")]


class FirstDayOfTheShop:
    """For one test, the shop as on its first day: no order in the best sellers' 30 days and no popularity.

    The worker is stopped meanwhile (it would fold new interest into the popularity and process orders); the orders
    are moved 400 days back and the popularity set aside, and both are put back afterwards.
    """

    def __enter__(self):
        service("stop", "worker")
        sql("CREATE TABLE IF NOT EXISTS test_popularity_saved LIKE product_popularity;"
            " INSERT INTO test_popularity_saved SELECT * FROM product_popularity; DELETE FROM product_popularity;"
            " UPDATE orders SET created_at = created_at - INTERVAL 400 DAY, updated_at = updated_at"
            "  WHERE created_at >= NOW(3) - INTERVAL 31 DAY")

    def __exit__(self, *exc):
        sql("UPDATE orders SET created_at = created_at + INTERVAL 400 DAY, updated_at = updated_at"
            "  WHERE created_at < NOW(3) - INTERVAL 399 DAY;"
            " REPLACE INTO product_popularity SELECT * FROM test_popularity_saved; DROP TABLE test_popularity_saved")
        service("start", "worker")


class RecommendationsTest(unittest.TestCase):
    def test_new_shopper_gets_best_sellers_then_what_is_popular_now(self):
        interest_settles()
        items = recommend(Client())
        sellers = best_sellers()
        expected = [row[0] for row in sql(
            "SELECT pp.product_id FROM product_popularity pp JOIN products p ON p.id = pp.product_id"
            " WHERE p.active = 1 AND p.stock > 0 ORDER BY pp.log_score DESC, pp.product_id DESC LIMIT 60")]
        expected = [product for product in expected if product not in sellers]
        self.assertEqual(len(items), 8)
        shown_sellers = [item["id"] for item in items if item["reason"] == "Best seller"]
        self.assertEqual(shown_sellers, [item["id"] for item in items[:len(shown_sellers)]], "best sellers lead")
        self.assertLessEqual(set(shown_sellers), set(sellers))
        popular = [item for item in items if item["reason"] == "Popular now"]
        self.assertEqual([item["id"] for item in popular], expected[:len(popular)])
        self.assertGreaterEqual(len(popular), min(len(expected), 8 - len(shown_sellers)))
        for item in items:
            self.assertIn(item["reason"], ("Best seller", "Popular now", "Featured in the shop"))
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



class NewShopperFallbackTest(unittest.TestCase):
    """What a shopper with no interest of its own is offered: best sellers, else a varied pick, never sold out."""

    def first_four_a_to_z(self):
        return [row[0] for row in sql("SELECT id FROM products WHERE active = 1 AND stock > 0 ORDER BY name, id LIMIT 4")]

    def test_a_shop_without_sales_offers_one_product_per_category_not_the_first_four_a_to_z(self):
        categories = int(sql("SELECT COUNT(DISTINCT category) FROM products WHERE active = 1 AND stock > 0")[0][0])
        with FirstDayOfTheShop():
            items = recommend(Client(), 8)
        self.assertNotEqual([item["id"] for item in items[:4]], self.first_four_a_to_z())
        head = items[:min(categories, len(items))]
        self.assertEqual(len({item["category"] for item in head}), len(head), "one per category first")
        self.assertEqual({item["reason"] for item in items}, {"Featured in the shop"})
        self.assertTrue(all(item["stock"] > 0 for item in items))

    def test_best_sellers_come_first_by_units_ordered(self):
        top, second = categories_of("Books")[7], categories_of("Clothing")[4]
        with FirstDayOfTheShop():
            buyer = Client()
            buyer.add(top, 3)
            buyer.add(second, 1)
            self.assertEqual(checkout(buyer).status, 201)
            items = recommend(Client(), 4)
        self.assertEqual([item["id"] for item in items[:2]], [top, second])
        self.assertEqual([item["reason"] for item in items[:2]], ["Best seller", "Best seller"])
        self.assertEqual(len(items), 4, "the varied pick fills the rest")

    def test_a_sold_out_best_seller_or_pick_is_never_recommended(self):
        sold_out, other = categories_of("Electronics")[6], categories_of("Toys & Games")[3]
        with FirstDayOfTheShop():
            buyer = Client()
            buyer.add(sold_out, 5)
            buyer.add(other, 2)
            self.assertEqual(checkout(buyer).status, 201)
            with Stock(sold_out, 0):
                items = recommend(Client(), 50)
                ids = [item["id"] for item in items]
                self.assertEqual(ids[0], other)
                self.assertNotIn(sold_out, ids)
                picked = ids[1]
                with Stock(picked, 0):
                    self.assertNotIn(picked, [item["id"] for item in recommend(Client(), 50)])
        self.assertTrue(all(item["stock"] > 0 for item in items))


if __name__ == "__main__":
    unittest.main()
