//! What can go wrong, in words an operator can act on, and the translation of driver errors
//! into the ports' `StoreError`.

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use nectr_application::ports::StoreError;

/// Why the database could not be opened or prepared. Each message is one line: what happened
/// to which database, and what to do. None holds credentials or query parameters.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The configuration does not describe a database this service can open.
    #[error("{problem}: {fix}")]
    Config {
        /// What is wrong, naming the setting but never quoting the URL.
        problem: String,
        /// What to write instead.
        fix: &'static str,
    },
    /// The SQLite file could not be opened or created.
    #[error(
        "cannot open {database} ({cause}): does its folder exist, and may this user write there?"
    )]
    Open {
        /// The database, as `describe()` names it.
        database: String,
        /// The driver's reason, shortened.
        cause: String,
    },
    /// The PostgreSQL server could not be reached or refused the connection.
    #[error("cannot reach {database} ({cause}): is the server running and DATABASE_URL right?")]
    Unreachable {
        /// The database, as `describe()` names it.
        database: String,
        /// The driver's reason, shortened.
        cause: String,
    },
    /// TLS to PostgreSQL could not be set up.
    #[error(
        "cannot set up TLS for {database} ({cause}): check the system's CA certificates, or drop sslmode=require"
    )]
    Tls {
        /// The database, as `describe()` names it.
        database: String,
        /// The TLS library's reason.
        cause: String,
    },
    /// A migration failed; the schema is as the last successful migration left it.
    #[error(
        "cannot migrate {database} ({cause}): fix the database or restore a backup, then start again"
    )]
    Migration {
        /// The database, as `describe()` names it.
        database: String,
        /// The migration and the database's reason.
        cause: String,
    },
}

/// Longest driver text kept in a message; drivers can be verbose and logs are one line.
const MAX_CAUSE: usize = 200;

/// The first line of a driver message, trimmed to a log-friendly length.
pub(crate) fn shorten(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default().trim();
    match line.char_indices().nth(MAX_CAUSE) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line.to_owned(),
    }
}

/// An error and its sources as one line, for drivers whose `Display` leaves the cause out.
pub(crate) fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// A short reason for a failed connection attempt.
pub(crate) fn connection_cause(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    if lower.contains("connection refused") {
        "connection refused".to_owned()
    } else if let Some(at) = lower.find("certificate verify failed") {
        // OpenSSL repeats its error stack; its reason is the first parenthesised part.
        let rest = &text[at..];
        let reason = rest
            .find(" (")
            .and_then(|open| {
                rest[open + 2..]
                    .find(')')
                    .map(|close| &rest[open + 2..open + 2 + close])
            })
            .unwrap_or("untrusted or for another host name");
        format!("the server's TLS certificate failed verification: {reason}")
    } else if lower.contains("timed out") || lower.contains("timeout") {
        "timed out".to_owned()
    } else {
        shorten(text)
    }
}

/// The outage message the ports promise: it names the database so people know what is down.
pub(crate) fn unavailable(database: &str, cause: &str) -> StoreError {
    StoreError::Unavailable {
        database: kind(database),
        detail: format!("Database unavailable: {database} ({cause}); try again shortly"),
    }
}

/// A statement or pool failure that is not an outage.
fn failed(_database: &str, detail: String) -> StoreError {
    StoreError::Failed(detail)
}

/// The kind of database from its description ("PostgreSQL at …", "SQLite at …"): what an
/// error may tell anyone, where the description is for the operator's log only.
fn kind(description: &str) -> &'static str {
    if description.starts_with("PostgreSQL") {
        "PostgreSQL"
    } else {
        "SQLite"
    }
}

/// A short reason for a failed pool checkout.
pub(crate) fn pool_cause(error: &diesel_async::pooled_connection::deadpool::PoolError) -> String {
    use deadpool::managed::{PoolError, TimeoutType};
    match error {
        PoolError::Timeout(TimeoutType::Wait) => "every connection is busy".to_owned(),
        PoolError::Timeout(TimeoutType::Create) => "connecting timed out".to_owned(),
        PoolError::Timeout(TimeoutType::Recycle) => "checking a connection timed out".to_owned(),
        PoolError::Closed => "the connection pool is shut down".to_owned(),
        PoolError::Backend(inner) => connection_cause(&inner.to_string()),
        PoolError::NoRuntimeSpecified | PoolError::PostCreateHook(_) => shorten(&error.to_string()),
    }
}

/// Translates a failed pool checkout: every such failure but a misconfigured pool means the
/// database cannot be used right now (refused, unreachable, too slow, or shut down).
pub(crate) fn pool_error(
    database: &str,
    error: &diesel_async::pooled_connection::deadpool::PoolError,
) -> StoreError {
    use deadpool::managed::PoolError;
    let cause = pool_cause(error);
    match error {
        PoolError::NoRuntimeSpecified | PoolError::PostCreateHook(_) => failed(
            database,
            format!("Database error on {database}: the connection pool is misconfigured ({cause})"),
        ),
        _ => unavailable(database, &cause),
    }
}

/// Translates a failed statement. Connection loss and lock waits that outlived the busy
/// timeout are outages; everything else is a failure of this statement. The text comes from
/// the database's own message (never its detail, which can quote row values), so bound
/// parameters never appear.
pub(crate) fn query_error(database: &str, action: &str, error: &DieselError) -> StoreError {
    match error {
        DieselError::DatabaseError(kind, info) => {
            let message = info.message();
            if is_outage(*kind, message) {
                unavailable(database, &connection_cause(message))
            } else {
                failed(
                    database,
                    format!(
                        "Database error on {database} while {action}: {}",
                        shorten(message)
                    ),
                )
            }
        }
        other => failed(
            database,
            format!(
                "Database error on {database} while {action}: {}",
                shorten(&other.to_string())
            ),
        ),
    }
}

/// Whether a database error means "cannot be used right now" rather than "this is wrong".
fn is_outage(kind: DatabaseErrorKind, message: &str) -> bool {
    // No SQLSTATE: the statement never reached the server, or the connection dropped.
    if matches!(
        kind,
        DatabaseErrorKind::UnableToSendCommand | DatabaseErrorKind::ClosedConnection
    ) {
        return true;
    }
    const OUTAGE_MESSAGES: [&str; 8] = [
        // SQLite: another writer held the lock for longer than busy_timeout.
        "database is locked",
        "database table is locked",
        "unable to open database file",
        "disk i/o error",
        // PostgreSQL: the server is stopping, starting or full.
        "terminating connection",
        "the database system is",
        "too many clients",
        "connection closed",
    ];
    let lower = message.to_ascii_lowercase();
    OUTAGE_MESSAGES.iter().any(|needle| lower.contains(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db_error(kind: DatabaseErrorKind, message: &str) -> DieselError {
        DieselError::DatabaseError(kind, Box::new(message.to_owned()))
    }

    #[test]
    fn lock_timeouts_and_lost_connections_are_outages() {
        let locked = db_error(DatabaseErrorKind::Unknown, "database is locked");
        assert!(matches!(
            query_error("SQLite at x.db", "saving", &locked),
            StoreError::Unavailable { database: "SQLite", detail: text } if text.contains("SQLite at x.db")
        ));
        let closed = db_error(DatabaseErrorKind::ClosedConnection, "connection closed");
        assert!(matches!(
            query_error("PostgreSQL at h:5432/d", "saving", &closed),
            StoreError::Unavailable { .. }
        ));
    }

    #[test]
    fn constraint_violations_are_failures() {
        let unique = db_error(
            DatabaseErrorKind::UniqueViolation,
            "UNIQUE constraint failed: sessions.id",
        );
        assert!(matches!(
            query_error("SQLite at x.db", "creating a session", &unique),
            StoreError::Failed(text) if text.contains("creating a session")
        ));
    }

    #[test]
    fn causes_are_one_short_line() {
        let long = format!("{}\nsecond line", "é".repeat(500));
        let short = shorten(&long);
        assert!(!short.contains('\n'));
        assert!(short.chars().count() <= MAX_CAUSE + 1);
        assert_eq!(
            connection_cause("error connecting to server: Connection refused (os error 111)"),
            "connection refused"
        );
        let tls = "error performing TLS handshake: error:0A000086:SSL routines:\
                   tls_post_process_server_certificate:certificate verify failed:\
                   ../ssl/statem/statem_clnt.c:1889: (IP address mismatch): error:0A000086";
        assert_eq!(
            connection_cause(tls),
            "the server's TLS certificate failed verification: IP address mismatch"
        );
    }
}
