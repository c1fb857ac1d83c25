#!/usr/bin/env python3
"""Writes the sample catalog: sql/sample/catalog.sql, the same as sql/sample/catalog.csv (what shopctl products
import reads and export writes), and public/img/prod-*.svg, one drawing of each product (sql/sample/drawings.py).

Run once by a developer when the sample changes; its output is committed, so
nothing at install time depends on Python. Usage: sql/sample/generate.py
"""
import csv
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the committed sample
from drawings import DRAWINGS  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# category: (tint behind its drawings, products as (name, description, price cents, stock))
CATALOG = {
    "Electronics": ("#dbeafe", [
        ("Aurora Wireless Headphones", "Over-ear headphones with active noise cancelling and 30 hours of battery.", 12999, 40),
        ("Pulse Smartwatch", "Heart-rate, sleep and GPS tracking in a light aluminium case.", 19900, 25),
        ("Nimbus Bluetooth Speaker", "Waterproof speaker with deep bass and a 12-hour battery.", 5999, 60),
        ("Vertex 4K Monitor 27\"", "27-inch IPS panel, 4K resolution, USB-C with 65 W charging.", 34900, 12),
        ("Quill Mechanical Keyboard", "Tenkeyless keyboard with hot-swappable tactile switches.", 8900, 35),
        ("Glide Wireless Mouse", "Ergonomic mouse with silent clicks and a 70-day battery.", 3499, 80),
        ("Beacon Smart Bulb (2-pack)", "Dimmable colour bulbs controlled from your phone.", 2499, 100),
        ("Orbit USB-C Hub", "Seven ports: HDMI, SD card, three USB-A and pass-through charging.", 4599, 45),
        ("Echo Pocket Camera", "Compact 20 MP camera with optical stabilisation.", 27900, 8),
        ("Sprint Power Bank 20000", "Charges a phone four times; 30 W fast charging.", 3999, 70),
        ("Lumen E-Reader", "Glare-free 6-inch screen with warm light and weeks of battery.", 11900, 30),
    ]),
    "Books": ("#fdf0d5", [
        ("The Quiet Harbour", "A novel of a fishing town and the summer that changed it.", 1699, 50),
        ("Practical C Programming", "From pointers to threads: C for working engineers.", 4299, 20),
        ("The Orchard Cookbook", "Seasonal recipes built around fruit from the tree.", 2899, 35),
        ("Maps of the Night Sky", "A field guide to constellations for every month.", 2199, 40),
        ("Letters from Lisbon", "Travel essays along the Atlantic coast.", 1499, 45),
        ("A Short History of Bridges", "How people crossed rivers, from rope to steel.", 2499, 30),
        ("The Patient Gardener", "Growing a garden that looks after itself.", 1999, 25),
        ("Deep Work Habits", "Focus and craft in a distracted world.", 1799, 60),
        ("Midnight at the Archive", "A mystery among old papers and older secrets.", 1399, 55),
        ("Mountains and Men", "True stories of first ascents.", 2099, 20),
        ("Learning to Draw", "Twelve weeks from lines to portraits.", 2599, 40),
    ]),
    "Home & Kitchen": ("#dcfce7", [
        ("Cast Iron Skillet 26 cm", "Pre-seasoned skillet that goes from stove to oven.", 3999, 40),
        ("Pour-Over Coffee Set", "Glass dripper, carafe and 100 paper filters.", 3299, 35),
        ("Linen Table Cloth", "Stonewashed linen, 150 x 250 cm, in sage green.", 4999, 20),
        ("Chef's Knife 20 cm", "Forged stainless steel with a full tang.", 6999, 30),
        ("Ceramic Dinner Plates (4)", "Hand-glazed stoneware plates, dishwasher safe.", 4499, 25),
        ("Bamboo Cutting Board", "Large, knife-friendly board with a juice groove.", 2299, 50),
        ("Enamel Dutch Oven 5 L", "Even heat for stews, bread and braises.", 8999, 15),
        ("Glass Storage Jars (6)", "Airtight jars with bamboo lids.", 2799, 40),
        ("Wool Throw Blanket", "Soft merino throw, 130 x 170 cm.", 7999, 18),
        ("Scented Soy Candle", "Cedar and fig, 40 hours of burn time.", 1899, 70),
        ("Electric Kettle 1.7 L", "Temperature control and keep-warm in brushed steel.", 5499, 30),
    ]),
    "Sports & Outdoors": ("#ffe4e6", [
        ("Trail Running Shoes", "Grippy, light shoes for rough ground.", 11900, 30),
        ("Ultralight Tent 2P", "Two-person tent under 1.4 kg.", 24900, 10),
        ("Yoga Mat 6 mm", "Non-slip natural rubber mat.", 3999, 45),
        ("Insulated Water Bottle", "Keeps drinks cold for 24 hours, 750 ml.", 2499, 90),
        ("Adjustable Dumbbells", "Pair of 2 to 24 kg dumbbells with quick dial.", 29900, 6),
        ("Hiking Daypack 24 L", "Ventilated back panel and rain cover.", 6999, 25),
        ("Cycling Helmet", "Light, vented helmet with a rear light.", 5999, 30),
        ("Camping Stove", "Compact gas stove boiling a litre in 3 minutes.", 4499, 20),
        ("Resistance Bands Set", "Five bands from light to extra heavy.", 1999, 60),
        ("Merino Hiking Socks (3)", "Cushioned socks that stay fresh for days.", 2999, 50),
        ("Jump Rope Pro", "Ball-bearing handles and adjustable steel cable.", 1499, 80),
    ]),
    "Toys & Games": ("#ede9fe", [
        ("Wooden Building Blocks (100)", "Beech blocks in natural and painted finishes.", 3999, 35),
        ("Strategy Board Game: Harbours", "Trade and build in a race for the busiest port.", 4499, 25),
        ("1000-Piece Puzzle: Alpine Lake", "A calm landscape puzzle on thick card.", 1999, 40),
        ("Remote Control Rover", "All-terrain rover with a 40-minute battery.", 5999, 20),
        ("Plush Fox", "Soft fox, 35 cm, machine washable.", 2199, 50),
        ("Card Game: Night Market", "Quick card game for 2 to 6 players.", 1499, 60),
        ("Magnetic Tiles Set (60)", "Build 3D shapes with clear coloured tiles.", 4999, 30),
        ("Kids' Science Kit", "Twenty experiments with safe household chemistry.", 3299, 28),
        ("Wooden Train Set", "Forty pieces of track, a bridge and two trains.", 5499, 15),
        ("Chess Set, Walnut", "Weighted pieces and a folding walnut board.", 7999, 12),
        ("Kite: Red Dragon", "Easy-flying delta kite with 30 m of line.", 2499, 40),
    ]),
    "Clothing": ("#fce7f3", [
        ("Organic Cotton T-Shirt", "Heavyweight tee in organic cotton, relaxed fit.", 2499, 100),
        ("Waxed Canvas Jacket", "Water-resistant jacket that ages well.", 16900, 15),
        ("Merino Crew Sweater", "Fine-knit merino, warm without bulk.", 8900, 30),
        ("Selvedge Denim Jeans", "Straight-leg jeans in 14 oz selvedge denim.", 11900, 25),
        ("Rain Shell", "Packable waterproof shell with taped seams.", 9900, 20),
        ("Wool Beanie", "Ribbed beanie in soft lambswool.", 2299, 60),
        ("Linen Shirt", "Breathable linen shirt for warm days.", 5999, 35),
        ("Leather Belt", "Full-grain leather with a brass buckle.", 4499, 40),
        ("Down Vest", "Light down vest that packs into its pocket.", 9499, 18),
        ("Canvas Sneakers", "Classic low-top sneakers with a cushioned insole.", 6499, 45),
        ("Cotton Socks (5)", "Everyday socks in five colours.", 1999, 80),
    ]),
}

# Products added after the first sample, as (category, product): appended so that
# every earlier product keeps its id (tests and bookmarks name them).
ADDED = [
    ("Home & Kitchen", ("Halo Desk Lamp", "Adjustable LED desk lamp with a weighted base and warm-to-cool light.",
                        4999, 30)),
]

def sql_string(text):
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"

def products():
    """Every sample product in id order, as (id, category, tint, name, description, price cents, stock)."""
    listed = [(category, product) for category, (_, items) in CATALOG.items() for product in items] + ADDED
    for number, (category, (name, description, price, stock)) in enumerate(listed, start=1):
        yield f"prod-{number:03d}", category, CATALOG[category][0], name, description, price, stock

def svg(tint, name):
    return ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img">'
            f'<title>{name.replace("&", "&amp;").replace("<", "&lt;")}</title>'
            f'<rect width="64" height="64" rx="8" fill="{tint}"/>{DRAWINGS[name]}</svg>\n')

def main():
    rows, records = [], []
    catalog = list(products())
    names = [product[3] for product in catalog]
    if sorted(names) != sorted(DRAWINGS):
        sys.exit("generate.py: every product needs one drawing in drawings.py, and every drawing one product: "
                 + ", ".join(sorted(set(names) ^ set(DRAWINGS))))
    os.makedirs(os.path.join(ROOT, "public", "img"), exist_ok=True)
    for pid, category, tint, name, description, price, stock in catalog:
        with open(os.path.join(ROOT, "public", "img", pid + ".svg"), "w") as out:
            out.write(svg(tint, name))
        rows.append(f"  ({sql_string(pid)}, {sql_string(name)}, {sql_string(description)}, "
                    f"{sql_string(category)}, {price}, 'USD', {stock}, '/img/{pid}.svg')")
        records.append([pid, name, description, category, price, stock, f"/img/{pid}.svg", "true"])
    with open(os.path.join(ROOT, "sql", "sample", "catalog.sql"), "w") as out:
        out.write("-- catalog.sql - the sample catalog, written by sql/sample/generate.py.\n")
        out.write("-- Loaded once by shopctl migrate --sample; INSERT IGNORE keeps a re-run harmless.\n")
        out.write("INSERT IGNORE INTO products (id, name, description, category, price_cents, currency, stock, image_url) VALUES\n")
        out.write(",\n".join(rows) + ";\n")
    # RFC 4180 as shopctl products export writes it: CRLF, quotes only where needed, prices in USD cents.
    with open(os.path.join(ROOT, "sql", "sample", "catalog.csv"), "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "name", "description", "category", "priceCents", "stock", "imageUrl", "active"])
        writer.writerows(records)

if __name__ == "__main__":
    main()
