"""Bad requests get the JSON error body with the right status, whoever answers them."""
import unittest

from shop import Client, assert_error, get, raw


class BadRequestTest(unittest.TestCase):
    def test_broken_percent_encoding_is_400(self):
        for query in ["q=%zz", "q=%4", "q=abc%", "q=%00", "q=%ff%fe"]:
            assert_error(self, get(f"/api/products?{query}"), 400, "invalid_request")

    def test_long_query_string_is_414(self):
        assert_error(self, get("/api/products?q=" + "a" * 3000), 414, "uri_too_long")

    def test_query_longer_than_nginx_buffers_is_414_json(self):
        assert_error(self, get("/api/products?q=" + "a" * 20000), 414, "uri_too_long")

    def test_too_many_query_parameters_is_400(self):
        assert_error(self, get("/api/products?" + "&".join(f"p{i}=1" for i in range(40))), 400)

    def test_too_long_search_text_is_400(self):
        assert_error(self, get("/api/products?q=" + "a" * 101), 400, "invalid_query")

    def test_unsupported_method_is_405_with_allow(self):
        for method in ["POST", "PUT", "DELETE", "PATCH"]:
            response = Client().request(method, "/api/products", body=b"{}",
                                        headers={"Content-Type": "application/json"})
            assert_error(self, response, 405, "method_not_allowed")
            self.assertEqual(response.header("allow"), "GET")

    def test_head_is_answered_like_get_without_body(self):
        response = Client().request("HEAD", "/api/products/prod-001")
        self.assertEqual(response.status, 200)
        self.assertEqual(response.body, b"")

    def test_unknown_api_path_is_404(self):
        assert_error(self, get("/api/nothing-here"), 404, "no_route")
        assert_error(self, get("/api/products/prod-001/extra"), 404, "no_route")

    def test_body_over_the_limit_is_413(self):
        response = Client().request("POST", "/api/products", body=b"x" * 40000,
                                    headers={"Content-Type": "application/json"})
        assert_error(self, response, 413, "payload_too_large")

    def test_malformed_request_line_is_400_json(self):
        response = raw(b"GET /api/products?q=a b c HTTP/1.1\r\nHost: shop\r\nConnection: close\r\n\r\n")
        assert_error(self, response, 400, "invalid_request")


if __name__ == "__main__":
    unittest.main()
