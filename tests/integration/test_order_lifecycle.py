"""The order lifecycle's hard cases, one defect each: each defect's test failed before lib/order owned the lifecycle.

Each reproduces its race deterministically: a row lock held by the test (SqlSession) stops the worker or a
cancel exactly where the race happens, a message is put exactly where a crash would leave it, or a service
is stopped at the moment that matters.
"""
import glob
import json
import os
import subprocess
import threading
import unittest
import uuid

from shop import (ROOT, VAR, Client, StackWorkerStopped, Worker, assert_error, checkout, db_status, order_effects,
                  queue_settled, redis, service, sql, wait_for_status, wait_until)


def log_of(worker_name):
    with open(os.path.join(VAR, "log", f"worker-{worker_name}.log")) as log:
        return log.read()


def worker_id(worker_name):
    """The id an extra worker announced in its log (its processing list is shop:orders:processing:<id>)."""
    def started():
        for line in log_of(worker_name).splitlines():
            if "event=started" in line:
                return line.split("worker=", 1)[1].split()[0]
        return None
    return wait_until(started, message=f"worker {worker_name} to start")


def running(statement_start):
    """How many connections are executing a statement starting with statement_start.

    (PROCESSLIST, not INNODB_TRX: InnoDB refreshes that view only when nobody read it for 0.1 s.)
    Used while the test holds the row the statement needs: running then means waiting for it.
    """
    return int(sql("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE COMMAND = 'Execute'"
                   f" AND INFO LIKE '{statement_start}%'")[0][0])


def deadlock_count():
    return int(sql("SHOW GLOBAL STATUS LIKE 'Innodb_deadlocks'")[0][1])


class SqlSession:
    """One open MariaDB connection (the mariadb client on a pipe) that keeps its transaction between calls."""

    def __init__(self):
        self.process = subprocess.Popen(
            ["mariadb", "--no-defaults", f"--socket={VAR}/run/mysql.sock", "--user=root", "--batch",
             "--skip-column-names", "--unbuffered", "--force", "shop"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1)
        self.marker = 0

    def run(self, statement):
        """Runs statement; returns its output lines once it has finished (after any lock wait)."""
        self.marker += 1
        self.process.stdin.write(f"{statement.rstrip(';')};\nSELECT 'done-{self.marker}';\n")
        self.process.stdin.flush()
        lines = []
        for line in self.process.stdout:
            if line.rstrip("\n") == f"done-{self.marker}":
                return lines
            lines.append(line.rstrip("\n"))
        raise AssertionError("the mariadb client ended: " + self.process.stderr.read())

    def close(self):
        self.process.stdin.close()
        self.process.wait(timeout=30)
        self.process.stdout.close()
        self.process.stderr.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def run_dead_letters(action):
    build = os.environ.get("SHOP_BUILD", os.path.join(ROOT, "build"))
    return subprocess.run([os.path.join(build, "worker", "shop-worker"), "dead-letters", action],
                          env=dict(os.environ, SHOP_CONFIG=os.path.join(VAR, "shop.conf")),
                          capture_output=True, text=True, timeout=60)


class OrderLifecycleTest(unittest.TestCase):
    def test_order_cancelled_between_the_workers_load_and_claim_is_never_charged(self):
        client = Client()
        client.add("prod-059")
        with StackWorkerStopped():
            order_id = checkout(client).json()["orderId"]
            with SqlSession() as db:
                db.run("BEGIN")
                db.run(f"SELECT id FROM orders WHERE id = '{order_id}' FOR UPDATE")
                with Worker("claim"):
                    # The worker has loaded the order (a plain read) and its claim now waits for our lock.
                    wait_until(lambda: running("UPDATE orders o JOIN JSON_TABLE") == 1,
                               message="the worker's claim to wait for the order's row")
                    # The shopper's cancel commits in that window.
                    db.run(f"UPDATE orders SET status = 'CANCELLED', enqueue_pending = 0 WHERE id = '{order_id}'"
                           " AND status = 'PENDING' AND processing_started_at IS NULL")
                    db.run("COMMIT")
                    wait_until(queue_settled, message="the worker to finish with the message")
        self.assertEqual(db_status(order_id), "CANCELLED")
        self.assertEqual(order_effects(order_id), (0, 0, 0), "a cancelled order is neither charged nor mailed")
        self.assertIn(f"event=order_not_claimed order={order_id}", log_of("claim"))

    def test_duplicate_message_in_a_second_worker_never_reaches_the_gateway(self):
        client = Client()
        client.add("prod-060")
        with StackWorkerStopped():
            order_id = checkout(client).json()["orderId"]
            message = redis("LINDEX", "shop:orders", "0")[0]
            with Worker("holder", payment_latency_ms=3000):
                wait_until(lambda: sql(f"SELECT processing_started_at IS NOT NULL FROM orders WHERE id = '{order_id}'")
                           == [["1"]], message="the first worker to take the order")
                redis("LPUSH", "shop:orders", message)  # a duplicate, while the first worker is charging
                # Any call the second worker makes to the gateway fails, and says so in its log.
                with Worker("second", payment_failure_percent=100):
                    wait_until(lambda: db_status(order_id) == "PROCESSED", message="the first worker to finish")
                    wait_until(queue_settled, message="both workers to finish")
        self.assertNotIn(f"event=payment_transient_failure order={order_id}", log_of("second"),
                         "the second worker called the gateway")
        self.assertEqual(log_of("holder").count(f"event=payment_gateway_call order={order_id}"), 1)
        self.assertIn(f"event=order_not_claimed order={order_id}", log_of("second"))
        self.assertEqual(order_effects(order_id), (1, 1, 1))

    def test_claimed_order_whose_retry_redis_lost_is_recovered_by_the_sweeper(self):
        client = Client()
        client.add("prod-061")
        with StackWorkerStopped():
            with Worker("flaky", payment_failure_percent=100, worker_retry_backoff_ms=2000):
                order_id = checkout(client).json()["orderId"]
                wait_until(lambda: redis("ZCARD", "shop:orders:retry") == ["1"], message="the retry to be scheduled")
            redis("DEL", "shop:orders:retry")  # as if Redis crashed before the retry reached its disk
            self.assertEqual(db_status(order_id), "PENDING")
            with Worker("rescuer", worker_sweep_after_ms=500, worker_sweep_interval_ms=200):
                self.assertEqual(wait_for_status(client, order_id, timeout=20)["status"], "PROCESSED")
        self.assertEqual(order_effects(order_id), (1, 1, 1))

    def test_live_worker_redrives_a_message_stuck_in_its_own_processing_list(self):
        client = Client()
        client.add("prod-062")
        with StackWorkerStopped():
            order_id = checkout(client).json()["orderId"]
            redis("LMOVE", "shop:orders", "test:parked", "RIGHT", "LEFT")
            # The sweeper would also rescue the order, but only after ten minutes.
            with Worker("live", worker_sweep_after_ms=600000):
                processing = "shop:orders:processing:" + worker_id("live")
                # Where a failed acknowledgement or reschedule leaves a message.
                redis("LMOVE", "test:parked", processing, "RIGHT", "LEFT")
                self.assertEqual(wait_for_status(client, order_id, timeout=15)["status"], "PROCESSED")
                wait_until(lambda: redis("LLEN", processing) == ["0"], message="its processing list to empty")
                self.assertIn("event=processing_redriven", log_of("live"))
        self.assertEqual(order_effects(order_id), (1, 1, 1))

    def test_confirmation_a_dead_worker_claimed_is_spooled_once_when_its_lease_ends(self):
        client = Client()
        client.add("prod-063")
        with StackWorkerStopped():
            order_id = checkout(client).json()["orderId"]
            # The spool claim of a worker that died before it wrote the file: a lease of a second.
            sql("INSERT INTO emails (order_id, kind, claimed_by, next_attempt_at) VALUES"
                f" ('{order_id}', 'confirmation', 'dead-1', CURRENT_TIMESTAMP(3) + INTERVAL 1 SECOND)")
            with Worker("heir"):
                self.assertEqual(wait_for_status(client, order_id)["status"], "PROCESSED")
                wait_until(lambda: order_effects(order_id) == (1, 1, 1),
                           message="the confirmation to go out once the claim's lease ended")
        self.assertEqual(sql(f"SELECT sent_at IS NOT NULL FROM emails WHERE order_id = '{order_id}'"), [["1"]])
        self.assertIn(f"event=mail_claimed_before order={order_id}", log_of("heir"))

    def test_smtp_confirmation_of_unknown_outcome_is_not_recorded_as_sent(self):
        client = Client()
        client.add("prod-063")
        with StackWorkerStopped():
            order_id = checkout(client).json()["orderId"]
            # The claim of a worker that died during an SMTP delivery: it may or may not have gone out.
            sql(f"INSERT INTO emails (order_id, kind, claimed_by) VALUES ('{order_id}', 'confirmation', 'dead-2')")
            with Worker("unknown", smtp_url="smtp://127.0.0.1:9"):
                self.assertEqual(wait_for_status(client, order_id)["status"], "PROCESSED")
        self.assertEqual(sql(f"SELECT sent_at IS NULL, next_attempt_at IS NULL FROM emails"
                             f" WHERE order_id = '{order_id}'"), [["1", "1"]],
                         "nobody saw it delivered: not marked sent, and not sent a second time")
        self.assertIn(f"event=mail_claimed_before order={order_id}", log_of("unknown"))

    def test_oversized_message_is_dead_lettered_and_the_order_beside_it_processed(self):
        client = Client()
        client.add("prod-064")
        redis("DEL", "shop:orders:dead")
        oversized = json.dumps({"orderId": "order-" + "0" * 32, "padding": "x" * 2000})
        with StackWorkerStopped():
            order_id = checkout(client).json()["orderId"]
            redis("LPUSH", "shop:orders", oversized)  # taken right after the order's message, in one batch
            with Worker("sizes", worker_batch_size=10):
                self.assertEqual(wait_for_status(client, order_id)["status"], "PROCESSED")
                wait_until(lambda: redis("LLEN", "shop:orders:dead") == ["1"], message="the dead letter")
                wait_until(queue_settled, message="the processing list to empty")
        self.assertEqual(redis("LINDEX", "shop:orders:dead", "0"), [oversized])
        redis("DEL", "shop:orders:dead")

    def test_failed_replay_keeps_the_dead_letter(self):
        client = Client()
        client.add("prod-066")
        redis("DEL", "shop:orders:dead")
        with StackWorkerStopped():
            with Worker("doomed", payment_failure_percent=100, worker_max_attempts=1):
                order_id = checkout(client).json()["orderId"]
                self.assertEqual(wait_for_status(client, order_id, ("FAILED",))["status"], "FAILED")
            letter = redis("LRANGE", "shop:orders:dead", "0", "-1")
            self.assertEqual(len(letter), 1)
            service("stop", "mariadb")
            try:
                replay = run_dead_letters("replay")
            finally:
                service("start", "mariadb")
            self.assertNotEqual(replay.returncode, 0)
            self.assertEqual(redis("LRANGE", "shop:orders:dead", "0", "-1"), letter, "the letter is still there")
            self.assertEqual(redis("--scan", "--pattern", "shop:orders:dead-processing:*"), [])
            self.assertEqual(redis("LLEN", "shop:orders"), ["0"], "and not on the live queue")
            self.assertEqual(json.loads(letter[0])["error"], "payment gateway: transient failure",
                             "the dead letter names the real cause")
            self.assertEqual(sql(f"SELECT last_error, enqueue_pending FROM orders WHERE id = '{order_id}'"),
                             [["payment gateway: transient failure", "0"]], "not swept again")
            replay = run_dead_letters("replay")
            self.assertEqual(replay.returncode, 0, replay.stderr)
        self.assertEqual(wait_for_status(client, order_id)["status"], "PROCESSED")
        self.assertEqual(order_effects(order_id), (1, 1, 1))

    def test_dead_letter_whose_burial_was_lost_goes_back_to_the_dead_list(self):
        client = Client()
        client.add("prod-066")
        redis("DEL", "shop:orders:dead")
        with StackWorkerStopped():
            with Worker("buried", payment_failure_percent=100, worker_max_attempts=1):
                order_id = checkout(client).json()["orderId"]
                self.assertEqual(wait_for_status(client, order_id, ("FAILED",))["status"], "FAILED")
                wait_until(lambda: redis("LLEN", "shop:orders:dead") == ["1"], message="the dead letter")
                # As if Redis lost the burial: the message is back on the live queue.
                redis("LMOVE", "shop:orders:dead", "shop:orders", "RIGHT", "LEFT")
                wait_until(lambda: redis("LLEN", "shop:orders:dead") == ["1"], message="the letter to be buried again")
                wait_until(queue_settled, message="the live queue to be empty")
        self.assertIn(order_id, redis("LINDEX", "shop:orders:dead", "0")[0])
        self.assertEqual(db_status(order_id), "FAILED")
        self.assertEqual(run_dead_letters("replay").returncode, 0)
        self.assertEqual(wait_for_status(client, order_id)["status"], "PROCESSED")

    def test_discard_never_cancels_a_charged_order_and_unreadable_letters_are_kept_aside(self):
        client = Client()
        client.add("prod-066")
        for key in ("shop:orders:dead", "shop:orders:dead:unreadable"):
            redis("DEL", key)
        with StackWorkerStopped():
            with Worker("charged", payment_failure_percent=100, worker_max_attempts=1):
                order_id = checkout(client).json()["orderId"]
                self.assertEqual(wait_for_status(client, order_id, ("FAILED",))["status"], "FAILED")
            # A charge that reached the ledger after the order was marked FAILED (a gateway slower than the claim).
            sql("INSERT INTO payments (order_id, outcome, amount_cents, currency, reference)"
                f" SELECT id, 'CHARGED', total_cents, currency, 'late' FROM orders WHERE id = '{order_id}'")
            stock = sql("SELECT stock FROM products WHERE id = 'prod-066'")
            garbage, oversized = "not an order", json.dumps({"orderId": "x", "padding": "y" * 2000})
            redis("LPUSH", "shop:orders:dead", garbage)
            redis("LPUSH", "shop:orders:dead", oversized)
            discard = run_dead_letters("discard")
            self.assertEqual(discard.returncode, 0, discard.stderr)
            self.assertEqual(db_status(order_id), "FAILED", "a charged order is not cancelled")
            self.assertEqual(sql("SELECT stock FROM products WHERE id = 'prod-066'"), stock)
            self.assertEqual(len(redis("LRANGE", "shop:orders:dead", "0", "-1")), 1, "its letter stays")
            self.assertEqual(sorted(redis("LRANGE", "shop:orders:dead:unreadable", "0", "-1")),
                             sorted([garbage, oversized]))
            self.assertEqual(run_dead_letters("replay").returncode, 0)
        self.assertEqual(wait_for_status(client, order_id)["status"], "PROCESSED", "replay finishes it")
        self.assertEqual(order_effects(order_id), (1, 1, 1), "charged once: the late charge")
        redis("DEL", "shop:orders:dead:unreadable")

    def test_cancel_that_deadlocks_is_retried_not_answered_503(self):
        client = Client()
        client.add("prod-017")
        with StackWorkerStopped():
            order_id = checkout(client).json()["orderId"]
            answers = []
            deadlocks = deadlock_count()
            with SqlSession() as db:
                db.run("CREATE TABLE IF NOT EXISTS test_ballast (n INT) ENGINE=InnoDB")
                db.run("BEGIN")
                # Many changed rows make this transaction the heavier one: InnoDB picks the cancel as the victim.
                db.run("INSERT INTO test_ballast SELECT seq FROM seq_1_to_500")
                db.run("SELECT id FROM products WHERE id = 'prod-017' FOR UPDATE")
                cancel = threading.Thread(target=lambda: answers.append(
                    client.post(f"/api/orders/{order_id}/cancel", {})))
                cancel.start()
                # The cancel holds the order's row and waits for the product's, to put its stock back.
                wait_until(lambda: running("UPDATE products p JOIN order_items") == 1,
                           message="the cancel to wait for the product's row")
                db.run(f"SELECT id FROM orders WHERE id = '{order_id}' FOR UPDATE")  # the deadlock
                db.run("ROLLBACK")
                cancel.join(timeout=30)
                db.run("DROP TABLE test_ballast")
        self.assertEqual(deadlock_count(), deadlocks + 1, "there was a deadlock")
        self.assertEqual(answers[0].status, 200, answers[0])
        self.assertEqual(answers[0].json()["status"], "CANCELLED")

    def test_paid_order_with_a_full_mail_spool_is_processed_and_mailed_later(self):
        client = Client()
        client.add("prod-065")
        spool = os.path.join(VAR, "mail-later-" + uuid.uuid4().hex[:8])
        with StackWorkerStopped():
            # A spool folder that is not there yet: every delivery fails after the charge.
            with Worker("nomail", mail_spool=spool, worker_retry_backoff_ms=100, worker_max_attempts=2):
                order_id = checkout(client).json()["orderId"]
                self.assertEqual(wait_for_status(client, order_id)["status"], "PROCESSED", "paid: never FAILED")
                self.assertEqual(order_effects(order_id)[:2], (1, 1))
                wait_until(lambda: sql(f"SELECT attempts >= 2, last_error, sent_at IS NULL FROM emails"
                                       f" WHERE order_id = '{order_id}'")[0][0] == "1",
                           message="the e-mail to be tried again")
                row = sql(f"SELECT last_error, sent_at IS NULL FROM emails WHERE order_id = '{order_id}'")[0]
                self.assertEqual(row, ["mail spool: No such file or directory", "1"])
                os.makedirs(spool)
                wait_until(lambda: sql(f"SELECT sent_at IS NOT NULL FROM emails WHERE order_id = '{order_id}'")
                           == [["1"]], message="the e-mail to go out once the spool works")
        self.assertEqual(len(glob.glob(os.path.join(spool, f"{order_id}.eml"))), 1)
        self.assertEqual(order_effects(order_id)[:2], (1, 1))

    def test_orders_accepted_while_redis_was_down_are_queued_when_it_returns(self):
        clients = [Client() for _ in range(3)]
        for client in clients:
            client.add("prod-018")
        service("stop", "redis")
        try:
            answers = [checkout(client) for client in clients]
            self.assertEqual([a.status for a in answers], [201] * 3)
            order_ids = [a.json()["orderId"] for a in answers]
            # The failed push is noted on the order: due for the sweeper at once.
            marks = [sql(f"SELECT enqueue_pending, enqueued_at < created_at FROM orders WHERE id = '{order_id}'")
                     for order_id in order_ids]
        finally:
            service("start", "redis")
        # Well inside worker_sweep_after_ms (10 s): they do not wait for the sweep delay.
        for client, order_id in zip(clients, order_ids):
            self.assertEqual(wait_for_status(client, order_id, timeout=8)["status"], "PROCESSED")
            self.assertEqual(order_effects(order_id), (1, 1, 1))
        self.assertEqual(marks, [[["1", "1"]]] * 3)
        with open(os.path.join(VAR, "log", "worker.log")) as log:
            self.assertIn("event=redis_back", log.read())

    def test_cancel_of_unknown_or_malformed_order_id_is_404(self):
        client = Client()
        for order_id in ("order-" + "0" * 32, "order-XYZ", "x" * 60):
            assert_error(self, client.post(f"/api/orders/{order_id}/cancel", {}), 404, "order_not_found")


if __name__ == "__main__":
    unittest.main()
