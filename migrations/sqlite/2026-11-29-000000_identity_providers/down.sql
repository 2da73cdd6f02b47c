-- Back to people keyed by GitHub id. Only GitHub's people fit that shape: everyone else is
-- deleted with their sessions, and so are attempts sent to other providers. Granted scopes
-- are forgotten.
--
-- The same rebuild as up.sql, with foreign keys off and its own transaction for the same
-- reason (metadata.toml).

PRAGMA foreign_keys = OFF;

BEGIN;

-- Foreign keys are off, so the cascade has to be spelled out.
DELETE FROM sessions
WHERE user_id IN (SELECT id FROM users WHERE provider <> 'github');
DELETE FROM oauth_states WHERE provider <> 'github';

CREATE TABLE users_old (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    github_id        INTEGER NOT NULL UNIQUE,
    github_username  TEXT    NOT NULL,
    name             TEXT,
    email            TEXT,
    avatar_url       TEXT,
    token_key_id     TEXT    NOT NULL,
    token_nonce      BLOB    NOT NULL,
    token_ciphertext BLOB    NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
) STRICT;

INSERT INTO users_old (id, github_id, github_username, name, email, avatar_url,
                       token_key_id, token_nonce, token_ciphertext, created_at, updated_at)
SELECT id, CAST(provider_user_id AS INTEGER), username, name, email, avatar_url,
       token_key_id, token_nonce, token_ciphertext, created_at, updated_at
FROM users
WHERE provider = 'github';

DELETE FROM sqlite_sequence WHERE name = 'users_old';
UPDATE sqlite_sequence SET name = 'users_old' WHERE name = 'users';

DROP TABLE users;
ALTER TABLE users_old RENAME TO users;

ALTER TABLE oauth_states DROP COLUMN provider;

COMMIT;

PRAGMA foreign_keys = ON;
