"""Another local user gets nowhere: not into MariaDB or Redis, not onto a responder socket, not into shoppers' data.

Each probe runs as an unprivileged user of its own (setpriv to a uid no account uses) on this machine, the way a
compromised service or a curious shell account would try.
"""
import glob
import os
import re
import subprocess
import unittest

from shop import ROOT, VAR

STRANGER = "43210"  # a uid and gid nobody uses: not root, not nginx's nobody


def as_stranger(*command):
    """Runs command as the stranger; returns the CompletedProcess."""
    return subprocess.run(["setpriv", f"--reuid={STRANGER}", f"--regid={STRANGER}", "--clear-groups", *command],
                          capture_output=True, text=True, timeout=30)


# Prints "connected PATH" or "refused PATH" for each unix socket path given.
CONNECT = """
import socket, sys
for path in sys.argv[1:]:
    try:
        socket.socket(socket.AF_UNIX).connect(path)
        print("connected", path)
    except PermissionError:
        print("refused", path)
"""
# Prints "read PATH" or "denied PATH" for each file or folder given.
READ = """
import os, sys
for path in sys.argv[1:]:
    try:
        os.listdir(path) if os.path.isdir(path) else open(path).read(1)
        print("read", path)
    except PermissionError:
        print("denied", path)
"""


@unittest.skipUnless(os.geteuid() == 0, "probing as another user needs root to become that user")
class PermissionsTest(unittest.TestCase):
    def test_mariadb_lets_no_other_user_in_not_even_as_root(self):
        for user in ("root", "shop", "mysql"):
            probe = as_stranger("mariadb", "--no-defaults", f"--socket={VAR}/run/mysql.sock", f"--user={user}",
                                "-e", "SELECT 1")
            self.assertNotEqual(probe.returncode, 0, f"logged in as {user}: {probe.stdout}")
            self.assertIn("Access denied", probe.stderr)

    def test_redis_refuses_another_user(self):
        probe = as_stranger("redis-cli", "-s", f"{VAR}/run/redis.sock", "PING")
        self.assertNotIn("PONG", probe.stdout)
        self.assertIn("Permission denied", probe.stdout + probe.stderr)

    def test_responder_sockets_admit_only_the_web_server(self):
        sockets = sorted(glob.glob(os.path.join(VAR, "run", "*.sock")))
        responders = [s for s in sockets if not s.endswith(("mysql.sock", "redis.sock"))]
        with open(os.path.join(ROOT, "scripts", "common.sh"), encoding="utf-8") as f:
            names = re.search(r'^SHOP_RESPONDERS="([^"]*)"', f.read(), re.M).group(1).split()
        self.assertEqual(len(responders), len(names), sockets)
        probe = as_stranger("python3", "-c", CONNECT, *responders)
        self.assertEqual(probe.stdout.split().count("refused"), len(names), probe.stdout + probe.stderr)

    def test_nothing_holding_personal_data_can_be_read(self):
        # The queue (e-mail addresses), the tables, the confirmations, the logs, the secrets.
        paths = [os.path.join(VAR, "redis"), os.path.join(VAR, "mysql"), os.path.join(VAR, "mail"),
                 os.path.join(VAR, "log"), os.path.join(VAR, "shop.conf"), os.path.join(VAR, "secret"),
                 os.path.join(VAR, "db_password")]
        probe = as_stranger("python3", "-c", READ, *paths)
        self.assertEqual([line.split()[0] for line in probe.stdout.splitlines()], ["denied"] * len(paths),
                         probe.stdout + probe.stderr)


if __name__ == "__main__":
    unittest.main()
