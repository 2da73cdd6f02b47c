//! `GET /auth/me`: the session check.

use nectr_auth_tests::{Backend, TestApp, spawn_app};

on_both_databases!(
    without_cookie_is_not_authenticated,
    with_a_forged_or_tampered_cookie_is_invalid,
    with_a_cookie_signed_by_another_key_is_invalid,
    an_expired_session_is_invalid,
    a_deleted_user_ends_the_session,
);

async fn refusal(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let body: serde_json::Value = response.json().await.expect("JSON");
    (
        status,
        body["detail"].as_str().unwrap_or_default().to_owned(),
    )
}

async fn me_with_cookie(app: &TestApp, cookie: &str) -> reqwest::Response {
    TestApp::fresh_client()
        .get(app.url("/auth/me"))
        .header("cookie", format!("access_token={cookie}"))
        .send()
        .await
        .expect("sent")
}

async fn without_cookie_is_not_authenticated(backend: Backend) {
    let app = spawn_app(backend).await;
    assert_eq!(
        refusal(app.get("/auth/me").await).await,
        (401, "Not authenticated".into())
    );
}

async fn with_a_forged_or_tampered_cookie_is_invalid(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signed_in().await;
    let real = app.session_cookie().expect("cookie");
    let parts: Vec<&str> = real.split('.').collect();
    // Change the signature's first character to a different one.
    let first = if parts[2].starts_with('A') { "B" } else { "A" };
    let tampered_signature = format!("{}.{}.{first}{}", parts[0], parts[1], &parts[2][1..]);
    let none_alg = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{}.", parts[1]);
    let huge = "a".repeat(8000);
    for cookie in [
        "garbage",
        "a.b.c",
        tampered_signature.as_str(),
        none_alg.as_str(),
        huge.as_str(),
    ] {
        assert_eq!(
            refusal(me_with_cookie(&app, cookie).await).await,
            (401, "Invalid or expired token".into()),
            "cookie {cookie:.40}"
        );
    }
    assert_eq!(me_with_cookie(&app, &real).await.status(), 200);
}

async fn with_a_cookie_signed_by_another_key_is_invalid(backend: Backend) {
    let app = spawn_app(backend).await;
    let other = spawn_app(backend).await;
    other.signed_in().await;
    let foreign = other.session_cookie().expect("cookie");
    assert_eq!(me_with_cookie(&app, &foreign).await.status(), 401);
}

async fn an_expired_session_is_invalid(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signed_in().await;
    app.clock.advance(24 * 3600);
    assert_eq!(
        refusal(app.get("/auth/me").await).await,
        (401, "Invalid or expired token".into())
    );
}

async fn a_deleted_user_ends_the_session(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signed_in().await;
    app.execute("DELETE FROM users").await;
    // Removed behind the service's back, like a logout on another instance: seen once the
    // session cache's window (SESSION_CACHE_SECONDS, 2 by default) has passed.
    app.clock.advance(2);
    assert_eq!(app.get("/auth/me").await.status(), 401);
}
