"""The worker handles orders in batches, and each order in a batch still ends on its own."""
import glob
import os
import unittest

from shop import (VAR, Client, StackWorkerStopped, Stock, Worker, checkout, redis, sql, user_id, wait_for_status,
                  wait_until)


def spool_files(order_id):
    return len(glob.glob(os.path.join(VAR, "mail", f"{order_id}.eml")))


def queued_orders(count, product_id):
    """count shoppers who each ordered one product_id: (clients, order ids), the orders still queued."""
    clients = [Client() for _ in range(count)]
    for client in clients:
        client.add(product_id)
    return clients, [checkout(client).json()["orderId"] for client in clients]


class OrderBatchTest(unittest.TestCase):
    def test_one_batch_of_mixed_messages_ends_each_order_on_its_own(self):
        repeat, buyer, decliner = Client(), Client(), Client()
        with StackWorkerStopped(), Stock("prod-061", 50), Stock("prod-062", 50):
            # The same shopper orders twice before either is processed: the cart holds
            # 1, then 4, then 6; the orders take 1 and 4 of them, so 1 must stay.
            repeat.add("prod-061", 1)
            first = checkout(repeat).json()["orderId"]
            repeat.add("prod-061", 3)
            second = checkout(repeat).json()["orderId"]
            repeat.add("prod-061", 2)
            buyer.add("prod-062", 2)
            third = checkout(buyer).json()["orderId"]
            decliner.add("prod-062", 5)
            declined = checkout(decliner, email="card+decline@example.com").json()["orderId"]
            stock_before = sql("SELECT stock FROM products WHERE id = 'prod-062'")[0][0]
            message = [m for m in redis("LRANGE", "shop:orders", "0", "-1") if first in m][0]
            redis("LPUSH", "shop:orders", message)  # a duplicate of the first order's message
            redis("DEL", "shop:orders:dead")
            redis("LPUSH", "shop:orders", "not json at all")
            self.assertEqual(redis("LLEN", "shop:orders"), ["6"])

            with Worker("batch"):
                for client, order_id in ((repeat, first), (repeat, second), (buyer, third)):
                    self.assertEqual(wait_for_status(client, order_id)["status"], "PROCESSED")
                self.assertEqual(wait_for_status(decliner, declined)["status"], "PAYMENT_FAILED")
                wait_until(lambda: redis("LLEN", "shop:orders") == ["0"], message="the queue to drain")
                wait_until(lambda: redis("LLEN", "shop:orders:dead") == ["1"], message="the dead letter")

            processed = [first, second, third]
            # One final transaction made all three PROCESSED: one batch, one statement time.
            times = sql("SELECT DISTINCT updated_at FROM orders WHERE id IN ('%s')" % "','".join(processed))
            self.assertEqual(len(times), 1, times)
            for order_id in processed:
                self.assertEqual(sql(f"SELECT COUNT(*) FROM payments WHERE order_id = '{order_id}'"), [["1"]])
                self.assertEqual(sql(f"SELECT COUNT(*) FROM emails WHERE order_id = '{order_id}'"
                                     " AND sent_at IS NOT NULL"), [["1"]])
                self.assertEqual(spool_files(order_id), 1)
            self.assertEqual(repeat.cart()["items"][0]["quantity"], 1)
            self.assertEqual(buyer.cart()["items"], [])
            purchases = sql("SELECT user_id, product_id, COUNT(*) FROM interactions WHERE event_type = 'purchase'"
                            f" AND user_id IN ('{user_id(repeat)}', '{user_id(buyer)}', '{user_id(decliner)}')"
                            " GROUP BY user_id, product_id ORDER BY COUNT(*)")
            self.assertEqual([row[1:] for row in purchases], [["prod-062", "1"], ["prod-061", "2"]])

            # The declined card: charged never, confirmed never (its own e-mail says so), its stock back, its cart kept.
            self.assertEqual(sql(f"SELECT outcome FROM payments WHERE order_id = '{declined}'"), [["DECLINED"]])
            self.assertEqual(sql(f"SELECT kind FROM emails WHERE order_id = '{declined}'"), [["payment_failed"]])
            self.assertEqual(spool_files(declined), 0)
            self.assertEqual(int(sql("SELECT stock FROM products WHERE id = 'prod-062'")[0][0]),
                             int(stock_before) + 5)
            self.assertEqual(decliner.cart()["items"][0]["quantity"], 5)
            self.assertIn("not json at all", redis("LRANGE", "shop:orders:dead", "0", "-1")[0])

    def test_a_batch_size_of_one_still_processes_every_order(self):
        with StackWorkerStopped():
            clients, order_ids = queued_orders(3, "prod-063")
            with Worker("single", worker_batch_size=1):
                for client, order_id in zip(clients, order_ids):
                    self.assertEqual(wait_for_status(client, order_id)["status"], "PROCESSED")
        times = sql("SELECT DISTINCT updated_at FROM orders WHERE id IN ('%s')" % "','".join(order_ids))
        self.assertEqual(len(times), 3, "one order per batch: three final transactions")


    def test_a_long_batch_keeps_its_lease_so_no_other_worker_takes_its_orders(self):
        with StackWorkerStopped():
            clients, order_ids = queued_orders(5, "prod-064")
            # Five charges of 0.7 s in one batch: 3.5 s, well past a 2 s lease.
            with Worker("long", payment_latency_ms=700, worker_lease_seconds=2) as slow:
                wait_until(lambda: redis("LLEN", "shop:orders") == ["0"], message="the batch to be taken")
                with Worker("watcher", worker_lease_seconds=2) as watcher:
                    for client, order_id in zip(clients, order_ids):
                        self.assertEqual(wait_for_status(client, order_id, timeout=20)["status"], "PROCESSED")
        with open(os.path.join(VAR, "log", "worker-watcher.log")) as log:
            self.assertNotIn("orphans_recovered", log.read())
        for order_id in order_ids:
            self.assertEqual(sql(f"SELECT COUNT(*) FROM payments WHERE order_id = '{order_id}'"), [["1"]])
        self.assertEqual((slow.process.returncode, watcher.process.returncode), (0, 0))

if __name__ == "__main__":
    unittest.main()
