-- 012_catalog_sorting.sql - the catalog can be listed by price and by age.
--
-- GET /api/products?sort=price_asc|price_desc|newest pages by keyset over
-- (price_cents, id) and (created_at, id), with or without a category, like
-- the name order does over (name, id). Each order gets an index that ends in
-- its keyset, so a page stays one index range scan (backward for the
-- descending orders) however deep the client pages, and a price range
-- (minPrice, maxPrice) is part of that same range. products.created_at exists
-- since 001 (rows loaded together tie on it; id breaks the tie).
ALTER TABLE products
    ADD KEY products_price_listing (active, price_cents, id),
    ADD KEY products_category_price_listing (active, category, price_cents, id),
    ADD KEY products_newest_listing (active, created_at, id),
    ADD KEY products_category_newest_listing (active, category, created_at, id);
