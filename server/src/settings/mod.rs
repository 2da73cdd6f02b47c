//! Configuration: where it comes from (`sources`) and what it means (`parse`).
//!
//! Two steps, so tests can skip the first: `sources::load` layers defaults, the optional
//! TOML file, `.env` and the environment into a map of variables; `Settings::from_vars`
//! turns that map into typed values or a list of one-line problems.

mod parse;
mod providers;
mod sources;

use std::time::Duration;

use nectr_application::SignInRules;
use nectr_crypto::SecretKey;
use nectr_db::DatabaseConfig;
use secrecy::SecretString;
use url::Url;

pub use parse::{Problem, Problems};
pub use sources::load;

/// The variables the service reads, and nothing else from the environment.
pub const KNOWN_VARIABLES: &[&str] = &[
    "APP_ENV",
    "HOST",
    "PORT",
    "BACKEND_URL",
    "FRONTEND_URL",
    "DATABASE_URL",
    "DATABASE_MAX_CONNECTIONS",
    "GITHUB_CLIENT_ID",
    "GITHUB_CLIENT_SECRET",
    "GITHUB_URL",
    "GITHUB_API_URL",
    "GITHUB_PKCE",
    "SECRET_KEY",
    "PREVIOUS_SECRET_KEYS",
    "ACCESS_TOKEN_EXPIRE_MINUTES",
    "OAUTH_STATE_TTL_SECONDS",
    "RUST_LOG",
    "LOG_FORMAT",
    "RUN_MIGRATIONS",
    "LOGIN_RATE_LIMIT_PER_MINUTE",
    "MAX_LIVE_OAUTH_STATES",
    "TRUST_X_FORWARDED_FOR",
    "SESSION_CACHE_SECONDS",
    "ALLOWED_GITHUB_USERS",
    "ALLOWED_GITHUB_ORGS",
    "ALLOWED_GITHUB_TEAMS",
    "GITLAB_CLIENT_ID",
    "GITLAB_CLIENT_SECRET",
    "GITLAB_URL",
    "ALLOWED_GITLAB_USERS",
    "ALLOWED_GITLAB_GROUPS",
    "REVOKE_PROVIDER_TOKEN_ON_LOGOUT",
    "INTERNAL_API_TOKENS",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppEnv {
    Development,
    Production,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// Where `SECRET_KEY` came from.
#[derive(Debug)]
pub enum KeySource {
    Configured,
    /// Development without `SECRET_KEY`: a key made at start-up, so sessions and stored
    /// tokens do not survive a restart.
    Ephemeral,
}

/// The GitHub OAuth App this service signs in with.
#[derive(Debug, Clone)]
pub struct GithubSettings {
    /// Required by `serve`; `check` reports it missing.
    pub client_id: Option<String>,
    pub client_secret: Option<SecretString>,
    pub web_url: Url,
    pub api_url: Url,
    pub pkce: bool,
    /// Who may sign in (`ALLOWED_GITHUB_USERS`, `ALLOWED_GITHUB_ORGS`, `ALLOWED_GITHUB_TEAMS`).
    pub rules: SignInRules,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
}

/// The GitLab application this service also signs in with, when configured.
#[derive(Debug, Clone)]
pub struct GitlabSettings {
    pub client_id: String,
    pub client_secret: SecretString,
    /// gitlab.com or a self-managed instance (`GITLAB_URL`).
    pub url: Url,
    /// Who may sign in (`ALLOWED_GITLAB_USERS`, `ALLOWED_GITLAB_GROUPS`).
    pub rules: SignInRules,
}

/// Typed, validated configuration.
#[derive(Debug)]
pub struct Settings {
    pub app_env: AppEnv,
    pub host: String,
    pub port: u16,
    pub backend_url: Url,
    pub frontend_url: Url,
    pub database: DatabaseConfig,
    pub database_max_connections: usize,
    pub github: GithubSettings,
    /// Set when `GITLAB_CLIENT_ID` and `GITLAB_CLIENT_SECRET` are.
    pub gitlab: Option<GitlabSettings>,
    pub secret_key: SecretKey,
    pub key_source: KeySource,
    pub previous_secret_keys: Vec<SecretKey>,
    pub session_ttl_minutes: i64,
    pub state_ttl_seconds: i64,
    pub log_filter: String,
    pub log_format: LogFormat,
    pub run_migrations: bool,
    /// Sign-in starts allowed per client address and minute (0: no limit).
    pub login_rate_limit_per_minute: u32,
    /// Most sign-in attempts live at once (0: no cap).
    pub max_live_oauth_states: u64,
    /// Take the client address from the last `X-Forwarded-For` entry.
    pub trust_x_forwarded_for: bool,
    /// How long a session the database vouched for is believed without asking again (0: ask
    /// on every request); also how late a revocation on another instance may be seen here.
    pub session_cache_seconds: u32,
    /// Whether logout also revokes the person's provider token.
    pub revoke_provider_token_on_logout: bool,
    /// Credentials of the Nectr services that may fetch people's provider tokens
    /// (`INTERNAL_API_TOKENS`); none turns the internal API off.
    pub internal_api_tokens: Vec<SecretString>,
    /// HTTP worker threads (tests use one).
    pub workers: usize,
    /// How often expired states and sessions are deleted.
    pub sweep_interval: Duration,
}

impl Settings {
    pub fn is_production(&self) -> bool {
        self.app_env == AppEnv::Production
    }

    /// The URL to register as the GitHub OAuth App's "Authorization callback URL".
    pub fn callback_url(&self) -> String {
        self.callback_url_for("github")
    }

    /// The callback URL of the provider `id`: `{BACKEND_URL}/auth/{id}/callback`.
    pub fn callback_url_for(&self, id: &str) -> String {
        join(&self.backend_url, &format!("/auth/{id}/callback"))
    }

    /// Where the browser lands after signing in.
    pub fn dashboard_url(&self) -> String {
        join(&self.frontend_url, "/dashboard")
    }

    /// The only origin allowed by CORS: the frontend's scheme, host and port.
    pub fn frontend_origin(&self) -> String {
        self.frontend_url.origin().ascii_serialization()
    }
}

/// `{base}{path}` for a base URL that may itself have a path (`https://host/api`), without
/// the doubled slash `Url::join` semantics would get wrong.
pub fn join(base: &Url, path: &str) -> String {
    format!("{}{path}", base.as_str().trim_end_matches('/'))
}
