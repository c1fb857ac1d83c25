-- 005_enqueued_at.sql - when an order was last handed to the queue.
--
-- The enqueue mark is now cleared when a worker claims the order, not when the
-- push succeeds: a push Redis acknowledged can still be lost in a crash before
-- its append-only file reaches the disk. The sweeper re-queues orders still
-- marked whose last push is older than worker_sweep_after_ms, and records the
-- new push here, so a stuck order is pushed again at that pace, not every sweep.
ALTER TABLE orders
    ADD COLUMN enqueued_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) AFTER enqueue_pending,
    DROP KEY orders_to_enqueue,
    ADD KEY orders_to_enqueue (enqueue_pending, enqueued_at);
