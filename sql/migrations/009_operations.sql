-- 009_operations.sql - what the operator's order, refund and cart commands need.
--
-- A refund is recorded on the ledger row of the charge it gives back: the
-- simulated gateway refunds with one conditional update (refunded_at IS NULL),
-- so an order is refunded at most once, however many operators try at once.
--
-- Operators find orders by the shopper's e-mail (orders_by_email), newest
-- first, or all of them (optionally of one status) newest first
-- (orders_by_created). No index leads with status on purpose: the workers'
-- claim would read PENDING orders through it and lock its entries before the
-- order's row, the opposite order of a cancel, which then deadlocks with it.
-- Abandoned carts are expired oldest first (carts_by_age).
ALTER TABLE payments
    ADD COLUMN refunded_at TIMESTAMP(3) NULL AFTER reference,
    ADD COLUMN refund_reference VARCHAR(64) CHARACTER SET ascii NULL AFTER refunded_at;

ALTER TABLE orders
    ADD KEY orders_by_email (email, created_at),
    ADD KEY orders_by_created (created_at);

ALTER TABLE carts
    ADD KEY carts_by_age (updated_at);
