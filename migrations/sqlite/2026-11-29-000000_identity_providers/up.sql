-- People are keyed by their identity at any provider, no longer by GitHub id alone: a
-- `(provider, provider_user_id)` pair, the id as text so any provider's form fits. Existing
-- people are GitHub's. `granted_scopes` is NULL until a sign-in reports them.
--
-- SQLite cannot drop a UNIQUE, NOT NULL column in place, so `users` is rebuilt as SQLite's
-- ALTER TABLE page describes. Foreign keys must be off while `users` is dropped, or the drop
-- would cascade to every session; the pool turns them on for each connection, and the
-- pragma does nothing inside a transaction, hence this migration's own BEGIN and COMMIT
-- (metadata.toml). The migration's connection is closed afterwards, so a failure half-way
-- rolls back and cannot leave foreign keys off for the service. Diesel records the version
-- only after this COMMIT: should the process die in between, the next start fails on the
-- missing `github_id`, and the version (20261129000000) must be recorded by hand.

PRAGMA foreign_keys = OFF;

BEGIN;

CREATE TABLE users_new (
    -- AUTOINCREMENT stops SQLite from reusing the id of a deleted newest row, so a deleted
    -- person's id never names someone else.
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    provider         TEXT    NOT NULL,
    provider_user_id TEXT    NOT NULL,
    username         TEXT    NOT NULL,
    name             TEXT,
    email            TEXT,
    avatar_url       TEXT,
    -- Space-separated; NULL when no provider ever said what it granted.
    granted_scopes   TEXT,
    -- The provider token, sealed: which key, the nonce, and ciphertext with its tag.
    token_key_id     TEXT    NOT NULL,
    token_nonce      BLOB    NOT NULL,
    token_ciphertext BLOB    NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    UNIQUE (provider, provider_user_id)
) STRICT;

-- Ids are copied as they are, so sessions still point at their person.
INSERT INTO users_new (id, provider, provider_user_id, username, name, email, avatar_url,
                       granted_scopes, token_key_id, token_nonce, token_ciphertext,
                       created_at, updated_at)
SELECT id, 'github', CAST(github_id AS TEXT), github_username, name, email, avatar_url,
       NULL, token_key_id, token_nonce, token_ciphertext, created_at, updated_at
FROM users;

-- The copy set the new table's counter to the highest id present, which is lower than the
-- old one when the newest person was deleted; carry the old counter over so that id is still
-- never handed out again. Renaming the table below renames its counter with it.
DELETE FROM sqlite_sequence WHERE name = 'users_new';
UPDATE sqlite_sequence SET name = 'users_new' WHERE name = 'users';

DROP TABLE users;
ALTER TABLE users_new RENAME TO users;

-- Attempts already in flight were all sent to GitHub.
ALTER TABLE oauth_states ADD COLUMN provider TEXT NOT NULL DEFAULT 'github';

COMMIT;

PRAGMA foreign_keys = ON;
