"""Sessions: the signed cookie alone decides whose cart a request touches."""
import unittest

from shop import URL, Client, assert_error, sql, stack


class SessionTest(unittest.TestCase):
    def test_first_request_sets_a_safe_session_cookie(self):
        response = Client().get("/api/cart")
        self.assertEqual(response.status, 200)
        cookie = response.header("set-cookie")
        self.assertTrue(cookie.startswith("sid="), cookie)
        for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"]:
            self.assertIn(attribute, cookie)

    def test_a_valid_cookie_is_not_set_again(self):
        client = Client()
        client.get("/api/cart")
        self.assertIsNone(client.get("/api/cart").header("set-cookie"))

    def test_body_user_id_is_ignored_and_other_carts_stay_empty(self):
        shopper, other = Client(), Client()
        response = shopper.post("/api/cart", {"userId": "user-abc", "productId": "prod-005", "quantity": 1})
        self.assertEqual(response.status, 200)
        self.assertEqual(response.json()["itemCount"], 1)
        self.assertEqual(other.cart()["items"], [])
        self.assertEqual(sql("SELECT COUNT(*) FROM cart_items WHERE user_id = 'user-abc'"), [["0"]])

    def test_another_session_cannot_reach_a_cart_by_id(self):
        owner, intruder = Client(), Client()
        owner.add("prod-006", 2)
        owner_id = sql("SELECT user_id FROM cart_items WHERE product_id = 'prod-006' "
                       "ORDER BY added_at DESC LIMIT 1")[0][0]
        # The intruder names the owner's id everywhere a careless API might read it.
        response = intruder.post(f"/api/cart?userId={owner_id}",
                                 {"userId": owner_id, "user_id": owner_id, "productId": "prod-007"},
                                 headers={"X-User-Id": owner_id})
        self.assertEqual(response.status, 200)
        self.assertEqual([i["productId"] for i in response.json()["items"]], ["prod-007"])
        intruder.delete(f"/api/cart?userId={owner_id}")
        intruder.delete(f"/api/cart/items/prod-006?userId={owner_id}")
        # A cookie made from the bare id, unsigned or wrongly signed, is a new session.
        for forged in [owner_id, owner_id + ".AAAAAAAAAAAAAAAAAAAAAA", "sid"]:
            guess = Client()
            guess.cookies["sid"] = forged
            cart = guess.cart()
            self.assertEqual(cart["items"], [])
            self.assertNotEqual(guess.cookies["sid"], forged)
        self.assertEqual([(i["productId"], i["quantity"]) for i in owner.cart()["items"]], [("prod-006", 2)])

    def test_tampered_cookie_starts_a_new_session_not_an_error(self):
        client = Client()
        client.add("prod-008")
        sid = client.cookies["sid"]
        tampered = Client()
        tampered.cookies["sid"] = sid[:-1] + ("A" if sid[-1] != "A" else "B")
        response = tampered.get("/api/cart")
        self.assertEqual(response.status, 200)
        self.assertEqual(response.json()["items"], [])
        self.assertNotEqual(tampered.cookies["sid"], sid)
        self.assertEqual(client.cart()["itemCount"], 1)

    def test_non_json_state_change_is_415_and_changes_nothing(self):
        client = Client()
        client.add("prod-009")
        for content_type in [None, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]:
            headers = {"Content-Type": content_type} if content_type else {}
            response = client.request("POST", "/api/cart", body=b'{"productId":"prod-009","quantity":1}',
                                      headers=headers)
            assert_error(self, response, 415, "unsupported_media_type")
        assert_error(self, client.request("DELETE", "/api/cart"), 415)
        self.assertEqual(client.cart()["itemCount"], 1)

    def test_cross_origin_state_change_is_403_and_changes_nothing(self):
        client = Client()
        client.add("prod-010")
        for origin in ["http://evil.example", "null", URL + ".evil.example", URL.replace("http:", "https:")]:
            response = client.post("/api/cart", {"productId": "prod-010"}, headers={"Origin": origin})
            assert_error(self, response, 403, "forbidden_origin")
            assert_error(self, client.delete("/api/cart", headers={"Origin": origin}), 403)
        self.assertEqual(client.cart()["itemCount"], 1)
        same_origin = client.post("/api/cart", {"productId": "prod-010"}, headers={"Origin": URL})
        self.assertEqual(same_origin.json()["itemCount"], 2)

    def test_secret_rotation_logs_no_one_out(self):
        client = Client()
        client.add("prod-011", 3)
        old_cookie = client.cookies["sid"]
        stack("rotate-secret")
        response = client.get("/api/cart")
        self.assertEqual([(i["productId"], i["quantity"]) for i in response.json()["items"]], [("prod-011", 3)])
        self.assertIsNotNone(response.header("set-cookie"), "the cookie is re-signed under the new secret")
        self.assertNotEqual(client.cookies["sid"], old_cookie)
        stack("rotate-secret")
        self.assertEqual(client.cart()["itemCount"], 3, "the re-signed cookie survives the next rotation")
        stale = Client()
        stale.cookies["sid"] = old_cookie
        self.assertEqual(stale.cart()["items"], [], "two rotations later the old cookie is no one's")


if __name__ == "__main__":
    unittest.main()
