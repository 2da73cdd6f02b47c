//! A PostgreSQL server of the test's own, in a temporary directory on a free port, that the
//! test can stop and start again (the shared server must never be stopped).
//!
//! PostgreSQL refuses to run as root. When the tests run as root, `initdb`, `postgres` and
//! `pg_ctl` run under the `postgres` account instead (the process's uid and gid are switched
//! before `exec`), and the temporary directory is handed to that account.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::process::{Child, Command};

/// The database the service uses on this server.
const DATABASE: &str = "nectr";

/// How long starting (or stopping) the server may take on a busy machine.
const READY_WITHIN: Duration = Duration::from_secs(30);

pub struct PrivatePostgres {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    /// The uid and gid to run the server under, when the tests run as root.
    run_as: Option<(u32, u32)>,
    server: Option<Child>,
}

impl PrivatePostgres {
    /// Creates a cluster (trust authentication, superuser `postgres`), starts it and creates
    /// the service's database.
    pub async fn start() -> Self {
        let bin = binaries();
        let dir = tempfile::Builder::new()
            .prefix("nectr-pg-")
            .tempdir()
            .expect("a temporary directory");
        let run_as = account_if_root().await;
        if let Some((uid, gid)) = run_as {
            std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid))
                .expect("the temporary directory can be given to the postgres account");
        }
        let mut postgres = Self {
            dir,
            bin,
            port: free_port(),
            run_as,
            server: None,
        };
        let data = postgres.data_dir();
        postgres
            .run(
                "initdb",
                &[
                    "-D".as_ref(),
                    data.as_os_str(),
                    "-U".as_ref(),
                    "postgres".as_ref(),
                    "--auth=trust".as_ref(),
                    "--encoding=UTF8".as_ref(),
                    "--locale=C".as_ref(),
                    // A throwaway cluster: flushing its files to disk only costs time.
                    "--no-sync".as_ref(),
                ],
            )
            .await;
        postgres.start_again().await;
        let (client, connection) =
            tokio_postgres::connect(&postgres.url_of("postgres"), tokio_postgres::NoTls)
                .await
                .expect("the private server accepts connections");
        let driver = tokio::spawn(connection);
        client
            .batch_execute(&format!("CREATE DATABASE {DATABASE}"))
            .await
            .expect("the service's database is created");
        drop(client);
        let _ = driver.await;
        postgres
    }

    /// The service's database on this server.
    pub fn url(&self) -> String {
        self.url_of(DATABASE)
    }

    /// A fast shutdown (`pg_ctl stop -m fast`): open connections are closed at once, as when
    /// an operator stops the server for maintenance. Returns once the server has exited.
    pub async fn stop(&mut self) {
        let data = self.data_dir();
        self.run(
            "pg_ctl",
            &[
                "stop".as_ref(),
                "-D".as_ref(),
                data.as_os_str(),
                "-m".as_ref(),
                "fast".as_ref(),
                "-w".as_ref(),
            ],
        )
        .await;
        if let Some(mut server) = self.server.take() {
            tokio::time::timeout(READY_WITHIN, server.wait())
                .await
                .expect("the server process exits after pg_ctl stop")
                .expect("the server process can be waited for");
        }
    }

    /// Starts the server (again) on the same port and data directory; returns once it
    /// accepts connections.
    pub async fn start_again(&mut self) {
        assert!(self.server.is_none(), "the server is already running");
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log_path())
            .expect("a log file for the server");
        let server = self
            .command("postgres")
            .arg("-D")
            .arg(self.data_dir())
            .arg("-p")
            .arg(self.port.to_string())
            .arg("-k")
            .arg(self.dir.path())
            .args(["-c", "listen_addresses=127.0.0.1"])
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("the log file handle"))
            .stderr(log)
            .spawn()
            .expect("postgres starts");
        self.server = Some(server);
        let deadline = Instant::now() + READY_WITHIN;
        loop {
            let attempt =
                tokio_postgres::connect(&self.url_of("postgres"), tokio_postgres::NoTls).await;
            if attempt.is_ok() {
                return;
            }
            if let Some(server) = self.server.as_mut()
                && let Ok(Some(status)) = server.try_wait()
            {
                self.server = None;
                panic!("postgres exited with {status}:\n{}", self.log_tail());
            }
            assert!(
                Instant::now() < deadline,
                "postgres did not accept connections within {READY_WITHIN:?}:\n{}",
                self.log_tail()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn url_of(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("server.log")
    }

    /// The end of the server's log, for failure messages.
    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.log_path()).unwrap_or_default();
        let start = log.len().saturating_sub(3000);
        log.get(start..).unwrap_or(&log).to_owned()
    }

    fn command(&self, program: &str) -> Command {
        let mut command = Command::new(self.bin.join(program));
        // The postgres account cannot enter root's working directory.
        command.current_dir(self.dir.path()).kill_on_drop(true);
        if let Some((uid, gid)) = self.run_as {
            command.uid(uid).gid(gid);
        }
        command
    }

    async fn run(&self, program: &str, args: &[&std::ffi::OsStr]) {
        let output = tokio::time::timeout(READY_WITHIN, self.command(program).args(args).output())
            .await
            .unwrap_or_else(|_| panic!("{program} finishes within {READY_WITHIN:?}"))
            .unwrap_or_else(|error| panic!("{program} runs: {error}"));
        assert!(
            output.status.success(),
            "{program} failed ({}):\n{}\n{}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr),
            self.log_tail()
        );
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        let Some(mut server) = self.server.take() else {
            return;
        };
        // An immediate stop also ends the server's own child processes, which killing the
        // postmaster alone would leave running.
        let mut stop = std::process::Command::new(self.bin.join("pg_ctl"));
        stop.args(["stop", "-m", "immediate", "-w", "-D"])
            .arg(self.data_dir())
            .current_dir(self.dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Some((uid, gid)) = self.run_as {
            std::os::unix::process::CommandExt::uid(&mut stop, uid);
            std::os::unix::process::CommandExt::gid(&mut stop, gid);
        }
        let _ = stop.status();
        let _ = server.start_kill();
    }
}

/// The newest PostgreSQL installed the Debian way (`/usr/lib/postgresql/<version>/bin`).
fn binaries() -> PathBuf {
    let root = Path::new("/usr/lib/postgresql");
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir(root)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|entry| {
                    let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
                    let bin = entry.path().join("bin");
                    bin.join("initdb").is_file().then_some((version, bin))
                })
                .collect()
        })
        .unwrap_or_default();
    versions.sort();
    versions
        .pop()
        .map(|(_, bin)| bin)
        .unwrap_or_else(|| panic!("no PostgreSQL server binaries under {}", root.display()))
}

/// The `postgres` account's uid and gid when this process runs as root, else `None` (the
/// server then runs as the current user, which PostgreSQL accepts).
async fn account_if_root() -> Option<(u32, u32)> {
    if id(&["-u"]).await != 0 {
        return None;
    }
    Some((id(&["-u", "postgres"]).await, id(&["-g", "postgres"]).await))
}

async fn id(args: &[&str]) -> u32 {
    let output = Command::new("id")
        .args(args)
        .output()
        .await
        .expect("`id` runs");
    assert!(
        output.status.success(),
        "`id {}` failed: the tests run as root and need a `postgres` account to run \
         PostgreSQL under",
        args.join(" ")
    );
    String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .expect("`id` prints a number")
}

/// A port nothing listens on right now. The server binds it a moment later; another process
/// taking it in between would make the start fail loudly, not silently.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}
