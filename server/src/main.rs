//! The `nectr-auth` binary: parses the command line and runs one command.

use clap::{Parser, Subcommand};
use nectr_auth::commands;

/// Sign in with GitHub and keep the session: the authentication backend of Nectr.
#[derive(Debug, Parser)]
#[command(name = "nectr-auth", version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Apply pending migrations (unless RUN_MIGRATIONS=false), then serve HTTP (the default).
    Serve,
    /// Apply pending migrations and exit.
    Migrate,
    /// Print a fresh random SECRET_KEY.
    Keygen,
    /// Re-seal every stored GitHub token under SECRET_KEY (safe to interrupt and to run while
    /// serving), so keys in PREVIOUS_SECRET_KEYS can be retired.
    RotateKeys {
        /// How many people to re-seal per database round trip.
        #[arg(long, default_value_t = 500)]
        batch_size: u32,
    },
    /// Validate the configuration and print the callback URL to register on GitHub.
    Check,
    /// Try everything locally with no GitHub app: SQLite, a temporary key, a stand-in for
    /// GitHub's sign-in pages and the example frontend (refuses APP_ENV=production).
    Dev,
}

fn main() {
    limit_malloc_arenas();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            std::process::exit(1);
        }
    };
    let code = runtime.block_on(async {
        match cli.command.unwrap_or(Command::Serve) {
            Command::Serve => commands::serve().await,
            Command::Migrate => commands::migrate().await,
            Command::Keygen => commands::keygen(),
            Command::RotateKeys { batch_size } => commands::rotate_keys(batch_size).await,
            Command::Check => commands::check(),
            Command::Dev => commands::dev().await,
        }
    });
    std::process::exit(code);
}

/// glibc's allocator gives threads arenas of their own (up to 8 per core) and keeps what they
/// free; with SQLite's blocking calls spread over many short-lived threads, that took the
/// service from 17 to 70 MiB under load, and two arenas keep it under 60 MiB at the same
/// throughput (docs/performance.md). glibc reads `MALLOC_ARENA_MAX` only as the process
/// starts, so the process re-executes itself once with it set, before any thread exists. An
/// operator's own value is kept; where the re-execution is impossible (the binary was
/// replaced on disk, say) it carries on with glibc's defaults.
fn limit_malloc_arenas() {
    use std::os::unix::process::CommandExt as _;

    if std::env::var_os("MALLOC_ARENA_MAX").is_some() {
        return;
    }
    let Ok(binary) = std::env::current_exe() else {
        return;
    };
    // `exec` returns only when it failed.
    let _failed = std::process::Command::new(binary)
        .args(std::env::args_os().skip(1))
        .env("MALLOC_ARENA_MAX", "2")
        .exec();
}
