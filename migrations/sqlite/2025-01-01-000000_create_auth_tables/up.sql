-- People, sign-in attempts in flight and sessions. Timestamps are Unix seconds (INTEGER, 64
-- bits) so both databases store them the same way. STRICT makes SQLite refuse values of the
-- wrong type instead of storing them as they come.

CREATE TABLE users (
    -- AUTOINCREMENT stops SQLite from reusing the id of a deleted newest row, so a deleted
    -- person's id never names someone else.
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    github_id        INTEGER NOT NULL UNIQUE,
    github_username  TEXT    NOT NULL,
    name             TEXT,
    email            TEXT,
    avatar_url       TEXT,
    -- The provider token, sealed: which key, the nonce, and ciphertext with its tag.
    token_key_id     TEXT    NOT NULL,
    token_nonce      BLOB    NOT NULL,
    token_ciphertext BLOB    NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
) STRICT;

CREATE TABLE oauth_states (
    state          TEXT    PRIMARY KEY NOT NULL,
    -- A digest of the browser-binding cookie, never the cookie itself.
    binding_digest TEXT    NOT NULL,
    pkce_verifier  TEXT,
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL
) STRICT;

-- The sweeper deletes by deadline.
CREATE INDEX oauth_states_expires_at_idx ON oauth_states (expires_at);

CREATE TABLE sessions (
    id         TEXT    PRIMARY KEY NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;

-- Deleting a person scans sessions by user; the sweeper scans by deadline.
CREATE INDEX sessions_user_id_idx ON sessions (user_id);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);
