//! Throwaway PostgreSQL databases for integration tests (feature `testing`).

use std::str::FromStr;

use tokio_postgres::NoTls;

use crate::config::describe_postgres;

/// What to do when tests cannot find PostgreSQL; tests fail rather than skip.
const HOW_TO_FIX: &str = "start it, or set TEST_DATABASE_URL \
                          (e.g. postgres://postgres@127.0.0.1:5432/postgres)";

/// The PostgreSQL server for tests, from `TEST_DATABASE_URL`.
///
/// # Panics
/// When the variable is unset or not Unicode, so a missing server fails the tests.
pub fn test_database_url() -> String {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => url,
        _ => panic!(
            "PostgreSQL for tests is not reachable: TEST_DATABASE_URL is unset; {HOW_TO_FIX}"
        ),
    }
}

/// A uniquely named database created for one test and dropped (with its connections) when
/// this value is dropped.
#[derive(Debug)]
pub struct FreshPostgres {
    base_url: String,
    name: String,
    url: String,
}

impl FreshPostgres {
    /// Creates `nectr_test_<random hex>` on the server of `base_url`, a URL whose database
    /// (e.g. `postgres`) the test user may connect to and create databases from.
    ///
    /// # Panics
    /// When the server cannot be reached or refuses to create the database; the message says
    /// how to fix it.
    pub async fn create(base_url: &str) -> Self {
        let name = format!("nectr_test_{}", random_hex());
        let client = admin_client(base_url).await;
        if let Err(error) = client
            .batch_execute(&format!("CREATE DATABASE \"{name}\""))
            .await
        {
            panic!(
                "PostgreSQL at {} refused to create a test database ({}); {HOW_TO_FIX}",
                server(base_url),
                crate::error::chain(&error)
            );
        }
        let url = with_database(base_url, &name);
        Self {
            base_url: base_url.to_owned(),
            name,
            url,
        }
    }

    /// The URL of the new database.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// The new database's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for FreshPostgres {
    fn drop(&mut self) {
        let base_url = self.base_url.clone();
        let sql = format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name);
        // Its own thread and runtime, because drop may run inside a test's runtime, where
        // blocking on another future would panic.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async move {
                let (client, connection) = tokio_postgres::connect(&base_url, NoTls).await?;
                let driver = tokio::spawn(connection);
                client.batch_execute(&sql).await?;
                drop(client);
                let _ = driver.await;
                Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
            })
        })
        .join();
        // Never panic here: the test may already be panicking, and a leftover database does
        // no harm beyond its disk space.
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop test database {}", self.name);
        }
    }
}

/// A connection to the server's admin database, or a panic that says what to do.
async fn admin_client(base_url: &str) -> tokio_postgres::Client {
    match tokio_postgres::connect(base_url, NoTls).await {
        Ok((client, connection)) => {
            tokio::spawn(async move {
                let _ = connection.await;
            });
            client
        }
        Err(error) => panic!(
            "PostgreSQL at {} is not reachable ({}); {HOW_TO_FIX}",
            server(base_url),
            crate::error::chain(&error)
        ),
    }
}

/// The server as `describe()` would name it, without credentials.
fn server(base_url: &str) -> String {
    tokio_postgres::Config::from_str(base_url).map_or_else(
        |_| "TEST_DATABASE_URL (it does not parse)".to_owned(),
        |config| {
            describe_postgres(&config)
                .trim_start_matches("PostgreSQL at ")
                .to_owned()
        },
    )
}

/// `base_url` pointing at database `name` instead.
fn with_database(base_url: &str, name: &str) -> String {
    let Some(scheme_end) = base_url.find("://").map(|at| at + 3) else {
        // A `key=value` connection string: a later `dbname` wins.
        return format!("{base_url} dbname={name}");
    };
    let (before_query, query) = match base_url.find('?') {
        Some(at) => base_url.split_at(at),
        None => (base_url, ""),
    };
    let authority_end = before_query[scheme_end..]
        .find('/')
        .map_or(before_query.len(), |at| scheme_end + at);
    format!("{}/{name}{query}", &before_query[..authority_end])
}

/// 64 random bits in hex, so parallel tests never share a database.
fn random_hex() -> String {
    let mut bytes = [0_u8; 8];
    if let Err(error) = getrandom::fill(&mut bytes) {
        panic!("the operating system's random generator failed: {error}");
    }
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swaps_the_database_of_a_url() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
            "postgres://postgres@127.0.0.1:5432/t1"
        );
        assert_eq!(
            with_database("postgres://u:p@h/db?sslmode=require", "t1"),
            "postgres://u:p@h/t1?sslmode=require"
        );
        assert_eq!(
            with_database("postgres://h:5432", "t1"),
            "postgres://h:5432/t1"
        );
        assert_eq!(
            with_database("host=h user=u", "t1"),
            "host=h user=u dbname=t1"
        );
    }
}
