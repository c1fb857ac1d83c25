"""Orders survive faults: dead workers, Redis and MariaDB outages, duplicates, failing payments."""
import email
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import unittest

from shop import (VAR, Client, StackWorkerStopped, Worker, assert_error, checkout, db_status, order_effects,
                  queue_settled, redis, reference, service, sql, wait_for_status, wait_until)


class OrderFaultTest(unittest.TestCase):
    def test_worker_killed_during_slow_payment_order_processed_exactly_once(self):
        client = Client()
        client.add("prod-050")
        with StackWorkerStopped():
            slow = Worker("slow", payment_latency_ms=4000, worker_lease_seconds=5)
            order_id = checkout(client).json()["orderId"]
            wait_until(lambda: sql(f"SELECT processing_started_at IS NOT NULL FROM orders WHERE id = '{order_id}'")
                       == [["1"]], message="the slow worker to take the order")
            slow.kill()  # kill -9 in the middle of the payment
            self.assertEqual(order_effects(order_id), (0, 0, 0))
            self.assertEqual(db_status(order_id), "PENDING")
            with Worker("rescuer", worker_lease_seconds=2):
                order = wait_for_status(client, order_id, timeout=20)
        self.assertEqual(order["status"], "PROCESSED")
        self.assertEqual(order_effects(order_id), (1, 1, 1))

    def test_redis_down_during_checkout_orders_accepted_then_processed(self):
        clients = [Client() for _ in range(3)]
        for client in clients:
            client.add("prod-051")
        with StackWorkerStopped(), Worker("sweeper", worker_sweep_after_ms=1000, worker_sweep_interval_ms=200):
            service("stop", "redis")
            try:
                answers = [checkout(client) for client in clients]
                self.assertEqual([a.status for a in answers], [201] * 3)
                order_ids = [a.json()["orderId"] for a in answers]
                for order_id in order_ids:
                    self.assertEqual(sql(f"SELECT status, enqueue_pending FROM orders WHERE id = '{order_id}'"),
                                     [["PENDING", "1"]])
            finally:
                service("start", "redis")
            for client, order_id in zip(clients, order_ids):
                self.assertEqual(wait_for_status(client, order_id, timeout=20)["status"], "PROCESSED")
                self.assertEqual(order_effects(order_id), (1, 1, 1))
                self.assertEqual(sql(f"SELECT enqueue_pending FROM orders WHERE id = '{order_id}'"), [["0"]])

    def test_mariadb_restart_answers_503_then_recovers_without_restarting_responders(self):
        client = Client()
        client.add("prod-052")
        pids = {name: open(os.path.join(VAR, "run", f"{name}.pid")).read() for name in ("orders", "cart", "worker")}
        service("stop", "mariadb")
        try:
            assert_error(self, checkout(client), 503, "service_unavailable")
            assert_error(self, client.get("/api/orders"), 503)
            assert_error(self, client.get("/api/cart"), 503)
        finally:
            service("start", "mariadb")
        response = checkout(client)
        self.assertEqual(response.status, 201)
        self.assertEqual(wait_for_status(client, response.json()["orderId"])["status"], "PROCESSED")
        after = {name: open(os.path.join(VAR, "run", f"{name}.pid")).read() for name in pids}
        self.assertEqual(after, pids, "no process was restarted")

    def test_transient_failures_retry_then_dead_letter_and_replay(self):
        client = Client()
        client.add("prod-053")
        stock = int(sql("SELECT stock FROM products WHERE id = 'prod-053'")[0][0])
        redis("DEL", "shop:orders:dead")
        with StackWorkerStopped():
            with Worker("failing", payment_failure_percent=100, worker_max_attempts=3, worker_retry_backoff_ms=50):
                order_id = checkout(client).json()["orderId"]
                self.assertEqual(wait_for_status(client, order_id, ("FAILED",))["status"], "FAILED")
            dead = redis("LRANGE", "shop:orders:dead", "0", "-1")
            self.assertEqual(len(dead), 1)
            self.assertIn(order_id, dead[0])
            self.assertIn('"attempt":3', dead[0])
            self.assertEqual(order_effects(order_id), (0, 0, 0))
            self.assertEqual(int(sql("SELECT stock FROM products WHERE id = 'prod-053'")[0][0]), stock - 1,
                             "a FAILED order keeps its stock for a replay")
            log = open(os.path.join(VAR, "log", "worker-failing.log")).read()
            self.assertEqual(log.count("event=order_retry"), 2)
            replay = subprocess.run([os.path.join(os.environ.get("SHOP_BUILD", "build"), "worker", "shop-worker"),
                                     "dead-letters", "replay"],
                                    env=dict(os.environ, SHOP_CONFIG=os.path.join(VAR, "shop.conf")),
                                    capture_output=True, text=True, timeout=30)
            self.assertEqual(replay.returncode, 0, replay.stderr)
            self.assertIn(order_id, replay.stdout)
            self.assertEqual(redis("LLEN", "shop:orders:dead"), ["0"])
        self.assertEqual(wait_for_status(client, order_id)["status"], "PROCESSED")
        self.assertEqual(order_effects(order_id), (1, 1, 1))

    def test_duplicate_messages_charge_and_mail_once(self):
        client = Client()
        client.add("prod-054")
        with StackWorkerStopped():
            order_id = checkout(client).json()["orderId"]
            message = wait_until(lambda: (redis("LINDEX", "shop:orders", "0") or [""])[0],
                                 message="the order's message on the queue")
            self.assertIn(order_id, message)
            for _ in range(3):
                redis("LPUSH", "shop:orders", message)
            with Worker("a"), Worker("b"):
                wait_for_status(client, order_id)
                wait_until(queue_settled, message="every copy to be handled and acknowledged")
        self.assertEqual(db_status(order_id), "PROCESSED")
        self.assertEqual(order_effects(order_id), (1, 1, 1))

    def test_a_push_lost_by_redis_is_pushed_again(self):
        client = Client()
        client.add("prod-058")
        with StackWorkerStopped():
            order_id = checkout(client).json()["orderId"]
            redis("DEL", "shop:orders")  # as if Redis crashed before its append-only file reached the disk
            self.assertEqual(sql(f"SELECT enqueue_pending FROM orders WHERE id = '{order_id}'"), [["1"]])
            with Worker("sweeper", worker_sweep_after_ms=1000, worker_sweep_interval_ms=200):
                self.assertEqual(wait_for_status(client, order_id, timeout=20)["status"], "PROCESSED")
        self.assertEqual(order_effects(order_id), (1, 1, 1))

    def test_malformed_message_goes_to_dead_letters(self):
        redis("DEL", "shop:orders:dead")
        redis("LPUSH", "shop:orders", "this is not json")
        wait_until(lambda: redis("LLEN", "shop:orders:dead") == ["1"], message="the dead letter")
        self.assertIn("malformed", redis("LINDEX", "shop:orders:dead", "0")[0])
        redis("DEL", "shop:orders:dead")

    def test_several_workers_process_every_order_exactly_once(self):
        clients = [Client() for _ in range(30)]
        for client in clients:
            client.add("prod-055")
        with Worker("one"), Worker("two"):
            answers = []
            threads = [threading.Thread(target=lambda c=c: answers.append((c, checkout(c)))) for c in clients]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            self.assertEqual(sorted(a.status for _, a in answers), [201] * 30)
            for client, answer in answers:
                order_id = answer.json()["orderId"]
                self.assertEqual(wait_for_status(client, order_id)["status"], "PROCESSED")
                self.assertEqual(order_effects(order_id), (1, 1, 1))

    def test_worker_finishes_the_order_in_hand_on_sigterm(self):
        client = Client()
        client.add("prod-056")
        with StackWorkerStopped():
            slow = Worker("sigterm", payment_latency_ms=1500)
            order_id = checkout(client).json()["orderId"]
            wait_until(lambda: sql(f"SELECT processing_started_at IS NOT NULL FROM orders WHERE id = '{order_id}'")
                       == [["1"]], message="the worker to take the order")
            self.assertEqual(slow.stop(), 0)
            self.assertEqual(db_status(order_id), "PROCESSED", "it finished before exiting")
        self.assertEqual(order_effects(order_id), (1, 1, 1))

    def test_confirmation_reaches_a_real_smtp_server(self):
        scratch = tempfile.mkdtemp(prefix="shop-smtp-")
        maildir = os.path.join(scratch, "Maildir")  # must not exist yet: the handler creates it whole
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        server = subprocess.Popen(["/usr/bin/python3", "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
                                   "-c", "aiosmtpd.handlers.Mailbox", maildir],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            def listening():
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    return True
                except OSError:
                    return False
            wait_until(listening, message="the SMTP server")
            client = Client()
            client.add("prod-057")
            with StackWorkerStopped(), Worker("smtp", smtp_url=f"smtp://127.0.0.1:{port}"):
                order_id = checkout(client, email="bea@example.org").json()["orderId"]
                self.assertEqual(wait_for_status(client, order_id)["status"], "PROCESSED")
            # Only this order's: the worker also delivers other tests' confirmations that were due for a retry.
            files = [f for f in glob.glob(os.path.join(maildir, "new", "*")) if order_id in open(f, "rb").read().decode()]
            self.assertEqual(len(files), 1)
            with open(files[0], "rb") as raw:
                mail = email.message_from_bytes(raw.read())
            self.assertEqual(mail["To"], "<bea@example.org>")
            self.assertEqual(mail["Subject"], f"Your order {reference(order_id)} is confirmed")
            self.assertIn("Total:", mail.get_payload(decode=True).decode())
            self.assertEqual(order_effects(order_id)[:2], (1, 1))
            self.assertFalse(os.path.exists(os.path.join(VAR, "mail", f"{order_id}.eml")), "SMTP, not the spool")
        finally:
            server.terminate()
            server.wait()
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
