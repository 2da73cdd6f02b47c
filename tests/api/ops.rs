//! The operator endpoints (`/healthz`, `/readyz`, `/metrics`) and request ids.

use nectr_auth_tests::{Backend, TestOptions, spawn_app, spawn_app_with};

on_both_databases!(
    healthz_says_ok,
    readyz_is_ready_when_migrated,
    readyz_is_not_ready_without_migrations_and_says_why,
    metrics_count_requests_sign_ins_github_calls_and_the_pool,
    request_ids_are_echoed_or_made,
);

async fn healthz_says_ok(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.expect("JSON");
    assert_eq!(body, serde_json::json!({"status": "ok"}));
}

async fn readyz_is_ready_when_migrated(backend: Backend) {
    let app = spawn_app(backend).await;
    assert_eq!(app.get("/readyz").await.status(), 200);
}

async fn readyz_is_not_ready_without_migrations_and_says_why(backend: Backend) {
    let app = spawn_app_with(
        backend,
        TestOptions {
            vars: vec![("RUN_MIGRATIONS", "false".into())],
            ..TestOptions::default()
        },
    )
    .await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.expect("JSON");
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("nectr-auth migrate")),
        "{body}"
    );
    assert_eq!(
        app.get("/healthz").await.status(),
        200,
        "alive all the same"
    );
}

/// The value of the first sample line that starts with `prefix` (name and labels).
fn sample(metrics: &str, prefix: &str) -> Option<f64> {
    metrics
        .lines()
        .find(|line| line.starts_with(prefix))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|value| value.parse().ok())
}

async fn metrics_count_requests_sign_ins_github_calls_and_the_pool(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signed_in().await;
    app.get("/auth/github/callback?code=x&state=y").await;
    let response = app.get("/metrics").await;
    assert_eq!(response.status(), 200);
    assert!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|c| c.starts_with("text/plain"))
    );
    let text = response.text().await.expect("text");
    // The recorder is process-wide and tests run in parallel: at least, not exactly.
    let at_least_one = |prefix: &str| {
        assert!(
            sample(&text, prefix).is_some_and(|v| v >= 1.0),
            "no {prefix} in:\n{text}"
        );
    };
    at_least_one(
        "nectr_auth_http_requests_total{route=\"/auth/me\",method=\"GET\",status=\"200\"}",
    );
    at_least_one("nectr_auth_sign_ins_started_total{provider=\"github\"}");
    at_least_one("nectr_auth_sign_ins_completed_total{provider=\"github\"}");
    at_least_one("nectr_auth_sign_ins_failed_total{provider=\"github\",reason=\"invalid_state\"}");
    at_least_one(
        "nectr_auth_http_request_duration_seconds_count{route=\"/auth/{provider}/callback\",method=\"GET\"}",
    );
    at_least_one("nectr_auth_github_request_duration_seconds_count{call=\"token\"}");
    at_least_one("nectr_auth_github_request_duration_seconds_count{call=\"user\"}");
    assert_eq!(
        sample(&text, "nectr_auth_db_pool_connections{state=\"max\"}"),
        Some(4.0)
    );
    assert!(!text.contains("state=\"\""), "no empty labels");
    assert!(
        !text.contains("code=x"),
        "no raw paths or queries as labels"
    );
    // Any method name a client invents is one `other` label, not a new series each.
    for invented in ["FOO1", "FOO2"] {
        let method = reqwest::Method::from_bytes(invented.as_bytes()).expect("method");
        app.client
            .request(method, app.url("/healthz"))
            .send()
            .await
            .expect("sent");
    }
    let text = app.get("/metrics").await.text().await.expect("text");
    assert!(!text.contains("FOO1") && !text.contains("FOO2"), "{text}");
    assert!(text.contains("method=\"other\""), "{text}");
}

async fn request_ids_are_echoed_or_made(backend: Backend) {
    let app = spawn_app(backend).await;
    let id_of = |response: &reqwest::Response| {
        response
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let given = app
        .client
        .get(app.url("/auth/me"))
        .header("x-request-id", "frontend-7f3a:42")
        .send()
        .await
        .expect("sent");
    assert_eq!(id_of(&given).as_deref(), Some("frontend-7f3a:42"));
    let made = id_of(&app.get("/healthz").await).expect("an id");
    assert_eq!(made.len(), 32);
    assert_ne!(
        Some(made),
        id_of(&app.get("/healthz").await),
        "a new one each time"
    );
    let odd = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "two words")
        .send()
        .await
        .expect("sent");
    assert!(id_of(&odd).is_some_and(|id| id != "two words" && id.len() == 32));
}
