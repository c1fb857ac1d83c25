-- 003_orders.sql - orders, their lines, payments, e-mails and idempotency keys.
--
-- An order is written with enqueue_pending = 1 in the checkout transaction; the
-- mark is cleared once its message is on the Redis queue, and a sweeper in the
-- worker re-queues any order still marked, so an accepted order is never lost.
-- processing_started_at is set by the first worker to take the order; from then
-- on the shopper can no longer cancel it, so a cancel never races a charge.
CREATE TABLE orders (
    id                    VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    user_id               CHAR(32) CHARACTER SET ascii NOT NULL,
    status                VARCHAR(16) CHARACTER SET ascii NOT NULL,
    email                 VARCHAR(254) NOT NULL,
    shipping_name         VARCHAR(100) NOT NULL,
    shipping_address      VARCHAR(200) NOT NULL,
    shipping_city         VARCHAR(100) NOT NULL,
    shipping_postal_code  VARCHAR(20) NOT NULL,
    shipping_country      CHAR(2) CHARACTER SET ascii NOT NULL,
    total_cents           BIGINT UNSIGNED NOT NULL,
    currency              CHAR(3) CHARACTER SET ascii NOT NULL,
    enqueue_pending       TINYINT(1) NOT NULL DEFAULT 1,
    attempts              INT UNSIGNED NOT NULL DEFAULT 0,
    last_error            VARCHAR(255) NULL,
    processing_started_at TIMESTAMP(3) NULL,
    created_at            TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    updated_at            TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
    PRIMARY KEY (id),
    KEY orders_by_user (user_id, created_at, id),
    KEY orders_to_enqueue (enqueue_pending, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE order_items (
    order_id         VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    product_id       VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    name             VARCHAR(200) NOT NULL,
    unit_price_cents INT UNSIGNED NOT NULL,
    quantity         SMALLINT UNSIGNED NOT NULL,
    line_total_cents BIGINT UNSIGNED NOT NULL,
    PRIMARY KEY (order_id, product_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The simulated gateway's ledger: one row per order is one charge attempt that
-- reached the gateway, so a card is charged at most once per order.
CREATE TABLE payments (
    order_id     VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    outcome      VARCHAR(16) CHARACTER SET ascii NOT NULL,  -- CHARGED or DECLINED
    amount_cents BIGINT UNSIGNED NOT NULL,
    currency     CHAR(3) CHARACTER SET ascii NOT NULL,
    reference    VARCHAR(64) CHARACTER SET ascii NOT NULL,
    created_at   TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    PRIMARY KEY (order_id)
) ENGINE=InnoDB;

-- One row per e-mail handed to the mail system: an e-mail is sent at most once.
CREATE TABLE emails (
    order_id   VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    kind       VARCHAR(32) CHARACTER SET ascii NOT NULL,
    sent_at    TIMESTAMP(3) NULL,
    created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    PRIMARY KEY (order_id, kind)
) ENGINE=InnoDB;

-- Idempotency-Key of POST /api/orders, per shopper: the key's first request
-- decides the answer to every retry with that key.
CREATE TABLE idempotency_keys (
    user_id      CHAR(32) CHARACTER SET ascii NOT NULL,
    idem_key     VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    request_hash CHAR(64) CHARACTER SET ascii NOT NULL,
    order_id     VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    created_at   TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    PRIMARY KEY (user_id, idem_key)
) ENGINE=InnoDB;
