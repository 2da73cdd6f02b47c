//! The command line.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, ValueEnum};

#[derive(Parser, Debug, Clone)]
#[command(
    name = "nectr-bench",
    about = "Loads nectr-auth (on SQLite and PostgreSQL) and a bare actix-web ceiling with wrk, \
             interleaved, and reports the service's figures as ratios to the ceiling.",
    long_about = None
)]
pub struct Options {
    /// The service binary (built with `cargo build --release -p nectr-auth`).
    #[arg(long, default_value = "target/release/nectr-auth")]
    pub server_binary: PathBuf,

    /// The ceiling binary (built with `cargo build --release -p nectr-bench`).
    #[arg(long, default_value = "target/release/bench-ceiling")]
    pub ceiling_binary: PathBuf,

    /// Databases to run the service on, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "sqlite,postgres")]
    pub databases: Vec<DatabaseKind>,

    /// A PostgreSQL server the benchmark may create (and drop) databases on.
    #[arg(
        long,
        env = "TEST_DATABASE_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/postgres"
    )]
    pub postgres_url: String,

    /// Distinct people signed in beforehand, whose session cookies `/auth/me` is loaded with.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..))]
    pub users: u32,

    /// Open connections of each load (and sign-ins in flight).
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub connections: u32,

    /// Length of each run, in seconds (`10` or `10s`).
    #[arg(long, default_value = "10", value_parser = seconds)]
    pub duration: Duration,

    /// Rounds of every load; the median round is reported.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub rounds: u32,

    /// Also write every figure, of every round, as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseKind {
    Sqlite,
    Postgres,
}

impl DatabaseKind {
    pub fn name(self) -> &'static str {
        match self {
            DatabaseKind::Sqlite => "SQLite",
            DatabaseKind::Postgres => "PostgreSQL",
        }
    }
}

fn seconds(text: &str) -> Result<Duration, String> {
    let number = text.trim().trim_end_matches('s');
    match number.parse::<u64>() {
        Ok(n) if (1..=3600).contains(&n) => Ok(Duration::from_secs(n)),
        _ => Err(format!(
            "{text:?} is not a whole number of seconds from 1 to 3600"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_plain_seconds_or_an_s() {
        assert_eq!(seconds("10"), Ok(Duration::from_secs(10)));
        assert_eq!(seconds("3s"), Ok(Duration::from_secs(3)));
        assert!(seconds("0").is_err());
        assert!(seconds("1m").is_err());
    }

    #[test]
    fn defaults() {
        let options = Options::parse_from(["nectr-bench"]);
        assert_eq!(
            options.databases,
            [DatabaseKind::Sqlite, DatabaseKind::Postgres]
        );
        assert_eq!(options.connections, 64);
        assert_eq!(options.duration, Duration::from_secs(10));
        let options = Options::parse_from(["nectr-bench", "--databases", "postgres"]);
        assert_eq!(options.databases, [DatabaseKind::Postgres]);
    }
}
