"""The shopper hears how every order ends: one e-mail per final status (declined, failed, cancelled, refunded; the
confirmation has its own tests), exactly once, even when the worker restarts or the order is failed twice; and every
e-mail, the API and shopctl name the order by the same short reference.

Each test makes its own shoppers and reads the mail spool the stack's worker writes (<order id>.<kind>.eml).
"""
import glob
import json
import os
import re
import unittest
import uuid

from shop import (VAR, Client, ScratchProducts, StackWorkerStopped, Worker, checkout, db_status, redis, reference,
                  service, sql, wait_for_status, wait_until)
from test_shopctl_orders import buy, processed_order, shopctl, shopctl_json

SUPPORT = "support@shop.example"  # scripts/stack's support_email
SPOOL_NAMES = {"payment_failed": "declined", "failed": "failed", "cancelled": "cancelled", "refund": "refund"}


def address(tag):
    return f"mail-{tag}-{uuid.uuid4().hex[:10]}@example.com"


def spool_files(order_id):
    """The order's e-mails in the spool (temporaries left aside), by file name."""
    return sorted(os.path.basename(path) for path in glob.glob(os.path.join(VAR, "mail", f"{order_id}*.eml")))


def mail_rows(order_id):
    """(kind, sent) of each e-mail row of the order."""
    return [tuple(row) for row in sql(f"SELECT kind, sent_at IS NOT NULL FROM emails WHERE order_id = '{order_id}'"
                                      " ORDER BY kind")]


def sent_mail(order_id, kind):
    """Waits until the worker has sent the order's e-mail of kind; returns its text from the spool."""
    wait_until(lambda: sql(f"SELECT sent_at IS NOT NULL FROM emails WHERE order_id = '{order_id}'"
                           f" AND kind = '{kind}'") == [["1"]], timeout=15, message=f"the {kind} e-mail of {order_id}")
    with open(os.path.join(VAR, "mail", f"{order_id}.{SPOOL_NAMES[kind]}.eml"), encoding="utf-8", newline="") as mail:
        return mail.read()


def subject(text):
    return re.search(r"^Subject: (.*)\r$", text, re.M).group(1)


def another_mail_sent(tag="later"):
    """A new declined order whose e-mail a (restarted) worker has sent: its e-mail rounds have run since it started."""
    client = Client()
    order_id = buy(client, "prod-021", address(tag).replace("@", "+decline@"))
    wait_for_status(client, order_id, ("PAYMENT_FAILED",))
    sent_mail(order_id, "payment_failed")


class FinalStatusMailTest(unittest.TestCase):
    def assert_notice(self, text, order_id, email, expected_subject, *phrases):
        """The common shape of every notice: to the shopper, the reference, the lines, the total, the contact."""
        ref = reference(order_id)
        self.assertIn(f"To: <{email}>\r\n", text)
        self.assertEqual(subject(text), expected_subject)
        self.assertIn(ref, text.split("\r\n\r\n", 1)[1], "the body quotes the reference")
        self.assertNotIn(order_id[len("order-"):], text.split("\r\n\r\n", 1)[1], "not the 32-digit id")
        name, total = sql(f"SELECT i.name, o.total_cents FROM orders o JOIN order_items i ON i.order_id = o.id"
                          f" WHERE o.id = '{order_id}'")[0]
        self.assertIn(f"1 x {name}", text)
        self.assertIn(f"Total: {int(total) // 100}.{int(total) % 100:02d} USD", text)
        self.assertIn(f"Write to {SUPPORT} and quote your order reference {ref}.", text)
        for phrase in phrases:
            self.assertIn(phrase, text)

    def test_a_declined_card_is_mailed_once_with_the_way_back_even_after_a_worker_restart(self):
        client, email = Client(), address("declined").replace("@", "+decline@")
        order_id = buy(client, "prod-022", email)
        self.assertEqual(wait_for_status(client, order_id)["status"], "PAYMENT_FAILED")
        text = sent_mail(order_id, "payment_failed")
        self.assert_notice(text, order_id, email, f"Your payment for order {reference(order_id)} was declined",
                           "your card was declined", "we have not charged you", "Your cart is still there",
                           "try again with another card")
        self.assertEqual(mail_rows(order_id), [("payment_failed", "1")], "no confirmation")
        before = os.stat(os.path.join(VAR, "mail", f"{order_id}.declined.eml")).st_mtime_ns

        # A restart, and the order's message delivered once more: nothing is sent again.
        service("stop", "worker")
        redis("LPUSH", "shop:orders", json.dumps({"orderId": order_id}))
        service("start", "worker")
        another_mail_sent()
        wait_until(lambda: redis("LLEN", "shop:orders") == ["0"], message="the repeated message to be taken")
        self.assertEqual(mail_rows(order_id), [("payment_failed", "1")])
        self.assertEqual(spool_files(order_id), [f"{order_id}.declined.eml"])
        self.assertEqual(os.stat(os.path.join(VAR, "mail", f"{order_id}.declined.eml")).st_mtime_ns, before)
        logs = "".join(open(path, encoding="utf-8", errors="replace").read()
                       for path in glob.glob(os.path.join(VAR, "log", "*.log")))
        self.assertNotIn(email.split("@")[0], logs, "no e-mail address in the logs")

    def test_a_failed_order_is_mailed_once_even_when_it_is_replayed_and_fails_again(self):
        client, email = Client(), address("failed")
        with StackWorkerStopped():
            with Worker("mail-doomed", payment_failure_percent=100, worker_max_attempts=1):
                order_id = buy(client, "prod-023", email)
                self.assertEqual(wait_for_status(client, order_id, ("FAILED",))["status"], "FAILED")
                text = sent_mail(order_id, "failed")
                wait_until(lambda: any(order_id in letter for letter in redis("LRANGE", "shop:orders:dead", "0", "-1")),
                           message="the dead letter")
                # Replayed by the operator, it fails once more: the shopper was told already.
                replay = shopctl("dead-letters", "replay", order_id)
                self.assertEqual(replay.returncode, 0, replay.stderr)
                wait_until(lambda: db_status(order_id) == "FAILED" and
                           any(order_id in letter for letter in redis("LRANGE", "shop:orders:dead", "0", "-1")),
                           message="the replayed order to fail again")
        self.assert_notice(text, order_id, email, f"We could not complete your order {reference(order_id)}",
                           "You have not been charged", "any charge made for it goes back to your card")
        another_mail_sent()
        self.assertEqual(mail_rows(order_id), [("failed", "1")])
        self.assertEqual(spool_files(order_id), [f"{order_id}.failed.eml"])
        shopctl("dead-letters", "discard", order_id)  # leave no dead letter behind

    def test_a_cancel_by_the_shopper_or_the_operator_is_mailed_once(self):
        shopper, operator = Client(), Client()
        shopper_email, operator_email = address("cancel"), address("opcancel")
        with StackWorkerStopped():
            mine = buy(shopper, "prod-024", shopper_email)
            theirs = buy(operator, "prod-024", operator_email)
            self.assertEqual(shopper.post(f"/api/orders/{mine}/cancel", {}).status, 200)
            self.assertEqual(shopper.post(f"/api/orders/{mine}/cancel", {}).status, 409, "a second cancel: refused")
            self.assertEqual(shopctl_json("orders", "cancel", theirs)["status"], "CANCELLED")
            self.assertEqual(shopctl("orders", "cancel", theirs).returncode, 1)
        for order_id, email in ((mine, shopper_email), (theirs, operator_email)):
            text = sent_mail(order_id, "cancelled")
            self.assert_notice(text, order_id, email, f"Your order {reference(order_id)} has been cancelled",
                               "will not be shipped", "You are not charged for it")
            self.assertEqual(mail_rows(order_id), [("cancelled", "1")])
            self.assertEqual(spool_files(order_id), [f"{order_id}.cancelled.eml"])

    def test_a_backlog_of_queued_e_mails_goes_out_together_not_one_claim_a_second(self):
        # 45 cancels while the worker is away: three claims of 20. One round sends them all (a round goes on while
        # its claims come back full), where one claim a second took 2 s here, and minutes after a burst of cancels.
        with ScratchProducts("mailburst", 1, 100) as (product,):
            orders = []
            with StackWorkerStopped():
                for n in range(45):
                    client = Client()
                    orders.append(buy(client, product, address(f"burst{n}")))
                    self.assertEqual(client.post(f"/api/orders/{orders[-1]}/cancel", {}).status, 200)
            ids = ", ".join(f"'{order_id}'" for order_id in orders)
            wait_until(lambda: sql(f"SELECT COUNT(*) FROM emails WHERE kind = 'cancelled' AND sent_at IS NOT NULL"
                                   f" AND order_id IN ({ids})") == [["45"]], timeout=30, message="the 45 cancel e-mails")
            spread = float(sql("SELECT TIMESTAMPDIFF(MICROSECOND, MIN(sent_at), MAX(sent_at)) / 1e6 FROM emails"
                               f" WHERE kind = 'cancelled' AND order_id IN ({ids})")[0][0])
            print(f"\n  45 cancel e-mails sent within {spread:.3f} s", end=" ")
            self.assertLess(spread, 1.75, "one round (rounds are 1 s apart, and three of them take 2 s)")
            for order_id in orders:
                self.assertEqual(spool_files(order_id), [f"{order_id}.cancelled.eml"])

    def test_a_refund_says_how_much_goes_back_and_when(self):
        _, order_id, email = processed_order("prod-025")
        self.assertEqual(shopctl("orders", "refund", order_id).returncode, 0)
        text = sent_mail(order_id, "refund")
        total = int(sql(f"SELECT total_cents FROM orders WHERE id = '{order_id}'")[0][0])
        self.assert_notice(text, order_id, email, f"Your order {reference(order_id)} has been refunded",
                           f"{total // 100}.{total % 100:02d} USD go back to the card you paid with",
                           "within 5 to 10 business days")
        self.assertEqual(mail_rows(order_id), [("confirmation", "1"), ("refund", "1")])


class ReferenceTest(unittest.TestCase):
    def test_the_api_gives_each_order_its_short_reference_and_the_support_contact(self):
        client = Client()
        order_id = buy(client, "prod-026", address("api"))
        order = wait_for_status(client, order_id)
        self.assertRegex(order["reference"], r"^[0-9A-F]{4}-[0-9A-F]{4}$")
        self.assertEqual(order["reference"], order_id[6:10].upper() + "-" + order_id[10:14].upper())
        self.assertEqual(order["contact"], {"email": SUPPORT})
        listed = client.get("/api/orders").json()["items"]
        self.assertEqual([(o["orderId"], o["reference"]) for o in listed], [(order_id, order["reference"])])

    def test_shopctl_shows_an_order_by_its_reference_and_refuses_an_ambiguous_one(self):
        client = Client()
        order_id = buy(client, "prod-027", address("ops"))
        ref = reference(order_id)
        for given in (ref, ref.lower(), ref.replace("-", "")):
            shown = shopctl_json("orders", "show", given)
            self.assertEqual((shown["orderId"], shown["reference"]), (order_id, ref), given)
        text = shopctl("orders", "show", ref)
        self.assertRegex(text.stdout, rf"(?m)^reference: +{ref}$")

        unknown = shopctl("orders", "show", "0000-000G")
        self.assertEqual(unknown.returncode, 2, unknown.stderr)
        self.assertIn("neither an order id", unknown.stderr)

        twin = order_id[:14] + "0" * 24 if order_id[14:] != "0" * 24 else order_id[:14] + "1" * 24
        sql(f"INSERT INTO orders (id, user_id, status, email, shipping_name, shipping_address, shipping_city,"
            f" shipping_postal_code, shipping_country, total_cents, currency) SELECT '{twin}', user_id, 'CANCELLED',"
            f" email, shipping_name, shipping_address, shipping_city, shipping_postal_code, shipping_country,"
            f" total_cents, currency FROM orders WHERE id = '{order_id}'")
        try:
            ambiguous = shopctl("orders", "show", ref)
            self.assertEqual(ambiguous.returncode, 1, ambiguous.stderr)
            self.assertIn(f"the reference {ref} is ambiguous", ambiguous.stderr)
            self.assertEqual(shopctl_json("orders", "show", order_id)["orderId"], order_id, "the full id still works")
        finally:
            sql(f"DELETE FROM orders WHERE id = '{twin}'")
        missing = shopctl("orders", "show", "ffff-fff0" if not order_id.startswith("order-fffffff0") else "0000-0001")
        self.assertEqual(missing.returncode, 1)
        self.assertIn("no order has the reference", missing.stderr)


if __name__ == "__main__":
    unittest.main()
