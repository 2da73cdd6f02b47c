//! `nectr-bench`: loads nectr-auth on SQLite and PostgreSQL, and a bare actix-web ceiling
//! sized like it, with wrk and a sign-in driver, and reports the service as ratios to the
//! ceiling. See the crate's README.

// The report goes to standard output: printing it is this program's job.
#![allow(clippy::print_stdout)]

mod browser;
mod ceiling;
mod cpu;
mod database;
mod database_run;
mod github;
mod machine;
mod memory;
mod metrics;
mod options;
mod process;
mod raw_http;
mod report;
mod service;
mod sign_in;
mod stats;
mod wrk;

use std::process::ExitCode;

use clap::Parser as _;

use crate::browser::Browser;
use crate::database::Leftovers;
use crate::options::{DatabaseKind, Options};
use crate::report::{DatabaseReport, Report, SettingsUsed};

#[tokio::main]
async fn main() -> ExitCode {
    let mut options = Options::parse();
    // The service runs in its own temporary folder, so a relative path would miss.
    for binary in [&mut options.server_binary, &mut options.ceiling_binary] {
        if let Ok(absolute) = std::path::absolute(&*binary) {
            *binary = absolute;
        }
    }
    let leftovers = Leftovers::default();
    let outcome = tokio::select! {
        outcome = run(&options, &leftovers) => outcome,
        _ = tokio::signal::ctrl_c() => Err("interrupted; the servers were stopped".to_owned()),
    };
    // Also after an interruption, which left the run's own cleanup undone.
    for problem in leftovers.drop_all(&options.postgres_url).await {
        eprintln!("nectr-bench: {problem}");
    }
    match outcome {
        Ok(report) => {
            print!("{}", report.markdown());
            if let Some(path) = &options.json {
                let written = serde_json::to_string_pretty(&report)
                    .map_err(|e| e.to_string())
                    .and_then(|json| std::fs::write(path, json + "\n").map_err(|e| e.to_string()));
                if let Err(e) = written {
                    eprintln!("nectr-bench: cannot write {}: {e}", path.display());
                    return ExitCode::FAILURE;
                }
            }
            if report.clean() {
                ExitCode::SUCCESS
            } else {
                eprintln!("nectr-bench: there were errors or failed runs; see the report");
                ExitCode::FAILURE
            }
        }
        Err(problem) => {
            eprintln!("nectr-bench: {problem}");
            ExitCode::FAILURE
        }
    }
}

async fn run(options: &Options, leftovers: &Leftovers) -> Result<Report, String> {
    preflight(options).await?;
    let machine = machine::Machine::describe();
    // Built once: a client costs more to build than a whole sign-in.
    let browsers = (0..options.connections)
        .map(|_| Browser::new())
        .collect::<Result<Vec<_>, _>>()?;
    let cx = database_run::Context {
        options,
        browsers: &browsers,
        leftovers,
    };
    let mut databases = Vec::new();
    for (n, kind) in options.databases.iter().copied().enumerate() {
        let outcome = database_run::run(kind, n, &cx).await;
        if let Err(problem) = &outcome {
            eprintln!("nectr-bench: {}: {problem}", kind.name());
        }
        let (results, error) = match outcome {
            Ok(results) => (Some(results), None),
            Err(problem) => (None, Some(problem)),
        };
        databases.push(DatabaseReport {
            database: kind.name().to_owned(),
            error,
            results,
        });
    }
    Ok(Report {
        machine,
        settings: SettingsUsed {
            server_binary: options.server_binary.display().to_string(),
            users: options.users,
            connections: options.connections,
            wrk_threads: options.connections.min(2),
            duration_seconds: options.duration.as_secs(),
            rounds: options.rounds,
            login_rate_limit_per_minute: service::LOGIN_RATE_LIMIT_PER_MINUTE,
            max_live_oauth_states: service::MAX_LIVE_OAUTH_STATES,
            log_level: "info (the default)".to_owned(),
        },
        databases,
    })
}

/// Everything the run needs, checked before anything starts, each with what to do.
async fn preflight(options: &Options) -> Result<(), String> {
    process::require_file(
        &options.server_binary,
        "the nectr-auth binary",
        "run scripts/bench.sh, which builds it (or `cargo build --release -p nectr-auth`), \
         or pass --server-binary",
    )?;
    process::require_file(
        &options.ceiling_binary,
        "the bench-ceiling binary",
        "run scripts/bench.sh, which builds it (or `cargo build --release -p nectr-bench`), \
         or pass --ceiling-binary",
    )?;
    wrk::require()?;
    if options.databases.is_empty() {
        return Err("--databases names no database (sqlite, postgres)".to_owned());
    }
    if options.databases.contains(&DatabaseKind::Postgres) {
        database::check_postgres(&options.postgres_url).await?;
    }
    Ok(())
}
