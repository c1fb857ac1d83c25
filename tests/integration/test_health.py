"""Health reports each backing service, and the API recovers when one comes back."""
import unittest

from shop import assert_error, fresh, get, service


class HealthTest(unittest.TestCase):
    def test_health_is_ok_when_everything_runs(self):
        response = get("/api/health")
        self.assertEqual(response.status, 200)
        self.assertEqual(response.json(), {"status": "ok", "db": "ok", "redis": "ok"})

    def test_redis_down_is_503_naming_redis_then_recovers(self):
        service("stop", "redis")
        try:
            response = get("/api/health")
            self.assertEqual(response.status, 503)
            self.assertEqual(response.json(), {"status": "unavailable", "db": "ok", "redis": "down"})
        finally:
            service("start", "redis")
        self.assertEqual(get("/api/health").status, 200)

    def test_mariadb_down_is_503_and_responders_recover_without_restart(self):
        self.assertEqual(get("/api/products/prod-001").status, 200)
        service("stop", "mariadb")
        try:
            response = get("/api/health")
            self.assertEqual(response.status, 503)
            self.assertEqual(response.json()["db"], "down")
            assert_error(self, get(fresh("/api/products/prod-001")), 503, "service_unavailable")
        finally:
            service("start", "mariadb")
        # The same responder processes reconnect on their own.
        self.assertEqual(get("/api/products/prod-001").status, 200)
        self.assertEqual(get("/api/health").status, 200)

    def test_stopped_responder_is_503_json_from_nginx(self):
        service("stop", "products")
        try:
            assert_error(self, get(fresh("/api/products")), 503, "service_unavailable")
        finally:
            service("start", "products")
        self.assertEqual(get("/api/products").status, 200)


if __name__ == "__main__":
    unittest.main()
