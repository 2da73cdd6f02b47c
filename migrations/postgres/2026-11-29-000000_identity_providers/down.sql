-- Back to people keyed by GitHub id. Only GitHub's people fit that shape: everyone else is
-- deleted (their sessions go with them), and so are attempts sent to other providers.
-- Granted scopes are forgotten.

DELETE FROM users WHERE provider <> 'github';
DELETE FROM oauth_states WHERE provider <> 'github';

ALTER TABLE users ADD COLUMN github_id BIGINT;

UPDATE users SET github_id = provider_user_id::BIGINT;

ALTER TABLE users
    ALTER COLUMN github_id SET NOT NULL,
    ADD CONSTRAINT users_github_id_key UNIQUE (github_id),
    DROP COLUMN provider,
    DROP COLUMN provider_user_id,
    DROP COLUMN granted_scopes;

ALTER TABLE users RENAME COLUMN username TO github_username;

ALTER TABLE oauth_states DROP COLUMN provider;
