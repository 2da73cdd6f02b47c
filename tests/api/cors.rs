//! CORS: only `FRONTEND_URL`, with credentials.

use nectr_auth_tests::{Backend, spawn_app};

on_both_databases!(
    frontend_origin_is_allowed_with_credentials,
    other_origins_are_not,
    the_frontend_may_send_and_read_the_request_id,
);

async fn preflight(app: &nectr_auth_tests::TestApp, origin: &str) -> reqwest::Response {
    app.client
        .request(reqwest::Method::OPTIONS, app.url("/auth/me"))
        .header("origin", origin)
        .header("access-control-request-method", "GET")
        .send()
        .await
        .expect("sent")
}

async fn frontend_origin_is_allowed_with_credentials(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = preflight(&app, "http://localhost:3000").await;
    assert!(response.status().is_success());
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    assert_eq!(
        header("access-control-allow-origin").as_deref(),
        Some("http://localhost:3000")
    );
    assert_eq!(
        header("access-control-allow-credentials").as_deref(),
        Some("true")
    );
    let simple = app
        .client
        .get(app.url("/auth/me"))
        .header("origin", "http://localhost:3000")
        .send()
        .await
        .expect("sent");
    assert_eq!(
        simple
            .headers()
            .get("access-control-allow-origin")
            .and_then(|v| v.to_str().ok()),
        Some("http://localhost:3000")
    );
}

async fn other_origins_are_not(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = preflight(&app, "https://evil.example").await;
    assert!(
        response
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    let simple = app
        .client
        .get(app.url("/auth/me"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .expect("sent");
    assert!(
        simple
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
}

async fn the_frontend_may_send_and_read_the_request_id(backend: Backend) {
    let app = spawn_app(backend).await;
    let preflight = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/auth/me"))
        .header("origin", "http://localhost:3000")
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "x-request-id")
        .send()
        .await
        .expect("sent");
    assert!(preflight.status().is_success(), "{}", preflight.status());
    let simple = app
        .client
        .get(app.url("/auth/me"))
        .header("origin", "http://localhost:3000")
        .send()
        .await
        .expect("sent");
    let exposed = simple
        .headers()
        .get("access-control-expose-headers")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    assert!(exposed.contains("x-request-id"), "{exposed:?}");
}
