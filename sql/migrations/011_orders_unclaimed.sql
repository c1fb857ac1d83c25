-- 011_orders_unclaimed.sql - the oldest order no worker has claimed, in one index step.
--
-- GET /api/health reports how long the oldest order nobody has started on has
-- waited (lib/order: order_oldest_unclaimed) and answers 503 past
-- health_max_order_wait_seconds. Orders still marked for the queue and never
-- claimed, by creation time: the first entry of this index is that order, so
-- the check costs the same with ten orders waiting or a million.
ALTER TABLE orders
    ADD KEY orders_unclaimed (enqueue_pending, processing_started_at, created_at);
