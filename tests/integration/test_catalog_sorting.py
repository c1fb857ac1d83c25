"""Sorting and price filters on GET /api/products: every order paged by cursor, bounds, bad input."""
import unittest
import urllib.parse

from shop import assert_error, get, sql

ORDERS = {
    "name": "name, id",
    "price_asc": "price_cents, id",
    "price_desc": "price_cents DESC, id DESC",
    "newest": "created_at DESC, id DESC",
}


def walk(params, limit=7):
    """Every item of a list, following nextCursor to the end."""
    items, cursor = [], None
    for _ in range(1000):
        query = dict(params, limit=limit, **({"cursor": cursor} if cursor else {}))
        response = get("/api/products?" + urllib.parse.urlencode(query))
        assert response.status == 200, response
        page = response.json()
        items += page["items"]
        cursor = page["nextCursor"]
        if cursor is None:
            return items
    raise AssertionError("paging does not end")


def expected(order, where="1"):
    return [row[0] for row in sql(f"SELECT id FROM products WHERE active = 1 AND ({where}) ORDER BY {order}")]


def first_cursor(params):
    page = get("/api/products?" + urllib.parse.urlencode(dict(params, limit=3))).json()
    assert page["nextCursor"], page
    return page["nextCursor"]


class CatalogSortingTest(unittest.TestCase):
    def test_each_sort_pages_through_the_whole_catalog_in_database_order(self):
        for sort, order in ORDERS.items():
            with self.subTest(sort=sort):
                ids = [item["id"] for item in walk({"sort": sort})]
                self.assertEqual(ids, expected(order))

    def test_newest_first_puts_a_newly_added_product_on_top(self):
        sql("INSERT INTO products (id, name, description, category, price_cents, stock, created_at)"
            " VALUES ('sort-new', 'Aaa Newest Thing', 'A test product.', 'Books', 1234, 3, NOW(3) + INTERVAL 1 DAY)")
        try:
            ids = [item["id"] for item in walk({"sort": "newest", "nocache": "new"}, limit=5)]
            self.assertEqual(ids[0], "sort-new")
            self.assertEqual(ids, expected(ORDERS["newest"]))
        finally:
            sql("DELETE FROM products WHERE id = 'sort-new'")

    def test_ties_on_price_are_broken_by_id_across_pages(self):
        tied = ["sort-tie-1", "sort-tie-2", "sort-tie-3", "sort-tie-4"]
        sql("INSERT INTO products (id, name, description, category, price_cents, stock) VALUES "
            + ", ".join(f"('{p}', 'Tie {p}', 'A test product.', 'Books', 1777, 5)" for p in tied))
        try:
            for sort in ("price_asc", "price_desc"):
                ids = [item["id"] for item in walk({"sort": sort, "minPrice": 1777, "maxPrice": 1777}, limit=3)]
                self.assertEqual(ids, expected(ORDERS[sort], "price_cents = 1777"))
                self.assertEqual(set(ids), set(tied) | set(expected("id", "price_cents = 1777")))
        finally:
            sql("DELETE FROM products WHERE id LIKE 'sort-tie-%'")

    def test_price_bounds_are_inclusive_cents(self):
        low, high = sql("SELECT MIN(price_cents), MAX(price_cents) FROM"
                        " (SELECT price_cents FROM products WHERE active = 1 ORDER BY price_cents LIMIT 10, 20) t")[0]
        items = walk({"sort": "price_asc", "minPrice": low, "maxPrice": high}, limit=4)
        prices = [item["priceCents"] for item in items]
        self.assertEqual(prices[0], int(low), "the lower bound is included")
        self.assertEqual(prices[-1], int(high), "the upper bound is included")
        self.assertEqual([item["id"] for item in items],
                         expected(ORDERS["price_asc"], f"price_cents BETWEEN {low} AND {high}"))

    def test_price_filter_combines_with_category_and_search(self):
        where = "category = 'Electronics' AND price_cents >= 5000"
        items = walk({"category": "Electronics", "minPrice": 5000, "sort": "price_desc"}, limit=3)
        self.assertTrue(items)
        self.assertEqual([item["id"] for item in items], expected(ORDERS["price_desc"], where))
        found = walk({"q": "headphones", "maxPrice": 20000, "sort": "newest"})
        self.assertTrue(all(item["priceCents"] <= 20000 for item in found))
        self.assertIn("prod-001", [item["id"] for item in found])
        self.assertEqual(walk({"q": "headphones", "maxPrice": 100}), [])

    def test_bad_sort_and_price_parameters_are_refused_with_a_clear_message(self):
        for query, code in [("sort=cheapest", "invalid_sort"), ("sort=", "invalid_sort"),
                            ("minPrice=-1", "invalid_price"), ("maxPrice=12.50", "invalid_price"),
                            ("minPrice=abc", "invalid_price"), ("maxPrice=", "invalid_price"),
                            ("minPrice=99999999999999999999", "invalid_price"),
                            ("maxPrice=4294967296", "invalid_price"),
                            ("minPrice=3000&maxPrice=2000", "invalid_price")]:
            with self.subTest(query=query):
                response = get("/api/products?" + query)
                assert_error(self, response, 400, code)
                self.assertIn(query.split("=")[0], response.json()["error"]["message"])
        self.assertEqual(get("/api/products?minPrice=2000&maxPrice=2000&sort=price_desc").status, 200)

    def test_a_cursor_from_another_sort_or_filter_is_refused(self):
        by_name = first_cursor({})
        by_price = first_cursor({"sort": "price_asc"})
        electronics = first_cursor({"category": "Electronics", "sort": "price_asc"})
        for params in [{"sort": "price_asc", "cursor": by_name}, {"sort": "newest", "cursor": by_price},
                       {"cursor": by_price}, {"sort": "price_desc", "cursor": by_price},
                       {"sort": "price_asc", "cursor": electronics},
                       {"sort": "price_asc", "category": "Electronics", "minPrice": 1, "cursor": electronics}]:
            with self.subTest(params=params):
                assert_error(self, get("/api/products?" + urllib.parse.urlencode(params)), 400, "invalid_cursor")
        again = get("/api/products?" + urllib.parse.urlencode(
            {"category": "Electronics", "sort": "price_asc", "limit": 3, "cursor": electronics}))
        self.assertEqual(again.status, 200)


if __name__ == "__main__":
    unittest.main()
