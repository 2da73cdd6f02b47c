//! The GitHub token, the client secret and the key never appear in the database in the
//! clear, in a response, or in a log line.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use nectr_auth_tests::{
    Backend, CLIENT_SECRET, GITLAB_CLIENT_SECRET, TestApp, TestOptions, location, spawn_app,
    spawn_app_with,
};

on_both_databases!(
    the_token_is_sealed_in_the_database,
    no_response_of_a_whole_flow_carries_a_secret,
    no_log_line_of_a_whole_flow_carries_a_secret,
    no_log_line_or_row_of_the_token_life_carries_a_secret,
);

/// The exact text and its hex form (how PostgreSQL prints bytea) must both be absent.
fn assert_absent(haystack: &str, secret: &str, place: &str) {
    assert!(
        !haystack.contains(secret),
        "{place} contains a secret in the clear"
    );
    let hex: String = secret.bytes().map(|b| format!("{b:02x}")).collect();
    assert!(
        !haystack.to_lowercase().contains(&hex),
        "{place} contains a secret in hex"
    );
}

async fn database_dump(app: &TestApp) -> String {
    match app.backend {
        Backend::Sqlite => {
            let path = app.database_url.trim_start_matches("sqlite://").to_owned();
            let mut bytes = std::fs::read(&path).unwrap_or_default();
            bytes.extend(std::fs::read(format!("{path}-wal")).unwrap_or_default());
            String::from_utf8_lossy(&bytes).into_owned()
        }
        Backend::Postgres => {
            let (client, connection) =
                tokio_postgres::connect(&app.database_url, tokio_postgres::NoTls)
                    .await
                    .expect("connect");
            tokio::spawn(connection);
            let mut dump = String::new();
            for table in ["users", "sessions", "oauth_states"] {
                let sql = format!("SELECT row_to_json(t)::text FROM {table} t");
                for row in client.query(&sql, &[]).await.expect("dump") {
                    dump.push_str(&row.get::<_, String>(0));
                }
            }
            dump
        }
    }
}

async fn the_token_is_sealed_in_the_database(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signed_in().await;
    let tokens = app.github.issued_tokens();
    assert!(!tokens.is_empty());
    let dump = database_dump(&app).await;
    assert!(dump.contains("octocat"), "the dump holds the users table");
    for token in &tokens {
        assert_absent(&dump, token, "the database");
    }
}

async fn no_response_of_a_whole_flow_carries_a_secret(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut seen = String::new();
    let record = |seen: &mut String, response: &reqwest::Response| {
        for (name, value) in response.headers() {
            seen.push_str(&format!("{name}: {}\n", value.to_str().unwrap_or_default()));
        }
    };
    let authorize = app.start_sign_in().await;
    let callback = app.authorize(&authorize).await;
    let response = app.follow(&callback).await;
    record(&mut seen, &response);
    let me = app.get("/auth/me").await;
    record(&mut seen, &me);
    seen.push_str(&me.text().await.unwrap_or_default());
    let reconnect = app.get("/auth/github/reconnect").await;
    record(&mut seen, &reconnect);
    seen.push_str(&reconnect.text().await.unwrap_or_default());
    for token in app.github.issued_tokens() {
        assert_absent(&seen, &token, "a response");
    }
    assert_absent(&seen, CLIENT_SECRET, "a response");
}

/// Every log line the process writes, from the first test that asks on.
fn captured_logs() -> Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let writer = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter("trace")
            .with_ansi(false)
            .with_writer(move || SharedWriter(writer.clone()))
            .finish();
        let _ = tracing::subscriber::set_global_default(subscriber);
        buffer
    })
    .clone()
}

struct SharedWriter(Arc<Mutex<Vec<u8>>>);

impl Write for SharedWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

async fn no_log_line_of_a_whole_flow_carries_a_secret(backend: Backend) {
    let logs = captured_logs();
    let app = spawn_app(backend).await;
    app.signed_in().await;
    let session = app.session_cookie().expect("session cookie");
    assert_eq!(app.get("/auth/github/reconnect").await.status(), 302);
    assert_eq!(app.post("/auth/logout").await.status(), 200);
    let text = String::from_utf8_lossy(
        &logs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    )
    .into_owned();
    assert!(text.contains("signed in"), "logs were captured");
    for token in app.github.issued_tokens() {
        assert_absent(&text, &token, "the logs");
    }
    assert_absent(&text, CLIENT_SECRET, "the logs");
    assert_absent(&text, &session, "the logs");
    assert_absent(&text, app.var("SECRET_KEY").expect("key"), "the logs");
}

const SERVICE_TOKEN: &str = "9c8b7a6f5e4d3c2b1a09f8e7d6c5b4a39c8b7a6f5e4d";

async fn internal_token(app: &TestApp, id: &serde_json::Value) -> u16 {
    reqwest::Client::new()
        .get(app.url(&format!("/internal/users/{id}/provider-token")))
        .bearer_auth(SERVICE_TOKEN)
        .send()
        .await
        .expect("sent")
        .status()
        .as_u16()
}

/// Refresh, both providers, the internal API and revocation at logout: none of their tokens,
/// refresh tokens, client secrets or the service credential reaches a log line or a row.
async fn no_log_line_or_row_of_the_token_life_carries_a_secret(backend: Backend) {
    let logs = captured_logs();
    let app = spawn_app_with(
        backend,
        TestOptions {
            gitlab: true,
            expiring_tokens: true,
            vars: vec![
                ("INTERNAL_API_TOKENS", SERVICE_TOKEN.to_owned()),
                ("REVOKE_PROVIDER_TOKEN_ON_LOGOUT", "true".to_owned()),
            ],
            ..TestOptions::default()
        },
    )
    .await;
    let github_person = app.signed_in().await["id"].clone();
    assert_eq!(internal_token(&app, &github_person).await, 200);
    app.clock.advance(8 * 3600);
    app.github
        .advance_clock(std::time::Duration::from_secs(8 * 3600));
    assert_eq!(internal_token(&app, &github_person).await, 200, "refreshed");

    let gitlab = app.gitlab.as_ref().expect("GitLab");
    let other = app.another_browser();
    let start = other.get("/auth/gitlab").await;
    let callback = other.authorize(&location(&start)).await;
    assert_eq!(other.follow(&callback).await.status(), 302);
    let gitlab_person = other.me_json().await["id"].clone();
    app.clock.advance(2 * 3600);
    gitlab.advance_clock(std::time::Duration::from_secs(2 * 3600));
    assert_eq!(internal_token(&app, &gitlab_person).await, 200, "refreshed");
    assert_eq!(app.post("/auth/logout").await.status(), 200);
    assert_eq!(other.post("/auth/logout").await.status(), 200);

    let text = String::from_utf8_lossy(
        &logs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    )
    .into_owned();
    assert!(
        text.contains("provider token refreshed"),
        "logs were captured"
    );
    let dump = database_dump(&app).await;
    let tokens: Vec<String> = app
        .github
        .issued_tokens()
        .into_iter()
        .chain(gitlab.issued_tokens())
        .collect();
    assert!(
        tokens.len() >= 6,
        "access and refresh tokens of both: {}",
        tokens.len()
    );
    for token in &tokens {
        assert_absent(&text, token, "the logs");
        assert_absent(&dump, token, "the database");
    }
    for secret in [CLIENT_SECRET, GITLAB_CLIENT_SECRET, SERVICE_TOKEN] {
        assert_absent(&text, secret, "the logs");
    }
}
