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

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    let code = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => commands::serve().await,
        Command::Migrate => commands::migrate().await,
        Command::Keygen => commands::keygen(),
        Command::RotateKeys { batch_size } => commands::rotate_keys(batch_size).await,
        Command::Check => commands::check(),
        Command::Dev => commands::dev().await,
    };
    std::process::exit(code);
}
