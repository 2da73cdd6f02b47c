//! Which database to open, and how to name it in messages without its credentials.

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use tokio_postgres::config::{Host, SslMode};

use crate::DbError;

/// Where the data lives: an SQLite file or a PostgreSQL server.
#[derive(Debug, Clone)]
pub enum DatabaseConfig {
    /// An SQLite database file, created if missing; its folder must exist. Never `:memory:`:
    /// every pooled connection would get its own empty database.
    Sqlite {
        /// Path of the database file.
        path: PathBuf,
    },
    /// A PostgreSQL server, as a `postgres://` URL or a `key=value` connection string.
    /// `sslmode=require` turns on TLS verified against the operating system's certificates.
    Postgres {
        /// The connection URL; it may hold a password, so it stays secret.
        url: SecretString,
    },
}

impl DatabaseConfig {
    /// Names the database for messages and logs, e.g. `SQLite at nectr-auth.db` or
    /// `PostgreSQL at 127.0.0.1:5432/app`; never user names or passwords.
    pub fn describe(&self) -> String {
        match self {
            Self::Sqlite { path } => format!("SQLite at {}", path.display()),
            Self::Postgres { url } => match tokio_postgres::Config::from_str(url.expose_secret()) {
                Ok(config) => describe_postgres(&config),
                Err(_) => "PostgreSQL (DATABASE_URL does not parse)".to_owned(),
            },
        }
    }
}

/// How long one attempt to open a TCP connection may take unless the URL says otherwise, so
/// a server that drops packets becomes an error instead of a hang.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// How TLS is used for a PostgreSQL connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tls {
    /// Plain TCP (`sslmode` absent, `disable` or `prefer`).
    Off,
    /// TLS with certificate and host name verification (`sslmode=require`).
    Required,
}

/// Parses a PostgreSQL URL into connection settings and the TLS choice.
pub(crate) fn postgres_settings(
    url: &SecretString,
) -> Result<(tokio_postgres::Config, Tls), DbError> {
    let mut config =
        tokio_postgres::Config::from_str(url.expose_secret()).map_err(|error| DbError::Config {
            problem: config_problem(&error),
            fix: "write it as postgres://USER:PASSWORD@HOST:5432/DBNAME, adding ?sslmode=require for TLS",
        })?;
    if config.get_hosts().is_empty() && config.get_hostaddrs().is_empty() {
        return Err(DbError::Config {
            problem: "DATABASE_URL names no PostgreSQL host".to_owned(),
            fix: "write it as postgres://USER:PASSWORD@HOST:5432/DBNAME",
        });
    }
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    let tls = match config.get_ssl_mode() {
        SslMode::Require => Tls::Required,
        // `prefer` would silently fall back to plain text; only `require` asks for TLS.
        _ => {
            config.ssl_mode(SslMode::Disable);
            Tls::Off
        }
    };
    Ok((config, tls))
}

/// The parser's complaint, kept only when it names an option rather than quoting the URL
/// (which may hold a password).
fn config_problem(error: &tokio_postgres::Error) -> String {
    let detail = std::error::Error::source(error).map(ToString::to_string);
    match detail {
        Some(text) if text.contains("`sslmode`") => {
            format!("DATABASE_URL has an {text} (it takes disable, prefer or require)")
        }
        Some(text) if text.starts_with("invalid value for option") => {
            format!("DATABASE_URL has an {text}")
        }
        Some(text) if text.starts_with("unknown option") => format!("DATABASE_URL has an {text}"),
        _ => "DATABASE_URL is not a valid PostgreSQL connection URL".to_owned(),
    }
}

/// `PostgreSQL at host:port/dbname`, from parsed settings.
pub(crate) fn describe_postgres(config: &tokio_postgres::Config) -> String {
    let ports = config.get_ports();
    let port = |index: usize| ports.get(index).or(ports.first()).copied().unwrap_or(5432);
    let mut hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(index, host)| match host {
            Host::Tcp(name) if name.contains(':') => format!("[{name}]:{}", port(index)),
            Host::Tcp(name) => format!("{name}:{}", port(index)),
            Host::Unix(path) => format!("{}:{}", path.display(), port(index)),
        })
        .collect();
    if hosts.is_empty() {
        hosts = config
            .get_hostaddrs()
            .iter()
            .enumerate()
            .map(|(index, addr)| match addr {
                std::net::IpAddr::V4(v4) => format!("{v4}:{}", port(index)),
                std::net::IpAddr::V6(v6) => format!("[{v6}]:{}", port(index)),
            })
            .collect();
    }
    // PostgreSQL's default database is the one named after the user.
    let dbname = config
        .get_dbname()
        .or(config.get_user())
        .unwrap_or_default();
    format!("PostgreSQL at {}/{dbname}", hosts.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn postgres(url: &str) -> DatabaseConfig {
        DatabaseConfig::Postgres {
            url: SecretString::from(url),
        }
    }

    #[test]
    fn describe_names_host_port_and_database_but_no_credentials() {
        let shown = postgres("postgres://app:hunter2@db.internal:6543/nectr").describe();
        assert_eq!(shown, "PostgreSQL at db.internal:6543/nectr");
        let shown = postgres("postgres://postgres@127.0.0.1/postgres?sslmode=require").describe();
        assert_eq!(shown, "PostgreSQL at 127.0.0.1:5432/postgres");
        let shown = postgres("host=localhost user=app password=hunter2 dbname=x").describe();
        assert_eq!(shown, "PostgreSQL at localhost:5432/x");
    }

    #[test]
    fn describe_survives_garbage_without_echoing_it() {
        let shown = postgres("postgres://u:hunter2@h:notaport/db").describe();
        assert!(!shown.contains("hunter2"), "{shown}");
    }

    #[test]
    fn sqlite_is_named_by_path() {
        let config = DatabaseConfig::Sqlite {
            path: PathBuf::from("nectr-auth.db"),
        };
        assert_eq!(config.describe(), "SQLite at nectr-auth.db");
    }

    #[test]
    fn only_sslmode_require_turns_tls_on() -> Result<(), DbError> {
        let tls = |url: &str| postgres_settings(&SecretString::from(url)).map(|(_, tls)| tls);
        assert_eq!(tls("postgres://h/db?sslmode=require")?, Tls::Required);
        assert_eq!(tls("postgres://h/db?sslmode=prefer")?, Tls::Off);
        assert_eq!(tls("postgres://h/db")?, Tls::Off);
        Ok(())
    }

    #[test]
    fn unusable_urls_are_config_errors_that_hide_the_url() {
        let error = postgres_settings(&SecretString::from(
            "postgres://u:hunter2@h/db?sslmode=verify-full",
        ));
        let shown = error
            .map(|_| ())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(shown.contains("sslmode"), "{shown}");
        assert!(!shown.contains("hunter2"), "{shown}");
        let error = postgres_settings(&SecretString::from("postgres://u:hunter2@/db"));
        assert!(error.is_err());
    }
}
