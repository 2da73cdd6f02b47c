//! A database outage is a 503 naming the database, and the service recovers by itself.

use nectr_auth_tests::{Backend, TestOptions, spawn_app_with};

#[tokio::test]
async fn postgres_outage_is_a_503_and_the_service_recovers_by_itself() {
    let app = spawn_app_with(
        Backend::Postgres,
        TestOptions {
            chaos: true,
            ..TestOptions::default()
        },
    )
    .await;
    app.signed_in().await;
    let proxy = app.chaos.as_ref().expect("proxy");

    proxy.cut();
    assert_eq!(
        app.get("/auth/me").await.status(),
        200,
        "a session checked within the cache window is still believed"
    );
    app.clock.advance(2);
    for path in ["/auth/me", "/auth/github"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 503, "{path}");
        let body: serde_json::Value = response.json().await.expect("JSON");
        let detail = body["detail"].as_str().unwrap_or_default();
        assert!(detail.contains("PostgreSQL"), "{path}: {detail}");
        assert!(
            !detail.contains("postgres://"),
            "no URL (credentials) in {detail}"
        );
        assert!(!detail.contains("127.0.0.1"), "no location in {detail}");
    }
    let logout = app.post("/auth/logout").await;
    assert_eq!(
        logout.status(),
        503,
        "a logout that cannot revoke does not claim success"
    );
    let readyz = app.get("/readyz").await;
    assert_eq!(readyz.status(), 503, "not ready while the database is away");
    let body: serde_json::Value = readyz.json().await.expect("JSON");
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("PostgreSQL")),
        "names the database, not a missing migration table: {body}"
    );
    assert_eq!(app.get("/healthz").await.status(), 200, "but alive");

    proxy.restore();
    assert_eq!(
        app.get("/auth/me").await.status(),
        200,
        "recovered without restart"
    );
    assert_eq!(app.get("/readyz").await.status(), 200);
}
