//! A test's world: a fresh database of one backend, a way to reach it without the stores,
//! and the fixtures the cases share.

use std::path::{Path, PathBuf};

use diesel::connection::SimpleConnection;
use diesel::sql_types::BigInt;
use diesel::{Connection, RunQueryDsl, SqliteConnection};
use nectr_db::testing::{FreshPostgres, test_database_url};
use nectr_db::{Database, DatabaseConfig};
use nectr_domain::{
    EncryptedToken, Identity, IdentityProfile, KeyId, OAuthState, PkceVerifier, ProviderId,
    Session, SessionId, StateToken, Subject, Timestamp, UserId,
};
use secrecy::SecretString;
use tempfile::TempDir;

/// Which database a world runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A fresh database with the stores on it. Fields drop in order: the pool, then the place.
pub struct World {
    pub db: Database,
    pub backend: Backend,
    raw: Raw,
    _place: Place,
}

enum Raw {
    Sqlite(PathBuf),
    Postgres(String),
}

#[expect(
    dead_code,
    reason = "held only so the place is deleted when the world drops"
)]
enum Place {
    Dir(TempDir),
    Postgres(FreshPostgres),
}

/// A fixed "now" for the cases; only differences matter.
pub const NOW: Timestamp = Timestamp::from_unix_seconds(1_750_000_000);

impl World {
    /// A fresh, migrated database.
    pub async fn new(backend: Backend) -> Self {
        let world = Self::unmigrated(backend).await;
        world.db.migrate().await.expect("migrations apply");
        world
    }

    /// A fresh database without tables.
    pub async fn unmigrated(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("a temporary directory");
                let path = dir.path().join("nectr-test.db");
                let config = DatabaseConfig::Sqlite { path: path.clone() };
                let db = Database::connect(&config, 4).await.expect("SQLite opens");
                Self {
                    db,
                    backend,
                    raw: Raw::Sqlite(path),
                    _place: Place::Dir(dir),
                }
            }
            Backend::Postgres => {
                let fresh = FreshPostgres::create(&test_database_url()).await;
                let config = DatabaseConfig::Postgres {
                    url: SecretString::from(fresh.url()),
                };
                let db = Database::connect(&config, 4)
                    .await
                    .expect("the pool builds");
                Self {
                    db,
                    backend,
                    raw: Raw::Postgres(fresh.url()),
                    _place: Place::Postgres(fresh),
                }
            }
        }
    }

    /// Another handle on the same database with a pool of its own, as a second instance of
    /// the service would have.
    pub async fn second_instance(&self) -> Database {
        let config = match &self.raw {
            Raw::Sqlite(path) => DatabaseConfig::Sqlite { path: path.clone() },
            Raw::Postgres(url) => DatabaseConfig::Postgres {
                url: SecretString::from(url.clone()),
            },
        };
        Database::connect(&config, 4)
            .await
            .expect("a second pool builds")
    }

    /// The SQLite file, for tests that lock it from outside.
    pub fn sqlite_path(&self) -> Option<&Path> {
        match &self.raw {
            Raw::Sqlite(path) => Some(path),
            Raw::Postgres(_) => None,
        }
    }

    /// Runs SQL directly, bypassing the stores.
    pub async fn execute(&self, sql: &str) {
        match &self.raw {
            Raw::Sqlite(path) => {
                let (path, sql) = (path.clone(), sql.to_owned());
                tokio::task::spawn_blocking(move || {
                    let mut conn = raw_sqlite(&path);
                    conn.batch_execute(&sql).expect("raw SQL runs on SQLite");
                })
                .await
                .expect("the SQLite task finishes");
            }
            Raw::Postgres(url) => {
                let client = raw_postgres(url).await;
                client
                    .batch_execute(sql)
                    .await
                    .expect("raw SQL runs on PostgreSQL");
            }
        }
    }

    /// Runs a `SELECT COUNT(*) …` (or any query of one 64-bit integer) directly.
    pub async fn count(&self, sql: &str) -> i64 {
        match &self.raw {
            Raw::Sqlite(path) => {
                let (path, sql) = (path.clone(), format!("({sql})"));
                tokio::task::spawn_blocking(move || {
                    let mut conn = raw_sqlite(&path);
                    diesel::select(diesel::dsl::sql::<BigInt>(&sql))
                        .get_result::<i64>(&mut conn)
                        .expect("count runs on SQLite")
                })
                .await
                .expect("the SQLite task finishes")
            }
            Raw::Postgres(url) => {
                let client = raw_postgres(url).await;
                let row = client
                    .query_one(sql, &[])
                    .await
                    .expect("count runs on PostgreSQL");
                row.get::<_, i64>(0)
            }
        }
    }
}

/// An SQLite connection with the same foreign-key and lock rules as the pool's.
pub fn raw_sqlite(path: &Path) -> SqliteConnection {
    let mut conn =
        SqliteConnection::establish(path.to_str().expect("a UTF-8 path")).expect("SQLite opens");
    conn.batch_execute("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;")
        .expect("pragmas apply");
    conn
}

async fn raw_postgres(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("PostgreSQL accepts a raw connection");
    tokio::spawn(connection);
    client
}

/// A 43-character base64url token starting with `tag`, as the domain requires.
pub fn token43(tag: &str) -> String {
    format!("{tag:A<43}")
}

pub fn identity(provider: &str, subject: &str) -> Identity {
    Identity::new(
        ProviderId::parse(provider).expect("a valid provider id"),
        Subject::parse(subject).expect("a valid subject"),
    )
}

/// A GitHub person's identity: their numeric GitHub id.
pub fn github(id: i64) -> Identity {
    identity("github", &id.to_string())
}

/// The profile of the GitHub person `github_id`.
pub fn profile(github_id: i64, username: &str, name: Option<&str>) -> IdentityProfile {
    profile_of(&github(github_id), username, name)
}

/// The profile of the person `who`, at any provider.
pub fn profile_of(who: &Identity, username: &str, name: Option<&str>) -> IdentityProfile {
    IdentityProfile::new(
        who.subject.clone(),
        username.to_owned(),
        name.map(str::to_owned),
        None,
        None,
    )
    .expect("a valid profile")
}

/// A sealed token whose bytes all equal `seed`.
pub fn sealed(seed: u8) -> EncryptedToken {
    EncryptedToken::new(
        KeyId::parse("0a1b2c3d").expect("a key id"),
        vec![seed; 12],
        vec![seed; 40],
    )
    .expect("a valid sealed token")
}

/// An attempt sent to GitHub.
pub fn state(tag: &str, digest: &str, verifier: Option<&str>, expires_at: Timestamp) -> OAuthState {
    OAuthState {
        token: state_token(tag),
        provider: ProviderId::parse("github").expect("a valid provider id"),
        binding_digest: digest.to_owned(),
        pkce_verifier: verifier.map(|v| PkceVerifier::parse(v).expect("a valid verifier")),
        created_at: NOW,
        expires_at,
    }
}

pub fn state_token(tag: &str) -> StateToken {
    StateToken::parse(&token43(tag)).expect("a valid state token")
}

pub fn session(tag: &str, user_id: UserId, expires_at: Timestamp) -> Session {
    Session {
        id: session_id(tag),
        user_id,
        created_at: NOW,
        expires_at,
    }
}

pub fn session_id(tag: &str) -> SessionId {
    SessionId::parse(&token43(tag)).expect("a valid session id")
}
