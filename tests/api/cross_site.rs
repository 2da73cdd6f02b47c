//! Another website cannot make a signed-in browser reconnect (which deletes the GitHub
//! grant) or log out; the real frontend, even on another site, can.

use nectr_auth_tests::{Backend, CLIENT_ID, TestApp, spawn_app};
use nectr_github_standin::Person;

on_both_databases!(
    reconnect_from_another_site_is_refused_and_the_grant_kept,
    reconnect_from_the_frontend_or_a_typed_url_goes_through,
    logout_from_another_site_is_refused_and_the_session_kept,
    logout_from_the_frontend_goes_through,
);

async fn reconnect_with(app: &TestApp, headers: &[(&str, &str)]) -> reqwest::Response {
    let session = app.session_cookie().expect("signed in");
    let mut request = TestApp::fresh_client()
        .get(app.url("/auth/github/reconnect"))
        .header("cookie", format!("access_token={session}"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.expect("sent")
}

async fn reconnect_from_another_site_is_refused_and_the_grant_kept(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signed_in().await;
    for headers in [
        vec![
            ("sec-fetch-site", "cross-site"),
            ("referer", "https://evil.example/"),
        ],
        vec![("sec-fetch-site", "cross-site")],
        vec![("referer", "https://evil.example/page")],
    ] {
        let response = reconnect_with(&app, &headers).await;
        assert_eq!(response.status(), 403, "{headers:?}");
        let body: serde_json::Value = response.json().await.expect("JSON");
        assert!(
            body["detail"]
                .as_str()
                .is_some_and(|d| d.contains("another website")),
            "{body}"
        );
    }
    assert!(app.github.grant_exists(CLIENT_ID, Person::octocat().id));
    assert!(
        app.github
            .requests_to(nectr_github_standin::Endpoint::DeleteGrant)
            .is_empty()
    );
}

async fn reconnect_from_the_frontend_or_a_typed_url_goes_through(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signed_in().await;
    for headers in [
        vec![
            ("sec-fetch-site", "cross-site"),
            ("referer", "http://localhost:3000/dashboard"),
        ],
        vec![("sec-fetch-site", "same-site")],
        vec![("sec-fetch-site", "none")],
        vec![],
    ] {
        assert_eq!(
            reconnect_with(&app, &headers).await.status(),
            302,
            "{headers:?}"
        );
    }
}

async fn logout_with(app: &TestApp, origin: &str) -> reqwest::Response {
    let session = app.session_cookie().expect("signed in");
    TestApp::fresh_client()
        .post(app.url("/auth/logout"))
        .header("cookie", format!("access_token={session}"))
        .header("origin", origin)
        .send()
        .await
        .expect("sent")
}

async fn logout_from_another_site_is_refused_and_the_session_kept(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signed_in().await;
    for origin in ["https://evil.example", "null"] {
        assert_eq!(logout_with(&app, origin).await.status(), 403, "{origin}");
    }
    assert_eq!(app.get("/auth/me").await.status(), 200, "still signed in");
}

async fn logout_from_the_frontend_goes_through(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signed_in().await;
    assert_eq!(
        logout_with(&app, "http://localhost:3000").await.status(),
        200
    );
    assert_eq!(app.get("/auth/me").await.status(), 401);
}
