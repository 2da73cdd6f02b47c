//! `ACCESS_TOKEN_EXPIRE_MINUTES` and `OAUTH_STATE_TTL_SECONDS` set the cookies' `Max-Age`
//! and the server-side deadlines alike.

use nectr_auth_tests::{Backend, TestOptions, set_cookies, spawn_app_with};

on_both_databases!(configured_lifetimes_govern_cookies_and_deadlines);

fn max_age(cookies: &[String], name: &str) -> Option<String> {
    cookies
        .iter()
        .find(|c| c.starts_with(&format!("{name}=")))?
        .split("; ")
        .find_map(|attribute| attribute.strip_prefix("Max-Age="))
        .map(str::to_owned)
}

async fn configured_lifetimes_govern_cookies_and_deadlines(backend: Backend) {
    let app = spawn_app_with(
        backend,
        TestOptions {
            vars: vec![
                ("ACCESS_TOKEN_EXPIRE_MINUTES", "5".into()),
                ("OAUTH_STATE_TTL_SECONDS", "60".into()),
            ],
            ..TestOptions::default()
        },
    )
    .await;

    let start = app.get("/auth/github").await;
    let cookies = set_cookies(start.headers());
    assert_eq!(
        max_age(&cookies, "nectr_oauth_binding").as_deref(),
        Some("60")
    );
    let callback = app.authorize(&nectr_auth_tests::location(&start)).await;
    app.clock.advance(60);
    assert_eq!(
        app.follow(&callback).await.status(),
        400,
        "the state died after 60 s"
    );

    let signed_in = app.sign_in().await;
    assert_eq!(signed_in.status(), 302);
    let cookies = set_cookies(signed_in.headers());
    assert_eq!(max_age(&cookies, "access_token").as_deref(), Some("300"));
    app.clock.advance(299);
    assert_eq!(app.get("/auth/me").await.status(), 200);
    app.clock.advance(1);
    assert_eq!(
        app.get("/auth/me").await.status(),
        401,
        "the session died after 5 minutes"
    );
}
