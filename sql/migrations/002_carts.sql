-- 002_carts.sql - shoppers' carts.
--
-- user_id is the session's id (32 hex digits), never a client-sent value.
-- carts has one row per shopper: every cart change first upserts it, which locks
-- it, so one shopper's concurrent changes run one after another and the limits
-- (quantity, stock, line count) are checked against what is really there.
-- No foreign keys on purpose: a key check on products would share-lock the
-- product row that checkout decrements, coupling every cart to every order; the
-- responder checks the product itself.
CREATE TABLE carts (
    user_id    CHAR(32) CHARACTER SET ascii NOT NULL,
    created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    updated_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
    PRIMARY KEY (user_id)
) ENGINE=InnoDB;

CREATE TABLE cart_items (
    user_id    CHAR(32) CHARACTER SET ascii NOT NULL,
    product_id VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    quantity   SMALLINT UNSIGNED NOT NULL,
    added_at   TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    PRIMARY KEY (user_id, product_id),
    KEY cart_items_product (product_id)
) ENGINE=InnoDB;
