"""shopctl orders, queue, dead-letters and carts against the stack: a shop owner finds a shopper's order by e-mail,
refunds it, replays one dead letter, without SQL.

Every test makes its own shoppers (an e-mail address of their own) and products' stock is read before and after,
so the tests run on one stack in any order.
"""
import glob
import json
import os
import subprocess
import threading
import unittest
import uuid

from shop import (ROOT, VAR, Client, StackWorkerStopped, Stock, Worker, checkout, db_status, queue_settled, redis,
                  reference, sql, wait_for_status, wait_until)
from test_order_lifecycle import SqlSession, log_of, running

BUILD = os.environ.get("SHOP_BUILD", os.path.join(ROOT, "build"))
SHOPCTL = os.path.join(BUILD, "shopctl", "shopctl")


def shopctl(*args):
    """Runs shopctl on the stack's configuration; returns the CompletedProcess."""
    return subprocess.run([SHOPCTL, "--config", os.path.join(VAR, "shop.conf"), "--sql-dir", os.path.join(ROOT, "sql"),
                           *args], capture_output=True, text=True, timeout=120)


def shopctl_json(*args):
    """Runs shopctl --json, asserting exit 0; returns the parsed answer."""
    done = shopctl("--json", *args)
    assert done.returncode == 0, (args, done.returncode, done.stderr)
    return json.loads(done.stdout)


def email_of(tag):
    return f"ops-{tag}-{uuid.uuid4().hex[:10]}@example.com"


def buy(client, product, email, quantity=1):
    """Adds product to the cart and checks out with email; returns the order id."""
    client.add(product, quantity)
    response = checkout(client, email=email)
    assert response.status == 201, response
    return response.json()["orderId"]


def stock_of(product):
    return int(sql(f"SELECT stock FROM products WHERE id = '{product}'")[0][0])


def processed_order(product, quantity=1):
    """A new shopper's PROCESSED order of product; returns (client, order id, e-mail)."""
    client, email = Client(), email_of("paid")
    order_id = buy(client, product, email, quantity)
    assert wait_for_status(client, order_id)["status"] == "PROCESSED"
    return client, order_id, email


def index_rows_read(index):
    rows = sql("SELECT ROWS_READ FROM information_schema.INDEX_STATISTICS"
               f" WHERE TABLE_SCHEMA = 'shop' AND TABLE_NAME = 'orders' AND INDEX_NAME = '{index}'")
    return int(rows[0][0]) if rows else 0


class OrdersListTest(unittest.TestCase):
    def test_list_finds_a_shoppers_orders_by_email_newest_first_with_every_filter(self):
        ana, bea = Client(), Client()
        ana_email, bea_email = email_of("ana"), email_of("bea")
        first = buy(ana, "prod-031", ana_email)
        wait_for_status(ana, first)  # its line has left the cart
        second = buy(ana, "prod-032", ana_email, 2)
        other = buy(bea, "prod-031", bea_email)
        for client, order_id in ((ana, first), (ana, second), (bea, other)):
            wait_for_status(client, order_id)

        found = shopctl_json("orders", "list", "--email", ana_email)
        self.assertEqual([row["orderId"] for row in found], [second, first], "hers only, newest first")
        self.assertEqual(found[0]["status"], "PROCESSED")
        self.assertEqual(found[0]["itemCount"], 2)
        self.assertEqual(found[0]["email"], ana_email)
        self.assertEqual(found[0]["reference"], f"{second[6:10]}-{second[10:14]}".upper(), "the one the shopper quotes")
        self.assertEqual(found[0]["totalCents"], int(sql(f"SELECT total_cents FROM orders WHERE id = '{second}'")[0][0]))
        self.assertEqual([r["orderId"] for r in shopctl_json("orders", "list", "--email", ana_email.upper())],
                         [second, first], "e-mail addresses match whatever their case")
        self.assertEqual([r["orderId"] for r in shopctl_json("orders", "list", "--email", ana_email, "--limit", "1")],
                         [second])
        self.assertEqual(shopctl_json("orders", "list", "--email", ana_email, "--status", "CANCELLED"), [])

        sql(f"UPDATE orders SET created_at = '2020-03-01 10:00:00' WHERE id = '{first}'")
        since = shopctl_json("orders", "list", "--email", ana_email, "--since", "2021-01-01")
        self.assertEqual([row["orderId"] for row in since], [second])
        self.assertEqual(len(shopctl_json("orders", "list", "--email", ana_email, "--since", "2020-03-01T09:59:59Z")),
                         2)
        self.assertEqual(len(shopctl_json("orders", "list", "--email", ana_email, "--since", "2020-03-01T10:00:01Z")),
                         1)
        processed = shopctl_json("orders", "list", "--status", "PROCESSED", "--limit", "1000")
        self.assertIn(second, [row["orderId"] for row in processed])
        self.assertTrue(all(row["status"] == "PROCESSED" for row in processed))
        newest = shopctl_json("orders", "list", "--limit", "3")
        self.assertEqual(len(newest), 3)
        self.assertEqual(newest, sorted(newest, key=lambda row: row["createdAt"], reverse=True))

        table = shopctl("orders", "list", "--email", ana_email)
        self.assertEqual(table.returncode, 0, table.stderr)
        self.assertEqual(table.stdout.splitlines()[0].split(),
                         ["ORDERID", "REFERENCE", "STATUS", "EMAIL", "TOTALCENTS", "CURRENCY", "ITEMCOUNT", "CREATEDAT"])
        self.assertIn(second, table.stdout.splitlines()[1])

    def test_list_by_email_reads_the_email_index(self):
        client, email = Client(), email_of("index")
        order_id = buy(client, "prod-033", email)
        userstat = sql("SELECT @@GLOBAL.userstat")[0][0]
        sql("SET GLOBAL userstat = 1")
        try:
            indexes = ("orders_by_email", "orders_by_created")
            before = [index_rows_read(index) for index in indexes]
            self.assertEqual([row["orderId"] for row in shopctl_json("orders", "list", "--email", email)], [order_id])
            read = [index_rows_read(index) - was for index, was in zip(indexes, before)]
            self.assertIn(read[0], (1, 2), "the order (and the end of its range) read through orders_by_email")
            self.assertEqual(read[1], 0, "no scan of all orders")
        finally:
            sql(f"SET GLOBAL userstat = {userstat}")

    def test_bad_arguments_exit_2_and_print_nothing(self):
        for args in (["orders", "list", "--limit", "0"], ["orders", "list", "--limit", "1001"],
                     ["orders", "list", "--limit", "ten"], ["orders", "list", "--email", "not-an-address"],
                     ["orders", "list", "--status", "processed"], ["orders", "list", "--since", "2026-02-30"],
                     ["orders", "list", "--since"], ["orders", "list", "--bogus"],
                     ["orders", "show"], ["orders", "show", "order-1"], ["orders", "refund", "x", "--restock"],
                     ["orders", "cancel", "order-" + "0" * 32, "order-" + "1" * 32], ["orders", "frobnicate"],
                     ["dead-letters", "replay", "nope"], ["dead-letters", "list", "--limit", "5000"],
                     ["carts", "purge"], ["carts", "purge", "--older-than", "0"], ["queue", "stats", "extra"]):
            done = shopctl(*args)
            self.assertEqual(done.returncode, 2, (args, done.stdout, done.stderr))
            self.assertEqual(done.stdout, "", args)
            self.assertTrue(done.stderr.startswith("shopctl: "), (args, done.stderr))

    def test_an_unknown_order_is_refused_with_exit_1(self):
        unknown = "order-" + uuid.uuid4().hex
        for command in ("show", "cancel", "refund"):
            done = shopctl("orders", command, unknown)
            self.assertEqual(done.returncode, 1, (command, done.stderr))
            self.assertIn(f"no order {unknown}", done.stderr)


class OrdersShowTest(unittest.TestCase):
    def test_show_gives_the_order_its_lines_payment_and_emails(self):
        client, order_id, email = processed_order("prod-034", 3)
        shown = shopctl_json("orders", "show", order_id)
        self.assertEqual(shown["orderId"], order_id)
        self.assertEqual(shown["status"], "PROCESSED")
        self.assertEqual(shown["email"], email)
        self.assertEqual([(i["productId"], i["quantity"]) for i in shown["items"]], [("prod-034", 3)])
        self.assertEqual(shown["items"][0]["lineTotalCents"], shown["totalCents"])
        self.assertEqual(shown["payment"]["outcome"], "CHARGED")
        self.assertEqual(shown["payment"]["amountCents"], shown["totalCents"])
        self.assertIsNone(shown["payment"]["refundedAt"])
        self.assertEqual([(m["kind"], m["sentAt"] is not None) for m in shown["emails"]], [("confirmation", True)])

        text = shopctl("orders", "show", order_id)
        self.assertEqual(text.returncode, 0, text.stderr)
        for heading in ("status:", "items:", "payment:", "e-mails:", "prod-034", "CHARGED", "confirmation"):
            self.assertIn(heading, text.stdout)


class OrdersCancelTest(unittest.TestCase):
    def test_cancel_of_a_pending_order_no_worker_took_returns_its_stock(self):
        client = Client()
        with StackWorkerStopped():
            order_id = buy(client, "prod-035", email_of("cancel"), 2)
            stock = stock_of("prod-035")
            done = shopctl("--json", "orders", "cancel", order_id)
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertEqual(json.loads(done.stdout), {"orderId": order_id, "status": "CANCELLED"})
            self.assertEqual(db_status(order_id), "CANCELLED")
            self.assertEqual(stock_of("prod-035"), stock + 2, "its stock is back")
            again = shopctl("orders", "cancel", order_id)
            self.assertEqual(again.returncode, 1)
            self.assertIn("is CANCELLED", again.stderr)
            self.assertEqual(stock_of("prod-035"), stock + 2, "once")
        wait_until(queue_settled, message="the worker to drop the cancelled order's message")
        self.assertEqual(db_status(order_id), "CANCELLED", "the worker does not take it")
        self.assertEqual(sql(f"SELECT COUNT(*) FROM payments WHERE order_id = '{order_id}'"), [["0"]])

    def test_cancel_of_an_order_a_worker_took_is_refused_and_changes_nothing(self):
        client = Client()
        with StackWorkerStopped():
            order_id = buy(client, "prod-036", email_of("claimed"))
            with Worker("cancel-claimed", payment_latency_ms=3000):
                wait_until(lambda: sql(f"SELECT processing_started_at IS NOT NULL FROM orders WHERE id = '{order_id}'")
                           == [["1"]], message="the worker to take the order")
                stock = stock_of("prod-036")
                done = shopctl("orders", "cancel", order_id)
                self.assertEqual(done.returncode, 1)
                self.assertIn("a worker has taken", done.stderr)
                self.assertEqual(stock_of("prod-036"), stock)
                self.assertEqual(wait_for_status(client, order_id)["status"], "PROCESSED")


class OrdersRefundTest(unittest.TestCase):
    def test_refund_with_restock_refunds_once_and_the_worker_mails_the_shopper(self):
        client, order_id, email = processed_order("prod-037", 2)
        stock = stock_of("prod-037")
        done = shopctl("--json", "orders", "refund", order_id, "--restock")
        self.assertEqual(done.returncode, 0, done.stderr)
        answer = json.loads(done.stdout)
        self.assertEqual((answer["orderId"], answer["status"], answer["restocked"]), (order_id, "REFUNDED", True))
        self.assertRegex(answer["refundReference"], r"^sim_refund_[0-9a-f]{16}$")
        self.assertEqual(db_status(order_id), "REFUNDED")
        self.assertEqual(client.get(f"/api/orders/{order_id}").json()["status"], "REFUNDED", "the shopper sees it")
        self.assertEqual(sql(f"SELECT refund_reference, refunded_at IS NOT NULL FROM payments"
                             f" WHERE order_id = '{order_id}'"), [[answer["refundReference"], "1"]])
        self.assertEqual(stock_of("prod-037"), stock + 2, "--restock puts the goods back")

        spooled = os.path.join(VAR, "mail", f"{order_id}.refund.eml")
        wait_until(lambda: sql(f"SELECT sent_at IS NOT NULL FROM emails WHERE order_id = '{order_id}'"
                               " AND kind = 'refund'") == [["1"]], message="the worker to send the refund e-mail")
        with open(spooled) as mail:
            text = mail.read()
        self.assertIn(f"To: <{email}>", text)
        self.assertIn(f"Subject: Your order {reference(order_id)} has been refunded", text)
        self.assertIn(f"Message-ID: <{order_id}.refund@fcgi-shop>", text)
        self.assertTrue(os.path.exists(os.path.join(VAR, "mail", f"{order_id}.eml")), "the confirmation stays")

        second = shopctl("orders", "refund", order_id, "--restock")
        self.assertEqual(second.returncode, 1)
        self.assertIn("refunded already", second.stderr)
        self.assertIn(answer["refundReference"], second.stderr)
        self.assertEqual(stock_of("prod-037"), stock + 2, "a second refund changes nothing")
        self.assertEqual(sql(f"SELECT refund_reference FROM payments WHERE order_id = '{order_id}'"),
                         [[answer["refundReference"]]])
        self.assertEqual(sql(f"SELECT COUNT(*) FROM emails WHERE order_id = '{order_id}'"), [["2"]])
        shown = shopctl_json("orders", "show", order_id)
        self.assertEqual(shown["payment"]["refundReference"], answer["refundReference"])
        self.assertEqual(sorted(m["kind"] for m in shown["emails"]), ["confirmation", "refund"])

    def test_refund_without_restock_keeps_the_stock_and_only_processed_orders_are_refunded(self):
        client, order_id, _ = processed_order("prod-038")
        stock = stock_of("prod-038")
        done = shopctl("orders", "refund", order_id)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(stock_of("prod-038"), stock, "the goods stay sold without --restock")
        with StackWorkerStopped():
            pending = buy(Client(), "prod-038", email_of("pending"))
            refused = shopctl("orders", "refund", pending, "--restock")
            self.assertEqual(refused.returncode, 1)
            self.assertIn("is PENDING: only a PROCESSED order can be refunded", refused.stderr)
            self.assertEqual(db_status(pending), "PENDING")
            self.assertEqual(sql(f"SELECT COUNT(*) FROM emails WHERE order_id = '{pending}'"), [["0"]])

    def test_concurrent_refunds_exactly_one_wins(self):
        client, order_id, _ = processed_order("prod-039", 3)
        stock = stock_of("prod-039")
        results = []
        with SqlSession() as db:
            db.run("BEGIN")
            db.run(f"SELECT id FROM orders WHERE id = '{order_id}' FOR UPDATE")
            threads = [threading.Thread(target=lambda: results.append(shopctl("orders", "refund", order_id,
                                                                              "--restock")))
                       for _ in range(6)]
            for thread in threads:
                thread.start()
            # Every refund now waits for the order's row: when it is let go, they all race for it at once.
            wait_until(lambda: running("UPDATE orders SET status = ") == 6,
                       message="the six refunds to wait for the order's row")
            db.run("ROLLBACK")
            for thread in threads:
                thread.join(timeout=60)
        self.assertEqual(sorted(done.returncode for done in results), [0, 1, 1, 1, 1, 1],
                         [done.stderr for done in results])
        self.assertEqual(stock_of("prod-039"), stock + 3, "restocked once")
        self.assertEqual(sql(f"SELECT COUNT(*) FROM payments WHERE order_id = '{order_id}' AND refunded_at IS NOT NULL"),
                         [["1"]])
        self.assertEqual(sql(f"SELECT COUNT(*) FROM emails WHERE order_id = '{order_id}' AND kind = 'refund'"), [["1"]])


def failed_orders(count, product):
    """count new shoppers' orders that end FAILED with a dead letter each (the stack's worker must be stopped)."""
    clients, ids = [], []
    with Worker("doomed-ops", payment_failure_percent=100, worker_max_attempts=1):
        for _ in range(count):
            client = Client()
            ids.append(buy(client, product, email_of("dead")))
            clients.append(client)
        for client, order_id in zip(clients, ids):
            wait_for_status(client, order_id, ("FAILED",))
        wait_until(lambda: all(any(o in letter for letter in redis("LRANGE", "shop:orders:dead", "0", "-1"))
                               for o in ids), message="the dead letters")
    return clients, ids


class DeadLettersTest(unittest.TestCase):
    def setUp(self):
        redis("DEL", "shop:orders:dead")

    def tearDown(self):
        redis("DEL", "shop:orders:dead")

    def test_list_replay_one_discard_several_then_all(self):
        with Stock("prod-040", 100):
            with StackWorkerStopped():
                clients, ids = failed_orders(5, "prod-040")
                listed = shopctl_json("dead-letters", "list")
                self.assertEqual(sorted(row["orderId"] for row in listed), sorted(ids))
                self.assertTrue(all(row["error"] == "payment gateway: transient failure" for row in listed))
                self.assertEqual(len(shopctl_json("dead-letters", "list", "--limit", "2")), 2)

                replay = shopctl("dead-letters", "replay", ids[0])
                self.assertEqual(replay.returncode, 0, replay.stderr)
                self.assertIn(f"replayed {ids[0]}", replay.stdout)
                self.assertEqual(db_status(ids[0]), "PENDING")
                self.assertEqual([json.loads(m)["orderId"] for m in redis("LRANGE", "shop:orders", "0", "-1")],
                                 [ids[0]], "queued again, alone")
                self.assertEqual([db_status(o) for o in ids[1:]], ["FAILED"] * 4, "the others stay")

                stock = stock_of("prod-040")
                unknown = "order-" + uuid.uuid4().hex
                discard = shopctl("dead-letters", "discard", ids[1], ids[2], unknown)
                self.assertEqual(discard.returncode, 0, discard.stderr)
                self.assertIn(f"no dead letter for {unknown}", discard.stderr)
                self.assertEqual([db_status(o) for o in ids[1:3]], ["CANCELLED"] * 2)
                self.assertEqual(stock_of("prod-040"), stock + 2, "their stock is back")
                alone = shopctl("dead-letters", "discard", unknown)
                self.assertEqual(alone.returncode, 1, "none matched")
                self.assertEqual(sorted(row["orderId"] for row in shopctl_json("dead-letters", "list")),
                                 sorted(ids[3:]))

                rest = shopctl("dead-letters", "discard")
                self.assertEqual(rest.returncode, 0, rest.stderr)
                self.assertEqual([db_status(o) for o in ids[3:]], ["CANCELLED"] * 2)
                self.assertEqual(redis("LLEN", "shop:orders:dead"), ["0"])
                self.assertEqual(redis("--scan", "--pattern", "shop:orders:dead-processing:*"), [], "none left in hand")
            self.assertEqual(wait_for_status(clients[0], ids[0])["status"], "PROCESSED", "the replayed one")

    def test_the_workers_own_dead_letters_command_still_acts_on_all(self):
        with StackWorkerStopped():
            clients, ids = failed_orders(2, "prod-041")
            worker = subprocess.run([os.path.join(BUILD, "worker", "shop-worker"), "dead-letters", "replay"],
                                    env=dict(os.environ, SHOP_CONFIG=os.path.join(VAR, "shop.conf")),
                                    capture_output=True, text=True, timeout=60)
            self.assertEqual(worker.returncode, 0, worker.stderr)
            self.assertEqual(sorted(worker.stdout.split()), sorted(["replay", "replay"] + ids))
            self.assertIn("replay: 2 dead letter(s)", worker.stderr)
        for client, order_id in zip(clients, ids):
            self.assertEqual(wait_for_status(client, order_id)["status"], "PROCESSED")


class QueueStatsTest(unittest.TestCase):
    def test_queue_stats_match_redis_and_the_oldest_pending_order(self):
        with StackWorkerStopped():
            orders = [buy(Client(), "prod-042", email_of("stats")) for _ in range(3)]
            sql(f"UPDATE orders SET created_at = CURRENT_TIMESTAMP(3) - INTERVAL 2 HOUR WHERE id = '{orders[0]}'")
            redis("ZADD", "shop:orders:retry", "9999999999999", json.dumps({"orderId": "order-" + "a" * 32}))
            redis("LPUSH", "shop:orders:dead", "stats test letter")
            try:
                stats = shopctl_json("queue", "stats")
                processing = [key for key in redis("--scan", "--pattern", "shop:orders:processing:*")]
                self.assertEqual(stats["queued"], int(redis("LLEN", "shop:orders")[0]))
                self.assertGreaterEqual(stats["queued"], 3)
                self.assertEqual(stats["retrying"], int(redis("ZCARD", "shop:orders:retry")[0]))
                self.assertGreaterEqual(stats["retrying"], 1)
                self.assertEqual(stats["deadLetters"], int(redis("LLEN", "shop:orders:dead")[0]))
                self.assertEqual(stats["unreadableLetters"], int(redis("LLEN", "shop:orders:dead:unreadable")[0]))
                self.assertEqual(stats["processingLists"], len(processing))
                self.assertEqual(stats["processing"], sum(int(redis("LLEN", key)[0]) for key in processing))
                self.assertEqual(stats["pendingOrders"],
                                 int(sql("SELECT COUNT(*) FROM orders WHERE status = 'PENDING'")[0][0]))
                self.assertGreaterEqual(stats["oldestPendingSeconds"], 7200)
                self.assertLess(stats["oldestPendingSeconds"], 7300)
            finally:
                redis("ZREM", "shop:orders:retry", json.dumps({"orderId": "order-" + "a" * 32}))
                redis("LREM", "shop:orders:dead", "0", "stats test letter")
        wait_until(lambda: all(db_status(o) == "PROCESSED" for o in orders), message="the orders to be processed")


def cart_rows(client):
    """(carts rows, cart_items rows) of the client's shopper."""
    from shop import user_id
    uid = user_id(client)
    return (int(sql(f"SELECT COUNT(*) FROM carts WHERE user_id = '{uid}'")[0][0]),
            int(sql(f"SELECT COUNT(*) FROM cart_items WHERE user_id = '{uid}'")[0][0]))


def age_cart(client, days):
    from shop import user_id
    sql(f"UPDATE carts SET updated_at = CURRENT_TIMESTAMP(3) - INTERVAL {int(days)} DAY"
        f" WHERE user_id = '{user_id(client)}'")


class CartsPurgeTest(unittest.TestCase):
    def test_purge_removes_stale_carts_and_keeps_those_an_order_in_flight_needs(self):
        stale, busy, fresh, recent = Client(), Client(), Client(), Client()
        stale.add("prod-043", 2)
        stale.add("prod-044")
        fresh.add("prod-043")
        recent.add("prod-043")
        with StackWorkerStopped():
            busy.add("prod-045")
            order_id = buy(busy, "prod-043", email_of("busy"))
            for client, days in ((stale, 40), (busy, 40), (recent, 20)):
                age_cart(client, days)
            self.assertEqual(cart_rows(stale), (1, 2))
            done = shopctl("--json", "carts", "purge", "--older-than", "30")
            self.assertEqual(done.returncode, 0, done.stderr)
            answer = json.loads(done.stdout)
            self.assertGreaterEqual(answer["removed"], 1)
            self.assertGreaterEqual(answer["kept"], 1)
            self.assertEqual(cart_rows(stale), (0, 0), "the stale cart and its lines are gone")
            self.assertEqual(cart_rows(busy), (1, 2), "kept: its order is still pending")
            self.assertEqual(cart_rows(fresh), (1, 1))
            self.assertEqual(cart_rows(recent), (1, 1), "20 days is not older than 30")
        self.assertEqual(wait_for_status(busy, order_id)["status"], "PROCESSED")
        self.assertEqual(cart_rows(busy), (1, 0), "the worker took the ordered items out of the kept cart")
        self.assertEqual(stale.cart()["items"], [], "a purged shopper simply has an empty cart")

    def test_the_worker_expires_abandoned_carts_on_its_own(self):
        abandoned, recent = Client(), Client()
        abandoned.add("prod-046")
        recent.add("prod-046")
        age_cart(abandoned, 8)
        age_cart(recent, 3)
        with Worker("carts", cart_ttl_days=7):
            wait_until(lambda: cart_rows(abandoned) == (0, 0), message="the worker to expire the abandoned cart")
            wait_until(lambda: "event=carts_expired" in log_of("carts"), message="the worker to log it")
        self.assertEqual(cart_rows(recent), (1, 1))
        line = [line for line in log_of("carts").splitlines() if "event=carts_expired" in line][0]
        self.assertRegex(line, r"event=carts_expired carts=\d+ kept=\d+$", "counts only: no shopper in the log")


if __name__ == "__main__":
    unittest.main()
