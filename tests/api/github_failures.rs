//! An unreachable, slow or broken GitHub: a 502/504 with a detail, in bounded time, and the
//! service stays responsive.

use std::time::{Duration, Instant};

use nectr_auth_tests::{Backend, TestOptions, spawn_app, spawn_app_with};
use nectr_github_standin::{Endpoint, Fault};

on_both_databases!(
    hanging_token_endpoint_is_a_504_in_bounded_time,
    github_5xx_is_a_502_naming_github,
    garbage_from_the_user_api_is_a_502,
    rate_limited_user_api_says_so,
    unreachable_github_is_a_502,
    service_answers_other_requests_while_github_hangs,
);

async fn detail(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let body: serde_json::Value = response.json().await.expect("a JSON body");
    (
        status,
        body["detail"].as_str().unwrap_or_default().to_owned(),
    )
}

async fn hanging_token_endpoint_is_a_504_in_bounded_time(backend: Backend) {
    let app = spawn_app(backend).await;
    app.github.set_fault(Endpoint::AccessToken, Fault::Hang);
    let callback = app.authorize(&app.start_sign_in().await).await;
    let started = Instant::now();
    let (status, detail) = detail(app.follow(&callback).await).await;
    assert_eq!(status, 504, "{detail}");
    assert!(detail.contains("GitHub"), "{detail}");
    // The configured request timeout is 2 s in tests; allow generous slack for a busy machine.
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(app.count("sessions").await, 0);
}

async fn github_5xx_is_a_502_naming_github(backend: Backend) {
    let app = spawn_app(backend).await;
    app.github
        .set_fault(Endpoint::AccessToken, Fault::Status(503));
    let (status, detail) = detail(app.sign_in().await).await;
    assert_eq!(status, 502);
    assert!(detail.contains("GitHub"), "{detail}");
}

async fn garbage_from_the_user_api_is_a_502(backend: Backend) {
    let app = spawn_app(backend).await;
    app.github.set_fault(Endpoint::User, Fault::Garbage);
    let (status, detail) = detail(app.sign_in().await).await;
    assert_eq!(status, 502);
    assert!(detail.contains("GitHub"), "{detail}");
    assert_eq!(app.count("users").await, 0);
}

async fn rate_limited_user_api_says_so(backend: Backend) {
    let app = spawn_app(backend).await;
    app.github.set_fault(Endpoint::User, Fault::RateLimited);
    let (status, detail) = detail(app.sign_in().await).await;
    assert_eq!(status, 502);
    assert!(detail.to_lowercase().contains("rate limit"), "{detail}");
}

async fn unreachable_github_is_a_502(backend: Backend) {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
    let dead = format!(
        "http://127.0.0.1:{}",
        closed.local_addr().expect("addr").port()
    );
    drop(closed);
    let app = spawn_app_with(
        backend,
        TestOptions {
            vars: vec![("GITHUB_API_URL", dead)],
            ..TestOptions::default()
        },
    )
    .await;
    let (status, detail) = detail(app.sign_in().await).await;
    assert_eq!(status, 502);
    assert!(detail.contains("GitHub"), "{detail}");
}

async fn service_answers_other_requests_while_github_hangs(backend: Backend) {
    let app = spawn_app(backend).await;
    app.github.set_fault(Endpoint::AccessToken, Fault::Hang);
    let callback = app.authorize(&app.start_sign_in().await).await;
    let hanging = app.follow(&callback);
    let meanwhile = async {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let started = Instant::now();
        let status = app.get("/auth/me").await.status();
        (status, started.elapsed())
    };
    let (_, (status, took)) = tokio::join!(hanging, meanwhile);
    assert_eq!(status, 401);
    assert!(
        took < Duration::from_secs(1),
        "session check waited {took:?}"
    );
}
