-- 001_products.sql - the catalog.
--
-- id is the public product id ("prod-123"). Listing pages by (name, id), so
-- both listing indexes end in those columns: a page is one index range scan.
-- Money is integer minor units (cents) plus an ISO 4217 currency code.
CREATE TABLE products (
    id          VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    name        VARCHAR(200) NOT NULL,
    description TEXT NOT NULL,
    category    VARCHAR(64) NOT NULL,
    price_cents INT UNSIGNED NOT NULL,
    currency    CHAR(3) CHARACTER SET ascii NOT NULL DEFAULT 'USD',
    stock       INT UNSIGNED NOT NULL DEFAULT 0,
    image_url   VARCHAR(255) NOT NULL DEFAULT '',
    active      TINYINT(1) NOT NULL DEFAULT 1,
    created_at  TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    updated_at  TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
    PRIMARY KEY (id),
    KEY products_listing (active, name, id),
    KEY products_category_listing (active, category, name, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
