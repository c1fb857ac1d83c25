"""Shopper accounts: sign up, sign in and out, one cart and one order history on every device, and the defences
(common passwords, enumeration, session fixation, guessing, password reset)."""
import glob
import os
import re
import statistics
import time
import unittest
import uuid

from shop import VAR, Client, ScratchProducts, assert_error, checkout, sql, wait_for_status, wait_until

PASSWORD = "plum-orchard-lantern"
OTHER_PASSWORD = "copper-kettle-meadow"
_next_source = [10]


def new_email(tag="shopper"):
    return f"{tag}-{uuid.uuid4().hex[:12]}@Example.com"


def fresh_source():
    """A loopback address of the test's own, so the per-address failure limit counts its attempts alone."""
    _next_source[0] += 1
    return f"127.0.{os.getpid() % 200 + 1}.{_next_source[0]}"


def sign_up(client, email=None, password=PASSWORD, name="Ana Lima"):
    email = email or new_email()
    response = client.post("/api/account", {"email": email, "password": password, "name": name})
    assert response.status == 201, response
    return email


def sign_in(client, email, password=PASSWORD):
    return client.post("/api/session", {"email": email, "password": password})


def signed_in_as(client):
    response = client.get("/api/account")
    return response.json()["email"] if response.status == 200 else None


def replay(cookie):
    """A second browser holding a copy of a cookie."""
    other = Client()
    other.cookies["sid"] = cookie
    return other


def cart_lines(client):
    return sorted((i["productId"], i["quantity"]) for i in client.cart()["items"])


def reset_link_token(email):
    """The token in the newest reset e-mail to email, waiting for it to be in the spool."""
    def newest():
        found = []
        for path in glob.glob(os.path.join(VAR, "mail", "reset-*.eml")):
            with open(path, encoding="utf-8") as f:
                text = f.read()
            if f"To: <{email.lower()}>" in text:
                found.append((os.stat(path).st_mtime_ns, text))
        return max(found)[1] if found else None
    text = wait_until(newest, message=f"a reset e-mail to {email}")
    return re.search(r"/reset-password#token=([0-9a-f]{64})", text).group(1)


def reset_mails(email):
    return [p for p in glob.glob(os.path.join(VAR, "mail", "reset-*.eml"))
            if f"To: <{email.lower()}>" in open(p, encoding="utf-8").read()]


class SignUpTest(unittest.TestCase):
    def test_sign_up_answers_201_signed_in_with_a_new_session(self):
        client = Client()
        client.cart()
        anonymous = client.cookies["sid"]
        email = new_email()
        response = client.post("/api/account", {"email": email, "password": PASSWORD, "name": "Ana Lima"})
        self.assertEqual(response.status, 201, response)
        body = response.json()
        self.assertEqual(body["email"], email.lower())
        self.assertEqual(body["name"], "Ana Lima")
        self.assertRegex(body["createdAt"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertNotEqual(client.cookies["sid"], anonymous)
        self.assertEqual(signed_in_as(client), email.lower())
        self.assertIsNone(signed_in_as(replay(anonymous)))

    def test_the_same_email_in_any_case_signs_up_once(self):
        email = new_email()
        sign_up(Client(), email)
        response = Client().post("/api/account", {"email": email.upper(), "password": PASSWORD, "name": "Bo"})
        assert_error(self, response, 409, "email_taken")
        self.assertEqual(sql(f"SELECT COUNT(*) FROM accounts WHERE email = '{email.lower()}'"), [["1"]])

    def test_short_long_and_common_passwords_are_refused_and_create_nothing(self):
        email = new_email()
        for password, code in [("short-pw1", "password_too_short"), ("x" * 129, "password_too_long"),
                               ("Password123", "password_too_common"), ("qwertyuiop", "password_too_common"),
                               ("1234567890", "password_too_common")]:
            response = Client().post("/api/account", {"email": email, "password": password, "name": "Ana"})
            assert_error(self, response, 422, code)
        self.assertEqual(sql(f"SELECT COUNT(*) FROM accounts WHERE email = '{email.lower()}'"), [["0"]])
        # Ten characters, and 128, are enough; characters, not bytes, are counted.
        sign_up(Client(), password="ábcdéfghïj")
        sign_up(Client(), password="y" * 128)

    def test_bad_fields_are_refused(self):
        for body, code in [({"email": "not-an-address", "password": PASSWORD, "name": "Ana"}, "invalid_email"),
                           ({"email": new_email(), "password": PASSWORD, "name": ""}, "invalid_name"),
                           ({"email": new_email(), "password": PASSWORD, "name": "x" * 101}, "invalid_name"),
                           ({"email": new_email(), "password": 1234567890, "name": "Ana"}, "invalid_password")]:
            response = Client().post("/api/account", body)
            self.assertIn(response.status, (400, 422), response)
            self.assertEqual(response.json()["error"]["code"], code)

    def test_password_is_stored_as_argon2id_with_its_parameters(self):
        email = new_email()
        sign_up(Client(), email)
        stored = sql(f"SELECT password_hash FROM accounts WHERE email = '{email.lower()}'")[0][0]
        self.assertRegex(stored, r"^\$argon2id\$v=19\$m=\d+,t=\d+,p=1\$")
        self.assertNotIn(PASSWORD, stored)


class AccountTest(unittest.TestCase):
    def test_anonymous_shopper_has_no_account(self):
        assert_error(self, Client().get("/api/account"), 401, "not_signed_in")
        assert_error(self, Client().request("PATCH", "/api/account", json_body={"name": "X"}), 401, "not_signed_in")

    def test_session_says_who_is_signed_in_and_answers_a_guest_200(self):
        guest = Client()
        response = guest.get("/api/session")
        self.assertEqual(response.status, 200, response)
        self.assertEqual(response.json(), {"signedIn": False})
        email = new_email()
        sign_up(guest, email)
        body = guest.get("/api/session").json()
        self.assertTrue(body["signedIn"])
        self.assertEqual(body["account"]["email"], email.lower())
        self.assertEqual(body["account"]["name"], "Ana Lima")
        self.assertEqual(guest.request("DELETE", "/api/session", json_body={}).status, 200)
        self.assertEqual(guest.get("/api/session").json(), {"signedIn": False})

    def test_patch_changes_the_name(self):
        client = Client()
        sign_up(client)
        response = client.request("PATCH", "/api/account", json_body={"name": "Ana Maria Lima"})
        self.assertEqual(response.status, 200, response)
        self.assertEqual(client.get("/api/account").json()["name"], "Ana Maria Lima")

    def test_password_change_needs_the_current_one_and_ends_other_sessions(self):
        here, there = Client(), Client()
        email = sign_up(here)
        self.assertEqual(sign_in(there, email).status, 200)
        wrong = here.request("PATCH", "/api/account", json_body={"currentPassword": "not-the-password",
                                                                  "password": OTHER_PASSWORD})
        assert_error(self, wrong, 401, "invalid_credentials")
        before = here.cookies["sid"]
        response = here.request("PATCH", "/api/account", json_body={"currentPassword": PASSWORD,
                                                                     "password": OTHER_PASSWORD})
        self.assertEqual(response.status, 200, response)
        self.assertNotEqual(here.cookies["sid"], before)
        self.assertEqual(signed_in_as(here), email.lower())
        self.assertIsNone(signed_in_as(there))
        self.assertIsNone(signed_in_as(replay(before)))
        assert_error(self, sign_in(Client(source=fresh_source()), email), 401, "invalid_credentials")
        self.assertEqual(sign_in(Client(), email, OTHER_PASSWORD).status, 200)


class SignInTest(unittest.TestCase):
    def test_sign_in_and_out_replace_the_session_id(self):
        email = sign_up(Client())
        client = Client()
        client.cart()
        anonymous = client.cookies["sid"]
        response = sign_in(client, email.upper())
        self.assertEqual(response.status, 200, response)
        self.assertEqual(response.json()["email"], email.lower())
        signed_in = client.cookies["sid"]
        self.assertNotEqual(signed_in, anonymous)
        # The id known before signing in (planted by an attacker, say) signs no one in.
        self.assertIsNone(signed_in_as(replay(anonymous)))
        response = client.delete("/api/session")
        self.assertEqual(response.status, 200, response)
        self.assertNotEqual(client.cookies["sid"], signed_in)
        self.assertIsNone(signed_in_as(client))
        # A copy of the signed-in cookie is signed out too, and its cart is not the account's.
        copy = replay(signed_in)
        self.assertIsNone(signed_in_as(copy))
        self.assertNotEqual(copy.cookies["sid"], signed_in)

    def test_an_account_keeps_its_20_newest_sessions(self):
        first = Client()
        email = sign_up(first)
        for _ in range(20):
            self.assertEqual(sign_in(Client(), email).status, 200)
        self.assertIsNone(signed_in_as(first))
        account = sql(f"SELECT id FROM accounts WHERE email = '{email.lower()}'")[0][0]
        self.assertEqual(sql(f"SELECT COUNT(*) FROM account_sessions WHERE account_id = {account}"), [["20"]])

    def test_unknown_email_and_wrong_password_answer_alike_in_similar_time(self):
        email = sign_up(Client())
        client = Client(source=fresh_source())
        wrong = sign_in(client, email, "not-the-password")
        unknown = sign_in(client, new_email("nobody"), "not-the-password")
        assert_error(self, wrong, 401, "invalid_credentials")
        assert_error(self, unknown, 401, "invalid_credentials")
        self.assertEqual(wrong.json(), unknown.json())

        def timed(address):
            started = time.monotonic()
            sign_in(Client(source=fresh_source()), address, "not-the-password")
            return time.monotonic() - started
        known_times = [timed(email) for _ in range(5)]
        unknown_times = [timed(new_email("nobody")) for _ in range(5)]
        known, unknown = statistics.median(known_times), statistics.median(unknown_times)
        # Both pay for one Argon2id verification: neither is a quick "no such account".
        self.assertLess(max(known, unknown) / min(known, unknown), 2.0, (known_times, unknown_times))

    def test_a_hash_of_older_parameters_is_renewed_at_sign_in(self):
        import ctypes
        sodium = ctypes.CDLL("libsodium.so.23")
        assert sodium.sodium_init() >= 0
        email = sign_up(Client())
        old = ctypes.create_string_buffer(128)
        secret = PASSWORD.encode()
        # What the shop would have stored with weaker settings: 1 pass over 8 MiB.
        assert sodium.crypto_pwhash_str_alg(old, secret, ctypes.c_ulonglong(len(secret)), ctypes.c_ulonglong(1),
                                            ctypes.c_size_t(8 << 20), ctypes.c_int(2)) == 0
        old_hash = old.value.decode()
        self.assertIn("$m=8192,t=1,", old_hash)
        sql(f"UPDATE accounts SET password_hash = '{old_hash}' WHERE email = '{email.lower()}'")
        self.assertEqual(sql(f"SELECT password_hash FROM accounts WHERE email = '{email.lower()}'"), [[old_hash]])
        self.assertEqual(sign_in(Client(), email).status, 200)
        renewed = sql(f"SELECT password_hash FROM accounts WHERE email = '{email.lower()}'")[0][0]
        self.assertIn("$m=32768,t=3,", renewed)
        self.assertEqual(sign_in(Client(), email).status, 200)

    def test_ten_wrong_passwords_then_429_with_retry_after_even_for_the_right_one(self):
        email = sign_up(Client())
        for attempt in range(10):
            response = sign_in(Client(source=fresh_source()), email, f"wrong-password-{attempt}")
            assert_error(self, response, 401, "invalid_credentials")
        for password in ("wrong-password-x", PASSWORD):
            response = sign_in(Client(source=fresh_source()), email, password)
            assert_error(self, response, 429, "too_many_attempts")
            self.assertGreater(int(response.header("retry-after")), 0)
        # When the window has passed, the right password works and the count starts again.
        sql("UPDATE sign_in_failures SET window_ends = CURRENT_TIMESTAMP(3) - INTERVAL 1 SECOND")
        self.assertEqual(sign_in(Client(), email).status, 200)

    def test_one_address_guessing_many_accounts_is_limited(self):
        source = fresh_source()
        for attempt in range(30):
            response = sign_in(Client(source=source), new_email("guess"), "not-the-password")
            assert_error(self, response, 401, "invalid_credentials")
        response = sign_in(Client(source=source), new_email("guess"), "not-the-password")
        assert_error(self, response, 429, "too_many_attempts")
        self.assertGreater(int(response.header("retry-after")), 0)
        # Another address is not held back by it.
        email = sign_up(Client())
        self.assertEqual(sign_in(Client(source=fresh_source()), email).status, 200)

    def test_a_right_sign_in_clears_the_count_of_its_email(self):
        email = sign_up(Client())
        for _ in range(9):
            sign_in(Client(source=fresh_source()), email, "not-the-password")
        self.assertEqual(sign_in(Client(source=fresh_source()), email).status, 200)
        for _ in range(9):
            assert_error(self, sign_in(Client(source=fresh_source()), email, "not-the-password"), 401)
        self.assertEqual(sign_in(Client(source=fresh_source()), email).status, 200)


class ResetTest(unittest.TestCase):
    def test_reset_answers_202_alike_and_mails_only_an_account(self):
        email = sign_up(Client())
        unknown = new_email("nobody")
        known_answer = Client().post("/api/account/password-reset", {"email": email})
        unknown_answer = Client().post("/api/account/password-reset", {"email": unknown})
        self.assertEqual(known_answer.status, 202, known_answer)
        self.assertEqual(unknown_answer.status, 202, unknown_answer)
        self.assertEqual(known_answer.json(), unknown_answer.json())
        reset_link_token(email)
        self.assertEqual(reset_mails(unknown), [])

    def test_reset_token_works_once_and_ends_every_session(self):
        device = Client()
        email = sign_up(device)
        Client().post("/api/account/password-reset", {"email": email})
        token = reset_link_token(email)
        self.assertEqual(sql(f"SELECT COUNT(*) FROM password_resets WHERE token_hash = '{token}'"), [["0"]])
        weak = Client().post("/api/account/password-reset/confirm", {"token": token, "password": "password123"})
        assert_error(self, weak, 422, "password_too_common")
        response = Client().post("/api/account/password-reset/confirm", {"token": token, "password": OTHER_PASSWORD})
        self.assertEqual(response.status, 200, response)
        again = Client().post("/api/account/password-reset/confirm", {"token": token, "password": "third-password-here"})
        assert_error(self, again, 422, "invalid_token")
        self.assertIsNone(signed_in_as(device))
        assert_error(self, sign_in(Client(source=fresh_source()), email), 401, "invalid_credentials")
        self.assertEqual(sign_in(Client(), email, OTHER_PASSWORD).status, 200)

    def test_reset_token_expires_after_30_minutes(self):
        email = sign_up(Client())
        Client().post("/api/account/password-reset", {"email": email})
        token = reset_link_token(email)
        lifetime = sql("SELECT TIMESTAMPDIFF(SECOND, CURRENT_TIMESTAMP(3), MAX(expires_at)) FROM password_resets")
        self.assertTrue(1790 <= int(lifetime[0][0]) <= 1800, lifetime)
        sql("UPDATE password_resets SET expires_at = CURRENT_TIMESTAMP(3) - INTERVAL 1 SECOND")
        response = Client().post("/api/account/password-reset/confirm", {"token": token, "password": OTHER_PASSWORD})
        assert_error(self, response, 422, "invalid_token")
        self.assertEqual(sign_in(Client(), email).status, 200)

    def test_forged_tokens_are_refused(self):
        for token in ["0" * 64, "A" * 64, "zz", "x" * 256]:
            response = Client().post("/api/account/password-reset/confirm", {"token": token, "password": OTHER_PASSWORD})
            assert_error(self, response, 422, "invalid_token")


class FollowsTheShopperTest(unittest.TestCase):
    def test_device_a_orders_device_b_signs_in_with_one_cart_and_one_history(self):
        with ScratchProducts("acct-ab", 3, stock=20) as (first, second, third):
            device_a = Client()
            email = sign_up(device_a)
            device_a.add(first, 1)
            order = checkout(device_a)
            self.assertEqual(order.status, 201, order)
            order_id = order.json()["orderId"]
            wait_for_status(device_a, order_id)
            wait_until(lambda: cart_lines(device_a) == [], message="the ordered line to leave the cart")
            device_a.add(second, 2)

            device_b = Client()
            device_b.add(third, 1)
            self.assertEqual(sign_in(device_b, email).status, 200)
            self.assertEqual(cart_lines(device_b), [(second, 2), (third, 1)])
            self.assertEqual(cart_lines(device_a), [(second, 2), (third, 1)])
            history = device_b.get("/api/orders")
            self.assertEqual(history.status, 200, history)
            self.assertIn(order_id, [o["orderId"] for o in history.json()["items"]])
            self.assertEqual(device_b.get(f"/api/orders/{order_id}").status, 200)
            # Signed out, device B is a stranger to that order again.
            device_b.delete("/api/session")
            self.assertEqual(device_b.get(f"/api/orders/{order_id}").status, 404)
            self.assertEqual(cart_lines(device_b), [])

    def test_merge_adds_quantities_within_stock_and_limits(self):
        with ScratchProducts("acct-mh", 3, stock=99) as (shared, capped, sold_out):
            owner = Client()
            email = sign_up(owner)
            owner.add(shared, 2)
            owner.add(capped, 60)
            guest = Client()
            guest.add(shared, 3)
            guest.add(capped, 60)
            guest.add(sold_out, 4)
            sql(f"UPDATE products SET stock = 4 WHERE id = '{shared}'; UPDATE products SET stock = 0 WHERE id = '{sold_out}'")
            self.assertEqual(sign_in(guest, email).status, 200)
            # 2 + 3 held to the stock of 4; 60 + 60 held to 99 a line; nothing of a sold-out product.
            self.assertEqual(cart_lines(guest), [(shared, 4), (capped, 99)])

    def test_guest_orders_of_the_session_move_to_the_account_at_sign_up(self):
        with ScratchProducts("acct-go", 1, stock=10) as (product,):
            guest = Client()
            guest.add(product, 1)
            order = checkout(guest)
            self.assertEqual(order.status, 201, order)
            order_id = order.json()["orderId"]
            email = sign_up(guest)
            self.assertEqual(guest.get(f"/api/orders/{order_id}").status, 200)
            elsewhere = Client()
            self.assertEqual(sign_in(elsewhere, email).status, 200)
            self.assertIn(order_id, [o["orderId"] for o in elsewhere.get("/api/orders").json()["items"]])
            wait_for_status(elsewhere, order_id)

    def test_the_account_cart_is_the_same_on_every_device(self):
        phone, laptop = Client(), Client()
        email = sign_up(phone)
        self.assertEqual(sign_in(laptop, email).status, 200)
        phone.add("prod-005", 1)
        laptop.add("prod-006", 2)
        self.assertEqual(cart_lines(phone), cart_lines(laptop))
        self.assertEqual(cart_lines(phone), [("prod-005", 1), ("prod-006", 2)])


if __name__ == "__main__":
    unittest.main()
