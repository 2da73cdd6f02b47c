//! Small helpers for the child processes the benchmark runs.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Stdio;

/// A port free on 127.0.0.1 right now. Another process could take it before the server
/// binds it; on this machine, with nothing else starting servers, that does not happen.
pub fn free_port() -> Result<u16, String> {
    std::net::TcpListener::bind(("127.0.0.1", 0))
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .map_err(|e| format!("no free port on 127.0.0.1: {e}"))
}

/// Standard output and error of a child, both appended to `path`: a server that logs every
/// request must never write into a pipe nobody reads, or it blocks once the pipe is full.
pub fn log_to(path: &Path) -> Result<(Stdio, Stdio), String> {
    let file = File::options()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| format!("cannot open log file {}: {e}", path.display()))?;
    let second = file
        .try_clone()
        .map_err(|e| format!("cannot share log file {}: {e}", path.display()))?;
    Ok((Stdio::from(file), Stdio::from(second)))
}

/// The last `lines` lines of a log, to show why a child failed.
pub fn tail(path: &Path, lines: usize) -> String {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let all: Vec<&str> = text.lines().collect();
            let start = all.len().saturating_sub(lines);
            if all.is_empty() {
                "(the log is empty)".to_owned()
            } else {
                all[start..].join("\n")
            }
        }
        Err(e) => format!("(no log at {}: {e})", path.display()),
    }
}

/// Where `program` is on `PATH`.
pub fn on_path(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(program))
            .find(|candidate| candidate.is_file())
    })
}

/// Fails with `fix` when `path` is not a file.
pub fn require_file(path: &Path, what: &str, fix: &str) -> Result<(), String> {
    if path.is_file() {
        Ok(())
    } else {
        Err(format!("{what} not found at {}: {fix}", path.display()))
    }
}

/// A process id as `/proc` names it.
pub fn pid_of(child: &tokio::process::Child, what: &str) -> Result<u32, String> {
    child
        .id()
        .ok_or_else(|| format!("{what} exited as soon as it started"))
}
