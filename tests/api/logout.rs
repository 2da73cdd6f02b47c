//! `POST /auth/logout`: ends the session server-side, so a copied cookie dies too.

use nectr_auth_tests::{Backend, TestApp, set_cookies, spawn_app};

on_both_databases!(
    logout_clears_the_cookie_and_says_so,
    a_copied_cookie_dies_with_the_logout,
    logout_without_a_session_is_harmless,
    logout_needs_post,
);

async fn logout_clears_the_cookie_and_says_so(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signed_in().await;
    let response = app.post("/auth/logout").await;
    assert_eq!(response.status(), 200);
    let cleared = set_cookies(response.headers());
    assert!(
        cleared.iter().any(|c| c.starts_with("access_token=;")
            && c.contains("Max-Age=0")
            && c.contains("Path=/")),
        "{cleared:?}"
    );
    let body: serde_json::Value = response.json().await.expect("JSON");
    assert_eq!(body, serde_json::json!({"message": "Logged out"}));
    assert_eq!(app.get("/auth/me").await.status(), 401);
    assert_eq!(app.count("sessions").await, 0);
}

async fn a_copied_cookie_dies_with_the_logout(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signed_in().await;
    let copied = app.session_cookie().expect("cookie");
    app.post("/auth/logout").await;
    let response = TestApp::fresh_client()
        .get(app.url("/auth/me"))
        .header("cookie", format!("access_token={copied}"))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 401);
}

async fn logout_without_a_session_is_harmless(backend: Backend) {
    let app = spawn_app(backend).await;
    assert_eq!(app.post("/auth/logout").await.status(), 200);
    let response = TestApp::fresh_client()
        .post(app.url("/auth/logout"))
        .header("cookie", "access_token=garbage")
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 200);
}

async fn logout_needs_post(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signed_in().await;
    let response = app.get("/auth/logout").await;
    assert_eq!(response.status(), 405);
    assert_eq!(app.get("/auth/me").await.status(), 200, "still signed in");
}
