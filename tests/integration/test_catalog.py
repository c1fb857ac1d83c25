"""Browsing the catalog: listing, paging, filters, search, detail, caching."""
import hashlib
import os
import time
import unittest
import urllib.parse

from shop import VAR, assert_error, catalog_settles, fresh, get, sql, wait_until

FIELDS = {"id", "name", "description", "category", "priceCents", "currency", "stock", "imageUrl"}


def all_pages(query="", limit=7):
    """Follows nextCursor to the end; returns every item and the number of pages."""
    items, pages, cursor = [], 0, None
    while True:
        params = f"limit={limit}{query}" + (f"&cursor={cursor}" if cursor else "")
        response = get(f"/api/products?{params}")
        assert response.status == 200, response
        page = response.json()
        items += page["items"]
        pages += 1
        cursor = page["nextCursor"]
        if cursor is None:
            return items, pages
        assert pages < 1000, "paging does not end"


class CatalogTest(unittest.TestCase):
    def test_first_page_has_twenty_products_and_a_cursor(self):
        response = get("/api/products")
        self.assertEqual(response.status, 200)
        self.assertEqual(response.header("content-type"), "application/json; charset=utf-8")
        page = response.json()
        self.assertEqual(len(page["items"]), 20)
        self.assertIsInstance(page["nextCursor"], str)
        for product in page["items"]:
            self.assertEqual(set(product), FIELDS)
            self.assertIsInstance(product["priceCents"], int)

    def test_paging_visits_every_active_product_exactly_once_in_a_stable_order(self):
        items, pages = all_pages(limit=7)
        ids = [item["id"] for item in items]
        expected = {row[0] for row in sql("SELECT id FROM products WHERE active = 1")}
        self.assertEqual(len(ids), len(set(ids)), "a product appeared twice")
        self.assertEqual(set(ids), expected)
        self.assertEqual(pages, -(-len(expected) // 7))
        database_order = [row[0] for row in sql("SELECT id FROM products WHERE active = 1 ORDER BY name, id")]
        self.assertEqual(ids, database_order)
        again, _ = all_pages(limit=7)
        self.assertEqual([item["id"] for item in again], ids)

    def test_last_page_has_null_cursor(self):
        total = int(sql("SELECT COUNT(*) FROM products WHERE active = 1")[0][0])
        page = get(f"/api/products?limit=100").json()
        self.assertEqual(len(page["items"]), min(total, 100))
        if total <= 100:
            self.assertIsNone(page["nextCursor"])

    def test_category_filter_returns_that_whole_category_only(self):
        category = "Home & Kitchen"
        items, _ = all_pages(query="&category=" + urllib.parse.quote(category), limit=4)
        expected = {row[0] for row in sql(
            "SELECT id FROM products WHERE active = 1 AND category = 'Home & Kitchen'")}
        self.assertTrue(expected)
        self.assertEqual({item["id"] for item in items}, expected)
        self.assertTrue(all(item["category"] == category for item in items))

    def test_unknown_category_is_an_empty_list(self):
        page = get("/api/products?category=Spaceships").json()
        self.assertEqual(page, {"items": [], "nextCursor": None})

    def test_search_matches_name_and_description_without_case(self):
        names = [item["name"] for item in get("/api/products?q=HEADPHONES").json()["items"]]
        self.assertIn("Aurora Wireless Headphones", names)
        by_description = get("/api/products?q=" + urllib.parse.quote("noise cancelling")).json()["items"]
        self.assertEqual([item["id"] for item in by_description], ["prod-001"])

    def test_search_treats_wildcards_literally(self):
        self.assertEqual(get("/api/products?q=%25").json()["items"], [])
        self.assertEqual(get("/api/products?q=_").json()["items"], [])

    def test_search_and_category_combine(self):
        items = get("/api/products?category=Books&q=steel").json()["items"]
        self.assertTrue(items)
        for item in items:
            self.assertEqual(item["category"], "Books")
            self.assertIn("steel", (item["name"] + " " + item["description"]).lower())

    def test_detail_returns_one_product(self):
        response = get("/api/products/prod-001")
        self.assertEqual(response.status, 200)
        product = response.json()
        self.assertEqual(set(product), FIELDS)
        row = sql("SELECT name, price_cents, stock FROM products WHERE id = 'prod-001'")[0]
        self.assertEqual([product["name"], product["priceCents"], product["stock"]], [row[0], int(row[1]), int(row[2])])

    def test_unknown_and_inactive_products_are_404(self):
        assert_error(self, get("/api/products/prod-999999"), 404, "product_not_found")
        assert_error(self, get("/api/products/" + "x" * 40), 404, "product_not_found")
        sql("UPDATE products SET active = 0 WHERE id = 'prod-002'")
        catalog_settles()
        try:
            assert_error(self, get("/api/products/prod-002"), 404, "product_not_found")
            ids = [item["id"] for item in all_pages(limit=100)[0]]
            self.assertNotIn("prod-002", ids)
        finally:
            sql("UPDATE products SET active = 1 WHERE id = 'prod-002'")
            catalog_settles()

    def test_invalid_limit_is_400(self):
        for limit in ["0", "101", "-1", "abc", "1.5", "", "%2B5"]:
            assert_error(self, get(f"/api/products?limit={limit}"), 400, "invalid_limit")

    def test_tampered_or_foreign_cursor_is_400(self):
        cursor = get("/api/products?limit=2").json()["nextCursor"]
        tampered = cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB")
        assert_error(self, get(f"/api/products?cursor={tampered}"), 400, "invalid_cursor")
        payload, mac = cursor.split(".")
        forged = "Wnp6H3Byb2QtOTk5" + "." + mac
        assert_error(self, get(f"/api/products?cursor={forged}"), 400, "invalid_cursor")
        assert_error(self, get("/api/products?cursor=garbage"), 400, "invalid_cursor")

    def test_etag_revalidation_answers_304_and_changes_with_the_data(self):
        first = get("/api/products/prod-003")
        etag = first.header("etag")
        self.assertTrue(etag and etag.startswith('"'))
        unchanged = get("/api/products/prod-003", headers={"If-None-Match": etag})
        self.assertEqual(unchanged.status, 304)
        self.assertEqual(unchanged.body, b"")
        gzip_weak = get("/api/products/prod-003", headers={"If-None-Match": "W/" + etag, "Accept-Encoding": "gzip"})
        self.assertEqual(gzip_weak.status, 304)
        price = int(sql("SELECT price_cents FROM products WHERE id = 'prod-003'")[0][0])
        sql(f"UPDATE products SET price_cents = {price + 1} WHERE id = 'prod-003'")
        catalog_settles()
        try:
            changed = get("/api/products/prod-003", headers={"If-None-Match": etag})
            self.assertEqual(changed.status, 200)
            self.assertEqual(changed.json()["priceCents"], price + 1)
            self.assertNotEqual(changed.header("etag"), etag)
        finally:
            sql(f"UPDATE products SET price_cents = {price} WHERE id = 'prod-003'")
            catalog_settles()

    def test_a_product_change_is_visible_within_a_second(self):
        before = get("/api/products/prod-004").json()["priceCents"]
        sql(f"UPDATE products SET price_cents = {before + 7} WHERE id = 'prod-004'")
        try:
            catalog_settles()  # the cache bound: 1 s
            self.assertEqual(get("/api/products/prod-004").json()["priceCents"], before + 7)
            listed = [p for p in get("/api/products?q=" + "Vertex").json()["items"] if p["id"] == "prod-004"]
            self.assertEqual(listed[0]["priceCents"], before + 7)
        finally:
            sql(f"UPDATE products SET price_cents = {before} WHERE id = 'prod-004'")
            catalog_settles()

    def test_a_url_asked_once_is_not_written_to_the_cache_and_one_asked_again_is(self):
        path = fresh("/api/products?limit=3")
        key = hashlib.md5(("GET" + path).encode()).hexdigest()
        cached = os.path.join(VAR, "nginx", "cache", key[-1], key[-3:-1], key)  # levels=1:2
        first = get(path)
        self.assertEqual(first.status, 200)
        time.sleep(0.3)
        self.assertFalse(os.path.exists(cached), "a one-off URL (a cursor, a search) costs nginx no cache file")
        self.assertEqual(get(path).body, first.body)
        wait_until(lambda: os.path.exists(cached), timeout=2, message="the second request to be cached")
        self.assertEqual(get(path).body, first.body)

    def test_list_etag_revalidates_too(self):
        etag = get("/api/products?category=Books").header("etag")
        self.assertEqual(get("/api/products?category=Books", headers={"If-None-Match": etag}).status, 304)

    def test_categories_list_every_active_category_with_counts(self):
        response = get("/api/categories")
        self.assertEqual(response.status, 200)
        expected = [[name, int(count)] for name, count in sql(
            "SELECT category, COUNT(*) FROM products WHERE active = 1 GROUP BY category ORDER BY category")]
        self.assertEqual([[c["name"], c["productCount"]] for c in response.json()["items"]], expected)
        self.assertEqual(get("/api/categories", headers={"If-None-Match": response.header("etag")}).status, 304)

    def test_storefront_and_images_are_served(self):
        page = get("/")
        self.assertEqual(page.status, 200)
        self.assertIn(b"<title>fcgi-shop</title>", page.body)
        image = get(get("/api/products/prod-001").json()["imageUrl"])
        self.assertEqual(image.status, 200)
        self.assertEqual(image.header("content-type"), "image/svg+xml")
        self.assertEqual(page.header("x-content-type-options"), "nosniff")


if __name__ == "__main__":
    unittest.main()
