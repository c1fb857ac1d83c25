#!/usr/bin/env python3
"""Fills a stack's database with a large synthetic shop for the benchmarks.

Usage: generate.py SHOP_VAR PRODUCTS INTERACTIONS SHOPPERS COOKIE_FILE

Replaces the catalog with PRODUCTS products in 20 categories, writes
INTERACTIONS events of SHOPPERS shoppers spread over the last 30 days (each
shopper favours two categories; products are chosen with a long-tailed
popularity), and builds product_popularity and product_pairs from them with the
same formulas lib/interest.c applies on every event (log-sum-exp of weight *
2^(t / half-life); pairs with up to 5 distinct recent products within a day).
Signed session cookies of the shoppers go to COOKIE_FILE, one per line.
"""
import collections
import math
import os
import random
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from prepare import b64, sign  # noqa: E402

CATEGORIES = [f"Category {i:02d}" for i in range(20)]
EVENTS = [("product-view", 1.0, 0.80), ("add-to-cart", 3.0, 0.15), ("purchase", 5.0, 0.05)]
HALF_LIFE_HOURS = 24
PAIR_PARTNERS = 5
PAIR_WINDOW_SECONDS = 86400


def log_add(current, value):
    if current is None:
        return value
    high, low = max(current, value), min(current, value)
    return high + math.log2(1 + 2 ** (low - high))


def load(var, table, columns, rows):
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as data:
        for row in rows:
            data.write("\t".join(row) + "\n")
        path = data.name
    try:
        subprocess.run(["mariadb", "--no-defaults", "--local-infile=1", f"--socket={var}/run/mysql.sock",
                        "--user=root", "shop", "-e",
                        f"LOAD DATA LOCAL INFILE '{path}' INTO TABLE {table} ({', '.join(columns)})"], check=True)
    finally:
        os.unlink(path)


def main():
    var, products, interactions, shoppers, cookie_file = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
        int(sys.argv[4]), sys.argv[5]
    rng = random.Random(42)
    with open(os.path.join(var, "secret")) as secret_file:
        key = bytes.fromhex(secret_file.read().strip())
    subprocess.run(["mariadb", "--no-defaults", f"--socket={var}/run/mysql.sock", "--user=root", "shop", "-e",
                    "SET FOREIGN_KEY_CHECKS = 0; TRUNCATE products; TRUNCATE interactions;"
                    " TRUNCATE product_popularity; TRUNCATE product_pairs; TRUNCATE cart_items; TRUNCATE carts;"],
                   check=True)
    ids = [f"prod-{i:06d}" for i in range(1, products + 1)]
    category_of = {pid: CATEGORIES[i % len(CATEGORIES)] for i, pid in enumerate(ids)}
    by_category = collections.defaultdict(list)
    for pid in ids:
        by_category[category_of[pid]].append(pid)
    load(var, "products", ["id", "name", "description", "category", "price_cents", "stock", "image_url"],
         ([pid, f"Product {pid[5:]}", f"A fine product number {pid[5:]}.", category_of[pid],
           str(rng.randint(199, 49999)), "1000000", "/img/prod-001.svg"] for pid in ids))

    users, cookies = [], []
    for _ in range(shoppers):
        session_id = os.urandom(16)
        users.append(session_id.hex())
        cookies.append(f"sid={b64(session_id)}.{b64(sign(key, session_id))}")
    with open(cookie_file, "w") as out:
        out.write("\n".join(cookies) + "\n")

    now = time.time()
    events = []
    for n in range(interactions):
        user = users[n % shoppers]
        favourite = CATEGORIES[int(user[:8], 16) % len(CATEGORIES)] if rng.random() < 0.7 else rng.choice(CATEGORIES)
        pool = by_category[favourite]
        product = pool[min(int(rng.paretovariate(1.2)) - 1, len(pool) - 1)]  # long tail: low indexes are hits
        kind = rng.choices(EVENTS, weights=[e[2] for e in EVENTS])[0]
        events.append((user, product, kind[0], kind[1], now - rng.random() * 30 * 86400))
    events.sort(key=lambda e: (e[0], e[4]))

    popularity, pairs, recent = {}, {}, collections.deque()
    current_user = None
    for user, product, kind, weight, at in events:
        if user != current_user:
            current_user, recent = user, collections.deque()
        hours = at / 3600 / HALF_LIFE_HOURS
        popularity[product] = log_add(popularity.get(product), math.log2(weight * 10) + hours)
        partners = []
        for other, other_at in reversed(recent):
            if at - other_at > PAIR_WINDOW_SECONDS or len(partners) == PAIR_PARTNERS:
                break
            if other != product and other not in partners:
                partners.append(other)
        for other in partners:
            for a, b in ((product, other), (other, product)):
                pairs[(a, b)] = log_add(pairs.get((a, b)), hours)
        recent.append((product, at))
        if len(recent) > 20:
            recent.popleft()

    # Already counted in the aggregates below: loaded as aggregated, so the worker leaves them be.
    load(var, "interactions", ["user_id", "product_id", "event_type", "category", "created_at", "aggregated"],
         ([u, p, k, category_of[p], time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t)), "1"]
          for u, p, k, _, t in events))
    load(var, "product_popularity", ["product_id", "category", "log_score"],
         ([p, category_of[p], repr(s)] for p, s in popularity.items()))
    load(var, "product_pairs", ["product_id", "other_id", "log_score"],
         ([a, b, repr(s)] for (a, b), s in pairs.items()))
    print(f"generated {products} products, {len(events)} interactions of {shoppers} shoppers, "
          f"{len(popularity)} popularity rows, {len(pairs)} pairs", file=sys.stderr)


if __name__ == "__main__":
    main()
