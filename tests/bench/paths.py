#!/usr/bin/env python3
"""Writes the request paths of a tests/bench/scale scenario, one a line, for paths.lua.

Usage: paths.py SHOP_VAR SCENARIO COUNT OUT

  deep_page      GET /api/products?cursor=… at COUNT rows chosen at random in the
                 whole name order (on average half the catalog deep). The
                 cursors are signed with the stack's secret exactly as
                 lib/cursor.c signs them (token purpose "cursor:products:name",
                 payload name 0x1f id 0x1f the filters' digest of
                 fcgi-apps/products.c), since following nextCursor half a
                 million pages deep is not a benchmark set-up.
  category_page  GET /api/products?category=…&sort=newest for every category.
  search         GET /api/products?q=NUMBER for COUNT products chosen at random:
                 a word that names one product whatever the catalog's size
                 (generate.py names them "Product NUMBER").
"""
import base64
import hashlib
import hmac
import os
import subprocess
import sys
import urllib.parse

PRICE_LIMIT = 4294967295  # PRODUCT_PRICE_CENTS_LIMIT, lib/product.h


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def db(var, statement):
    result = subprocess.run(["mariadb", "--no-defaults", f"--socket={var}/run/mysql.sock", "--user=root", "--batch",
                             "--skip-column-names", "shop", "-e", statement], check=True, capture_output=True,
                            text=True)
    return [line.split("\t") for line in result.stdout.splitlines()]


def scope(category="", text="", low=0, high=PRICE_LIMIT):
    """products_scope(): FNV-1a 64 over each filter with its terminating NUL."""
    value = 14695981039346656037
    for part in (category, text, f"{low}-{high}"):
        for byte in part.encode() + b"\0":
            value = ((value ^ byte) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return f"{value:016x}"


def cursor(key, list_name, fields):
    payload = "\x1f".join(fields).encode()
    mac = hmac.new(key, f"cursor:{list_name}".encode() + b"\0" + payload, hashlib.sha256).digest()[:16]
    return f"{b64(payload)}.{b64(mac)}"


def main():
    var, scenario, count, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    with open(os.path.join(var, "secret")) as secret_file:
        key = bytes.fromhex(secret_file.read().strip())
    total = int(db(var, "SELECT COUNT(*) FROM products")[0][0])
    paths = []
    if scenario == "deep_page":
        # Random rows by id (ids are prod-NNNNNN, dense): their (name, id) is a position in the name order.
        for name, pid in db(var, "SELECT name, id FROM products ORDER BY RAND() LIMIT %d" % count):
            paths.append("/api/products?" + urllib.parse.urlencode(
                {"cursor": cursor(key, "products:name", [name, pid, scope()])}))
    elif scenario == "category_page":
        for (category,) in db(var, "SELECT DISTINCT category FROM products"):
            paths.append("/api/products?" + urllib.parse.urlencode({"category": category, "sort": "newest"}))
    elif scenario == "search":
        for (pid,) in db(var, "SELECT id FROM products ORDER BY RAND() LIMIT %d" % count):
            paths.append("/api/products?" + urllib.parse.urlencode({"q": pid[5:]}))
    else:
        sys.exit(f"paths.py: unknown scenario {scenario}")
    with open(out, "w") as paths_file:
        paths_file.write("\n".join(paths) + "\n")
    print(f"{len(paths)} paths for {scenario} over {total} products", file=sys.stderr)


if __name__ == "__main__":
    main()
