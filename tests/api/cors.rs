//! CORS: only `FRONTEND_URL`, with credentials.

use nectr_auth_tests::{Backend, TestApp, spawn_app};

on_both_databases!(
    frontend_origin_is_allowed_with_credentials,
    other_origins_are_not,
    the_frontend_may_send_and_read_the_request_id,
);

const FRONTEND: &str = "http://localhost:3000";
const ELSEWHERE: &str = "https://evil.example";

/// A browser's preflight for `GET /auth/me` from `origin`, asking to send `headers`.
async fn preflight(app: &TestApp, origin: &str, headers: Option<&str>) -> reqwest::Response {
    let mut request = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/auth/me"))
        .header("origin", origin)
        .header("access-control-request-method", "GET");
    if let Some(headers) = headers {
        request = request.header("access-control-request-headers", headers);
    }
    request.send().await.expect("sent")
}

/// A cross-origin `GET /auth/me` from `origin`.
async fn get_from(app: &TestApp, origin: &str) -> reqwest::Response {
    app.client
        .get(app.url("/auth/me"))
        .header("origin", origin)
        .send()
        .await
        .expect("sent")
}

fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

async fn frontend_origin_is_allowed_with_credentials(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = preflight(&app, FRONTEND, None).await;
    assert!(response.status().is_success());
    assert_eq!(
        header(&response, "access-control-allow-origin").as_deref(),
        Some(FRONTEND)
    );
    assert_eq!(
        header(&response, "access-control-allow-credentials").as_deref(),
        Some("true")
    );
    let simple = get_from(&app, FRONTEND).await;
    assert_eq!(
        header(&simple, "access-control-allow-origin").as_deref(),
        Some(FRONTEND)
    );
}

async fn other_origins_are_not(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = preflight(&app, ELSEWHERE, None).await;
    assert!(header(&response, "access-control-allow-origin").is_none());
    assert!(response.status().is_client_error());
    let body: serde_json::Value = response.json().await.expect("a JSON refusal");
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("Origin")),
        "{body}"
    );
    let simple = get_from(&app, ELSEWHERE).await;
    assert!(header(&simple, "access-control-allow-origin").is_none());
}

async fn the_frontend_may_send_and_read_the_request_id(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = preflight(&app, FRONTEND, Some("x-request-id")).await;
    assert!(response.status().is_success(), "{}", response.status());
    let exposed = header(
        &get_from(&app, FRONTEND).await,
        "access-control-expose-headers",
    )
    .unwrap_or_default()
    .to_ascii_lowercase();
    assert!(exposed.contains("x-request-id"), "{exposed:?}");
}
