"""shopctl setup, migrate, backup and restore, against the stack's MariaDB as an operator would run them.

Each test works on a database and user of its own (shop_ctl_*), made by shopctl itself, and drops them at the end;
the stack's own database is only read (backed up).
"""
import glob
import os
import shutil
import stat
import subprocess
import tempfile
import unittest

from shop import ROOT, VAR, Client, ScratchProducts, StackWorkerStopped, Worker, checkout, sql, wait_until

BUILD = os.environ.get("SHOP_BUILD", os.path.join(ROOT, "build"))
SHOPCTL = os.path.join(BUILD, "shopctl", "shopctl")
SOCKET = os.path.join(VAR, "run", "mysql.sock")


def shopctl(config, *args, sql_dir=os.path.join(ROOT, "sql")):
    """Runs shopctl with config; returns the CompletedProcess."""
    return subprocess.run([SHOPCTL, "--config", config, "--sql-dir", sql_dir, *args], capture_output=True, text=True,
                          timeout=120, env={k: v for k, v in os.environ.items() if not k.startswith("SHOP_DB")})


def conf_value(path, key):
    for line in open(path):
        name, _, value = line.partition("=")
        if name.strip() == key:
            return value.strip()
    return None


class Scratch:
    """A config file naming a database and user of their own on the stack's MariaDB; both dropped on exit."""

    def __init__(self, name, password="", **extra):
        self.name = name
        self.folder = tempfile.mkdtemp(prefix="shopctl-")
        self.config = os.path.join(self.folder, "shop.conf")
        lines = [f"# {name}", f"db_socket = {SOCKET}", f"db_name = {name}", f"db_user = {name}",
                 f"db_password = {password}", "secret = " + "ab" * 32, f"queue_name = test:{name}:orders",
                 f"mail_spool = {self.folder}/mail"]
        lines += [f"{key} = {value}" for key, value in extra.items()]
        with open(self.config, "w") as f:
            f.write("\n".join(lines) + "\n")
        os.chmod(self.config, 0o640)
        os.mkdir(os.path.join(self.folder, "mail"))

    def sql(self, statement):
        return sql(statement.replace("{db}", self.name))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        sql(f"DROP DATABASE IF EXISTS {self.name}; DROP USER IF EXISTS '{self.name}'@'localhost'")
        shutil.rmtree(self.folder)


def can_sign_in(config):
    name, password = conf_value(config, "db_user"), conf_value(config, "db_password")
    probe = subprocess.run(["mariadb", "--no-defaults", f"--socket={SOCKET}", f"--user={name}", name, "-e",
                            "SELECT COUNT(*) FROM products"], capture_output=True, text=True,
                           env=dict(os.environ, MYSQL_PWD=password))
    return probe.returncode == 0


class SetupTest(unittest.TestCase):
    def test_setup_creates_the_database_and_a_user_whose_new_password_lands_in_the_config(self):
        with Scratch("shop_ctl_setup") as scratch:
            done = shopctl(scratch.config, "setup", "--admin-socket", SOCKET)
            self.assertEqual(done.returncode, 0, done.stderr)
            password = conf_value(scratch.config, "db_password")
            self.assertRegex(password, r"^[0-9a-f]{48}$")
            self.assertEqual(stat.S_IMODE(os.stat(scratch.config).st_mode), 0o640, "the file keeps its mode")
            self.assertIn("# shop_ctl_setup", open(scratch.config).read(), "the rest of the file is kept")
            self.assertTrue(can_sign_in(scratch.config))
            versions = [row[0] for row in scratch.sql("SELECT version FROM {db}.schema_migrations ORDER BY 1")]
            migrations = sorted(os.path.basename(f)[:-4] for f in glob.glob(os.path.join(ROOT, "sql", "migrations",
                                                                                          "*.sql")))
            self.assertEqual(versions, migrations)
            self.assertEqual(scratch.sql("SELECT COUNT(*) FROM {db}.products"), [["0"]], "no sample without --sample")

            again = shopctl(scratch.config, "setup", "--admin-socket", SOCKET)
            self.assertEqual(again.returncode, 0, again.stderr)
            self.assertIn("up to date", again.stdout)
            self.assertEqual(conf_value(scratch.config, "db_password"), password, "a rerun keeps the password")
            self.assertTrue(can_sign_in(scratch.config))

    def test_setup_gives_the_user_the_password_the_config_names(self):
        with Scratch("shop_ctl_named", password="an-operator's-choice") as scratch:
            self.assertEqual(shopctl(scratch.config, "setup", "--admin-socket", SOCKET).returncode, 0)
            self.assertEqual(conf_value(scratch.config, "db_password"), "an-operator's-choice")
            self.assertTrue(can_sign_in(scratch.config))

    def test_setup_writes_the_password_into_the_secrets_file_the_config_names(self):
        with Scratch("shop_ctl_secrets", password="") as scratch:
            secrets = os.path.join(scratch.folder, "secrets.conf")
            with open(secrets, "w") as f:
                f.write("secret = " + "cd" * 32 + "\n")
            os.chmod(secrets, 0o640)
            with open(scratch.config, "a") as f:
                f.write(f"secrets_file = {secrets}\n")
            done = shopctl(scratch.config, "setup", "--admin-socket", SOCKET)
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertRegex(conf_value(secrets, "db_password"), r"^[0-9a-f]{48}$")
            self.assertEqual(conf_value(scratch.config, "db_password"), "", "the main file is left alone")
            self.assertEqual(stat.S_IMODE(os.stat(secrets).st_mode), 0o640)

    def test_setup_refuses_a_file_that_sets_the_password_twice(self):
        with Scratch("shop_ctl_twice", password="") as scratch:
            with open(scratch.config, "a") as f:
                f.write("db_password =\n")
            refused = shopctl(scratch.config, "setup", "--admin-socket", SOCKET)
            self.assertEqual(refused.returncode, 1)
            self.assertIn("more than once", refused.stderr)
            self.assertEqual(sql("SELECT COUNT(*) FROM mysql.user WHERE user = 'shop_ctl_twice'"), [["0"]])

    def test_setup_refuses_names_that_are_not_plain_identifiers(self):
        with Scratch("shop_ctl_bad", db_name="shop`; DROP DATABASE shop; --") as scratch:
            refused = shopctl(scratch.config, "setup", "--admin-socket", SOCKET)
            self.assertEqual(refused.returncode, 1)
            self.assertIn("db_name and db_user", refused.stderr)
            self.assertEqual(conf_value(scratch.config, "db_password"), "", "nothing written")
        self.assertEqual(sql("SELECT COUNT(*) > 0 FROM products"), [["1"]])

    def test_setup_without_the_admin_socket_says_how_to_run_it(self):
        with Scratch("shop_ctl_nosocket") as scratch:
            refused = shopctl(scratch.config, "setup", "--admin-socket", os.path.join(scratch.folder, "none.sock"))
            self.assertEqual(refused.returncode, 1)
            self.assertIn("runs as root on the database host", refused.stderr)

    def test_usage_errors_exit_2(self):
        with Scratch("shop_ctl_usage") as scratch:
            self.assertEqual(shopctl(scratch.config, "setup", "--bogus").returncode, 2)
            self.assertEqual(shopctl(scratch.config, "frobnicate").returncode, 2)
            self.assertEqual(shopctl(scratch.config, "backup").returncode, 2)


class MigrateTest(unittest.TestCase):
    def test_an_upgrade_applies_only_the_new_migration_once(self):
        with Scratch("shop_ctl_migrate") as scratch:
            self.assertEqual(shopctl(scratch.config, "setup", "--admin-socket", SOCKET).returncode, 0)
            sql_dir = os.path.join(scratch.folder, "sql")
            shutil.copytree(os.path.join(ROOT, "sql"), sql_dir)
            with open(os.path.join(sql_dir, "migrations", "999_upgrade_test.sql"), "w") as f:
                f.write("CREATE TABLE upgrade_test (id INT PRIMARY KEY);\nINSERT INTO upgrade_test VALUES (1);\n")
            first = shopctl(scratch.config, "migrate", sql_dir=sql_dir)
            self.assertEqual(first.returncode, 0, first.stderr)
            self.assertEqual(first.stdout.strip(), "migrate: applied 999_upgrade_test")
            second = shopctl(scratch.config, "migrate", sql_dir=sql_dir)
            self.assertEqual(second.returncode, 0, second.stderr)
            self.assertEqual(scratch.sql("SELECT COUNT(*) FROM {db}.upgrade_test"), [["1"]])

    def test_a_broken_migration_stops_and_is_not_recorded(self):
        with Scratch("shop_ctl_broken") as scratch:
            self.assertEqual(shopctl(scratch.config, "setup", "--admin-socket", SOCKET).returncode, 0)
            sql_dir = os.path.join(scratch.folder, "sql")
            shutil.copytree(os.path.join(ROOT, "sql"), sql_dir)
            with open(os.path.join(sql_dir, "migrations", "998_broken.sql"), "w") as f:
                f.write("CREATE TABLE ok_part (id INT);\nTHIS IS NOT SQL;\n")
            broken = shopctl(scratch.config, "migrate", sql_dir=sql_dir)
            self.assertEqual(broken.returncode, 1)
            self.assertIn("998_broken", broken.stderr)
            self.assertEqual(scratch.sql("SELECT COUNT(*) FROM {db}.schema_migrations WHERE version = '998_broken'"),
                             [["0"]])


class BackupRestoreTest(unittest.TestCase):
    def test_a_restore_brings_every_order_back_and_processes_the_pending_ones_once(self):
        folder = tempfile.mkdtemp(prefix="shopctl-backup-")
        backup = os.path.join(folder, "shop.sql")
        try:
            with ScratchProducts("ctl", 1, 10) as (product,):
                self.restore_check(backup, product)
        finally:
            shutil.rmtree(folder)

    def restore_check(self, backup, product):
        stack_config = os.path.join(VAR, "shop.conf")
        shopper = Client()
        shopper.add(product)
        first = checkout(shopper).json()["orderId"]
        with StackWorkerStopped():
            pending = []
            for _ in range(2):
                shopper.add(product)
                pending.append(checkout(shopper).json()["orderId"])
            done = shopctl(stack_config, "backup", backup)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(stat.S_IMODE(os.stat(backup).st_mode), 0o600, "a backup holds personal data")
        self.assertEqual(glob.glob(backup + ".partial*"), [])
        orders = int(sql("SELECT COUNT(*) FROM orders")[0][0])

        with Scratch("shop_ctl_restore") as scratch:
            self.assertEqual(shopctl(scratch.config, "setup", "--admin-socket", SOCKET).returncode, 0)
            restored = shopctl(scratch.config, "restore", backup)
            self.assertEqual(restored.returncode, 0, restored.stderr)
            self.assertEqual(int(scratch.sql("SELECT COUNT(*) FROM {db}.orders")[0][0]), orders)
            self.assertIn(first, [r[0] for r in scratch.sql("SELECT id FROM {db}.orders")])
            ids = "','".join(pending)
            self.assertEqual(scratch.sql(f"SELECT COUNT(*) FROM {{db}}.orders WHERE id IN ('{ids}')"
                                         " AND status = 'PENDING'"), [["2"]])
            # A worker on the restored database (its own queue, empty like a new Redis) finds them.
            with Worker("restore", db_name=scratch.name, db_user=scratch.name,
                        db_password=conf_value(scratch.config, "db_password"),
                        queue_name=f"test:{scratch.name}:orders", mail_spool=os.path.join(scratch.folder, "mail")):
                wait_until(lambda: scratch.sql(f"SELECT COUNT(*) FROM {{db}}.orders WHERE id IN ('{ids}')"
                                               " AND status = 'PROCESSED'") == [["2"]], timeout=20,
                           message="the restored pending orders to be processed")
            for order_id in pending:
                self.assertEqual(scratch.sql(f"SELECT COUNT(*) FROM {{db}}.payments WHERE order_id = '{order_id}'"),
                                 [["1"]], "charged once")
                self.assertEqual(scratch.sql(f"SELECT COUNT(*) FROM {{db}}.emails WHERE order_id = '{order_id}'"),
                                 [["1"]], "mailed once")

    def test_a_backup_from_before_a_migration_restores_and_migrates_again(self):
        with Scratch("shop_ctl_older") as scratch:
            self.assertEqual(shopctl(scratch.config, "setup", "--admin-socket", SOCKET, "--sample").returncode, 0)
            backup = os.path.join(scratch.folder, "before.sql")
            self.assertEqual(shopctl(scratch.config, "backup", backup).returncode, 0)
            sql_dir = os.path.join(scratch.folder, "sql")
            shutil.copytree(os.path.join(ROOT, "sql"), sql_dir)
            with open(os.path.join(sql_dir, "migrations", "999_newer.sql"), "w") as f:
                f.write("CREATE TABLE newer (id INT PRIMARY KEY);\n")
            self.assertEqual(shopctl(scratch.config, "migrate", sql_dir=sql_dir).returncode, 0)
            scratch.sql("INSERT INTO {db}.newer VALUES (7); DELETE FROM {db}.products WHERE id = 'prod-001'")
            restored = shopctl(scratch.config, "restore", backup, sql_dir=sql_dir)
            self.assertEqual(restored.returncode, 0, restored.stderr)
            self.assertIn("applied 999_newer", restored.stdout)
            self.assertEqual(scratch.sql("SELECT COUNT(*) FROM {db}.newer"), [["0"]], "made again, empty")
            self.assertEqual(scratch.sql("SELECT COUNT(*) FROM {db}.products WHERE id = 'prod-001'"), [["1"]])
            self.assertEqual(shopctl(scratch.config, "migrate", sql_dir=sql_dir).returncode, 0, "migrate works after")

    def test_restore_refuses_a_file_that_is_not_a_whole_backup(self):
        folder = tempfile.mkdtemp(prefix="shopctl-backup-")
        try:
            backup = os.path.join(folder, "shop.sql")
            self.assertEqual(shopctl(os.path.join(VAR, "shop.conf"), "backup", backup).returncode, 0)
            text = open(backup).read()
            cut = os.path.join(folder, "cut.sql")
            open(cut, "w").write(text[: len(text) // 2])
            other = os.path.join(folder, "other.sql")
            open(other, "w").write("DROP TABLE products;\n-- Dump completed\n")
            with Scratch("shop_ctl_refuse") as scratch:
                self.assertEqual(shopctl(scratch.config, "setup", "--admin-socket", SOCKET).returncode, 0)
                for path, reason in ((cut, "cut short"), (other, "not a backup"),
                                     (os.path.join(folder, "missing.sql"), "cannot read")):
                    refused = shopctl(scratch.config, "restore", path)
                    self.assertEqual(refused.returncode, 1, path)
                    self.assertIn(reason, refused.stderr)
                self.assertEqual(scratch.sql("SELECT COUNT(*) FROM {db}.orders"), [["0"]], "nothing loaded")
        finally:
            shutil.rmtree(folder)


if __name__ == "__main__":
    unittest.main()
