"""The sample catalog's pictures, as a shopper's browser gets them through nginx.

Each sample product (sql/sample/catalog.csv, written by sql/sample/generate.py)
has its own small drawing: served as SVG, titled with the product's name, made of
flat shapes only (no script, nothing fetched from elsewhere), and unlike every
other product's even with the words taken out.
"""
import csv
import os
import re
import unittest
import urllib.parse
import xml.etree.ElementTree as ElementTree

from shop import ROOT, get

SVG = "{http://www.w3.org/2000/svg}"
IMAGE_MAX_BYTES = 2048
# What a flat drawing is made of; anything else (script, image, use, foreignObject, style) is refused.
SHAPES = {"svg", "title", "g", "rect", "path", "circle", "ellipse", "text"}
WORDS = re.compile(rb"<title>.*?</title>|<text\b[^>]*>.*?</text>", re.S)


def sample_products():
    with open(os.path.join(ROOT, "sql", "sample", "catalog.csv"), newline="") as f:
        return list(csv.DictReader(f))


def fetch_images():
    """{product id: (name, image response)} for every sample product, via the API's imageUrl."""
    images = {}
    for product in sample_products():
        detail = get(f"/api/products/{product['id']}")
        assert detail.status == 200, (product["id"], detail)
        images[product["id"]] = (product["name"], get(detail.json()["imageUrl"]))
    return images


class SampleImagesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.images = fetch_images()

    def test_every_sample_image_is_a_small_svg_titled_with_its_product(self):
        self.assertGreater(len(self.images), 60)
        for pid, (name, image) in self.images.items():
            with self.subTest(pid):
                self.assertEqual(image.status, 200)
                self.assertEqual(image.header("content-type"), "image/svg+xml")
                self.assertLess(len(image.body), IMAGE_MAX_BYTES)
                root = ElementTree.fromstring(image.body)
                self.assertEqual(root.tag, SVG + "svg")
                self.assertEqual(root.get("viewBox"), "0 0 64 64")
                self.assertEqual(root.findtext(SVG + "title"), name)

    def test_sample_images_are_flat_shapes_with_no_script_or_outside_reference(self):
        for pid, (_, image) in self.images.items():
            with self.subTest(pid):
                self.assertNotIn(b"<script", image.body.lower())
                for element in ElementTree.fromstring(image.body).iter():
                    self.assertIn(element.tag.removeprefix(SVG), SHAPES)
                    for attribute, value in element.attrib.items():
                        self.assertNotIn("href", attribute.lower())
                        self.assertFalse(attribute.lower().startswith("on"), attribute)
                        self.assertNotIn("url(", value.lower())

    def test_no_two_sample_images_are_the_same_drawing_once_their_words_are_removed(self):
        drawings = {}
        for pid, (_, image) in self.images.items():
            drawings.setdefault(WORDS.sub(b"", image.body), []).append(pid)
        self.assertEqual([ids for ids in drawings.values() if len(ids) > 1], [])

    def test_the_sample_search_for_lamp_finds_the_desk_lamp(self):
        """The README's example search."""
        items = get("/api/products?q=" + urllib.parse.quote("lamp")).json()["items"]
        self.assertIn("Halo Desk Lamp", [item["name"] for item in items])


if __name__ == "__main__":
    unittest.main()
