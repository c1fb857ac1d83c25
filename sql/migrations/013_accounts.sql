-- 013_accounts.sql - shopper accounts, their signed-in sessions, password resets
-- and the sign-in failure counters.
--
-- An account has its own user_id (32 hex digits, random): the id carts,
-- cart_items and orders are keyed by. A signed-in session answers for that
-- user_id, so the cart and the orders are the same on every device, and no
-- cart or order table changes. email is stored lower-cased (lib/account), so
-- the unique key is the one rule for "already registered".
CREATE TABLE accounts (
    id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    user_id       CHAR(32) CHARACTER SET ascii NOT NULL,
    email         VARCHAR(254) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    name          VARCHAR(100) NOT NULL,
    -- crypto_pwhash_str's text: algorithm, parameters, salt and hash together,
    -- so raising the parameters leaves older hashes readable.
    password_hash VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    created_at    TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    updated_at    TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
    PRIMARY KEY (id),
    UNIQUE KEY accounts_by_email (email),
    UNIQUE KEY accounts_by_user (user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A signed-in session (lib/session): the SHA-256 of the cookie's random id,
-- never the id itself, so a copy of this table signs no one in. Deleting the
-- rows of an account ends all its sessions (sign-out, password change).
CREATE TABLE account_sessions (
    id_hash    CHAR(64) CHARACTER SET ascii NOT NULL,
    account_id BIGINT UNSIGNED NOT NULL,
    user_id    CHAR(32) CHARACTER SET ascii NOT NULL,
    created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    expires_at TIMESTAMP(3) NOT NULL,
    PRIMARY KEY (id_hash),
    KEY account_sessions_by_account (account_id)
) ENGINE=InnoDB;

-- A password reset link's token, hashed (SHA-256) like a session id; deleted
-- when used, so it works once.
CREATE TABLE password_resets (
    token_hash CHAR(64) CHARACTER SET ascii NOT NULL,
    account_id BIGINT UNSIGNED NOT NULL,
    expires_at TIMESTAMP(3) NOT NULL,
    PRIMARY KEY (token_hash),
    KEY password_resets_by_account (account_id)
) ENGINE=InnoDB;

-- Failed sign-ins (and reset requests) per subject within a window: subject is
-- a kind letter and the SHA-256 of an e-mail address or a client address, so
-- no address is stored in clear.
CREATE TABLE sign_in_failures (
    subject     CHAR(66) CHARACTER SET ascii NOT NULL,
    failures    INT UNSIGNED NOT NULL,
    window_ends TIMESTAMP(3) NOT NULL,
    PRIMARY KEY (subject),
    KEY sign_in_failures_by_end (window_ends)
) ENGINE=InnoDB;
