//! Production mode: https everywhere, `Secure` cookies, `SameSite=None` for the session.

use nectr_auth_tests::{Backend, TestOptions, set_cookies, spawn_app_with};

on_both_databases!(production_cookies_are_secure_and_urls_are_https);

async fn production_cookies_are_secure_and_urls_are_https(backend: Backend) {
    let app = spawn_app_with(
        backend,
        TestOptions {
            vars: vec![
                ("APP_ENV", "production".into()),
                ("BACKEND_URL", "https://auth.example.test".into()),
                ("FRONTEND_URL", "https://app.example.test".into()),
                ("GITHUB_URL", "https://github.example.test".into()),
                (
                    "GITHUB_API_URL",
                    "https://github.example.test/api/v3".into(),
                ),
            ],
            ..TestOptions::default()
        },
    )
    .await;
    let start = app.get("/auth/github").await;
    assert_eq!(start.status(), 302);
    let location = nectr_auth_tests::location(&start);
    assert!(location.starts_with("https://github.example.test/login/oauth/authorize?"));
    assert!(
        location
            .contains("redirect_uri=https%3A%2F%2Fauth.example.test%2Fauth%2Fgithub%2Fcallback"),
        "{location}"
    );
    assert_eq!(
        start
            .headers()
            .get("strict-transport-security")
            .and_then(|v| v.to_str().ok()),
        Some("max-age=31536000")
    );
    let binding = set_cookies(start.headers()).join("\n");
    assert!(
        binding.contains("Secure") && binding.contains("SameSite=Lax"),
        "{binding}"
    );

    let logout = app.post("/auth/logout").await;
    let cleared = set_cookies(logout.headers()).join("\n");
    for attribute in [
        "access_token=;",
        "Secure",
        "SameSite=None",
        "HttpOnly",
        "Max-Age=0",
    ] {
        assert!(cleared.contains(attribute), "{cleared} lacks {attribute}");
    }

    let preflight = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/auth/me"))
        .header("origin", "https://app.example.test")
        .header("access-control-request-method", "GET")
        .send()
        .await
        .expect("sent");
    assert_eq!(
        preflight
            .headers()
            .get("access-control-allow-origin")
            .and_then(|v| v.to_str().ok()),
        Some("https://app.example.test")
    );
}
