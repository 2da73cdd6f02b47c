//! Cases that only one backend can show: outages, recovery, locks and opening files.

use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use nectr_application::ports::{StoreError, UserStore};
use nectr_db::{Database, DatabaseConfig, DbError};
use secrecy::SecretString;

use crate::world::{Backend, NOW, World, github, profile, raw_sqlite, sealed};

/// A local port that was bound and released, so nothing listens there.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("its address").port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_outage_is_unavailable_quickly_and_names_the_database() {
    // Arrange: the pool is built lazily, so a server that is down is not an error yet.
    let port = closed_port();
    let config = DatabaseConfig::Postgres {
        url: SecretString::from(format!("postgres://nectr:s3cret-pw@127.0.0.1:{port}/nectr")),
    };
    let db = Database::connect(&config, 2)
        .await
        .expect("the pool builds without a server");
    let name = format!("PostgreSQL at 127.0.0.1:{port}/nectr");
    assert_eq!(db.describe(), name);
    let started = Instant::now();

    // Act
    let pinged = db.ping().await;
    let upserted = db
        .upsert(&github(1), &profile(1, "octo", None), &sealed(1), NOW)
        .await;
    let migrated = db.migrate().await;

    // Assert
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    for outcome in [pinged.map(drop), upserted.map(drop)] {
        let Err(StoreError::Unavailable {
            detail: message, ..
        }) = outcome
        else {
            panic!("an outage must be StoreError::Unavailable, got {outcome:?}");
        };
        assert!(message.contains(&name), "names the database: {message}");
        assert!(!message.contains("s3cret-pw"), "no credentials: {message}");
    }
    let Err(error @ DbError::Unreachable { .. }) = migrated else {
        panic!("migrating without a server must be DbError::Unreachable, got {migrated:?}");
    };
    let message = error.to_string();
    assert!(
        message.contains(&name) && !message.contains("s3cret-pw"),
        "{message}"
    );
    assert!(!message.contains('\n'), "one line: {message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_with_tls_required_is_unavailable_when_down() {
    let port = closed_port();
    let config = DatabaseConfig::Postgres {
        url: SecretString::from(format!(
            "postgres://nectr@localhost:{port}/nectr?sslmode=require"
        )),
    };
    let db = Database::connect(&config, 2)
        .await
        .expect("the TLS pool builds");

    let pinged = db.ping().await;

    let Err(StoreError::Unavailable {
        detail: message, ..
    }) = pinged
    else {
        panic!("an outage must be StoreError::Unavailable, got {pinged:?}");
    };
    assert!(
        message.contains(&format!("PostgreSQL at localhost:{port}/nectr")),
        "{message}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_pool_recovers_when_its_connections_die() {
    // Arrange: a pool with live connections, then the server ends them (as a restart does).
    let world = World::new(Backend::Postgres).await;
    world.db.ping().await.expect("ping answers");
    world
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
        .await;

    // Act
    let pinged = world.db.ping().await;
    let stored = world
        .db
        .upsert(&github(8), &profile(8, "phoenix", None), &sealed(8), NOW)
        .await;

    // Assert
    pinged.expect("the dead connection is replaced, not handed out");
    stored.expect("queries work again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_instances_migrating_together_both_succeed() {
    let world = World::unmigrated(Backend::Postgres).await;
    let other = world.second_instance().await;

    let (a, b) = tokio::join!(world.db.migrate(), other.migrate());

    let (a, b) = (
        a.expect("first instance migrates"),
        b.expect("second instance migrates"),
    );
    assert!(
        a.is_empty() != b.is_empty(),
        "one applied, the other found it done: {a:?} {b:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_lock_held_too_long_is_unavailable() {
    // Arrange: another process holds the write lock for longer than busy_timeout.
    let world = World::new(Backend::Sqlite).await;
    let path = world.sqlite_path().expect("an SQLite world").to_owned();
    let (locked_tx, locked_rx) = std::sync::mpsc::channel();
    let holder = std::thread::spawn(move || {
        let mut conn = raw_sqlite(&path);
        conn.batch_execute("BEGIN EXCLUSIVE").expect("lock taken");
        locked_tx.send(()).expect("test is waiting");
        std::thread::sleep(Duration::from_secs(7));
        conn.batch_execute("ROLLBACK").expect("lock released");
    });
    locked_rx.recv().expect("the lock is taken");

    // Act
    let stored = world
        .db
        .upsert(&github(9), &profile(9, "blocked", None), &sealed(9), NOW)
        .await;

    // Assert
    let Err(StoreError::Unavailable {
        detail: message, ..
    }) = stored
    else {
        panic!("a lock outliving busy_timeout must be StoreError::Unavailable, got {stored:?}");
    };
    assert!(
        message.contains("SQLite at"),
        "names the database: {message}"
    );
    holder.join().expect("the lock holder finishes");
    world
        .db
        .upsert(&github(9), &profile(9, "blocked", None), &sealed(9), NOW)
        .await
        .expect("works once released");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_in_a_missing_folder_is_an_open_error() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let config = DatabaseConfig::Sqlite {
        path: dir.path().join("missing").join("nectr.db"),
    };

    let opened = Database::connect(&config, 2).await;

    let Err(error @ DbError::Open { .. }) = opened else {
        panic!(
            "a missing folder must be DbError::Open, got {:?}",
            opened.map(|db| db.describe())
        );
    };
    assert!(error.to_string().contains("SQLite at"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_in_memory_is_refused() {
    let config = DatabaseConfig::Sqlite {
        path: ":memory:".into(),
    };

    let opened = Database::connect(&config, 2).await;

    assert!(
        matches!(opened, Err(DbError::Config { .. })),
        "{:?}",
        opened.map(|db| db.describe())
    );
}
