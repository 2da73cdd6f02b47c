//! Rotating `SECRET_KEY`: with the old key in `PREVIOUS_SECRET_KEYS`, sessions and stored
//! tokens keep working; without it, they end with the documented messages.

use nectr_auth_tests::{Backend, spawn_app};

on_both_databases!(
    previous_keys_keep_sessions_and_tokens_readable,
    dropping_the_old_key_ends_its_sessions,
    rotation_reseals_every_token_under_the_new_key,
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

async fn rotation_reseals_every_token_under_the_new_key(backend: Backend) {
    use std::sync::Arc;

    use nectr_crypto::{AesGcmTokenCipher, Keyring, SecretKey};

    let app = spawn_app(backend).await;
    app.signed_in().await;
    let other = app.another_browser();
    app.github
        .sign_in_as(nectr_github_standin::Person::big_id());
    other.signed_in().await;
    let session = app.session_cookie().expect("session");

    let old_key = app.var("SECRET_KEY").expect("key").to_owned();
    let new_key = SecretKey::generate().encode();
    let keyring = Keyring::new(
        SecretKey::parse(&new_key).expect("key"),
        vec![SecretKey::parse(&old_key).expect("key")],
    );
    let database = match backend {
        Backend::Sqlite => nectr_db::DatabaseConfig::Sqlite {
            path: app.database_url.trim_start_matches("sqlite://").into(),
        },
        Backend::Postgres => nectr_db::DatabaseConfig::Postgres {
            url: app.database_url.clone().into(),
        },
    };
    let store = nectr_db::Database::connect(&database, 2)
        .await
        .expect("database");
    let rotation = nectr_application::KeyRotation::new(
        Arc::new(store),
        Arc::new(AesGcmTokenCipher::new(&keyring)),
    );
    let report = rotation.run(1, |_| {}).await.expect("rotated");
    assert_eq!(
        (report.examined, report.resealed, report.unreadable),
        (2, 2, 0)
    );

    let current = keyring.current_key_id();
    let rows_under_new_key = app
        .count(&format!(
            "users WHERE token_key_id = '{}'",
            current.as_str()
        ))
        .await;
    assert_eq!(rows_under_new_key, 2);
    // People stay signed in (old sessions verify with the previous key) and their tokens open
    // under the new one: reconnect reads and deletes the grant with them.
    let rotated = app
        .sibling(vec![
            ("SECRET_KEY", new_key),
            ("PREVIOUS_SECRET_KEYS", old_key),
        ])
        .await;
    assert_eq!(
        rotated
            .get_with_session("/auth/github/reconnect", &session)
            .await
            .status(),
        302
    );
    let again = rotation.run(100, |_| {}).await.expect("rerun");
    assert_eq!((again.resealed, again.already_current), (0, 2));
}
