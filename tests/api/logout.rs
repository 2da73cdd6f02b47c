//! `POST /auth/logout`: ends the session server-side, so a copied cookie dies too.

use nectr_auth_tests::{Backend, TestApp, TestOptions, set_cookies, spawn_app, spawn_app_with};
use nectr_github_standin::{Endpoint, Fault};

on_both_databases!(
    logout_clears_the_cookie_and_says_so,
    a_copied_cookie_dies_with_the_logout,
    logout_without_a_session_is_harmless,
    logout_needs_post,
    signing_out_everywhere_ends_every_session_of_the_person,
    an_unknown_scope_is_refused,
    signing_in_again_never_revives_a_logged_out_session,
    logout_keeps_the_github_token_by_default,
    logout_revokes_the_github_token_when_the_operator_says_so,
    logout_still_ends_the_session_when_github_cannot_revoke,
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

async fn signing_out_everywhere_ends_every_session_of_the_person(backend: Backend) {
    let laptop = spawn_app(backend).await;
    laptop.signed_in().await;
    let phone = laptop.another_browser();
    phone.signed_in().await;
    let sessions = [
        laptop.session_cookie().expect("laptop session"),
        phone.session_cookie().expect("phone session"),
    ];
    assert_ne!(sessions[0], sessions[1]);
    assert_eq!(laptop.count("sessions").await, 2);

    let response = phone.post("/auth/logout?scope=all").await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.expect("JSON");
    assert_eq!(body["message"], "Logged out everywhere");
    assert_eq!(body["sessions_ended"], 2);
    for session in &sessions {
        assert_eq!(
            laptop.get_with_session("/auth/me", session).await.status(),
            401
        );
    }
}

async fn an_unknown_scope_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signed_in().await;
    let response = app.post("/auth/logout?scope=everything").await;
    assert_eq!(response.status(), 400);
    assert_eq!(app.get("/auth/me").await.status(), 200, "nothing ended");
}

async fn signing_in_again_never_revives_a_logged_out_session(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signed_in().await;
    let old = app.session_cookie().expect("cookie");
    assert_eq!(app.post("/auth/logout").await.status(), 200);
    app.signed_in().await;
    assert_eq!(app.get("/auth/github/reconnect").await.status(), 302);
    let callback = app.authorize(&app.start_sign_in().await).await;
    assert_eq!(app.follow(&callback).await.status(), 302);
    assert_eq!(app.get_with_session("/auth/me", &old).await.status(), 401);
}

fn revoking() -> TestOptions {
    TestOptions {
        vars: vec![("REVOKE_PROVIDER_TOKEN_ON_LOGOUT", "true".to_owned())],
        ..TestOptions::default()
    }
}

async fn logout_keeps_the_github_token_by_default(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signed_in().await;
    app.post("/auth/logout").await;
    let tokens = app.github.issued_tokens();
    assert!(tokens.iter().any(|t| app.github.is_token_live(t)));
    assert!(app.github.requests_to(Endpoint::DeleteToken).is_empty());
}

async fn logout_revokes_the_github_token_when_the_operator_says_so(backend: Backend) {
    let app = spawn_app_with(backend, revoking()).await;
    app.signed_in().await;
    let response = app.post("/auth/logout").await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.expect("JSON");
    assert_eq!(
        body,
        serde_json::json!({"message": "Logged out", "provider_token": "revoked"})
    );
    let tokens = app.github.issued_tokens();
    assert!(tokens.iter().all(|t| !app.github.is_token_live(t)));
    // Logging out again has no session, so nothing more is revoked or claimed.
    let again: serde_json::Value = app.post("/auth/logout").await.json().await.expect("JSON");
    assert_eq!(again, serde_json::json!({"message": "Logged out"}));
}

async fn logout_still_ends_the_session_when_github_cannot_revoke(backend: Backend) {
    let app = spawn_app_with(backend, revoking()).await;
    app.signed_in().await;
    app.github
        .set_fault(Endpoint::DeleteToken, Fault::Status(502));
    let response = app.post("/auth/logout").await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.expect("JSON");
    assert_eq!(body["provider_token"], "not_revoked");
    let detail = body["provider_token_detail"].as_str().unwrap_or_default();
    assert!(detail.contains("logged out"), "{detail}");
    assert_eq!(app.get("/auth/me").await.status(), 401);
    assert_eq!(app.count("sessions").await, 0);
}
