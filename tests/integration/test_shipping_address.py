"""Shipping addresses at checkout: an assigned country, a postal code in its format, a street and a city."""
import os
import subprocess
import unittest

from shop import ROOT, SHIPPING, Client, ScratchProducts, assert_error, checkout, sql


def orders_count():
    return sql("SELECT COUNT(*) FROM orders")[0][0]


def shipped_to(order_id):
    """(address, city, postal code, country) as the order keeps them."""
    return tuple(sql("SELECT shipping_address, shipping_city, shipping_postal_code, shipping_country"
                     f" FROM orders WHERE id = '{order_id}'")[0])


class ShippingAddressTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.products = ScratchProducts("addr", 1, 500)
        cls.product = cls.products.__enter__()[0]

    @classmethod
    def tearDownClass(cls):
        cls.products.__exit__(None, None, None)

    def shopper(self):
        client = Client()
        client.add(self.product)
        return client

    def assert_refused(self, client, field, **shipping):
        """The order is refused naming exactly this field, and nothing is ordered."""
        before = orders_count()
        error = assert_error(self, checkout(client, **shipping), 422, "invalid_shipping")
        self.assertEqual(list(error["fields"]), [field], shipping)
        self.assertTrue(error["fields"][field])
        self.assertEqual(orders_count(), before)
        self.assertEqual(len(client.cart()["items"]), 1, "the cart is kept")
        return error["fields"][field]

    def test_unassigned_or_made_up_countries_are_refused_on_the_country_field(self):
        client = self.shopper()
        for country in ("XX", "UK", "ZZ", "Un", "EU"):
            message = self.assert_refused(client, "country", country=country)
            self.assertIn("country", message)

    def test_postal_code_0_address_1_and_a_city_without_letters_are_refused(self):
        client = self.shopper()
        for country, postal in (("PT", "0"), ("US", "0"), ("LT", "0"), ("GB", "1000-001"), ("DE", "1234"),
                                ("US", "9410"), ("NL", "1012"), ("CA", "12345")):
            self.assert_refused(client, "postalCode", country=country, postalCode=postal)
        self.assert_refused(client, "address", address="1")
        self.assert_refused(client, "address", address="12")
        self.assert_refused(client, "city", city="12345")

    def test_postal_code_message_shows_the_countrys_format(self):
        message = self.assert_refused(self.shopper(), "postalCode", country="GB", postalCode="0")
        self.assertIn("United Kingdom", message)
        self.assertIn("SW1A 1AA", message)

    def test_every_bad_field_is_named_at_once(self):
        client = self.shopper()
        error = assert_error(self, checkout(client, address="1", postalCode="0", country="XX"), 422, "invalid_shipping")
        self.assertEqual(sorted(error["fields"]), ["address", "country", "postalCode"])

    def test_real_addresses_of_several_countries_are_ordered_in_normal_form(self):
        cases = [
            ({"address": "10 Downing Street", "city": "London", "postalCode": "sw1a2aa", "country": "gb"},
             ("10 Downing Street", "London", "SW1A 2AA", "GB")),
            ({"address": "1600 Pennsylvania Ave NW", "city": "Washington", "postalCode": "20500", "country": "US"},
             ("1600 Pennsylvania Ave NW", "Washington", "20500", "US")),
            ({"address": "Platz der Republik 1", "city": "Berlin", "postalCode": "11011", "country": "de"},
             ("Platz der Republik 1", "Berlin", "11011", "DE")),
            ({"address": "Dam 1", "city": "Amsterdam", "postalCode": "1012js", "country": "NL"},
             ("Dam 1", "Amsterdam", "1012 JS", "NL")),
            ({"address": "24 Sussex Drive", "city": "Ottawa", "postalCode": "K1M 1M4", "country": "Ca"},
             ("24 Sussex Drive", "Ottawa", "K1M 1M4", "CA")),
            ({"address": "Rua das Flores 12", "city": "Lisboa", "postalCode": "1000001", "country": "PT"},
             ("Rua das Flores 12", "Lisboa", "1000-001", "PT")),
            ({"address": "Gedimino pr. 11", "city": "Vilnius", "postalCode": "LT-01103", "country": "LT"},
             ("Gedimino pr. 11", "Vilnius", "LT-01103", "LT")),
            ({"address": "1 Queen's Road Central", "city": "Hong Kong", "postalCode": "", "country": "HK"},
             ("1 Queen's Road Central", "Hong Kong", "", "HK")),
        ]
        for shipping, stored in cases:
            client = self.shopper()
            response = checkout(client, **shipping)
            self.assertEqual(response.status, 201, (shipping, response))
            self.assertEqual(shipped_to(response.json()["orderId"]), stored)

    def test_storefront_country_list_is_the_servers(self):
        result = subprocess.run([os.path.join(ROOT, "scripts", "countries-js"), "--check"], capture_output=True,
                                text=True)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        with open(os.path.join(ROOT, "public", "js", "countries.js"), encoding="utf-8") as f:
            lines = [line for line in f if line.startswith('  ["')]
        self.assertEqual(len(lines), 249)
        self.assertIn('  ["GB", "United Kingdom"],\n', lines)


if __name__ == "__main__":
    unittest.main()
