//! The two connection pools and how each opens a connection: SQLite with its pragmas,
//! PostgreSQL with or without TLS.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use deadpool::Runtime;
use diesel::{ConnectionError, ConnectionResult, SqliteConnection};
use diesel_async::pooled_connection::deadpool::Pool;
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_async::sync_connection_wrapper::SyncConnectionWrapper;
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use secrecy::SecretString;
use tokio_postgres::Socket;
use tokio_postgres::tls::{MakeTlsConnect, TlsConnect};

use crate::DbError;
use crate::config::{Tls, postgres_settings};
use crate::error::chain;

/// An SQLite connection driven from async code on tokio's blocking threads.
pub(crate) type SqliteConnectionAsync = SyncConnectionWrapper<SqliteConnection>;

/// Whichever pool the configuration chose.
pub(crate) enum Pools {
    Sqlite(Pool<SqliteConnectionAsync>),
    Postgres(Pool<AsyncPgConnection>),
}

/// How long a request waits for a free connection, and how long opening or checking one may
/// take: an outage becomes a quick error instead of requests piling up.
const WAIT_TIMEOUT: Duration = Duration::from_secs(5);
const CREATE_TIMEOUT: Duration = Duration::from_secs(5);
const RECYCLE_TIMEOUT: Duration = Duration::from_secs(2);

/// Set on every SQLite connection. `busy_timeout` comes first so the others wait for locks;
/// foreign keys are off by default in SQLite; WAL lets readers run beside the one writer,
/// and `synchronous = NORMAL` is durable enough under WAL.
const SQLITE_PRAGMAS: &str = "PRAGMA busy_timeout = 5000; \
                              PRAGMA foreign_keys = ON; \
                              PRAGMA journal_mode = WAL; \
                              PRAGMA synchronous = NORMAL;";

fn build<C>(
    manager: AsyncDieselConnectionManager<C>,
    max_connections: usize,
) -> Result<Pool<C>, DbError>
where
    C: diesel_async::pooled_connection::PoolableConnection + Send + 'static,
    AsyncDieselConnectionManager<C>: deadpool::managed::Manager,
{
    if max_connections == 0 {
        return Err(DbError::Config {
            problem: "the database pool size is 0".to_owned(),
            fix: "allow at least 1 connection",
        });
    }
    Pool::builder(manager)
        .max_size(max_connections)
        .wait_timeout(Some(WAIT_TIMEOUT))
        .create_timeout(Some(CREATE_TIMEOUT))
        .recycle_timeout(Some(RECYCLE_TIMEOUT))
        .runtime(Runtime::Tokio1)
        .build()
        .map_err(|error| DbError::Config {
            problem: format!("the connection pool cannot be built ({error})"),
            fix: "this is a bug in nectr-auth; please report it",
        })
}

/// A pool of SQLite connections to the file at `path`.
pub(crate) fn sqlite(
    path: &Path,
    max_connections: usize,
) -> Result<Pool<SqliteConnectionAsync>, DbError> {
    let Some(path) = path.to_str().map(str::to_owned) else {
        return Err(DbError::Config {
            problem: "the SQLite path is not valid UTF-8".to_owned(),
            fix: "choose a path made of UTF-8 characters",
        });
    };
    if path.is_empty() || path.contains(":memory:") || path.contains("mode=memory") {
        return Err(DbError::Config {
            problem: "an in-memory or empty SQLite path would give each connection its own empty database".to_owned(),
            fix: "use a file path such as nectr-auth.db",
        });
    }
    let mut config = ManagerConfig::default();
    // A local file does not drop connections, so a ping on every checkout would buy nothing.
    config.recycling_method = RecyclingMethod::Fast;
    config.custom_setup = Box::new(move |_| {
        let path = path.clone();
        Box::pin(async move {
            let mut connection = SqliteConnectionAsync::establish(&path).await?;
            connection
                .batch_execute(SQLITE_PRAGMAS)
                .await
                .map_err(ConnectionError::CouldntSetupConfiguration)?;
            Ok(connection)
        })
    });
    // The manager's URL is unused (the setup above knows the path); it is only ever printed.
    build(
        AsyncDieselConnectionManager::new_with_config("sqlite", config),
        max_connections,
    )
}

/// A pool of PostgreSQL connections, made lazily, so the server need not be up yet.
pub(crate) fn postgres(
    url: &SecretString,
    max_connections: usize,
    database: &str,
) -> Result<Pool<AsyncPgConnection>, DbError> {
    let (settings, tls) = postgres_settings(url)?;
    let settings = Arc::new(settings);
    let mut config = ManagerConfig::<AsyncPgConnection>::default();
    // `Verified` runs `SELECT 1` on checkout: a connection that died while PostgreSQL was
    // down is dropped and replaced, so the service recovers on its own. `Fast` (only asking
    // whether the driver task is alive) was tried: a connection the server had just ended
    // could still be handed out before its driver noticed, failing that request
    // (`backends::postgres_pool_recovers_when_its_connections_die`, about one run in three).
    // With the session cache and batched state writes the round trip is off the hot paths.
    config.recycling_method = RecyclingMethod::Verified;
    config.custom_setup = match tls {
        Tls::Off => Box::new(move |_| {
            let settings = Arc::clone(&settings);
            Box::pin(async move { establish(&settings, tokio_postgres::NoTls).await })
        }),
        Tls::Required => {
            let connector = native_tls::TlsConnector::new().map_err(|error| DbError::Tls {
                database: database.to_owned(),
                cause: chain(&error),
            })?;
            let connector = postgres_native_tls::MakeTlsConnector::new(connector);
            Box::new(move |_| {
                let settings = Arc::clone(&settings);
                let connector = connector.clone();
                Box::pin(async move { establish(&settings, connector).await })
            })
        }
    };
    // The manager's URL is unused (the setup above holds the parsed settings), so the secret
    // URL is not copied into it.
    build(
        AsyncDieselConnectionManager::new_with_config("postgres", config),
        max_connections,
    )
}

/// Opens one PostgreSQL connection and hands it to diesel-async.
async fn establish<T>(
    settings: &tokio_postgres::Config,
    tls: T,
) -> ConnectionResult<AsyncPgConnection>
where
    T: MakeTlsConnect<Socket>,
    T::Stream: Send + Unpin + 'static,
    T::TlsConnect: Send,
    <T::TlsConnect as TlsConnect<Socket>>::Future: Send,
{
    let (client, connection) = settings
        .connect(tls)
        .await
        .map_err(|error| ConnectionError::BadConnection(chain(&error)))?;
    AsyncPgConnection::try_from_client_and_connection(client, connection).await
}
