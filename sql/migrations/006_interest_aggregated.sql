-- 006_interest_aggregated.sql - the aggregates are brought up to date in batches.
--
-- Until now every event updated product_popularity and product_pairs in the
-- request that recorded it: a dozen statements per add to cart. Now a request
-- only appends the event (aggregated = 0), and the order worker folds pending
-- events into the aggregates a hundred at a time, one upsert per product and
-- one per pair (lib/interest.c, interest_aggregate). Rows already here were
-- counted the old way: they start as aggregated.
ALTER TABLE interactions
    ADD COLUMN aggregated TINYINT(1) NOT NULL DEFAULT 1,
    ADD KEY interactions_to_aggregate (aggregated, id);
ALTER TABLE interactions
    ALTER COLUMN aggregated SET DEFAULT 0;
