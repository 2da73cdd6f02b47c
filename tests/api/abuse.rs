//! Floods of sign-in starts: a per-address rate limit and a cap on live attempts keep the
//! state table and the database in check, and say when to come back.

use nectr_auth_tests::{Backend, TestOptions, spawn_app_with};

on_both_databases!(
    sign_in_starts_are_rate_limited_per_address,
    live_sign_in_attempts_are_capped_until_they_expire,
);

async fn sign_in_starts_are_rate_limited_per_address(backend: Backend) {
    let app = spawn_app_with(
        backend,
        TestOptions {
            vars: vec![("LOGIN_RATE_LIMIT_PER_MINUTE", "3".into())],
            ..TestOptions::default()
        },
    )
    .await;
    for _ in 0..3 {
        assert_eq!(app.get("/auth/github").await.status(), 302);
    }
    let limited = app.get("/auth/github").await;
    assert_eq!(limited.status(), 429);
    let wait: u64 = limited
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After in seconds");
    assert!((1..=60).contains(&wait), "{wait}");
    let body: serde_json::Value = limited.json().await.expect("JSON");
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("Too many sign-in attempts"))
    );
    assert_eq!(
        app.count("oauth_states").await,
        3,
        "refused starts write nothing"
    );
    assert_eq!(
        app.get("/auth/me").await.status(),
        401,
        "other endpoints are not limited"
    );
}

async fn live_sign_in_attempts_are_capped_until_they_expire(backend: Backend) {
    let app = spawn_app_with(
        backend,
        TestOptions {
            vars: vec![
                ("MAX_LIVE_OAUTH_STATES", "2".into()),
                ("LOGIN_RATE_LIMIT_PER_MINUTE", "0".into()),
            ],
            ..TestOptions::default()
        },
    )
    .await;
    for _ in 0..2 {
        assert_eq!(app.get("/auth/github").await.status(), 302);
    }
    let busy = app.get("/auth/github").await;
    assert_eq!(busy.status(), 503);
    assert!(busy.headers().get("retry-after").is_some());
    let body: serde_json::Value = busy.json().await.expect("JSON");
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("Too many sign-ins"))
    );
    assert_eq!(app.count("oauth_states").await, 2);
    app.clock.advance(600);
    assert_eq!(
        app.get("/auth/github").await.status(),
        302,
        "expired attempts free the cap"
    );
}
