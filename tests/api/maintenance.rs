//! What runs beside the requests: the sweeper, and start-up without migrations.

use std::time::{Duration, Instant};

use nectr_auth_tests::{Backend, TestOptions, spawn_app_with};

on_both_databases!(
    the_sweeper_deletes_expired_states_and_sessions,
    an_unmigrated_database_is_a_503_that_says_what_to_run,
);

async fn the_sweeper_deletes_expired_states_and_sessions(backend: Backend) {
    let app = spawn_app_with(
        backend,
        TestOptions {
            sweep_interval: Some(Duration::from_millis(100)),
            ..TestOptions::default()
        },
    )
    .await;
    app.signed_in().await;
    app.start_sign_in().await;
    assert_eq!(
        (app.count("oauth_states").await, app.count("sessions").await),
        (1, 1)
    );
    app.clock.advance(24 * 3600);
    // Poll for the background task's effect, with a deadline rather than a fixed wait.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let left = (app.count("oauth_states").await, app.count("sessions").await);
        if left == (0, 0) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "still there after 10 s: {left:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(app.count("users").await, 1, "people are kept");
}

async fn an_unmigrated_database_is_a_503_that_says_what_to_run(backend: Backend) {
    let app = spawn_app_with(
        backend,
        TestOptions {
            vars: vec![("RUN_MIGRATIONS", "false".into())],
            ..TestOptions::default()
        },
    )
    .await;
    let response = app.get("/auth/github").await;
    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.expect("JSON");
    let detail = body["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("nectr-auth migrate"), "{detail}");
}
