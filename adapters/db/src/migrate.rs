//! The embedded migrations and how they are applied.

use diesel::migration::MigrationSource;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::{AsyncConnection, RunQueryDsl};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::{chain, pool_cause, shorten};
use crate::pool::Pools;
use crate::{Database, DbError};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

/// A fixed key for PostgreSQL's advisory lock, so instances starting together migrate one
/// after the other instead of racing to create the same tables.
const MIGRATION_LOCK_KEY: i64 = 0x6e65_6374_725f_6462;

impl Database {
    /// Applies the pending embedded migrations and returns the versions it applied (none when
    /// the schema is current).
    ///
    /// # Errors
    /// `DbError::Open` or `DbError::Unreachable` when no connection can be made,
    /// `DbError::Migration` when a migration fails.
    pub async fn migrate(&self) -> Result<Vec<String>, DbError> {
        self.run_migrations(Job::Pending).await
    }

    /// Does `job` on a connection of its own, under PostgreSQL's migration lock.
    async fn run_migrations(&self, job: Job) -> Result<Vec<String>, DbError> {
        let database = self.describe();
        let applied = match self.pools() {
            Pools::Sqlite(pool) => {
                let checked_out = pool.get().await.map_err(|error| DbError::Open {
                    database: database.clone(),
                    cause: pool_cause(&error),
                })?;
                // The connection leaves the pool: the migration harness needs to own it.
                let connection = deadpool::managed::Object::take(checked_out);
                apply(connection, SQLITE_MIGRATIONS, job).await
            }
            Pools::Postgres(pool) => {
                let mut checked_out = pool.get().await.map_err(|error| DbError::Unreachable {
                    database: database.clone(),
                    cause: pool_cause(&error),
                })?;
                // Held by this connection's session until it closes after migrating.
                diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))
                    .execute(&mut *checked_out)
                    .await
                    .map_err(|error| DbError::Migration {
                        database: database.clone(),
                        cause: format!(
                            "cannot take the migration lock: {}",
                            shorten(&error.to_string())
                        ),
                    })?;
                apply(
                    deadpool::managed::Object::take(checked_out),
                    POSTGRES_MIGRATIONS,
                    job,
                )
                .await
            }
        };
        let applied = applied.map_err(|cause| DbError::Migration { database, cause })?;
        for version in &applied {
            tracing::info!(db.migration = %version, "applied database migration");
        }
        Ok(applied)
    }
}

/// What to do with the embedded migrations.
enum Job {
    /// Apply every pending one: what the service does.
    Pending,
    /// Apply the pending ones up to and including this version, as an older release would.
    #[cfg(feature = "testing")]
    Through(String),
    /// Revert the newest applied one.
    #[cfg(feature = "testing")]
    RevertLast,
}

/// Runs diesel's synchronous migration harness over an async connection on a blocking thread,
/// where the wrapper may block on the runtime. Returns the versions applied or reverted.
async fn apply<C>(
    connection: C,
    migrations: EmbeddedMigrations,
    job: Job,
) -> Result<Vec<String>, String>
where
    C: AsyncConnection + Send + 'static,
    AsyncConnectionWrapper<C>: MigrationHarness<C::Backend>,
{
    tokio::task::spawn_blocking(move || {
        let mut harness = AsyncConnectionWrapper::<C>::from(connection);
        let done = match job {
            Job::Pending => harness
                .run_pending_migrations(migrations)
                .map(|versions| versions.iter().map(ToString::to_string).collect()),
            #[cfg(feature = "testing")]
            Job::Through(last) => harness.pending_migrations(migrations).and_then(|pending| {
                pending
                    .iter()
                    .filter(|m| m.name().version().to_string() <= last)
                    .map(|m| harness.run_migration(&**m).map(|v| v.to_string()))
                    .collect()
            }),
            #[cfg(feature = "testing")]
            Job::RevertLast => harness
                .revert_last_migration(migrations)
                .map(|version| vec![version.to_string()]),
        };
        done.map_err(|error| shorten(&chain(&*error)))
    })
    .await
    .map_err(|error| format!("the migration task stopped: {error}"))?
}

#[cfg(feature = "testing")]
impl Database {
    /// Applies the pending migrations up to and including `version` (e.g. `20250101000000`)
    /// and returns them: a database as an older release left it, for upgrade tests.
    ///
    /// # Errors
    /// As [`Database::migrate`].
    pub async fn migrate_through(&self, version: &str) -> Result<Vec<String>, DbError> {
        self.run_migrations(Job::Through(version.to_owned())).await
    }

    /// Reverts the newest applied migration with its `down.sql`; returns its version, alone.
    ///
    /// # Errors
    /// As [`Database::migrate`].
    pub async fn revert_last_migration(&self) -> Result<Vec<String>, DbError> {
        self.run_migrations(Job::RevertLast).await
    }
}

/// A row of diesel's migration table.
#[derive(diesel::QueryableByName)]
struct AppliedVersion {
    #[diesel(sql_type = diesel::sql_types::Text)]
    version: String,
}

impl Database {
    /// The migrations embedded in this binary that the database has not applied, oldest
    /// first: empty when the schema is current. Uses a pooled connection, so readiness probes
    /// can call it often.
    ///
    /// # Errors
    /// `StoreError::Unavailable` when the database cannot be reached; `StoreError::Failed`
    /// when it cannot be asked (no migration table yet: nothing was ever applied).
    pub async fn pending_migrations(
        &self,
    ) -> Result<Vec<String>, nectr_application::ports::StoreError> {
        let embedded: Vec<String> = match self.pools() {
            Pools::Sqlite(_) => MigrationSource::<diesel::sqlite::Sqlite>::migrations(
                &SQLITE_MIGRATIONS,
            )
            .map(|list| {
                list.iter()
                    .map(|m| m.name().version().to_string())
                    .collect()
            }),
            Pools::Postgres(_) => {
                MigrationSource::<diesel::pg::Pg>::migrations(&POSTGRES_MIGRATIONS).map(|list| {
                    list.iter()
                        .map(|m| m.name().version().to_string())
                        .collect()
                })
            }
        }
        .map_err(|e| {
            nectr_application::ports::StoreError::Failed(format!(
                "the embedded migrations cannot be listed: {e}"
            ))
        })?;
        let applied: Vec<AppliedVersion> =
            crate::database::run!(self, "listing applied migrations", |conn| {
                diesel::sql_query("SELECT version FROM __diesel_schema_migrations")
                    .load(conn)
                    .await
            })?;
        let applied: std::collections::HashSet<String> =
            applied.into_iter().map(|row| row.version).collect();
        Ok(embedded
            .into_iter()
            .filter(|v| !applied.contains(v))
            .collect())
    }
}
