//! The ceiling process (`bench-ceiling`), sized so that its answers have exactly as many
//! bytes on the wire as the service's: the same load then moves the same bytes, and the only
//! difference left is the work the service does.

use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::process::{Child, Command};

use crate::process;
use crate::raw_http;

const READY_TIMEOUT: Duration = Duration::from_secs(20);
/// A start with a guess, then corrections: the length of `content-length`'s value can
/// change with the body, so a second correction is sometimes needed.
const SIZING_ATTEMPTS: usize = 4;

/// Byte counts of whole answers (status line, headers, body), as sent on the wire.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct AnswerSizes {
    pub me: usize,
    pub github: usize,
}

#[derive(Debug, Clone, Copy)]
struct Padding {
    me_body: usize,
    location: usize,
    cookie: usize,
}

pub struct Ceiling {
    child: Child,
    pub pid: u32,
    pub address: SocketAddr,
}

impl Ceiling {
    /// Starts the ceiling with answers of exactly `target` sizes. `location` and `me_body`
    /// are the service's own `Location` and body lengths, the starting guesses.
    pub async fn start_sized(
        binary: &Path,
        log: &Path,
        target: AnswerSizes,
        me_body: usize,
        location: usize,
    ) -> Result<Ceiling, String> {
        let mut padding = Padding {
            me_body,
            location: location.max(64),
            cookie: 100,
        };
        for _ in 0..SIZING_ATTEMPTS {
            let ceiling = Ceiling::start(binary, log, padding).await?;
            let me = raw_http::get(ceiling.address, "/me", &[]).await?;
            let github = raw_http::get(ceiling.address, "/github", &[]).await?;
            if (me.status, github.status) != (200, 302) {
                return Err(format!(
                    "the ceiling answered /me {} and /github {} instead of 200 and 302",
                    me.status, github.status
                ));
            }
            if me.total_bytes() == target.me && github.total_bytes() == target.github {
                return Ok(ceiling);
            }
            padding.me_body = adjust(padding.me_body, target.me, me.total_bytes(), 0)?;
            padding.cookie = adjust(padding.cookie, target.github, github.total_bytes(), 21)?;
            ceiling.stop().await;
        }
        Err(format!(
            "could not size the ceiling's answers to {} and {} bytes",
            target.me, target.github
        ))
    }

    async fn start(binary: &Path, log: &Path, padding: Padding) -> Result<Ceiling, String> {
        let port = process::free_port()?;
        let (stdout, stderr) = process::log_to(log)?;
        let mut child = Command::new(binary)
            .args(["--port", &port.to_string()])
            .args(["--me-body-bytes", &padding.me_body.to_string()])
            .args(["--github-location-bytes", &padding.location.to_string()])
            .args(["--github-cookie-bytes", &padding.cookie.to_string()])
            .stdin(std::process::Stdio::null())
            .stdout(stdout)
            .stderr(stderr)
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let pid = process::pid_of(&child, "bench-ceiling")?;
        let address = SocketAddr::from(([127, 0, 0, 1], port));
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                return Err(format!(
                    "bench-ceiling exited ({status}); its log:\n{}",
                    process::tail(log, 10)
                ));
            }
            if raw_http::get(address, "/me", &[]).await.is_ok() {
                return Ok(Ceiling {
                    child,
                    pid,
                    address,
                });
            }
            if started.elapsed() > READY_TIMEOUT {
                return Err(format!(
                    "bench-ceiling did not answer within {READY_TIMEOUT:?}"
                ));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

/// `current` moved by the difference between the wanted and the measured size.
fn adjust(current: usize, wanted: usize, measured: usize, least: usize) -> Result<usize, String> {
    let next = current as i64 + wanted as i64 - measured as i64;
    usize::try_from(next)
        .ok()
        .filter(|n| *n >= least)
        .ok_or_else(|| {
            format!(
                "the service's answer ({wanted} bytes) is smaller than the least the ceiling \
                 can send ({measured} bytes with {current} of padding)"
            )
        })
}
