"""Password reset e-mails with smtp_url set: the account responder leaves them in the outbox, the worker relays each
by SMTP exactly once, keeps it while the server is away, and two workers never send one file twice."""
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest
import uuid

import shop
from shop import VAR, ROOT, Client, StackWorkerStopped, Worker, wait_until

OUTBOX = os.path.join(VAR, "mail", "outbox")
PASSWORD = "plum-orchard-lantern"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpSink:
    """An aiosmtpd server that stores what it accepts in a Maildir; start() and stop() as often as a test needs."""

    def __init__(self, port):
        self.port, self.scratch, self.server = port, tempfile.mkdtemp(prefix="shop-relay-"), None
        self.maildir = os.path.join(self.scratch, "Maildir")  # must not exist yet: the handler creates it whole

    def start(self):
        self.server = subprocess.Popen(["/usr/bin/python3", "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{self.port}",
                                        "-c", "aiosmtpd.handlers.Mailbox", self.maildir],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def listening():
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return True
            except OSError:
                return False
        wait_until(listening, message="the SMTP server")

    def stop(self):
        if self.server is not None:
            self.server.terminate()
            self.server.wait()
            self.server = None

    def messages_to(self, address):
        found = []
        for path in glob.glob(os.path.join(self.maildir, "new", "*")):
            with open(path, encoding="utf-8") as f:
                text = f.read()
            if f"To: <{address.lower()}>" in text:
                found.append(text)
        return found

    def close(self):
        self.stop()
        shutil.rmtree(self.scratch, ignore_errors=True)


def restart_account_responder(**settings):
    """Starts the account responder again with settings (SHOP_* variables) on top of the stack's configuration."""
    env = dict(os.environ, SHOP_VAR=VAR, SHOP_PORT=str(shop._host.port))
    env.update({f"SHOP_{key.upper()}": str(value) for key, value in settings.items()})
    scripts = os.path.join(ROOT, "scripts", "stack")
    subprocess.run([scripts, "stop-service", "account"], check=True, env=env, stdout=subprocess.DEVNULL)
    subprocess.run([scripts, "start-service", "account"], check=True, env=env, stdout=subprocess.DEVNULL)


def outbox_files():
    """Every message file anywhere under the outbox (waiting, being sent, failed)."""
    return [p for p in glob.glob(os.path.join(OUTBOX, "**", "*.eml"), recursive=True)]


def request_reset(client):
    address = f"relay-{uuid.uuid4().hex[:12]}@example.com"
    response = client.post("/api/account", {"email": address, "password": PASSWORD, "name": "Ana Lima"})
    assert response.status == 201, response
    response = Client().post("/api/account/password-reset", {"email": address})
    assert response.status == 202, response
    return address


def write_outbox_message(address, name):
    """A finished message as the responder leaves it: a dot-named temporary file renamed into the outbox."""
    os.makedirs(OUTBOX, mode=0o750, exist_ok=True)
    temporary = os.path.join(OUTBOX, f".{name}.tmp")
    with open(temporary, "w", encoding="utf-8") as f:
        f.write(f"From: shop <shop@example.org>\r\nTo: <{address}>\r\nSubject: test\r\n\r\nbody {name}\r\n")
    os.rename(temporary, os.path.join(OUTBOX, name))


class ResetMailRelayTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sink = SmtpSink(free_port())
        cls.smtp_url = f"smtp://127.0.0.1:{cls.sink.port}"
        restart_account_responder(smtp_url=cls.smtp_url)

    @classmethod
    def tearDownClass(cls):
        restart_account_responder()
        cls.sink.close()

    def tearDown(self):
        self.sink.stop()

    def test_reset_mail_reaches_smtp_exactly_once_and_leaves_nothing_behind(self):
        self.sink.start()
        with StackWorkerStopped(), Worker("relay", smtp_url=self.smtp_url):
            address = request_reset(Client())
            wait_until(lambda: self.sink.messages_to(address), message="the reset e-mail at the SMTP server")
            time.sleep(2.5)  # two more relay rounds: nothing is sent again
            messages = self.sink.messages_to(address)
        self.assertEqual(len(messages), 1)
        self.assertIn("Subject: Reset your password", messages[0])
        self.assertRegex(messages[0], r"/reset-password#token=[0-9a-f]{32,}")
        self.assertEqual(outbox_files(), [])
        spooled = [p for p in glob.glob(os.path.join(VAR, "mail", "reset-*.eml"))
                   if address in open(p, encoding="utf-8").read()]
        self.assertEqual(spooled, [], "SMTP, not the spool")

    def test_reset_mail_waits_in_the_outbox_while_smtp_is_down(self):
        with StackWorkerStopped(), Worker("relay-down", smtp_url=self.smtp_url):
            address = request_reset(Client())
            wait_until(outbox_files, message="the reset e-mail in the outbox")
            time.sleep(2.5)  # relay rounds that find the server away
            self.assertEqual(len(outbox_files()), 1, "kept for the next round")
            self.assertEqual(glob.glob(os.path.join(OUTBOX, "failed", "*")), [])
            self.sink.start()
            wait_until(lambda: self.sink.messages_to(address), message="the reset e-mail once SMTP is back")
            wait_until(lambda: outbox_files() == [], message="the outbox to empty")
            time.sleep(1.5)
        self.assertEqual(len(self.sink.messages_to(address)), 1)

    def test_two_workers_never_send_one_file_twice(self):
        self.sink.start()
        addresses = [f"pair-{uuid.uuid4().hex[:10]}@example.com" for _ in range(100)]
        tag = uuid.uuid4().hex[:6]
        with StackWorkerStopped(), Worker("relay-a", smtp_url=self.smtp_url), \
                Worker("relay-b", smtp_url=self.smtp_url):
            time.sleep(1)  # both running and polling
            for i, address in enumerate(addresses):
                write_outbox_message(address, f"pair-{tag}-{i:03d}.eml")
            wait_until(lambda: outbox_files() == [], timeout=30, message="the outbox to empty")
            time.sleep(1.5)
        self.assertEqual([len(self.sink.messages_to(a)) for a in addresses], [1] * len(addresses))
        for name in ("relay-a", "relay-b"):  # both took part: the claims really contended
            with open(os.path.join(VAR, "log", f"worker-{name}.log"), encoding="utf-8") as log:
                self.assertIn(f"file=pair-{tag}-", log.read(), name)

    def test_claims_of_a_dead_worker_are_sent_later(self):
        self.sink.start()
        address = f"orphan-{uuid.uuid4().hex[:10]}@example.com"
        dead = os.path.join(OUTBOX, "sending.gone-host-1-deadbeef")  # no lease in Redis: its worker is gone
        write_outbox_message(address, "orphan.eml")
        os.makedirs(dead, mode=0o750, exist_ok=True)
        os.rename(os.path.join(OUTBOX, "orphan.eml"), os.path.join(dead, "orphan.eml"))  # claimed just now
        with StackWorkerStopped(), Worker("relay-orphan", smtp_url=self.smtp_url):
            time.sleep(3)
            self.assertEqual(self.sink.messages_to(address), [], "a fresh claim is left to its worker")
            wait_until(lambda: self.sink.messages_to(address), timeout=45, message="the recovered claim sent")
            wait_until(lambda: not os.path.exists(dead), message="the dead worker's folder removed")
        self.assertEqual(len(self.sink.messages_to(address)), 1)
        self.assertEqual(outbox_files(), [])

    def test_message_without_valid_recipient_is_moved_to_failed(self):
        self.sink.start()
        with StackWorkerStopped(), Worker("relay-bad", smtp_url=self.smtp_url):
            write_outbox_message("not an address", "bad-recipient.eml")
            failed = os.path.join(OUTBOX, "failed", "bad-recipient.eml")
            wait_until(lambda: os.path.exists(failed), message="the unsendable file in failed/")
        os.unlink(failed)
        self.assertEqual(outbox_files(), [])


if __name__ == "__main__":
    unittest.main()
