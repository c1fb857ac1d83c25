#!/usr/bin/env python3
"""Prepares shoppers for the benchmarks: signed session cookies, and carts in MariaDB.

Usage: prepare.py SHOP_VAR COUNT COOKIE_FILE [PRODUCT_IDS QUANTITY]

Makes COUNT sessions whose cookies are signed with the stack's secret exactly as
lib/token.c signs them (HMAC-SHA-256 over "session\\0" + the 16-byte id, first 16
bytes, base64url), writes one "sid=…" per line to COOKIE_FILE and, when products
are given (comma-separated), puts QUANTITY of one of them, picked at random, in
each shopper's cart with one bulk insert.
"""
import base64
import hashlib
import hmac
import os
import random
import subprocess
import sys


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign(key, session_id):
    """The MAC lib/token.c puts in a session cookie."""
    return hmac.new(key, b"session\0" + session_id, hashlib.sha256).digest()[:16]


def main():
    var, count, cookie_file = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    products = sys.argv[4].split(",") if len(sys.argv) > 4 else None
    pick = random.Random(len(products or []))
    quantity = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    with open(os.path.join(var, "secret")) as secret_file:
        key = bytes.fromhex(secret_file.read().strip())
    users = []
    with open(cookie_file, "w") as cookies:
        for _ in range(count):
            session_id = os.urandom(16)
            cookies.write(f"sid={b64(session_id)}.{b64(sign(key, session_id))}\n")
            users.append(session_id.hex())
    if products is None:
        return
    statements = []
    for start in range(0, len(users), 5000):
        chunk = users[start:start + 5000]
        statements.append("INSERT INTO carts (user_id) VALUES " + ",".join(f"('{u}')" for u in chunk) + ";")
        statements.append("INSERT INTO cart_items (user_id, product_id, quantity) VALUES " +
                          ",".join(f"('{u}','{pick.choice(products)}',{quantity})" for u in chunk) + ";")
    subprocess.run(["mariadb", "--no-defaults", f"--socket={var}/run/mysql.sock", "--user=root", "shop"],
                   input="\n".join(statements), text=True, check=True)


if __name__ == "__main__":
    main()
