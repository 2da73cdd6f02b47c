//! The `nectr-auth` binary as an operator uses it: commands, configuration layering, start-up
//! errors, and a whole sign-in through the real process, whose logs are searched for secrets.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use nectr_github_standin::{GithubStandIn, OAuthApp};

const BINARY: &str = env!("CARGO_BIN_EXE_nectr-auth");

/// Runs the binary in `dir` with only `vars` in its environment.
fn run(dir: &Path, args: &[&str], vars: &[(&str, &str)]) -> Output {
    Command::new(BINARY)
        .args(args)
        .current_dir(dir)
        .env_clear()
        .envs(vars.iter().copied())
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

#[test]
fn keygen_prints_a_key_that_check_accepts() {
    let dir = tempdir();
    let out = run(dir.path(), &["keygen"], &[]);
    assert!(out.status.success());
    let key = text(&out.stdout).trim().to_owned();
    assert_eq!(key.len(), 43, "{key}");
    let again = text(&run(dir.path(), &["keygen"], &[]).stdout);
    assert_ne!(key, again.trim(), "fresh every time");
    let check = run(
        dir.path(),
        &["check"],
        &[
            ("SECRET_KEY", &key),
            ("GITHUB_CLIENT_ID", "id"),
            ("GITHUB_CLIENT_SECRET", "s"),
        ],
    );
    assert!(check.status.success(), "{}", text(&check.stderr));
}

#[test]
fn check_prints_the_callback_url_and_names_missing_credentials() {
    let dir = tempdir();
    let out = run(dir.path(), &["check"], &[]);
    assert!(!out.status.success());
    assert!(
        text(&out.stdout).contains("http://localhost:8000/auth/github/callback"),
        "{}",
        text(&out.stdout)
    );
    let stderr = text(&out.stderr);
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with("error: GITHUB_CLIENT_ID ")),
        "{stderr}"
    );
    let with_other_problems = run(dir.path(), &["check"], &[("PORT", "x")]);
    let both = text(&with_other_problems.stderr);
    assert!(
        both.contains("error: PORT ") && both.contains("error: GITHUB_CLIENT_ID "),
        "every problem at once: {both}"
    );
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with("error: GITHUB_CLIENT_SECRET ")),
        "{stderr}"
    );
}

#[test]
fn check_names_each_offered_provider_and_where_to_register_its_callback() {
    let dir = tempdir();
    let github_only = run(
        dir.path(),
        &["check"],
        &[("GITHUB_CLIENT_ID", "id"), ("GITHUB_CLIENT_SECRET", "s")],
    );
    let stdout = text(&github_only.stdout);
    assert!(
        github_only.status.success(),
        "{}",
        text(&github_only.stderr)
    );
    assert!(
        stdout.contains(
            "Authorization callback URL to register on the GitHub OAuth App: http://localhost:8000/auth/github/callback"
        ),
        "{stdout}"
    );
    assert!(!stdout.contains("GitLab"), "{stdout}");
    assert!(stdout.contains("Sign-in offered with: GitHub;"), "{stdout}");

    let both = run(
        dir.path(),
        &["check"],
        &[
            ("GITHUB_CLIENT_ID", "id"),
            ("GITHUB_CLIENT_SECRET", "s"),
            ("GITLAB_CLIENT_ID", "gl-id"),
            ("GITLAB_CLIENT_SECRET", "gl-secret"),
        ],
    );
    let stdout = text(&both.stdout);
    assert!(both.status.success(), "{}", text(&both.stderr));
    assert!(
        stdout.contains(
            "Redirect URI to register on the GitLab application: http://localhost:8000/auth/gitlab/callback"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("Sign-in offered with: GitHub, GitLab;"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("gl-secret") && !text(&both.stderr).contains("gl-secret"),
        "{stdout}"
    );
}

#[test]
fn check_reports_every_problem_on_its_own_line_with_the_fix() {
    let dir = tempdir();
    let out = run(
        dir.path(),
        &["check"],
        &[
            ("APP_ENV", "production"),
            ("BACKEND_URL", "http://auth.example.com/"),
            ("FRONTEND_URL", "https://app.example.com"),
            ("GITHUB_CLIENT_ID", "id"),
            ("GITHUB_CLIENT_SECRET", "secret-with-newline\n"),
            ("PORT", "eighty"),
        ],
    );
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    let line = |setting: &str, needle: &str| {
        assert!(
            stderr
                .lines()
                .any(|l| l.starts_with(&format!("error: {setting} ")) && l.contains(needle)),
            "no line for {setting} containing {needle:?} in:\n{stderr}"
        );
    };
    line(
        "BACKEND_URL",
        "must not end with a slash: set it to http://auth.example.com",
    );
    line("BACKEND_URL", "https");
    line("SECRET_KEY", "nectr-auth keygen");
    line("GITHUB_CLIENT_SECRET", "whitespace");
    line("PORT", "whole number");
    assert!(
        !stderr.contains("secret-with-newline"),
        "the secret is not echoed"
    );
    assert!(
        !stderr.contains("GITHUB_CLIENT_ID"),
        "credentials were given, so only the real problems are listed"
    );
}

#[test]
fn url_settings_with_line_breaks_are_refused_on_one_line() {
    let dir = tempdir();
    for (name, value) in [
        ("BACKEND_URL", "\nhttp://a/"),
        ("BACKEND_URL", "http://a/\n"),
        ("FRONTEND_URL", "http://exa\r\nmple.com"),
        ("GITHUB_URL", "http://git\thub.example"),
        ("GITHUB_API_URL", " https://api.github.com"),
    ] {
        let out = run(
            dir.path(),
            &["check"],
            &[("APP_ENV", "production"), (name, value)],
        );
        assert!(!out.status.success());
        let stderr = text(&out.stderr);
        let line = stderr
            .lines()
            .find(|l| l.starts_with(&format!("error: {name} ")))
            .unwrap_or_else(|| panic!("no problem for {name}={value:?}: {stderr}"));
        assert!(line.contains("line breaks"), "{line}");
        assert_eq!(
            stderr.lines().count(),
            stderr.matches("error: ").count(),
            "one line per problem: {stderr}"
        );
    }
}

#[test]
fn weak_or_malformed_keys_are_refused() {
    let dir = tempdir();
    let zeros = "A".repeat(43);
    for (key, needle) in [
        (zeros.as_str(), "weak"),
        ("not base64!", "base64"),
        ("c2hvcnQ", "bytes"),
    ] {
        let out = run(dir.path(), &["check"], &[("SECRET_KEY", key)]);
        let stderr = text(&out.stderr);
        assert!(
            stderr
                .lines()
                .any(|l| l.starts_with("error: SECRET_KEY ") && l.contains(needle)),
            "{key}: {stderr}"
        );
        assert!(!stderr.contains(key), "the key is not echoed");
    }
}

#[test]
fn settings_layer_file_then_dotenv_then_environment() {
    let dir = tempdir();
    std::fs::write(
        dir.path().join("nectr-auth.toml"),
        "backend_url = \"https://from-file.example\"\nGITHUB_CLIENT_ID = \"id\"\n",
    )
    .expect("write toml");
    let callback = |vars: &[(&str, &str)]| {
        let out = run(dir.path(), &["check"], vars);
        text(&out.stdout)
    };
    assert!(callback(&[]).contains("https://from-file.example/auth/github/callback"));
    std::fs::write(
        dir.path().join(".env"),
        "BACKEND_URL=https://from-dotenv.example\n",
    )
    .expect("write .env");
    assert!(callback(&[]).contains("https://from-dotenv.example/auth/github/callback"));
    assert!(
        callback(&[("BACKEND_URL", "https://from-env.example")])
            .contains("https://from-env.example/auth/github/callback")
    );
}

#[test]
fn an_unknown_key_in_the_config_file_is_named() {
    let dir = tempdir();
    std::fs::write(dir.path().join("nectr-auth.toml"), "BACKEND_ULR = \"x\"\n").expect("write");
    let out = run(dir.path(), &["check"], &[]);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("BACKEND_ULR") && stderr.contains("spelling"),
        "{stderr}"
    );
    let named = run(
        dir.path(),
        &["check"],
        &[("NECTR_AUTH_CONFIG", "missing.toml")],
    );
    assert!(
        text(&named.stderr).contains("missing.toml"),
        "{}",
        text(&named.stderr)
    );
}

#[test]
fn serve_without_credentials_stops_with_one_line_per_problem() {
    let dir = tempdir();
    let out = run(dir.path(), &["serve"], &[("GITHUB_CLIENT_SECRET", "s")]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("error: GITHUB_CLIENT_ID is not set"),
        "{stderr}"
    );
    assert!(
        !dir.path().join("nectr-auth.db").exists(),
        "nothing was created"
    );
}

#[test]
fn dev_refuses_to_run_in_production() {
    let dir = tempdir();
    let out = run(dir.path(), &["dev"], &[("APP_ENV", "production")]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with("error: APP_ENV is production"),
        "{stderr}"
    );
    assert!(stderr.contains("nectr-auth serve"), "{stderr}");
    assert!(
        !dir.path().join("nectr-auth-dev.db").exists(),
        "nothing was created"
    );
}

#[test]
fn rotate_keys_needs_the_key_and_reports_what_it_did() {
    let dir = tempdir();
    let refused = run(dir.path(), &["rotate-keys"], &[]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        text(&refused.stderr).contains("SECRET_KEY is not set"),
        "{}",
        text(&refused.stderr)
    );

    assert!(run(dir.path(), &["migrate"], &[]).status.success());
    let key = text(&run(dir.path(), &["keygen"], &[]).stdout)
        .trim()
        .to_owned();
    let out = run(
        dir.path(),
        &["rotate-keys", "--batch-size", "10"],
        &[("SECRET_KEY", &key)],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("re-sealed 0 of 0 tokens"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn migrate_applies_once_then_reports_up_to_date() {
    let dir = tempdir();
    let first = run(dir.path(), &["migrate"], &[]);
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert!(
        text(&first.stdout).contains("applied"),
        "{}",
        text(&first.stdout)
    );
    assert!(
        dir.path().join("nectr-auth.db").exists(),
        "the SQLite default"
    );
    let second = run(dir.path(), &["migrate"], &[]);
    assert!(
        text(&second.stdout).contains("up to date"),
        "{}",
        text(&second.stdout)
    );
}

#[test]
fn migrate_against_an_unreachable_postgres_names_it_in_bounded_time() {
    let dir = tempdir();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
    let port = closed.local_addr().expect("addr").port();
    drop(closed);
    let url = format!("postgres://nectr:hunter2@127.0.0.1:{port}/nectr");
    let started = Instant::now();
    let out = run(dir.path(), &["migrate"], &[("DATABASE_URL", &url)]);
    assert!(!out.status.success());
    assert!(started.elapsed() < Duration::from_secs(30));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("PostgreSQL") && stderr.contains(&port.to_string()),
        "{stderr}"
    );
    assert!(!stderr.contains("hunter2"), "no password in {stderr}");
}

/// The service limits glibc's allocator to two arenas (docs/performance.md), and an
/// operator's own choice wins.
#[tokio::test]
async fn the_service_runs_with_two_malloc_arenas_unless_told_otherwise() {
    let environ = |served: &Served| {
        let pid = served.child.id().expect("pid");
        std::fs::read(format!("/proc/{pid}/environ")).expect("the process's environment")
    };
    let has =
        |environ: &[u8], entry: &str| environ.split(|&b| b == 0).any(|e| e == entry.as_bytes());
    let default = Served::start(&[]).await;
    assert!(has(&environ(&default), "MALLOC_ARENA_MAX=2"));
    let chosen = Served::start(&[("MALLOC_ARENA_MAX", "4")]).await;
    assert!(has(&environ(&chosen), "MALLOC_ARENA_MAX=4"));
    assert!(!has(&environ(&chosen), "MALLOC_ARENA_MAX=2"));
}

/// The real binary serving on a free port, GitHub played by a stand-in, and a client that
/// keeps cookies and does not follow redirects.
struct Served {
    dir: tempfile::TempDir,
    github: GithubStandIn,
    backend: String,
    key: String,
    child: tokio::process::Child,
    client: reqwest::Client,
}

const CLIENT_SECRET: &str = "0123456789abcdef0123456789abcdef01234567";

impl Served {
    /// Starts `nectr-auth serve` with `extra` variables and waits until it answers.
    async fn start(extra: &[(&str, &str)]) -> Served {
        let dir = tempdir();
        let github = GithubStandIn::start().await.expect("stand-in");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let backend = format!("http://127.0.0.1:{port}");
        github.register_app(OAuthApp::new(
            "Iv1.binary",
            CLIENT_SECRET,
            format!("{backend}/auth/github/callback"),
        ));
        let key = nectr_crypto::SecretKey::generate().encode();
        let child = tokio::process::Command::new(BINARY)
            .current_dir(dir.path())
            .env_clear()
            .envs([
                ("PORT", port.to_string()),
                ("BACKEND_URL", backend.clone()),
                ("GITHUB_CLIENT_ID", "Iv1.binary".into()),
                ("GITHUB_CLIENT_SECRET", CLIENT_SECRET.into()),
                ("GITHUB_URL", github.web_url()),
                ("GITHUB_API_URL", github.api_url()),
                ("SECRET_KEY", key.clone()),
            ])
            .envs(extra.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("serve starts");
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_store(true)
            .build()
            .expect("client");
        let served = Served {
            dir,
            github,
            backend,
            key,
            child,
            client,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while served
            .client
            .get(served.url("/healthz"))
            .send()
            .await
            .is_err()
        {
            assert!(Instant::now() < deadline, "the service never answered");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        served
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.backend)
    }

    /// Starts a sign-in and lets GitHub approve it; returns the callback URL to follow.
    async fn approved_callback(&self) -> String {
        let get =
            |url: String| async move { self.client.get(url).send().await.expect("request sent") };
        let login = get(self.url("/auth/github")).await;
        let authorize = get(location(&login)).await;
        location(&authorize)
    }

    /// Sends SIGTERM and waits for the exit; returns whether it exited 0, and its logs.
    async fn stop(mut self) -> (bool, String) {
        let pid = self.child.id().expect("pid").to_string();
        let killed = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill runs");
        assert!(killed.success());
        let status = tokio::time::timeout(Duration::from_secs(30), self.child.wait())
            .await
            .expect("exits")
            .expect("status");
        let output = self.child.wait_with_output().await.expect("output");
        let logs = format!("{}{}", text(&output.stdout), text(&output.stderr));
        (status.success(), logs)
    }
}

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned()
}

/// The real process serves a whole sign-in through the stand-in, and its debug logs hold no
/// secret.
#[tokio::test]
async fn the_binary_serves_a_whole_sign_in_and_logs_no_secret() {
    let served = Served::start(&[("RUST_LOG", "debug")]).await;
    let client = &served.client;
    let callback = served.approved_callback().await;
    let callback = client.get(callback).send().await.expect("callback");
    assert_eq!(callback.status(), 302);
    let me = client.get(served.url("/auth/me")).send().await.expect("me");
    assert_eq!(me.status(), 200);
    let me: serde_json::Value = me.json().await.expect("JSON");
    assert_eq!(me["github_username"], "octocat");
    assert!(
        served.dir.path().join("nectr-auth.db").exists(),
        "SQLite default in the working directory"
    );

    let tokens = served.github.issued_tokens();
    let key = served.key.clone();
    let (_, logs) = served.stop().await;
    assert!(
        logs.contains("signed in"),
        "debug logs were written: {logs}"
    );
    for token in tokens {
        assert!(!logs.contains(&token), "a GitHub token in the logs");
    }
    assert!(
        !logs.contains(CLIENT_SECRET),
        "the client secret in the logs"
    );
    assert!(!logs.contains(&key), "the key in the logs");
}

/// SIGTERM while a sign-in is in flight: the process stops taking connections, finishes the
/// sign-in, and exits 0. Its JSON logs carry the request id the caller sent.
#[tokio::test]
async fn sigterm_lets_in_flight_requests_finish_and_logs_are_json() {
    use nectr_github_standin::{Endpoint, Fault};

    let served = Served::start(&[("LOG_FORMAT", "json")]).await;
    let client = served.client.clone();
    let callback = served.approved_callback().await;
    served
        .github
        .set_fault(Endpoint::AccessToken, Fault::Delay(Duration::from_secs(2)));
    let in_flight = tokio::spawn(async move {
        client
            .get(callback)
            .header("x-request-id", "trace-4242")
            .send()
            .await
            .map(|r| r.status().as_u16())
    });
    // Stop once the callback is waiting on GitHub.
    let deadline = Instant::now() + Duration::from_secs(10);
    while served.github.requests_to(Endpoint::AccessToken).is_empty() {
        assert!(
            Instant::now() < deadline,
            "the callback never reached GitHub"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let healthz = served.url("/healthz");
    let probe = served.client.clone();
    let (exited_cleanly, logs) = served.stop().await;

    assert_eq!(
        in_flight.await.expect("task").expect("answered"),
        302,
        "the sign-in finished"
    );
    assert!(exited_cleanly, "{logs}");
    assert!(
        probe.get(healthz).send().await.is_err(),
        "no longer listening"
    );
    let lines: Vec<serde_json::Value> = logs
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")))
        .collect();
    assert!(
        lines.iter().any(|l| l.to_string().contains("trace-4242")),
        "request id in the logs:\n{logs}"
    );
}

/// A failed sign-in is one log line at the default level, with its reason and request id,
/// whether it is refused (4xx) or GitHub fails (5xx).
#[tokio::test]
async fn a_failed_sign_in_logs_one_line_with_its_reason() {
    use nectr_github_standin::{Endpoint, Fault};

    let served = Served::start(&[("LOG_FORMAT", "json")]).await;
    let forged = served
        .client
        .get(served.url("/auth/github/callback?code=abc&state=forged"))
        .header("x-request-id", "failed-7")
        .send()
        .await
        .expect("sent");
    assert_eq!(forged.status(), 400);
    let callback = served.approved_callback().await;
    served.github.set_fault(Endpoint::User, Fault::Status(503));
    let broken = served
        .client
        .get(callback)
        .header("x-request-id", "failed-8")
        .send()
        .await
        .expect("sent");
    assert_eq!(broken.status(), 502);

    let (_, logs) = served.stop().await;
    for (id, reason, level) in [
        ("failed-7", "invalid_state", "INFO"),
        ("failed-8", "provider_bad_response", "WARN"),
    ] {
        let lines: Vec<&str> = logs.lines().filter(|l| l.contains(id)).collect();
        assert_eq!(lines.len(), 1, "{id}: {logs}");
        let line: serde_json::Value = serde_json::from_str(lines[0]).expect("JSON");
        assert_eq!(line["message"], "sign-in failed", "{id}");
        assert_eq!(line["reason"], reason, "{id}");
        assert_eq!(line["level"], level, "{id}");
    }
    assert!(
        !logs.contains("code=abc"),
        "the callback's query is not logged"
    );
}

/// Outgoing TLS trusts what OpenSSL trusts and honours `SSL_CERT_FILE`, so a GitHub
/// Enterprise Server behind a company CA works without a rebuild (SPEC). GitHub is played by
/// `openssl s_server` with a throwaway self-signed certificate for localhost.
#[tokio::test]
async fn outgoing_tls_honours_ssl_cert_file() {
    let certs = tempdir();
    let (cert, key) = (certs.path().join("cert.pem"), certs.path().join("key.pem"));
    let made = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        ])
        .args([
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("the openssl command");
    assert!(made.success());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let _tls_server = tokio::process::Command::new("openssl")
        .args(["s_server", "-www", "-accept", &port.to_string()])
        .arg("-cert")
        .arg(&cert)
        .arg("-key")
        .arg(&key)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("openssl s_server starts");
    let deadline = Instant::now() + Duration::from_secs(10);
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(Instant::now() < deadline, "s_server never listened");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let github = format!("https://localhost:{port}");
    let cert = cert.to_string_lossy().into_owned();

    for trusted in [false, true] {
        let mut extra = vec![
            ("GITHUB_URL", github.as_str()),
            ("GITHUB_API_URL", github.as_str()),
        ];
        if trusted {
            extra.push(("SSL_CERT_FILE", cert.as_str()));
        }
        let served = Served::start(&extra).await;
        let login = served
            .client
            .get(served.url("/auth/github"))
            .send()
            .await
            .expect("login");
        let state = url::Url::parse(&location(&login))
            .expect("URL")
            .query_pairs()
            .find(|(k, _)| k == "state")
            .map(|(_, v)| v.into_owned())
            .expect("state");
        let callback = served
            .client
            .get(served.url(&format!("/auth/github/callback?code=x&state={state}")))
            .send()
            .await
            .expect("callback");
        assert!(callback.status().is_server_error(), "{}", callback.status());
        let body: serde_json::Value = callback.json().await.expect("JSON");
        let detail = body["detail"].as_str().unwrap_or_default().to_lowercase();
        // Untrusted, the handshake fails on the certificate; trusted through SSL_CERT_FILE, it
        // succeeds, and the exchange then waits in vain (s_server never answers a POST).
        if trusted {
            assert!(detail.contains("did not answer"), "{detail}");
        } else {
            assert!(detail.contains("certificate verify failed"), "{detail}");
            assert!(detail.contains("ssl_cert_file"), "the hint: {detail}");
        }
        served.stop().await;
    }
}
