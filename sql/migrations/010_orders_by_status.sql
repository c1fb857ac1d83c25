-- 010_orders_by_status.sql - orders counted by status for monitoring, cheaply.
--
-- GET /metrics (shop-metrics) asks at every scrape how many orders each
-- status holds and how old the oldest PENDING one is (the queue's lag). With
-- this index both are read from the index alone: the GROUP BY walks a narrow
-- index rather than the table, and the oldest PENDING order is its first entry.
ALTER TABLE orders
    ADD KEY orders_by_status (status, created_at);
