//! Several stateless instances on one database, as behind a load balancer.

use nectr_auth_tests::{Backend, TestApp, spawn_app};

on_both_databases!(
    a_session_made_on_one_instance_works_and_ends_on_another,
    a_logout_on_another_instance_is_seen_within_the_cache_window,
    without_the_cache_a_logout_anywhere_is_seen_at_once
);

async fn a_session_made_on_one_instance_works_and_ends_on_another(backend: Backend) {
    let first = spawn_app(backend).await;
    assert_eq!(
        first.sign_in().await.status(),
        302,
        "signed in on the first"
    );
    let session = first.session_cookie().expect("session");
    // The second instance shares the database and SECRET_KEY, as a deployment would.
    let second = first.sibling(vec![]).await;

    assert_eq!(
        second.get_with_session("/auth/me", &session).await.status(),
        200
    );
    log_out(&second, &session).await;

    assert_eq!(
        second.get_with_session("/auth/me", &session).await.status(),
        401,
        "the instance that logged out refuses the cookie at once"
    );
    assert_eq!(
        first.get_with_session("/auth/me", &session).await.status(),
        401,
        "the other instance had not checked this session yet, so it asks the database"
    );
}

/// Each instance believes a session it checked for `SESSION_CACHE_SECONDS` (default 2), so a
/// logout elsewhere reaches it at most that late; the setting cannot exceed 5.
async fn a_logout_on_another_instance_is_seen_within_the_cache_window(backend: Backend) {
    let first = spawn_app(backend).await;
    first.signed_in().await;
    let session = first.session_cookie().expect("session");
    let second = first.sibling(vec![]).await;
    assert_eq!(
        first.get_with_session("/auth/me", &session).await.status(),
        200,
        "the first instance checks the session and keeps the answer"
    );

    log_out(&second, &session).await;
    assert_eq!(
        second.get_with_session("/auth/me", &session).await.status(),
        401
    );

    // The clock is shared by both instances and moves only when told to.
    first.clock.advance(1);
    assert_eq!(
        first.get_with_session("/auth/me", &session).await.status(),
        200,
        "within the window the first instance still believes its cached answer"
    );
    first.clock.advance(1);
    assert_eq!(
        first.get_with_session("/auth/me", &session).await.status(),
        401,
        "2 s after its check, the first instance asks again and sees the logout"
    );
}

async fn without_the_cache_a_logout_anywhere_is_seen_at_once(backend: Backend) {
    let first = nectr_auth_tests::spawn_app_with(
        backend,
        nectr_auth_tests::TestOptions {
            vars: vec![("SESSION_CACHE_SECONDS", "0".to_owned())],
            ..Default::default()
        },
    )
    .await;
    first.signed_in().await;
    let session = first.session_cookie().expect("session");
    let second = first.sibling(vec![]).await;
    assert_eq!(
        first.get_with_session("/auth/me", &session).await.status(),
        200
    );
    log_out(&second, &session).await;
    assert_eq!(
        first.get_with_session("/auth/me", &session).await.status(),
        401
    );
}

/// `POST /auth/logout` on `app` with exactly this session cookie (a browser that copied it).
async fn log_out(app: &TestApp, session: &str) {
    let logout = app
        .client
        .post(app.url("/auth/logout"))
        .header("cookie", format!("access_token={session}"))
        .send()
        .await
        .expect("sent");
    assert_eq!(logout.status(), 200);
}
