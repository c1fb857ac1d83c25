"""A responder runs under systemd as the units in systemd/ say: its socket handed over, READY=1 sent, units hardened.

PID 1 here is not systemd, so systemd-socket-activate hands the socket over (LISTEN_FDS, as a .socket unit does)
and a datagram socket of the test stands in for systemd's NOTIFY_SOCKET.
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import unittest

from shop import ROOT, VAR, fresh, get, process_alive, service, wait_until

MAX_EXPOSURE = 2.0  # systemd-analyze security: "OK" is below 4.0, lower is better


class SocketActivationTest(unittest.TestCase):
    def test_responder_takes_its_socket_from_systemd_and_says_ready(self):
        build = os.environ.get("SHOP_BUILD", os.path.join(ROOT, "build"))
        path = os.path.join(VAR, "run", "products.sock")
        notify_path = os.path.join(VAR, "run", "notify.sock")
        notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        notify.bind(notify_path)
        notify.settimeout(10)
        service("stop", "products")
        env = dict(os.environ, SHOP_CONFIG=os.path.join(VAR, "shop.conf"), NOTIFY_SOCKET=notify_path)
        log = open(os.path.join(VAR, "log", "products-activated.log"), "ab")
        activator = subprocess.Popen(["systemd-socket-activate", "-l", path, "-E", "SHOP_CONFIG", "-E", "NOTIFY_SOCKET",
                                      os.path.join(build, "fcgi-apps", "shop-products")],
                                     env=env, stdout=log, stderr=log, start_new_session=True)
        try:
            wait_until(lambda: os.path.exists(path), message="the socket systemd-socket-activate listens on")
            os.chmod(path, 0o666)  # as the .socket unit's SocketMode does for nginx's group
            # The first connection starts the responder on the inherited socket; nginx's request is served.
            self.assertEqual(get(fresh("/api/products/prod-001")).status, 200)
            self.assertEqual(notify.recv(64), b"READY=1")
        finally:
            activator.send_signal(signal.SIGTERM)  # the responder itself: systemd-socket-activate execs it
            activator.wait(timeout=10)
            log.close()
            notify.close()
            os.unlink(notify_path)
            if os.path.exists(path):
                os.unlink(path)
            service("start", "products")
        self.assertFalse(process_alive(activator.pid))
        with open(os.path.join(VAR, "log", "products-activated.log")) as output:
            self.assertIn("event=stopped", output.read(), "it stopped cleanly on SIGTERM")

    def test_units_are_hardened(self):
        scratch = tempfile.mkdtemp(prefix="shop-units-")
        try:
            for template, instance in (("fcgi-shop-responder@.service", "fcgi-shop-responder@products.service"),
                                       ("fcgi-shop-worker@.service", "fcgi-shop-worker@1.service")):
                shutil.copy(os.path.join(ROOT, "systemd", template), os.path.join(scratch, instance))
                report = subprocess.run(["systemd-analyze", "security", "--offline=true", "--no-pager", instance],
                                        cwd=scratch, capture_output=True, text=True, timeout=60)
                exposure = re.search(r"Overall exposure level for \S+: ([0-9.]+)", report.stdout)
                self.assertIsNotNone(exposure, report.stdout + report.stderr)
                self.assertLessEqual(float(exposure.group(1)), MAX_EXPOSURE, f"{instance}: {exposure.group(0)}")
        finally:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
