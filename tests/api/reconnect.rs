//! `GET /auth/github/reconnect`: deletes the grant so GitHub shows its full consent screen
//! (with organization access) again, then authorizes afresh.

use nectr_auth_tests::{Backend, CLIENT_ID, location, spawn_app};
use nectr_github_standin::{Endpoint, Person};

on_both_databases!(
    reconnect_deletes_the_grant_and_shows_the_consent_screen_again,
    reconnect_needs_a_session,
    reconnect_with_a_token_no_key_opens_asks_to_sign_in_again,
    reconnect_when_github_already_revoked_the_token_still_works,
);

async fn reconnect_deletes_the_grant_and_shows_the_consent_screen_again(backend: Backend) {
    let app = spawn_app(backend).await;
    let me = app.signed_in().await;
    let github_id = Person::octocat().id;
    let old_token = app.github.live_tokens(CLIENT_ID, github_id);
    assert_eq!(old_token.len(), 1);

    let response = app.get("/auth/github/reconnect").await;
    assert_eq!(response.status(), 302);
    let authorize = location(&response);
    assert!(authorize.contains("/login/oauth/authorize") && authorize.contains("state="));
    assert!(
        !app.github.grant_exists(CLIENT_ID, github_id),
        "grant deleted"
    );
    assert!(
        !app.github.is_token_live(&old_token[0]),
        "old token revoked"
    );
    let delete = app.github.requests_to(Endpoint::DeleteGrant);
    assert_eq!(delete.len(), 1);
    assert!(
        delete[0]
            .header("authorization")
            .is_some_and(|a| a.starts_with("Basic "))
    );

    let callback = app.authorize(&authorize).await;
    assert_eq!(app.follow(&callback).await.status(), 302);
    let consent: Vec<bool> = app
        .github
        .authorizations()
        .iter()
        .map(|a| a.consent_screen_shown)
        .collect();
    assert_eq!(
        consent,
        [true, true],
        "first sign-in and reconnect both showed consent"
    );
    assert_eq!(app.me_json().await["id"], me["id"]);
    assert_eq!(app.github.live_tokens(CLIENT_ID, github_id).len(), 1);
}

async fn reconnect_needs_a_session(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app.get("/auth/github/reconnect").await;
    assert_eq!(response.status(), 401);
    let body: serde_json::Value = response.json().await.expect("JSON");
    assert_eq!(body["detail"], "Not authenticated");
}

async fn reconnect_with_a_token_no_key_opens_asks_to_sign_in_again(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signed_in().await;
    // A key id no configured key has, as after a rotation that dropped the old key.
    app.execute("UPDATE users SET token_key_id = 'ffffffffffffffff'")
        .await;
    let response = app.get("/auth/github/reconnect").await;
    assert_eq!(response.status(), 401);
    let body: serde_json::Value = response.json().await.expect("JSON");
    assert_eq!(
        body["detail"],
        "Session expired — please log out and sign in again"
    );
}

async fn reconnect_when_github_already_revoked_the_token_still_works(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signed_in().await;
    let token = app
        .github
        .live_tokens(CLIENT_ID, Person::octocat().id)
        .remove(0);
    // The person revoked the app on github.com meanwhile.
    let revoked = reqwest::Client::new()
        .delete(format!(
            "{}/applications/{CLIENT_ID}/grant",
            app.github.api_url()
        ))
        .basic_auth(CLIENT_ID, Some(nectr_auth_tests::CLIENT_SECRET))
        .header("user-agent", "test")
        .json(&serde_json::json!({ "access_token": token }))
        .send()
        .await
        .expect("sent");
    assert_eq!(revoked.status(), 204);
    assert_eq!(app.get("/auth/github/reconnect").await.status(), 302);
}
