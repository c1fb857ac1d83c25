"""Logs join up and keep shoppers' personal data out: one request id through nginx and the responder, order ids
instead of e-mail addresses, names and street addresses, on the happy path and the failure paths alike."""
import glob
import os
import unittest
import uuid

from shop import (VAR, Client, ScratchProducts, StackWorkerStopped, Worker, checkout, sql, wait_for_status,
                  wait_until)

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


class ForgeryTest(unittest.TestCase):
    def test_path_with_newline_and_spaces_writes_one_line_and_no_extra_key(self):
        forged = "ts=2000-01-01T00:00:00.000Z level=error prog=orders event=forged"
        response = Client().get("/api/products/x%0A" + forged.replace(" ", "%20") + "%20status=200")
        self.assertEqual(response.status, 404, response)
        rid = response.header("x-request-id")
        lines = wait_until(lambda: lines_with("products.log", f"rid={rid} "), message="the products responder's line")
        self.assertEqual(len(lines), 1, lines)
        self.assertIn("status=404", lines[0])
        self.assertNotIn(" status=200", lines[0])  # the path's own "status=200" is not a key of the line
        self.assertNotIn(" level=error", lines[0].split(" path=", 1)[1])
        self.assertEqual([line for line in log_lines("products.log") if line.startswith("ts=2000-")], [])


class PersonalDataTest(unittest.TestCase):
    def test_no_email_name_or_address_reaches_any_log(self):
        token = uuid.uuid4().hex[:16]  # in every personal value below, so one search finds any of them
        person = {"name": f"Zelda Q{token}", "email": f"pii.{token}@example.com", "address": f"{token} Quiet Lane",
                  "city": f"Town{token}"}
        orders = {}

        def buy(label, **shipping):
            client = Client()
            client.add(product)
            response = checkout(client, **dict(person, **shipping))
            self.assertEqual(response.status, 201, response)
            orders[label] = (client, response.json()["orderId"])
            return orders[label][1]

        with ScratchProducts(f"pii{token[:6]}", 1, 100) as (product,):
            # The happy path: paid, confirmation spooled.
            buy("paid")
            # A declined card.
            buy("declined", email=f"pii.{token}+decline@example.com")
            # A checkout refused for a bad e-mail address.
            refused = Client()
            refused.add(product)
            self.assertEqual(checkout(refused, email=f"not an address {token}").status, 422)
            with StackWorkerStopped():
                # A confirmation that cannot be delivered: nobody listens on the SMTP port.
                with Worker("pii-smtp", smtp_url="smtp://127.0.0.1:9"):
                    undelivered = buy("undelivered")
                    wait_until(lambda: sql(f"SELECT attempts > 0 FROM emails WHERE order_id = '{undelivered}'")
                               == [["1"]], message="the confirmation's delivery to fail")
                # A worker killed in the middle of a payment: its message is recovered by another worker.
                slow = Worker("pii-slow", payment_latency_ms=4000)
                orphan = buy("orphan")
                wait_until(lambda: sql(f"SELECT claimed_by IS NOT NULL FROM orders WHERE id = '{orphan}'") == [["1"]],
                           message="the slow worker to claim the order")
                slow.kill()
            # The stack's worker (spool) finishes everything: the orphan, the undelivered confirmation.
            for label, expected in (("paid", "PROCESSED"), ("declined", "PAYMENT_FAILED"),
                                    ("undelivered", "PROCESSED"), ("orphan", "PROCESSED")):
                client, order_id = orders[label]
                self.assertEqual(wait_for_status(client, order_id, timeout=30)["status"], expected, label)
            wait_until(lambda: sql(f"SELECT sent_at IS NOT NULL FROM emails WHERE order_id = '{undelivered}'")
                       == [["1"]], timeout=20, message="the undelivered confirmation to be spooled on a retry")
            # Those paths did log, by order id.
            worker_logs = "\n".join(line for name in ("worker.log", "worker-pii-smtp.log", "worker-pii-slow.log")
                                    for line in log_lines(name))
            self.assertIn(f"event=mail_failed order={undelivered}", worker_logs)
            self.assertIn(f"event=payment order={orders['declined'][1]} outcome=declined", worker_logs)
            self.assertIn(f"event=queue_message_recovered list=shop:orders:processing:", worker_logs)
            self.assertIn(f"order={orphan}", worker_logs)
        # Not one line of any log names the shopper: responders, worker, nginx, MariaDB, Redis.
        files = glob.glob(os.path.join(LOG, "**", "*"), recursive=True)
        self.assertIn(os.path.join(LOG, "nginx-access.log"), files)
        leaks = [f"{os.path.basename(path)}: {line}" for path in files if os.path.isfile(path)
                 for line in open(path, errors="replace") if token in line]
        self.assertEqual(leaks, [])


if __name__ == "__main__":
    unittest.main()
