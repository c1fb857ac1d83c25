"""shopctl products list/show/add/set/import/export and stock adjust, on the stack's catalog as an operator runs them.

Every test works on products of its own (ids ctlp-...), removed afterwards with every trace of them; the one that
exports and re-imports the whole catalog checks that it changed nothing. The sample CSV is imported into a scratch
database of its own (test_shopctl.Scratch).
"""
import csv
import io
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest

from shop import ROOT, VAR, Client, assert_error, checkout, fresh, get, interest_settles, sql, wait_until
from test_shopctl import SHOPCTL, SOCKET, Scratch, shopctl

STACK_CONFIG = os.path.join(VAR, "shop.conf")
HEADER = "id,name,description,category,priceCents,stock,imageUrl,active"
COLUMNS = "id, name, description, category, price_cents, currency, stock, image_url, active"
IMAGE = "/img/prod-001.svg"


def ctl(*args, env=None):
    """shopctl on the stack's configuration; env: extra SHOP_* overrides."""
    return subprocess.run([SHOPCTL, "--config", STACK_CONFIG, "--sql-dir", os.path.join(ROOT, "sql"), *args],
                          capture_output=True, text=True, timeout=120,
                          env=dict({k: v for k, v in os.environ.items() if not k.startswith("SHOP_DB")}, **(env or {})))


def row(product_id):
    """The product's row as stored (None when there is none)."""
    rows = sql(f"SELECT {COLUMNS}, updated_at FROM products WHERE id = '{product_id}'")
    return rows[0] if rows else None


def catalog():
    """Every product as (id, digest of its fields, updated_at): a description's line ends stay on one line."""
    return sql(f"SELECT id, MD5(CONCAT_WS(0x1f, {COLUMNS})), updated_at FROM products ORDER BY id")


def export_bytes(config=STACK_CONFIG):
    """products export to stdout, as the bytes written (CRLF line ends and all)."""
    done = subprocess.run([SHOPCTL, "--config", config, "products", "export"], capture_output=True, timeout=120,
                          env={k: v for k, v in os.environ.items() if not k.startswith("SHOP_DB")})
    assert done.returncode == 0, done.stderr
    return done.stdout


def write(folder, name, text):
    path = os.path.join(folder, name)
    with open(path, "w", newline="") as f:
        f.write(text)
    return path


class CatalogTestCase(unittest.TestCase):
    """Removes the test's products (ctlp-*) and whatever shoppers did with them."""

    def setUp(self):
        self.folder = tempfile.mkdtemp(prefix="shopctl-products-")

    def tearDown(self):
        shutil.rmtree(self.folder)
        interest_settles(timeout=60)
        like = "'ctlp-%'"
        sql(f"DELETE FROM interactions WHERE product_id LIKE {like};"
            f" DELETE FROM product_pairs WHERE product_id LIKE {like} OR other_id LIKE {like};"
            f" DELETE FROM product_popularity WHERE product_id LIKE {like};"
            f" DELETE FROM cart_items WHERE product_id LIKE {like}; DELETE FROM products WHERE id LIKE {like}")

    def ok(self, *args, **kwargs):
        done = ctl(*args, **kwargs)
        self.assertEqual(done.returncode, 0, done.stderr)
        return done

    def refused(self, *args, status=1, **kwargs):
        done = ctl(*args, **kwargs)
        self.assertEqual(done.returncode, status, f"{args}: {done.stdout} {done.stderr}")
        self.assertTrue(done.stderr.startswith("shopctl: "), done.stderr)
        return done

    def add(self, product_id, **fields):
        values = dict({"name": f"Test {product_id}", "category": "CtlTest", "priceCents": "1000", "stock": "5",
                       "imageUrl": IMAGE}, **fields)
        return self.ok("products", "add", product_id, *(f"{k}={v}" for k, v in values.items()))


class ProductCommandsTest(CatalogTestCase):
    def test_add_show_list_and_set_write_what_the_storefront_then_sells(self):
        self.add("ctlp-01", name="Zoë's Lamp", description="Warm light, 3 settings.", priceCents="4599",
                 stock="7")
        shown = json.loads(self.ok("--json", "products", "show", "ctlp-01").stdout)
        self.assertEqual({k: shown[k] for k in ("id", "name", "description", "category", "priceCents", "currency",
                                                "stock", "imageUrl", "active")},
                         {"id": "ctlp-01", "name": "Zoë's Lamp", "description": "Warm light, 3 settings.",
                          "category": "CtlTest", "priceCents": 4599, "currency": "USD", "stock": 7,
                          "imageUrl": IMAGE, "active": True})
        table = self.ok("products", "list", "--category", "CtlTest").stdout.splitlines()
        self.assertEqual(table[0].split(), ["ID", "NAME", "CATEGORY", "PRICECENTS", "CURRENCY", "STOCK", "ACTIVE"])
        self.assertRegex(table[1], r"^ctlp-01\s+Zoë's Lamp\s+CtlTest\s+4599\s+USD\s+7\s+true$")
        self.assertEqual(get(fresh("/api/products/ctlp-01")).json()["priceCents"], 4599)

        self.ok("products", "set", "ctlp-01", "priceCents=3999", "name=Zoë's Lamp II")
        self.assertEqual(row("ctlp-01")[1:5], ["Zoë's Lamp II", "Warm light, 3 settings.", "CtlTest", "3999"])
        self.assertEqual(row("ctlp-01")[6], "7", "fields not given are kept")
        shopper = Client()
        self.assertEqual(shopper.add("ctlp-01")["totalCents"], 3999)

        self.ok("products", "set", "ctlp-01", "active=false")
        assert_error(self, get(fresh("/api/products/ctlp-01")), 404)
        self.assertEqual(self.ok("products", "list", "--category", "CtlTest").stdout.strip(), "(none)")
        listed = json.loads(self.ok("--json", "products", "list", "--category", "CtlTest", "--inactive").stdout)
        self.assertEqual([(p["id"], p["active"]) for p in listed], [("ctlp-01", False)])

    def test_every_bad_value_is_refused_with_exit_1_and_changes_nothing(self):
        self.add("ctlp-02")
        before = row("ctlp-02")
        bad = [("name", ""), ("name", "x" * 201), ("name", "tab\there"), ("name", "   "),
               ("description", "bell\a"), ("description", "x" * 65536), ("category", ""), ("category", "x" * 65),
               ("priceCents", "0"), ("priceCents", "-1"), ("priceCents", "12.50"), ("priceCents", "10000001"),
               ("priceCents", "abc"), ("priceCents", ""), ("stock", "-1"), ("stock", "1000001"), ("stock", "1.5"),
               ("imageUrl", "/img/../img/prod-001.svg"), ("imageUrl", "/img/missing.svg"), ("imageUrl", "/etc/passwd"),
               ("imageUrl", "/index.html"), ("imageUrl", "http://example.com/a.png"),
               ("imageUrl", "javascript:alert(1)"), ("imageUrl", "https://ex ample.com/a.png"),
               ("imageUrl", "https://example.com/" + "a" * 240), ("imageUrl", "https://user@example.com/a.png"),
               ("active", "yes"), ("active", "2")]
        for key, value in bad:
            with self.subTest(key=key, value=value[:20]):
                done = self.refused("products", "set", "ctlp-02", f"{key}={value}")
                self.assertIn(f"{key}: ", done.stderr)
                self.assertEqual(row("ctlp-02"), before)
                good = {"name": "N", "category": "C", "priceCents": "100"}
                good[key] = value
                done = self.refused("products", "add", "ctlp-03", *(f"{k}={v}" for k, v in good.items()))
                self.assertIn(f"{key}: ", done.stderr)
                self.assertIsNone(row("ctlp-03"))
        for product_id in ("bad id", "x" * 33, "ctlp/03", "ctlp.03", ""):
            with self.subTest(product_id=product_id):
                done = self.refused("products", "add", product_id, "name=N", "category=C", "priceCents=100")
                self.assertIn("id: ", done.stderr)
        missing = self.refused("products", "add", "ctlp-03", "name=N")
        self.assertIn("category: required", missing.stderr)
        self.assertIn("priceCents: required", missing.stderr)
        self.assertIsNone(row("ctlp-03"))
        self.assertEqual(sql("SELECT COUNT(*) FROM products WHERE id LIKE 'ctlp-%'"), [["1"]])

    def test_the_price_ceiling_is_the_setting_max_price_cents(self):
        limited = {"SHOP_MAX_PRICE_CENTS": "5000"}
        done = self.refused("products", "add", "ctlp-04", "name=N", "category=C", "priceCents=5001", env=limited)
        self.assertIn("priceCents: whole cents from 1 to the setting max_price_cents (5000)", done.stderr)
        self.ok("products", "add", "ctlp-04", "name=N", "category=C", "priceCents=5000", env=limited)
        self.refused("products", "set", "ctlp-04", "priceCents=9999", env=limited)
        self.assertEqual(row("ctlp-04")[4], "5000")
        bad_setting = ctl("products", "list", env={"SHOP_MAX_PRICE_CENTS": "0"})  # a bad setting stops the command
        self.assertEqual(bad_setting.returncode, 1)
        self.assertIn("key=max_price_cents", bad_setting.stderr)
        self.assertEqual(bad_setting.stdout, "")
        self.refused("products", "add", "ctlp-05", "name=N", "category=C", "priceCents=1", "imageUrl=" + IMAGE,
                     env={"SHOP_STOREFRONT_DIR": self.folder})  # the image must be in that storefront
        self.assertIsNone(row("ctlp-05"))

    def test_add_refuses_an_existing_id_and_set_or_show_an_unknown_one(self):
        self.add("ctlp-06")
        before = row("ctlp-06")
        self.assertIn("exists already",
                      self.refused("products", "add", "ctlp-06", "name=Other", "category=C", "priceCents=1").stderr)
        self.assertEqual(row("ctlp-06"), before)
        self.assertIn("no product ctlp-nope", self.refused("products", "set", "ctlp-nope", "stock=1").stderr)
        self.assertIn("no product ctlp-nope", self.refused("products", "show", "ctlp-nope").stderr)
        self.assertIsNone(row("ctlp-nope"))

    def test_usage_errors_exit_2_and_change_nothing(self):
        self.add("ctlp-07")
        before = row("ctlp-07")
        for args in (["products"], ["products", "frobnicate"], ["products", "show"], ["products", "add"],
                     ["products", "set", "ctlp-07"], ["products", "set", "ctlp-07", "color=red"],
                     ["products", "set", "ctlp-07", "stock"], ["products", "set", "ctlp-07", "id=ctlp-08"],
                     ["products", "set", "ctlp-07", "stock=1", "stock=2"], ["products", "list", "--bogus"],
                     ["products", "import"], ["products", "export", "a.csv", "b.csv"], ["stock"],
                     ["stock", "adjust", "ctlp-07", "5"], ["stock", "adjust", "ctlp-07", "+abc"],
                     ["stock", "adjust", "ctlp-07", "+0"], ["stock", "adjust", "ctlp-07"],
                     ["stock", "adjust", "ctlp-07", "+1", "+2"], ["stock", "adjust", "ctlp-07", "+99999999"]):
            with self.subTest(args=args):
                self.refused(*args, status=2)
        self.assertEqual(row("ctlp-07"), before)

    def test_stock_adjust_adds_and_takes_but_never_below_zero(self):
        self.add("ctlp-09", stock="5")
        self.assertEqual(self.ok("stock", "adjust", "ctlp-09", "+3").stdout.split(), ["id:", "ctlp-09", "stock:", "8"])
        self.assertEqual(json.loads(self.ok("--json", "stock", "adjust", "ctlp-09", "-8").stdout),
                         {"id": "ctlp-09", "stock": 0})
        before = row("ctlp-09")
        done = self.refused("stock", "adjust", "ctlp-09", "-1")
        self.assertIn("ctlp-09 has 0 in stock; -1 would take it below 0", done.stderr)
        self.assertEqual(row("ctlp-09"), before)
        self.ok("stock", "adjust", "ctlp-09", "+1000000")
        self.assertIn("above 1000000", self.refused("stock", "adjust", "ctlp-09", "+1").stderr)
        self.assertEqual(row("ctlp-09")[6], "1000000")
        self.assertIn("no product ctlp-nope", self.refused("stock", "adjust", "ctlp-nope", "+1").stderr)

    def test_a_price_change_shows_in_the_storefront_within_a_second(self):
        self.add("ctlp-10", priceCents="1000")
        path = "/api/products/ctlp-10"  # the path shoppers ask for, answered from nginx's cache
        wait_until(lambda: get(path).json()["priceCents"] == 1000, message="the product to be served")
        self.assertEqual(get(path).json()["priceCents"], 1000, "the answer is in the cache now")
        self.ok("products", "set", "ctlp-10", "priceCents=1250")
        changed = time.monotonic()
        wait_until(lambda: get(path).json()["priceCents"] == 1250, timeout=5, interval=0.02,
                   message="the new price through nginx")
        seen = time.monotonic() - changed
        print(f"\n  price change seen through nginx after {seen:.3f} s", end=" ")
        self.assertLess(seen, 1.5)

    def test_json_output_of_every_command_parses(self):
        folder = self.folder
        commands = [["products", "add", "ctlp-11", "name=N", "category=CtlTest", "priceCents=100"],
                    ["products", "set", "ctlp-11", "stock=4"], ["products", "show", "ctlp-11"],
                    ["products", "list", "--category", "CtlTest"], ["stock", "adjust", "ctlp-11", "+1"]]
        for args in commands:
            with self.subTest(args=args):
                json.loads(self.ok("--json", *args).stdout)
        path = write(folder, "one.csv", f"{HEADER}\nctlp-12,N,,CtlTest,100,1,,true\n")
        self.assertEqual(json.loads(self.ok("--json", "products", "import", path, "--dry-run").stdout),
                         {"file": path, "rows": 1, "added": 1, "changed": 0, "unchanged": 0, "dryRun": True})
        self.assertIsNone(row("ctlp-12"))


class ImportExportTest(CatalogTestCase):
    TRICKY = (f"{HEADER}\r\n"
              'ctlp-21,"Mug, large","He said ""hi"",\nthen left.\r\nTwice.",CtlTest,1299,3,/img/prod-002.svg,true\r\n'
              "ctlp-22,Ça va Tee,,CtlTest,2500,0,https://cdn.example.com/tee.png?v=2,false\r\n"
              "ctlp-23,Plain,Plain text,CtlTest,1,1000000,,1\r\n")

    def test_import_upserts_by_id_and_reports_what_it_did(self):
        path = write(self.folder, "tricky.csv", self.TRICKY)
        done = json.loads(self.ok("--json", "products", "import", path).stdout)
        self.assertEqual((done["rows"], done["added"], done["changed"], done["unchanged"]), (3, 3, 0, 0))
        shown = json.loads(self.ok("--json", "products", "show", "ctlp-21").stdout)
        self.assertEqual([shown[k] for k in ("name", "description", "category", "priceCents", "currency", "stock",
                                             "imageUrl", "active")],
                         ["Mug, large", 'He said "hi",\nthen left.\r\nTwice.', "CtlTest", 1299, "USD", 3,
                          "/img/prod-002.svg", True])
        self.assertEqual(row("ctlp-22")[1], "Ça va Tee")
        self.assertEqual(row("ctlp-22")[8], "0")
        again = write(self.folder, "again.csv", self.TRICKY.replace("ctlp-23,Plain,", "ctlp-23,Plainer,")
                      + "ctlp-24,New,,CtlTest,5,0,,false\r\n")
        done = json.loads(self.ok("--json", "products", "import", again).stdout)
        self.assertEqual((done["rows"], done["added"], done["changed"], done["unchanged"]), (4, 1, 1, 2))
        self.assertEqual(row("ctlp-23")[1], "Plainer")

    def test_export_writes_what_import_reads_back_unchanged(self):
        self.ok("products", "import", write(self.folder, "tricky.csv", self.TRICKY))
        before = catalog()
        first = os.path.join(self.folder, "first.csv")
        self.ok("products", "export", first)
        with open(first, newline="") as f:
            exported = list(csv.reader(f))
        self.assertEqual(",".join(exported[0]), HEADER)
        self.assertEqual(len(exported) - 1, len(before), "every product, inactive ones too")
        mine = {r[0]: r for r in exported if r[0].startswith("ctlp-")}
        self.assertEqual(mine, {r[0]: r for r in csv.reader(io.StringIO(self.TRICKY, newline=""))
                                if r[0].startswith("ctlp-")} | {"ctlp-23": ["ctlp-23", "Plain", "Plain text",
                                                                           "CtlTest", "1", "1000000", "", "true"]})
        done = json.loads(self.ok("--json", "products", "import", first).stdout)
        self.assertEqual((done["added"], done["changed"], done["unchanged"]), (0, 0, len(before)))
        self.assertEqual(catalog(), before, "the round trip changed nothing, not even updated_at")
        self.assertEqual(export_bytes(), open(first, "rb").read(),
                         "stdout and FILE are the same bytes, and a second export equals the first")

    def test_list_and_export_page_through_a_catalog_of_several_pages(self):
        count = 2 * 1000 + 1  # lib/product reads PRODUCT_PAGE (1000) rows at a time
        ids = [f"ctlp-bulk-{n:04d}" for n in range(count)]
        path = write(self.folder, "bulk.csv", HEADER + "\n" + "".join(f"{i},Bulk {i},,CtlBulk,100,1,,true\n"
                                                                      for i in ids))
        self.assertEqual(json.loads(self.ok("--json", "products", "import", path).stdout)["added"], count)
        listed = json.loads(self.ok("--json", "products", "list", "--category", "CtlBulk").stdout)
        self.assertEqual([p["id"] for p in listed], ids)
        exported = [r[0] for r in csv.reader(io.StringIO(export_bytes().decode(), newline=""))]
        self.assertEqual([i for i in exported if i.startswith("ctlp-bulk-")], ids)
        self.assertEqual(len(exported), len(set(exported)), "no product twice")

    def test_a_file_with_bad_rows_is_refused_whole_with_every_line_number(self):
        self.add("ctlp-30", priceCents="700")
        before = catalog()
        text = (f"{HEADER}\n"                                        # 1
                'ctlp-31,Good,"two\nlines",CtlTest,100,1,,true\n'    # 2-3
                "ctlp-32,Bad price,,CtlTest,0,1,,true\n"              # 4
                "bad id,Bad id,,CtlTest,100,1,,true\n"                # 5
                "ctlp-33,Too few,CtlTest,100\n"                       # 6
                'ctlp-34,Bad "quote",,CtlTest,100,1,,true\n'          # 7
                "ctlp-35,Bad image,,CtlTest,100,1,/img/../x.svg,true\n"  # 8
                "ctlp-30,Changed,,CtlTest,100,1,,true\n"              # 9: good, but not applied
                "ctlp-31,Twice,,CtlTest,100,1,,true\n"                # 10: duplicate of line 2
                "ctlp-36,Two bad,,CtlTest,-1,1,,maybe\n")             # 11
        path = write(self.folder, "bad.csv", text)
        done = self.refused("products", "import", path)
        for line, words in ((4, "priceCents"), (5, "id"), (6, "4 field(s)"), (7, "quote"), (8, "imageUrl"),
                            (10, "id ctlp-31 is also on line 2"), (11, "priceCents"), (11, "active")):
            self.assertRegex(done.stderr, rf"(?m)^shopctl: {re.escape(path)}:{line}: .*{re.escape(words)}")
        for line in (2, 3, 9):
            self.assertNotIn(f"{path}:{line}:", done.stderr)
        self.assertIn("nothing was changed", done.stderr)
        self.assertEqual(catalog(), before)
        self.assertEqual(self.refused("products", "import", path, "--dry-run").stderr, done.stderr)

    def test_dry_run_counts_what_import_would_do_and_changes_nothing(self):
        self.add("ctlp-40", priceCents="700")
        before = catalog()
        path = write(self.folder, "dry.csv", f"{HEADER}\nctlp-40,Renamed,,CtlTest,700,5,{IMAGE},true\n"
                                             "ctlp-41,New,,CtlTest,100,1,,true\n")
        done = self.ok("products", "import", path, "--dry-run").stdout
        self.assertRegex(done, r"added:\s+1\n")
        self.assertRegex(done, r"changed:\s+1\n")
        self.assertRegex(done, r"dryRun:\s+true\n")
        self.assertEqual(catalog(), before)

    def test_a_wrong_header_an_unreadable_file_and_the_limits_are_refused(self):
        before = catalog()
        for header in ("id,name,description,category,stock,priceCents,imageUrl,active",
                       "id,name,description,category,priceCents,stock,imageUrl",
                       HEADER + ",currency", "ID,Name,Description,Category,PriceCents,Stock,ImageUrl,Active", ""):
            with self.subTest(header=header):
                path = write(self.folder, "header.csv", f"{header}\nctlp-50,N,,CtlTest,100,1,,true\n")
                self.assertIn("the header must be exactly", self.refused("products", "import", path).stderr)
        self.assertIn("cannot read", self.refused("products", "import", os.path.join(self.folder, "no.csv")).stderr)
        self.assertIn("not a regular file", self.refused("products", "import", self.folder).stderr)
        big = os.path.join(self.folder, "big.csv")
        with open(big, "w") as f:
            f.write(HEADER + "\n")
            f.truncate(32 * 1024 * 1024 + 1)
        self.assertIn("larger than 33554432 bytes", self.refused("products", "import", big).stderr)
        many = os.path.join(self.folder, "many.csv")
        with open(many, "w") as f:
            f.write(HEADER + "\n" + "".join(f"ctlp-r{n},N,,CtlTest,1,0,,true\n" for n in range(100001)))
        self.assertIn("more than 100000 rows", self.refused("products", "import", many).stderr)
        self.assertEqual(catalog(), before)

    def test_the_sample_csv_imports_as_the_same_products_as_the_sample_sql(self):
        public = os.path.join(ROOT, "public")
        with Scratch("shop_ctl_sample_sql") as from_sql, Scratch("shop_ctl_sample_csv", storefront_dir=public) \
                as from_csv:
            self.assertEqual(shopctl(from_sql.config, "setup", "--sample", "--admin-socket", SOCKET).returncode, 0)
            self.assertEqual(shopctl(from_csv.config, "setup", "--admin-socket", SOCKET).returncode, 0)
            self.assertEqual(from_csv.sql("SELECT COUNT(*) FROM {db}.products"), [["0"]])
            sample = os.path.join(ROOT, "sql", "sample", "catalog.csv")
            done = shopctl(from_csv.config, "--json", "products", "import", sample)
            self.assertEqual(done.returncode, 0, done.stderr)
            expected = from_sql.sql(f"SELECT {COLUMNS} FROM {{db}}.products ORDER BY id")
            self.assertEqual(json.loads(done.stdout)["added"], len(expected))
            self.assertEqual(from_csv.sql(f"SELECT {COLUMNS} FROM {{db}}.products ORDER BY id"), expected)
            self.assertGreater(len(expected), 50)
            self.assertEqual(export_bytes(from_sql.config), open(sample, "rb").read(), "the sample is export's own form")


class CurrencyTest(CatalogTestCase):
    def test_a_product_priced_in_another_currency_is_not_for_sale_until_given_a_price_in_the_shops(self):
        self.add("ctlp-60", priceCents="4999", category="CtlCurrency")
        self.add("ctlp-61", priceCents="10000", category="CtlCurrency")
        shopper = Client()
        shopper.add("ctlp-60")
        shopper.add("ctlp-61")
        sql("UPDATE products SET currency = 'EUR' WHERE id = 'ctlp-61'")  # a row from before the rules

        assert_error(self, get(fresh("/api/products/ctlp-61")), 404)
        listed = get(fresh("/api/products?category=CtlCurrency")).json()["items"]
        self.assertEqual([p["id"] for p in listed], ["ctlp-60"])
        cart = shopper.cart()
        self.assertEqual(([i["productId"] for i in cart["items"]], cart["totalCents"], cart["currency"]),
                         (["ctlp-60"], 4999, "USD"), "never 149.99 USD")
        assert_error(self, shopper.post("/api/cart", {"productId": "ctlp-61", "quantity": 1}), 422,
                     "product_inactive")
        refused = checkout(shopper)
        error = assert_error(self, refused, 409, "insufficient_stock")
        self.assertEqual([(line["productId"], line["available"]) for line in error["lines"]],
                         [("ctlp-61", 0)])
        self.assertEqual(sql("SELECT stock FROM products WHERE id IN ('ctlp-60', 'ctlp-61') ORDER BY id"),
                         [["5"], ["5"]], "nothing reserved")

        export = self.refused("products", "export")
        self.assertIn("ctlp-61 is priced in EUR, not the shop's USD", export.stderr)
        self.assertEqual(self.ok("--json", "products", "list", "--category", "CtlCurrency").stdout.count('"EUR"'), 1)
        before = row("ctlp-61")
        self.assertIn("priced in another currency",
                      self.refused("products", "set", "ctlp-61", "stock=9").stderr, "a price is never re-read")
        self.assertEqual(row("ctlp-61"), before)
        self.ok("products", "set", "ctlp-61", "priceCents=10900")
        self.assertEqual(row("ctlp-61")[4:6], ["10900", "USD"])
        self.assertEqual(get(fresh("/api/products/ctlp-61")).json()["priceCents"], 10900)
        self.assertEqual(shopper.cart()["totalCents"], 4999 + 10900)


if __name__ == "__main__":
    unittest.main()
