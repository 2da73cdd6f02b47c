//! A fresh, empty database for each run of the service, so no run inherits another's rows:
//! an SQLite file in the run's temporary directory, or a PostgreSQL database created on the
//! given server and dropped afterwards (also after a failure or Ctrl-C).

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio_postgres::NoTls;

use crate::options::DatabaseKind;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

pub struct FreshDatabase {
    /// The service's `DATABASE_URL`.
    pub url: String,
    /// The PostgreSQL database to drop when done.
    postgres: Option<String>,
}

/// PostgreSQL databases created and not yet dropped, so an interrupted run can still drop them.
#[derive(Clone, Default)]
pub struct Leftovers(Arc<Mutex<Vec<String>>>);

impl Leftovers {
    fn add(&self, name: &str) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(name.to_owned());
    }

    fn remove(&self, name: &str) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|n| n != name);
    }

    /// Drops every database still listed; says which could not be dropped.
    pub async fn drop_all(&self, admin_url: &str) -> Vec<String> {
        let names = self
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let mut problems = Vec::new();
        for name in names {
            match drop_database(admin_url, &name).await {
                Ok(()) => self.remove(&name),
                Err(e) => problems.push(e),
            }
        }
        problems
    }
}

impl FreshDatabase {
    /// A new database for run `n`; `dir` holds the SQLite file.
    pub async fn create(
        kind: DatabaseKind,
        dir: &Path,
        admin_url: &str,
        n: usize,
        leftovers: &Leftovers,
    ) -> Result<FreshDatabase, String> {
        match kind {
            DatabaseKind::Sqlite => Ok(FreshDatabase {
                url: format!("sqlite://{}", dir.join("nectr-bench.db").display()),
                postgres: None,
            }),
            DatabaseKind::Postgres => {
                let name = format!("nectr_bench_{}_{n}", std::process::id());
                let client = connect(admin_url).await?;
                // Left over from an earlier run with the same process id, at worst.
                client
                    .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\""))
                    .await
                    .map_err(|e| format!("PostgreSQL: drop leftover database {name}: {e}"))?;
                client
                    .batch_execute(&format!("CREATE DATABASE \"{name}\""))
                    .await
                    .map_err(|e| {
                        format!(
                            "PostgreSQL at {}: cannot create database {name}: {e} \
                             (the user needs the CREATEDB privilege)",
                            redact(admin_url)
                        )
                    })?;
                leftovers.add(&name);
                let mut url = url::Url::parse(admin_url)
                    .map_err(|e| format!("--postgres-url is not a URL: {e}"))?;
                url.set_path(&format!("/{name}"));
                Ok(FreshDatabase {
                    url: url.to_string(),
                    postgres: Some(name),
                })
            }
        }
    }

    /// Drops the PostgreSQL database (the SQLite file goes with its directory).
    pub async fn drop(self, admin_url: &str, leftovers: &Leftovers) -> Result<(), String> {
        if let Some(name) = self.postgres {
            drop_database(admin_url, &name).await?;
            leftovers.remove(&name);
        }
        Ok(())
    }
}

/// Fails early, with what to do, when PostgreSQL cannot be reached.
pub async fn check_postgres(admin_url: &str) -> Result<(), String> {
    let client = connect(admin_url).await?;
    client
        .simple_query("SELECT 1")
        .await
        .map(drop)
        .map_err(|e| format!("PostgreSQL at {} does not answer: {e}", redact(admin_url)))
}

async fn drop_database(admin_url: &str, name: &str) -> Result<(), String> {
    let client = connect(admin_url).await?;
    // FORCE (PostgreSQL 13+) ends the service's connections, in case it is still dying.
    let forced = client
        .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .await;
    if forced.is_err() {
        client
            .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\""))
            .await
            .map_err(|e| {
                format!("PostgreSQL: cannot drop database {name} (drop it by hand): {e}")
            })?;
    }
    Ok(())
}

async fn connect(admin_url: &str) -> Result<tokio_postgres::Client, String> {
    let unreachable = |why: String| {
        format!(
            "PostgreSQL at {} unreachable: {why}. Start it, pass --postgres-url (or set \
             TEST_DATABASE_URL), or leave it out with --databases sqlite",
            redact(admin_url)
        )
    };
    let (client, connection) =
        tokio::time::timeout(CONNECT_TIMEOUT, tokio_postgres::connect(admin_url, NoTls))
            .await
            .map_err(|_| unreachable(format!("no answer within {CONNECT_TIMEOUT:?}")))?
            .map_err(|e| unreachable(e.to_string()))?;
    tokio::spawn(async move {
        // The connection ends when the client is dropped; an error then is of no interest.
        let _ = connection.await;
    });
    Ok(client)
}

/// The URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        Ok(parsed) => parsed.to_string(),
        Err(_) => "(an unparsable URL)".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn redacts_passwords() {
        assert_eq!(
            super::redact("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(super::redact("postgres://u@h/db"), "postgres://u@h/db");
    }
}
