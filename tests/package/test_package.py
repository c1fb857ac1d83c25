"""The Debian package as an operator meets it: apt-get install, shopctl setup, the site beside Debian's default one,
every unit started as its unit file says, a purchase through nginx on port 80, an upgrade, apt-get purge.

usage: python3 tests/package/test_package.py PACKAGE.deb   (as root; scripts/test runs it)

It installs the package on this machine for real, but runs in a network namespace of its own (so port 80, MariaDB's
and Redis's ports are private) and a mount namespace with a private /run (sockets, pid files) and /var/log/nginx;
MariaDB and Redis are private instances in a temporary folder. systemd is not PID 1 here: systemd-socket-activate
hands each responder its socket as a .socket unit would, and setpriv takes the unit's User and Group.
"""
import glob
import os
import pwd
import grp
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
UNITS = "/lib/systemd/system"
CONF = "/etc/fcgi-shop/shop.conf"
SECRETS = "/etc/fcgi-shop/secrets.conf"
SITE_LINK = "/etc/nginx/sites-enabled/fcgi-shop"
DEFAULT_LINK = "/etc/nginx/sites-enabled/default"
LEFTOVERS = ["/etc/fcgi-shop", "/usr/share/fcgi-shop", "/var/spool/fcgi-shop", "/var/cache/nginx/fcgi-shop",
             "/etc/nginx/sites-available/fcgi-shop", SITE_LINK, "/usr/bin/shopctl", "/usr/bin/shop-worker"]

# Prints "denied PATH" or "open PATH" for a unix socket, a file or a folder.
PROBE = """
import os, socket, stat, sys
for path in sys.argv[1:]:
    try:
        if stat.S_ISSOCK(os.stat(path).st_mode):
            socket.socket(socket.AF_UNIX).connect(path)
        elif os.path.isdir(path):
            os.listdir(path)
        else:
            open(path).read(1)
        print("open", path)
    except PermissionError:
        print("denied", path)
"""

os.environ["SHOP_URL"] = "http://127.0.0.1:80"
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
from shop import SHIPPING, Client, wait_until  # noqa: E402  (SHOP_URL first)

DEB = None


def read_text(path):
    with open(path) as f:
        return f.read()


def run(*command, **kwargs):
    kwargs.setdefault("check", True)
    return subprocess.run(command, capture_output=True, text=True, timeout=kwargs.pop("timeout", 300), **kwargs)


def installed():
    status = run("dpkg-query", "-W", "-f=${Status}", "fcgi-shop", check=False).stdout
    return "installed" in status and "not-installed" not in status


def apt(*args):
    return run("apt-get", "-y", "-q", "--no-install-recommends", *args, stdin=subprocess.DEVNULL,
               env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))


def read_unit(name, instance=""):
    """A unit file as {key: [values]} over all sections, %i replaced by instance, continuation lines joined."""
    text = read_text(os.path.join(UNITS, name)).replace("\\\n", " ")
    entries = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";", "[")):
            continue
        key, _, value = line.partition("=")
        entries.setdefault(key.strip(), []).append(value.strip().replace("%i", instance))
    return entries


def unit_environment(unit):
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
    for value in unit.get("Environment", []):
        for pair in shlex.split(value):
            key, _, val = pair.partition("=")
            env[key] = val
    return env


class Package(unittest.TestCase):
    processes = []
    folder = None
    made_default_link = False

    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.mkdtemp(prefix="fcgi-shop-package-")
        os.chmod(cls.folder, 0o755)
        cls.log_dir = os.path.join(cls.folder, "log")
        os.mkdir(cls.log_dir)
        if installed():  # left by an interrupted run
            apt("purge", "fcgi-shop")
        install = apt("install", DEB)
        with open(os.path.join(cls.log_dir, "apt.log"), "w") as log:
            log.write(install.stdout + install.stderr)
        cls.start_databases()

    @classmethod
    def spawn(cls, name, command, **kwargs):
        with open(os.path.join(cls.log_dir, f"{name}.log"), "ab") as log:
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                       start_new_session=True, **kwargs)
        cls.processes.append((name, process))
        return process

    @classmethod
    def start_databases(cls):
        """MariaDB on the default socket path, as root signs in on Debian (unix_socket); Redis on 127.0.0.1:6379."""
        data = os.path.join(cls.folder, "mysql")
        run("mariadb-install-db", "--no-defaults", f"--datadir={data}", "--user=root",
            "--auth-root-authentication-method=socket", "--skip-test-db")
        os.makedirs("/run/mysqld", mode=0o755, exist_ok=True)
        cls.spawn("mariadb", ["mariadbd", "--no-defaults", f"--datadir={data}", "--socket=/run/mysqld/mysqld.sock",
                              "--bind-address=127.0.0.1", "--port=3306", "--user=root", "--skip-log-bin"])
        os.makedirs(os.path.join(cls.folder, "redis"))
        cls.spawn("redis", ["redis-server", "--bind", "127.0.0.1", "--port", "6379", "--dir",
                            os.path.join(cls.folder, "redis"), "--save", "", "--appendonly", "yes"])
        wait_until(lambda: run("mariadb", "--no-defaults", "--socket=/run/mysqld/mysqld.sock", "-e", "SELECT 1",
                               check=False).returncode == 0, timeout=30, message="MariaDB")
        wait_until(lambda: run("redis-cli", "ping", check=False).stdout.strip() == "PONG", message="Redis")

    @classmethod
    def start_units(cls):
        """Each service the target wants, as its unit (and its .socket unit) says."""
        target = read_unit("fcgi-shop.target")
        wanted = [name for value in target["Wants"] for name in value.split() if name.endswith(".service")]
        for name in wanted:
            template, instance = re.sub(r"@[^.]+\.", "@.", name), name.split("@")[1].rsplit(".", 1)[0]
            unit = read_unit(template, instance)
            env = unit_environment(unit)
            user, group = unit["User"][0], unit["Group"][0]
            umask = int(unit.get("UMask", ["0022"])[0], 8)
            for runtime in unit.get("RuntimeDirectory", []):  # made by systemd, owned by the unit's user
                path = os.path.join("/run", runtime)
                os.makedirs(path, exist_ok=True)
                os.chmod(path, int(unit.get("RuntimeDirectoryMode", ["0755"])[0], 8))
                os.chown(path, pwd.getpwnam(user).pw_uid, grp.getgrnam(group).gr_gid)
            command = ["setpriv", f"--reuid={user}", f"--regid={group}", "--init-groups", "--no-new-privs",
                       *shlex.split(unit["ExecStart"][0])]
            socket_units = [s for s in unit.get("Requires", []) if s.endswith(".socket")]
            if socket_units:
                socket_unit = read_unit(re.sub(r"@[^.]+\.", "@.", socket_units[0]), instance)
                path = socket_unit["ListenStream"][0]
                os.makedirs(os.path.dirname(path), mode=int(socket_unit["DirectoryMode"][0], 8), exist_ok=True)
                command = ["systemd-socket-activate", "-l", path] + [f"-E{key}" for key in env if key != "PATH"] + \
                    command
                cls.spawn(name, command, env=env, preexec_fn=lambda: os.umask(umask))
                wait_until(lambda: os.path.exists(path), message=path)
                os.chown(path, pwd.getpwnam(socket_unit["SocketUser"][0]).pw_uid,
                         grp.getgrnam(socket_unit["SocketGroup"][0]).gr_gid)
                os.chmod(path, int(socket_unit["SocketMode"][0], 8))
            else:
                cls.spawn(name, command, env=env, preexec_fn=lambda: os.umask(umask))
        return wanted

    @classmethod
    def stop_all(cls):
        if os.path.exists("/run/nginx.pid"):
            run("nginx", "-s", "stop", check=False)
        for name, process in reversed(cls.processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
        cls.processes.clear()

    @classmethod
    def tearDownClass(cls):
        cls.stop_all()
        if installed():
            apt("purge", "fcgi-shop")
        if os.path.islink(SITE_LINK):
            os.unlink(SITE_LINK)
        if cls.made_default_link:
            os.unlink(DEFAULT_LINK)
        if os.environ.get("SHOP_KEEP"):
            print(f"package test folder kept: {cls.folder}", file=sys.stderr)
        else:
            shutil.rmtree(cls.folder, ignore_errors=True)

    def test_1_install_lays_out_files_user_and_a_secret(self):
        self.assertTrue(installed())
        for program in ("shopctl", "shop-worker", "shop-products", "shop-search", "shop-cart", "shop-orders", "shop-events",
                        "shop-recommendations", "shop-health", "shop-account"):
            self.assertTrue(os.access(f"/usr/bin/{program}", os.X_OK), program)
            self.assertTrue(os.path.exists(f"/usr/share/man/man8/{program}.8.gz"), f"man page of {program}")
        self.assertTrue(os.path.isfile("/usr/share/fcgi-shop/public/index.html"))
        self.assertFalse(os.path.exists("/usr/share/fcgi-shop/public/public"))
        self.assertTrue(glob.glob("/usr/share/fcgi-shop/sql/migrations/001_*.sql"))
        self.assertTrue(os.path.isfile("/etc/nginx/sites-available/fcgi-shop"))
        for unit in ("fcgi-shop-responder@.service", "fcgi-shop-responder@.socket", "fcgi-shop-worker@.service",
                     "fcgi-shop.target"):
            self.assertTrue(os.path.isfile(os.path.join(UNITS, unit)), unit)
        shop = pwd.getpwnam("fcgi-shop")
        self.assertEqual(shop.pw_shell, "/usr/sbin/nologin")
        for path in (CONF, SECRETS):
            st = os.stat(path)
            self.assertEqual((st.st_uid, grp.getgrgid(st.st_gid).gr_name, st.st_mode & 0o777),
                             (0, "fcgi-shop", 0o640), path)
        conffiles = run("dpkg-query", "-W", "-f=${Conffiles}", "fcgi-shop").stdout
        self.assertIn(CONF, conffiles)
        self.assertNotIn(SECRETS, conffiles, "made at install, never shipped: an upgrade never asks about it")
        self.assertRegex(read_text(SECRETS), r"(?m)^secret = [0-9a-f]{64}$")
        self.assertNotRegex(read_text(CONF), r"(?m)^secret =", "the conffile holds no secret")
        spool = os.stat("/var/spool/fcgi-shop/mail")
        self.assertEqual((pwd.getpwuid(spool.st_uid).pw_name, spool.st_mode & 0o777), ("fcgi-shop", 0o750))
        outbox = os.stat("/var/spool/fcgi-shop/mail/outbox")  # reset e-mails waiting for the worker's SMTP relay
        self.assertEqual((pwd.getpwuid(outbox.st_uid).pw_name, outbox.st_mode & 0o777), ("fcgi-shop", 0o750))
        self.assertEqual(pwd.getpwuid(os.stat("/var/cache/nginx/fcgi-shop").st_uid).pw_name, "www-data")

    def test_2_setup_then_the_shop_sells_on_port_80_beside_the_default_site(self):
        setup = run("shopctl", "setup", "--sample")
        self.assertIn("ready", setup.stdout)
        self.assertRegex(read_text(SECRETS), r"(?m)^db_password = [0-9a-f]{48}$")
        st = os.stat(SECRETS)
        self.assertEqual((grp.getgrgid(st.st_gid).gr_name, st.st_mode & 0o777), ("fcgi-shop", 0o640))
        again = run("shopctl", "setup")
        self.assertIn("up to date", again.stdout)

        if not os.path.exists(DEFAULT_LINK):  # Debian enables it; the point is to coexist with it
            os.symlink("/etc/nginx/sites-available/default", DEFAULT_LINK)
            type(self).made_default_link = True
        os.symlink("/etc/nginx/sites-available/fcgi-shop", SITE_LINK)
        check = run("nginx", "-t", check=False)
        self.assertEqual(check.returncode, 0, check.stderr)
        self.assertNotIn("[warn]", check.stderr)
        self.assertNotIn("[emerg]", check.stderr)
        run("nginx")
        started = self.start_units()
        self.assertIn("fcgi-shop-worker@1.service", started)

        shopper = Client()
        wait_until(lambda: shopper.get("/api/health").status == 200, timeout=20, message="the shop's health")
        home = shopper.get("/")
        self.assertEqual(home.status, 200)
        self.assertIn(b"/js/app.js", home.body, "the storefront, not nginx's welcome page")
        products = shopper.get("/api/products").json()["items"]
        self.assertTrue(products)
        product = products[0]["id"]
        self.assertEqual(shopper.post("/api/cart", {"productId": product, "quantity": 2}).status, 200)
        placed = shopper.post("/api/orders", {"shipping": SHIPPING})
        self.assertIn(placed.status, (201, 202), placed.body)
        order_id = placed.json()["orderId"]
        wait_until(lambda: shopper.get(f"/api/orders/{order_id}").json()["status"] == "PROCESSED", timeout=30,
                   message="the order to be processed by the packaged worker")
        self.assertTrue(glob.glob(f"/var/spool/fcgi-shop/mail/{order_id}*"), "its confirmation e-mail")
        # Prometheus's view from this host, summed over every responder and the worker.
        metrics = shopper.get("/metrics")
        self.assertEqual(metrics.status, 200, metrics.body[:200])
        self.assertRegex(metrics.body.decode(), r'fcgi_shop_http_requests_total\{[^}]*resource="orders"')
        self.assertRegex(metrics.body.decode(), r'(?m)^fcgi_shop_payments_total\{[^}]*\} [1-9]')
        for name in ("products.sock", "cart.sock"):
            st = os.stat(f"/run/fcgi-shop/{name}")
            self.assertEqual((grp.getgrgid(st.st_gid).gr_name, st.st_mode & 0o777), ("www-data", 0o660))
        # The processes this test started from the units (other stacks on the machine may run programs too).
        users = {name: pwd.getpwuid(os.stat(f"/proc/{process.pid}").st_uid).pw_name
                 for name, process in self.processes if name.startswith("fcgi-shop-")}
        self.assertEqual(len(users), len(started))
        self.assertEqual(set(users.values()), {"fcgi-shop"}, f"the programs run as the unit's User: {users}")

        # Another local user reaches none of it: not the responders, the configuration, the spool or the database.
        stranger = ["setpriv", "--reuid=43210", "--regid=43210", "--clear-groups", sys.executable, "-c"]
        probe = run(*stranger, PROBE, "/run/fcgi-shop/cart.sock", CONF, SECRETS, "/var/spool/fcgi-shop/mail",
                    check=False)
        self.assertEqual(probe.stdout.split("\n")[:4], ["denied /run/fcgi-shop/cart.sock", f"denied {CONF}",
                                                       f"denied {SECRETS}", "denied /var/spool/fcgi-shop/mail"],
                         probe.stderr)
        for user in ("root", "shop"):
            login = run("setpriv", "--reuid=43210", "--regid=43210", "--clear-groups", "mariadb", "--no-defaults",
                        "--socket=/run/mysqld/mysqld.sock", f"--user={user}", "-e", "SELECT 1", check=False)
            self.assertIn("Access denied", login.stderr, user)

    def test_3_an_upgrade_applies_the_new_migration(self):
        copy = os.path.join(self.folder, "source")
        files = run("git", "-C", ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard").stdout
        os.makedirs(copy)
        for name in filter(None, files.split("\0")):
            source = os.path.join(ROOT, name)
            if os.path.lexists(source):
                os.makedirs(os.path.dirname(os.path.join(copy, name)), exist_ok=True)
                shutil.copy2(source, os.path.join(copy, name), follow_symlinks=False)
        with open(os.path.join(copy, "sql", "migrations", "999_upgrade_probe.sql"), "w") as f:
            f.write("CREATE TABLE upgrade_probe (id INT PRIMARY KEY);\n")
        # The new version changes the shipped configuration: it must replace it without a question.
        with open(os.path.join(copy, "etc", "shop.conf.example"), "a") as f:
            f.write("# upgrade probe\n")
        secrets_before = read_text(SECRETS)
        changelog = os.path.join(copy, "debian", "changelog")
        old = read_text(changelog)
        with open(changelog, "w") as f:
            f.write("fcgi-shop (0.1.0+upgrade1) unstable; urgency=medium\n\n  * Upgrade test.\n\n"
                    " -- fcgi-shop developers <dev@fcgi-shop.org>  Wed, 25 Nov 2026 16:00:00 +0000\n\n" + old)
        run("git", "-C", copy, "init", "-q")
        run("git", "-C", copy, "add", "-A")
        built = run(os.path.join(copy, "scripts", "package"), "--out", os.path.join(self.folder, "upgrade"),
                    "--no-check", "--no-lintian")
        upgrade = built.stdout.strip().splitlines()[-1]
        apt("install", upgrade)
        self.assertEqual(run("dpkg-query", "-W", "-f=${Version}", "fcgi-shop").stdout, "0.1.0+upgrade1")
        tables = run("mariadb", "--no-defaults", "--socket=/run/mysqld/mysqld.sock", "shop", "-N", "-e",
                     "SHOW TABLES LIKE 'upgrade_probe'").stdout.split()
        self.assertEqual(tables, ["upgrade_probe"], "postinst ran shopctl migrate")
        self.assertIn("# upgrade probe", read_text(CONF), "the new conffile is in place, no prompt")
        self.assertEqual(read_text(SECRETS), secrets_before, "the upgrade kept the secrets")

    def test_4_purge_leaves_nothing_behind(self):
        self.stop_all()
        owned = run("dpkg", "-L", "fcgi-shop").stdout.split("\n")
        apt("purge", "fcgi-shop")
        self.assertFalse(installed())
        left = [p for p in owned + LEFTOVERS if p and ("fcgi-shop" in p or "/shop" in p) and os.path.lexists(p)]
        self.assertEqual(left, [])
        self.assertRaises(KeyError, pwd.getpwnam, "fcgi-shop")
        self.assertRaises(KeyError, grp.getgrnam, "fcgi-shop")
        check = run("nginx", "-t", check=False)
        self.assertEqual(check.returncode, 0, "nginx still starts after the purge: " + check.stderr)


def main():
    global DEB
    if len(sys.argv) != 2 or not sys.argv[1].endswith(".deb"):
        sys.exit(__doc__.split("\n\n")[1])
    if os.geteuid() != 0:
        print("package: skipped (installing a package needs root)")
        sys.exit(0)
    if not os.environ.get("SHOP_PACKAGE_NAMESPACED"):
        # Private network (port 80, 3306, 6379) and private /run and /var/log/nginx for the test's servers.
        os.execvp("unshare", ["unshare", "--net", "--mount", "--propagation", "private", "--", "env",
                              "SHOP_PACKAGE_NAMESPACED=1", sys.executable, *sys.argv])
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=0755", "tmpfs", "/run"], check=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=0755", "tmpfs", "/var/log/nginx"], check=True)
    DEB = os.path.abspath(sys.argv[1])
    sys.argv[1:] = []
    result = unittest.main(exit=False, verbosity=2).result
    failed = len(result.failures) + len(result.errors)
    print(f"package: {result.testsRun - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
