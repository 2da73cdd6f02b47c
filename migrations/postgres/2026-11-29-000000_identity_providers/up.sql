-- People are keyed by their identity at any provider, no longer by GitHub id alone: a
-- `(provider, provider_user_id)` pair, the id as text so any provider's form fits. Existing
-- people are GitHub's. `granted_scopes` (space-separated) is NULL until a sign-in reports
-- them. Ids are kept, so sessions still point at their person.

ALTER TABLE users
    ADD COLUMN provider         TEXT,
    ADD COLUMN provider_user_id TEXT,
    ADD COLUMN granted_scopes   TEXT;

UPDATE users SET provider = 'github', provider_user_id = github_id::TEXT;

-- Dropping `github_id` drops its unique constraint with it.
ALTER TABLE users
    ALTER COLUMN provider         SET NOT NULL,
    ALTER COLUMN provider_user_id SET NOT NULL,
    DROP COLUMN github_id,
    ADD CONSTRAINT users_provider_provider_user_id_key UNIQUE (provider, provider_user_id);

ALTER TABLE users RENAME COLUMN github_username TO username;

-- Attempts already in flight were all sent to GitHub.
ALTER TABLE oauth_states ADD COLUMN provider TEXT NOT NULL DEFAULT 'github';
