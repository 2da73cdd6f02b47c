-- People, sign-in attempts in flight and sessions. Timestamps are Unix seconds (BIGINT) so
-- both databases store them the same way.

CREATE TABLE users (
    -- Identity values are never reused, so a deleted person's id never names someone else.
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    github_id        BIGINT NOT NULL UNIQUE,
    github_username  TEXT   NOT NULL,
    name             TEXT,
    email            TEXT,
    avatar_url       TEXT,
    -- The provider token, sealed: which key, the nonce, and ciphertext with its tag.
    token_key_id     TEXT   NOT NULL,
    token_nonce      BYTEA  NOT NULL,
    token_ciphertext BYTEA  NOT NULL,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);

CREATE TABLE oauth_states (
    state          TEXT   PRIMARY KEY,
    -- A digest of the browser-binding cookie, never the cookie itself.
    binding_digest TEXT   NOT NULL,
    pkce_verifier  TEXT,
    created_at     BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL
);

-- The sweeper deletes by deadline.
CREATE INDEX oauth_states_expires_at_idx ON oauth_states (expires_at);

CREATE TABLE sessions (
    id         TEXT   PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

-- Deleting a person scans sessions by user; the sweeper scans by deadline.
CREATE INDEX sessions_user_id_idx ON sessions (user_id);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);
