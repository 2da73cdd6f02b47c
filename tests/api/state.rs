//! The OAuth `state`: bound to the browser, single use, expiring, consumed atomically.

use nectr_auth_tests::{Backend, TestApp, spawn_app};
use nectr_github_standin::Endpoint;

on_both_databases!(
    callback_without_state_is_refused,
    unknown_state_is_refused,
    state_from_another_browser_is_refused,
    replayed_callback_is_refused,
    expired_state_is_refused,
    two_concurrent_callbacks_with_one_state_only_one_wins,
    several_tabs_can_sign_in_at_once,
    malformed_state_is_refused_without_touching_the_database,
);

async fn assert_invalid_state(response: reqwest::Response) {
    assert_eq!(response.status(), 400);
    let body: serde_json::Value = response.json().await.expect("JSON");
    assert_eq!(body["detail"], "Invalid or expired OAuth state");
}

async fn callback_without_state_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    app.start_sign_in().await;
    assert_invalid_state(app.get("/auth/github/callback?code=abc").await).await;
}

async fn unknown_state_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    app.start_sign_in().await;
    let forged = "A".repeat(43);
    assert_invalid_state(
        app.get(&format!("/auth/github/callback?code=abc&state={forged}"))
            .await,
    )
    .await;
}

async fn state_from_another_browser_is_refused(backend: Backend) {
    // An attacker starts a sign-in, gets a code for their own account, and sends the
    // callback link to a victim: the victim's browser lacks the binding cookie.
    let app = spawn_app(backend).await;
    let callback = app.authorize(&app.start_sign_in().await).await;
    let victim = TestApp::fresh_client();
    let response = victim.get(&callback).send().await.expect("sent");
    assert_invalid_state(response).await;
    assert_eq!(app.count("sessions").await, 0);
    // The state still works in the browser it belongs to.
    assert_eq!(app.follow(&callback).await.status(), 302);
}

async fn replayed_callback_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let callback = app.authorize(&app.start_sign_in().await).await;
    assert_eq!(app.follow(&callback).await.status(), 302);
    assert_invalid_state(app.follow(&callback).await).await;
}

async fn expired_state_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let callback = app.authorize(&app.start_sign_in().await).await;
    app.clock.advance(600);
    assert_invalid_state(app.follow(&callback).await).await;
}

async fn two_concurrent_callbacks_with_one_state_only_one_wins(backend: Backend) {
    let app = spawn_app(backend).await;
    let callback = app.authorize(&app.start_sign_in().await).await;
    let attempts = (0..8).map(|_| app.follow(&callback));
    let responses = futures_util::future::join_all(attempts).await;
    let mut won = 0;
    for response in responses {
        if response.status() == 302 {
            won += 1;
        } else {
            assert_invalid_state(response).await;
        }
    }
    assert_eq!(won, 1, "exactly one callback wins");
    // The losers were stopped by the state, before reaching GitHub's single-use code.
    assert_eq!(app.github.requests_to(Endpoint::AccessToken).len(), 1);
    assert_eq!(app.count("sessions").await, 1);
}

async fn several_tabs_can_sign_in_at_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let first_tab = app.start_sign_in().await;
    let second_tab = app.start_sign_in().await;
    let first_callback = app.authorize(&first_tab).await;
    let second_callback = app.authorize(&second_tab).await;
    assert_eq!(app.follow(&second_callback).await.status(), 302);
    assert_eq!(app.follow(&first_callback).await.status(), 302);
}

async fn malformed_state_is_refused_without_touching_the_database(backend: Backend) {
    let app = spawn_app(backend).await;
    app.start_sign_in().await;
    let long = "x".repeat(5000);
    for state in [
        "",
        "short",
        "%00%01",
        long.as_str(),
        "'; DROP TABLE users; --",
    ] {
        let path = format!(
            "/auth/github/callback?code=abc&state={}",
            url::form_urlencoded::byte_serialize(state.as_bytes()).collect::<String>()
        );
        assert_invalid_state(app.get(&path).await).await;
    }
    assert_eq!(
        app.count("oauth_states").await,
        1,
        "the real state is untouched"
    );
}
