//! From variables to typed settings. Every problem is one line: the setting, what is wrong,
//! and the fix. All problems are collected, so `nectr-auth check` can list them at once.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use nectr_crypto::{KeyError, SecretKey};
use nectr_db::DatabaseConfig;
use secrecy::SecretString;
use url::Url;

use super::providers::{gitlab, internal_api_tokens, sign_in_rules};
use super::{AppEnv, GithubSettings, KeySource, LogFormat, Settings};

/// One configuration problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub setting: String,
    pub message: String,
}

impl Problem {
    pub fn new(setting: &str, message: impl Into<String>) -> Self {
        Self {
            setting: setting.to_owned(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.setting, self.message)
    }
}

/// Every problem found, in the order of the settings table.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Problems(pub Vec<Problem>);

impl Problems {
    pub fn one(problem: Problem) -> Self {
        Self(vec![problem])
    }

    pub fn push(&mut self, problem: Problem) {
        self.0.push(problem);
    }

    pub fn into_result<T>(self, value: T) -> Result<T, Self> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

impl std::fmt::Display for Problems {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let lines: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&lines.join("\n"))
    }
}

/// Reads variables, remembering every problem instead of stopping at the first.
pub(super) struct Reader<'a> {
    vars: &'a HashMap<String, String>,
    problems: Problems,
}

impl<'a> Reader<'a> {
    /// The value, or `None` when unset or empty (an empty variable means "unset").
    pub(super) fn get(&self, name: &str) -> Option<&'a str> {
        self.vars
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    pub(super) fn problem(&mut self, name: &str, message: impl Into<String>) {
        self.problems.push(Problem::new(name, message));
    }

    pub(super) fn number<T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy>(
        &mut self,
        name: &str,
        default: T,
        min: T,
        max: T,
    ) -> T {
        let Some(text) = self.get(name) else {
            return default;
        };
        match text.trim().parse::<T>() {
            Ok(n) if n >= min && n <= max => n,
            _ => {
                self.problem(
                    name,
                    format!("must be a whole number from {min} to {max} (got {text:?})"),
                );
                default
            }
        }
    }

    pub(super) fn boolean(&mut self, name: &str, default: bool) -> bool {
        match self
            .get(name)
            .map(|v| v.trim().to_ascii_lowercase())
            .as_deref()
        {
            None => default,
            Some("true" | "1" | "yes" | "on") => true,
            Some("false" | "0" | "no" | "off") => false,
            Some(_) => {
                self.problem(name, "must be true or false");
                default
            }
        }
    }

    /// An absolute http(s) URL without trailing slash, query or fragment; https in production.
    pub(super) fn url(&mut self, name: &str, default: &str, production: bool) -> Url {
        let text = self.get(name).unwrap_or(default);
        let fallback = || Url::parse(default).unwrap_or_else(|_| unreachable!("defaults parse"));
        // `Url::parse` silently drops tabs and line breaks and trims spaces, so a value pasted
        // with a stray newline would be changed without a word: refuse it instead.
        if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            self.problem(
                name,
                format!("contains spaces, tabs, line breaks or control characters (got {text:?}): remove them"),
            );
            return fallback();
        }
        let url = match Url::parse(text) {
            Ok(url) if matches!(url.scheme(), "http" | "https") && url.has_host() => url,
            _ => {
                self.problem(
                    name,
                    format!(
                        "must be an absolute http:// or https:// URL (got {text:?}), e.g. {default}"
                    ),
                );
                return fallback();
            }
        };
        if text.ends_with('/') {
            self.problem(
                name,
                format!(
                    "must not end with a slash: set it to {}",
                    text.trim_end_matches('/')
                ),
            );
        }
        if url.query().is_some() || url.fragment().is_some() {
            self.problem(name, "must not have a query string or fragment");
        }
        if production && url.scheme() != "https" {
            self.problem(
                name,
                format!("must use https in production (got {text:?}): put the service behind TLS and use its https:// address"),
            );
        }
        url
    }

    fn key(&mut self, name: &str, text: &str) -> Option<SecretKey> {
        match SecretKey::parse(text) {
            Ok(key) => Some(key),
            Err(e) => {
                let why = match e {
                    KeyError::NotBase64 => "is not base64".to_owned(),
                    KeyError::WrongLength(n) => format!("decodes to {n} bytes instead of 32"),
                    KeyError::Weak => {
                        "is too weak (too few distinct bytes to be random)".to_owned()
                    }
                };
                self.problem(
                    name,
                    format!("{why}: generate a key with `nectr-auth keygen`"),
                );
                None
            }
        }
    }
}

const DEFAULT_BACKEND: &str = "http://localhost:8000";
const DEFAULT_FRONTEND: &str = "http://localhost:3000";
const DEFAULT_GITHUB: &str = "https://github.com";
const DEFAULT_GITHUB_API: &str = "https://api.github.com";

impl Settings {
    /// Typed settings from variables (upper-case names, as in the environment).
    ///
    /// # Errors
    /// Every problem found, each naming its setting and the fix.
    pub fn from_vars(vars: &HashMap<String, String>) -> Result<Self, Problems> {
        let (settings, problems) = Self::parse_all(vars);
        problems.into_result(settings)
    }

    /// Settings with defaults wherever a value was unusable, and every problem found: what
    /// `nectr-auth check` needs to report everything at once.
    pub fn parse_all(vars: &HashMap<String, String>) -> (Self, Problems) {
        let mut r = Reader {
            vars,
            problems: Problems::default(),
        };
        let app_env = match r.get("APP_ENV").map(str::trim) {
            None | Some("development") => AppEnv::Development,
            Some("production") => AppEnv::Production,
            Some(other) => {
                r.problem(
                    "APP_ENV",
                    format!("must be development or production (got {other:?})"),
                );
                AppEnv::Development
            }
        };
        let production = app_env == AppEnv::Production;
        let host = r.get("HOST").unwrap_or("127.0.0.1").trim().to_owned();
        let port = r.number("PORT", 8000_u16, 0, u16::MAX);
        let backend_url = r.url("BACKEND_URL", DEFAULT_BACKEND, production);
        let frontend_url = r.url("FRONTEND_URL", DEFAULT_FRONTEND, production);
        let database = database(&mut r);
        let database_max_connections = r.number("DATABASE_MAX_CONNECTIONS", 10_usize, 1, 1000);
        let github = github(&mut r, production);
        let (secret_key, key_source) = secret_key(&mut r, production);
        let previous_secret_keys = r
            .get("PREVIOUS_SECRET_KEYS")
            .map(|list| {
                list.split(',')
                    .map(str::trim)
                    .filter(|k| !k.is_empty())
                    .filter_map(|k| r.key("PREVIOUS_SECRET_KEYS", k))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        let session_ttl_minutes = r.number("ACCESS_TOKEN_EXPIRE_MINUTES", 1440_i64, 1, 525_600);
        let state_ttl_seconds = r.number("OAUTH_STATE_TTL_SECONDS", 600_i64, 30, 3600);
        let log_filter = r.get("RUST_LOG").unwrap_or("info").to_owned();
        if tracing_subscriber::EnvFilter::try_new(&log_filter).is_err() {
            r.problem("RUST_LOG", format!("is not a valid log filter (got {log_filter:?}): try info, debug or nectr_auth=debug,info"));
        }
        let log_format = match r.get("LOG_FORMAT").map(str::trim) {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                r.problem(
                    "LOG_FORMAT",
                    format!("must be text or json (got {other:?})"),
                );
                LogFormat::Text
            }
        };
        let run_migrations = r.boolean("RUN_MIGRATIONS", true);
        let login_rate_limit_per_minute =
            r.number("LOGIN_RATE_LIMIT_PER_MINUTE", 30_u32, 0, 1_000_000);
        let max_live_oauth_states = r.number("MAX_LIVE_OAUTH_STATES", 50_000_u64, 0, 100_000_000);
        let trust_x_forwarded_for = r.boolean("TRUST_X_FORWARDED_FOR", false);
        // At most 5: a session revoked on another instance must be refused here within 5 s.
        let session_cache_seconds = r.number("SESSION_CACHE_SECONDS", 2_u32, 0, 5);
        let gitlab = gitlab(&mut r, production);
        let revoke_provider_token_on_logout = r.boolean("REVOKE_PROVIDER_TOKEN_ON_LOGOUT", false);
        let internal_api_tokens = internal_api_tokens(&mut r);
        let settings = Settings {
            app_env,
            host,
            port,
            backend_url,
            frontend_url,
            database,
            database_max_connections,
            github,
            gitlab,
            secret_key,
            key_source,
            previous_secret_keys,
            session_ttl_minutes,
            state_ttl_seconds,
            log_filter,
            log_format,
            run_migrations,
            login_rate_limit_per_minute,
            max_live_oauth_states,
            trust_x_forwarded_for,
            session_cache_seconds,
            revoke_provider_token_on_logout,
            internal_api_tokens,
            workers: std::thread::available_parallelism().map_or(2, usize::from),
            sweep_interval: Duration::from_secs(60),
        };
        (settings, r.problems)
    }

    /// The OAuth App credentials `serve` needs.
    ///
    /// # Errors
    /// A problem for each missing credential.
    pub fn require_github_credentials(&self) -> Result<(String, SecretString), Problems> {
        let mut problems = Problems::default();
        let id = self.github.client_id.clone();
        let secret = self.github.client_secret.clone();
        if id.is_none() {
            problems.push(Problem::new(
                "GITHUB_CLIENT_ID",
                "is not set: register an OAuth App on GitHub (see README, \"GitHub OAuth App\") and set its client id, or run `nectr-auth dev` to try the service without one",
            ));
        }
        if secret.is_none() {
            problems.push(Problem::new(
                "GITHUB_CLIENT_SECRET",
                "is not set: generate a client secret on the OAuth App's page and set it",
            ));
        }
        match (id, secret) {
            (Some(id), Some(secret)) => Ok((id, secret)),
            _ => Err(problems),
        }
    }
}

fn database(r: &mut Reader<'_>) -> DatabaseConfig {
    let text = r
        .get("DATABASE_URL")
        .unwrap_or("sqlite://nectr-auth.db")
        .trim();
    let fallback = DatabaseConfig::Sqlite {
        path: PathBuf::from("nectr-auth.db"),
    };
    if text.starts_with("postgres://") || text.starts_with("postgresql://") {
        return DatabaseConfig::Postgres {
            url: SecretString::from(text),
        };
    }
    let Some(path) = text
        .strip_prefix("sqlite://")
        .or_else(|| text.strip_prefix("sqlite:"))
    else {
        r.problem(
            "DATABASE_URL",
            "must start with sqlite:// (e.g. sqlite://nectr-auth.db) or postgres:// (e.g. postgres://user:password@host:5432/nectr)",
        );
        return fallback;
    };
    let path = path.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" || path.contains("mode=memory") {
        r.problem(
            "DATABASE_URL",
            "must name an SQLite file (e.g. sqlite://nectr-auth.db): an in-memory database would be empty on every pooled connection",
        );
        return fallback;
    }
    DatabaseConfig::Sqlite {
        path: PathBuf::from(path),
    }
}

fn github(r: &mut Reader<'_>, production: bool) -> GithubSettings {
    let client_id = r.get("GITHUB_CLIENT_ID").map(str::to_owned);
    if client_id.as_deref().is_some_and(|id| id.trim() != id) {
        r.problem("GITHUB_CLIENT_ID", "has leading or trailing whitespace: copy the client id again without spaces or newlines");
    }
    let client_secret = r.get("GITHUB_CLIENT_SECRET").map(|s| {
        if s.trim() != s {
            // GitHub answers such a secret with incorrect_client_credentials at every sign-in.
            r.problem("GITHUB_CLIENT_SECRET", "has leading or trailing whitespace: paste the secret again without spaces or newlines");
        }
        SecretString::from(s)
    });
    GithubSettings {
        client_id,
        client_secret,
        web_url: r.url("GITHUB_URL", DEFAULT_GITHUB, production),
        api_url: r.url("GITHUB_API_URL", DEFAULT_GITHUB_API, production),
        pkce: r.boolean("GITHUB_PKCE", true),
        rules: sign_in_rules(
            r,
            "ALLOWED_GITHUB_USERS",
            "ALLOWED_GITHUB_ORGS",
            Some("ALLOWED_GITHUB_TEAMS"),
        ),
        connect_timeout: Duration::from_secs(5),
        request_timeout: Duration::from_secs(10),
    }
}

fn secret_key(r: &mut Reader<'_>, production: bool) -> (SecretKey, KeySource) {
    match r.get("SECRET_KEY") {
        Some(text) => match r.key("SECRET_KEY", text) {
            Some(key) => (key, KeySource::Configured),
            None => (SecretKey::generate(), KeySource::Ephemeral),
        },
        None => {
            if production {
                r.problem(
                    "SECRET_KEY",
                    "is required in production: generate one with `nectr-auth keygen` and keep it secret and stable",
                );
            }
            (SecretKey::generate(), KeySource::Ephemeral)
        }
    }
}
