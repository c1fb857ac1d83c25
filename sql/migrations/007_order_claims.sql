-- 007_order_claims.sql - who holds an order now, and e-mails retried on their own.
--
-- A worker's claim on an order is a row lock in time: claimed_by names the
-- worker, claim_expires_at ends the claim unless the worker renews it with its
-- lease. Only the holder may charge, mail and finish the order; a claim that
-- expired (its worker died) lets the sweeper queue the order again. Final
-- statuses clear both, so orders_live_claims indexes only live claims.
--
-- Orders a worker had already taken when this migration runs carry neither a
-- mark nor a claim: marked again, the sweeper queues them if their message is
-- gone (a duplicate is harmless).
--
-- A confirmation that could not be delivered (SMTP down, spool full) no longer
-- holds back a paid order: the order becomes PROCESSED and its e-mail row waits
-- for next_attempt_at, when a worker tries it again (attempts, last_error).
ALTER TABLE orders
    ADD COLUMN claimed_by VARCHAR(96) CHARACTER SET ascii COLLATE ascii_bin NULL AFTER processing_started_at,
    ADD COLUMN claim_expires_at TIMESTAMP(3) NULL AFTER claimed_by,
    ADD KEY orders_live_claims (claim_expires_at),
    ADD KEY orders_by_holder (claimed_by);

ALTER TABLE emails
    ADD COLUMN attempts INT UNSIGNED NOT NULL DEFAULT 0 AFTER kind,
    ADD COLUMN next_attempt_at TIMESTAMP(3) NULL AFTER attempts,
    ADD COLUMN last_error VARCHAR(255) NULL AFTER next_attempt_at,
    ADD COLUMN claimed_by VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NULL AFTER last_error,
    ADD KEY emails_due (next_attempt_at),
    ADD KEY emails_by_holder (claimed_by);

UPDATE orders SET enqueue_pending = 1, enqueued_at = CURRENT_TIMESTAMP(3)
    WHERE status = 'PENDING' AND enqueue_pending = 0;
