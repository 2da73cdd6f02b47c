//! The store type: one handle over either pool, and the macro that runs a query on it.

use std::sync::Arc;

use diesel_async::RunQueryDsl;
use nectr_application::ports::StoreError;

use crate::error::pool_cause;
use crate::pool::{self, Pools};
use crate::state_batch::StateBatcher;
use crate::{DatabaseConfig, DbError};

/// The database behind every store port. Cloning is cheap: clones share one pool.
#[derive(Clone)]
pub struct Database {
    inner: Arc<Inner>,
}

struct Inner {
    pools: Pools,
    description: String,
    state_batcher: StateBatcher,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Database")
            .field(&self.inner.description)
            .finish()
    }
}

/// Runs the same Diesel query on whichever pool `$db` holds, binding `$conn` to a checked-out
/// connection of that backend; the body is expanded once per backend, so it must compile for
/// both. Evaluates to `Result<T, StoreError>`: a failed checkout or statement is translated
/// with `$action` ("saving a user") naming what was being done.
macro_rules! run {
    ($db:expr, $action:expr, |$conn:ident| $body:expr) => {{
        let db: &$crate::Database = $db;
        match db.pools() {
            $crate::pool::Pools::Sqlite(pool) => $crate::database::run!(@on db, pool, $action, |$conn| $body),
            $crate::pool::Pools::Postgres(pool) => $crate::database::run!(@on db, pool, $action, |$conn| $body),
        }
    }};
    (@on $db:ident, $pool:ident, $action:expr, |$conn:ident| $body:expr) => {
        match $pool.get().await {
            Ok(mut checked_out) => {
                let $conn = &mut *checked_out;
                let result: ::diesel::QueryResult<_> = $body;
                result.map_err(|error| $crate::error::query_error($db.description(), $action, &error))
            }
            Err(error) => Err($crate::error::pool_error($db.description(), &error)),
        }
    };
}
pub(crate) use run;

impl Database {
    /// Builds the connection pool. PostgreSQL connections are made lazily, so the server need
    /// not be up yet. SQLite opens one connection now, which creates the file (its folder
    /// must exist) and switches it to WAL.
    ///
    /// # Errors
    /// `DbError::Config` for an unusable URL or path or a pool size of 0, `DbError::Tls` when
    /// TLS cannot be set up, `DbError::Open` when the SQLite file cannot be opened.
    pub async fn connect(config: &DatabaseConfig, max_connections: usize) -> Result<Self, DbError> {
        let description = config.describe();
        let pools = match config {
            DatabaseConfig::Sqlite { path } => {
                let pool = pool::sqlite(path, max_connections)?;
                if let Err(error) = pool.get().await {
                    return Err(DbError::Open {
                        database: description,
                        cause: pool_cause(&error),
                    });
                }
                Pools::Sqlite(pool)
            }
            DatabaseConfig::Postgres { url } => {
                Pools::Postgres(pool::postgres(url, max_connections, &description)?)
            }
        };
        Ok(Self {
            inner: Arc::new(Inner {
                pools,
                description,
                state_batcher: StateBatcher::default(),
            }),
        })
    }

    /// A cheap `SELECT 1` round trip, for readiness checks.
    ///
    /// # Errors
    /// `StoreError::Unavailable` naming the database when it cannot be reached.
    pub async fn ping(&self) -> Result<(), StoreError> {
        run!(self, "pinging", |conn| diesel::sql_query("SELECT 1")
            .execute(conn)
            .await
            .map(drop))
    }

    /// Names the database without credentials, e.g. `PostgreSQL at 127.0.0.1:5432/app`.
    pub fn describe(&self) -> String {
        self.inner.description.clone()
    }

    pub(crate) fn description(&self) -> &str {
        &self.inner.description
    }

    pub(crate) fn pools(&self) -> &Pools {
        &self.inner.pools
    }

    pub(crate) fn state_batcher(&self) -> &StateBatcher {
        &self.inner.state_batcher
    }
}

/// How the connection pool is doing, for metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStatus {
    /// Connections open now.
    pub open: usize,
    /// Open connections not lent out.
    pub idle: usize,
    /// The most there may be (`DATABASE_MAX_CONNECTIONS`).
    pub max: usize,
    /// Requests waiting for a connection.
    pub waiting: usize,
}

impl Database {
    /// Closes the pool: open connections are dropped and later checkouts fail. For shutdown.
    pub fn close(&self) {
        match self.pools() {
            crate::pool::Pools::Sqlite(pool) => pool.close(),
            crate::pool::Pools::Postgres(pool) => pool.close(),
        }
    }

    pub fn pool_status(&self) -> PoolStatus {
        let status = match self.pools() {
            crate::pool::Pools::Sqlite(pool) => pool.status(),
            crate::pool::Pools::Postgres(pool) => pool.status(),
        };
        PoolStatus {
            open: status.size,
            idle: status.available,
            max: status.max_size,
            waiting: status.waiting,
        }
    }
}
