//! The nectr-auth process under test: a fresh key, migrations, then `serve` with the
//! sign-in limits raised, on a free port, logging at its default level into a file.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tokio::process::{Child, Command};

use crate::github::{CLIENT_ID, GitHub};
use crate::process;
use crate::raw_http;

/// The raised limits, so the benchmark measures the service rather than its rate limiter:
/// wrk and the sign-in driver all come from 127.0.0.1, one client address.
pub const LOGIN_RATE_LIMIT_PER_MINUTE: u64 = 1_000_000;
pub const MAX_LIVE_OAUTH_STATES: u64 = 100_000_000;
/// Where a successful sign-in lands, `{FRONTEND_URL}/dashboard`.
pub const FRONTEND_URL: &str = "http://localhost:3000";

const READY_TIMEOUT: Duration = Duration::from_secs(60);
const MIGRATE_TIMEOUT: Duration = Duration::from_secs(120);

pub struct Service {
    child: Child,
    pub pid: u32,
    pub address: SocketAddr,
    pub log: PathBuf,
}

impl Service {
    /// Starts the service on `port`, with its working directory and log in `dir`, and waits
    /// until `/readyz` answers 200.
    pub async fn start(
        binary: &Path,
        dir: &Path,
        port: u16,
        database_url: &str,
        github: &GitHub,
    ) -> Result<Service, String> {
        let secret_key = keygen(binary).await?;
        let backend_url = format!("http://127.0.0.1:{port}");
        let vars = [
            ("HOST", "127.0.0.1".to_owned()),
            ("PORT", port.to_string()),
            ("BACKEND_URL", backend_url),
            ("FRONTEND_URL", FRONTEND_URL.to_owned()),
            ("DATABASE_URL", database_url.to_owned()),
            ("SECRET_KEY", secret_key),
            ("GITHUB_CLIENT_ID", CLIENT_ID.to_owned()),
            ("GITHUB_CLIENT_SECRET", github.client_secret.clone()),
            ("GITHUB_URL", github.web_url()),
            ("GITHUB_API_URL", github.api_url()),
            (
                "LOGIN_RATE_LIMIT_PER_MINUTE",
                LOGIN_RATE_LIMIT_PER_MINUTE.to_string(),
            ),
            ("MAX_LIVE_OAUTH_STATES", MAX_LIVE_OAUTH_STATES.to_string()),
        ];
        let log = dir.join("nectr-auth.log");
        let command = |subcommand: &str| -> Result<Command, String> {
            let mut command = Command::new(binary);
            let (stdout, stderr) = process::log_to(&log)?;
            // Only the settings above (and PATH): nothing from this shell, and no `.env` or
            // `nectr-auth.toml` from the working directory, changes what is measured. The
            // log level stays the default (info), as in production.
            command
                .arg(subcommand)
                .env_clear()
                .envs(std::env::var_os("PATH").map(|p| ("PATH", p)))
                .envs(vars.iter().map(|(k, v)| (*k, v.as_str())))
                .current_dir(dir)
                .stdin(std::process::Stdio::null())
                .stdout(stdout)
                .stderr(stderr)
                .kill_on_drop(true);
            Ok(command)
        };

        let migrated = tokio::time::timeout(MIGRATE_TIMEOUT, command("migrate")?.status())
            .await
            .map_err(|_| format!("`nectr-auth migrate` took over {MIGRATE_TIMEOUT:?}"))?
            .map_err(|e| format!("cannot run {}: {e}", binary.display()))?;
        if !migrated.success() {
            return Err(format!(
                "`nectr-auth migrate` failed ({migrated}); its log ({}):\n{}",
                log.display(),
                process::tail(&log, 20)
            ));
        }

        let mut child = command("serve")?
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let pid = process::pid_of(&child, "nectr-auth serve")?;
        let address = SocketAddr::from(([127, 0, 0, 1], port));
        wait_ready(&mut child, address, &log).await?;
        Ok(Service {
            child,
            pid,
            address,
            log,
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// Ends the process and waits for it, so its database connections are gone too.
    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

/// A fresh `SECRET_KEY` from `nectr-auth keygen`, which prints it alone on one line.
async fn keygen(binary: &Path) -> Result<String, String> {
    let output = Command::new(binary)
        .arg("keygen")
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .map_err(|e| format!("cannot run {} keygen: {e}", binary.display()))?;
    let key = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    if !output.status.success() || key.is_empty() || key.contains(char::is_whitespace) {
        let stderr = String::from_utf8_lossy(&output.stderr).trim().to_owned();
        return Err(format!(
            "`{} keygen` did not print a key ({}; {}): is it the nectr-auth binary?",
            binary.display(),
            output.status,
            if stderr.is_empty() {
                "nothing on standard error"
            } else {
                &stderr
            },
        ));
    }
    Ok(key)
}

async fn wait_ready(child: &mut Child, address: SocketAddr, log: &Path) -> Result<(), String> {
    let started = Instant::now();
    let mut last = String::from("no answer yet");
    while started.elapsed() < READY_TIMEOUT {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!(
                "nectr-auth exited ({status}) before it was ready; its log ({}):\n{}",
                log.display(),
                process::tail(log, 20)
            ));
        }
        match raw_http::get(address, "/readyz", &[]).await {
            Ok(answer) if answer.status == 200 => return Ok(()),
            Ok(answer) => {
                last = format!(
                    "HTTP {}: {}",
                    answer.status,
                    String::from_utf8_lossy(&answer.body)
                );
            }
            Err(e) => last = e,
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(format!(
        "nectr-auth was not ready within {READY_TIMEOUT:?} (last /readyz: {last}); its log ({}):\n{}",
        log.display(),
        process::tail(log, 20)
    ))
}
