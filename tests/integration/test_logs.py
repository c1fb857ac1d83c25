"""Logs join up: one request id in the answer, nginx's access log and the responder's log."""
import os
import unittest

from shop import VAR, Client, wait_until

LOG = os.path.join(VAR, "log")


def log_lines(name):
    path = os.path.join(LOG, name)
    if not os.path.exists(path):
        return []
    with open(path, errors="replace") as file:
        return file.read().splitlines()


def lines_with(name, text):
    return [line for line in log_lines(name) if text in line]


class RequestIdTest(unittest.TestCase):
    def test_one_request_id_in_the_answer_nginx_access_log_and_responder_log(self):
        response = Client().get("/api/cart")
        self.assertEqual(response.status, 200)
        rid = response.header("x-request-id")
        self.assertRegex(rid, r"^[0-9a-f]{32}$")
        access = wait_until(lambda: lines_with("nginx-access.log", f"rid={rid}"), message="nginx's access log line")
        self.assertEqual(len(access), 1, access)
        self.assertIn('"GET /api/cart HTTP/1.1" 200 ', access[0])
        responder = wait_until(lambda: lines_with("cart.log", f"rid={rid} "), message="the cart responder's line")
        self.assertEqual(len(responder), 1, responder)
        self.assertIn("event=request method=GET path=/api/cart status=200", responder[0])

    def test_each_request_gets_its_own_id(self):
        ids = {Client().get("/api/cart").header("x-request-id") for _ in range(3)}
        self.assertEqual(len(ids), 3)


if __name__ == "__main__":
    unittest.main()
