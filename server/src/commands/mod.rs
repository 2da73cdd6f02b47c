//! The binary's commands. Each returns an exit code; messages for people go to standard
//! output (results) or standard error (problems), one line each.

mod check;
mod dev;
mod keygen;
mod migrate;
mod rotate_keys;
mod serve;

use std::io::Write as _;

pub use check::check;
pub use dev::dev;
pub use keygen::keygen;
pub use migrate::migrate;
pub use rotate_keys::rotate_keys;
pub use serve::serve;

use crate::settings::{self, Problems, Settings};

/// Loads and parses the configuration, printing every problem on its own line.
fn load_settings() -> Option<Settings> {
    match settings::load().and_then(|vars| Settings::from_vars(&vars)) {
        Ok(settings) => Some(settings),
        Err(problems) => {
            report(&problems);
            None
        }
    }
}

/// Prints problems to standard error, `error: SETTING …` per line.
fn report(problems: &Problems) {
    let mut err = std::io::stderr().lock();
    for problem in &problems.0 {
        let _ = writeln!(err, "error: {problem}");
    }
}

/// Prints a problem that is not one setting's (an adapter refusing its configuration).
fn report_line(problem: &str) {
    let _ = writeln!(std::io::stderr().lock(), "error: {problem}");
}

fn print(line: &str) {
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}
