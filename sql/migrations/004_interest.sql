-- 004_interest.sql - what shoppers show interest in, and the aggregates that
-- recommendations read.
--
-- interactions is append-only and read only by (user_id, created_at) ranges.
-- The two aggregates are kept up to date on every event, so no request ever
-- scans interactions as a whole. Their scores are time-decayed sums kept in log
-- space: log_score = log2(sum of weight * 2^(t / half_life)). Adding an event is
-- a log-sum-exp, nothing ever needs rescaling, and ordering by log_score is
-- ordering by the decayed score at any moment, since all scores decay alike.
CREATE TABLE interactions (
    id         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    user_id    CHAR(32) CHARACTER SET ascii NOT NULL,
    product_id VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NULL,
    event_type VARCHAR(16) CHARACTER SET ascii NOT NULL,
    category   VARCHAR(64) NULL,
    created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    PRIMARY KEY (id),
    KEY interactions_by_user (user_id, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- How popular each product is now (all shoppers, decayed).
CREATE TABLE product_popularity (
    product_id VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    category   VARCHAR(64) NOT NULL,
    log_score  DOUBLE NOT NULL,
    PRIMARY KEY (product_id),
    KEY product_popularity_rank (log_score, product_id),
    KEY product_popularity_category_rank (category, log_score)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- How often two products caught the same shopper's interest close together.
CREATE TABLE product_pairs (
    product_id VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    other_id   VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    log_score  DOUBLE NOT NULL,
    PRIMARY KEY (product_id, other_id),
    KEY product_pairs_rank (product_id, log_score)
) ENGINE=InnoDB;
