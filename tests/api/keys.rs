//! Rotating `SECRET_KEY`: with the old key in `PREVIOUS_SECRET_KEYS`, sessions and stored
//! tokens keep working; without it, they end with the documented messages.

use nectr_auth_tests::{Backend, spawn_app};

on_both_databases!(
    previous_keys_keep_sessions_and_tokens_readable,
    dropping_the_old_key_ends_its_sessions,
);

async fn previous_keys_keep_sessions_and_tokens_readable(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signed_in().await;
    let session = app.session_cookie().expect("session");
    let old_key = app.var("SECRET_KEY").expect("key").to_owned();
    let new_key = nectr_crypto::SecretKey::generate().encode();

    let rotated = app
        .sibling(vec![
            ("SECRET_KEY", new_key),
            ("PREVIOUS_SECRET_KEYS", old_key),
        ])
        .await;
    assert_eq!(
        rotated
            .get_with_session("/auth/me", &session)
            .await
            .status(),
        200
    );
    // Reconnect opens the token sealed under the old key to delete the grant at GitHub.
    let reconnect = rotated
        .get_with_session("/auth/github/reconnect", &session)
        .await;
    assert_eq!(reconnect.status(), 302);
    assert_eq!(
        app.github
            .requests_to(nectr_github_standin::Endpoint::DeleteGrant)
            .len(),
        1
    );
}

async fn dropping_the_old_key_ends_its_sessions(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signed_in().await;
    let session = app.session_cookie().expect("session");
    let forgot = app
        .sibling(vec![(
            "SECRET_KEY",
            nectr_crypto::SecretKey::generate().encode(),
        )])
        .await;
    let response = forgot.get_with_session("/auth/me", &session).await;
    assert_eq!(response.status(), 401);
    let body: serde_json::Value = response.json().await.expect("JSON");
    assert_eq!(body["detail"], "Invalid or expired token");
}
