//! Whatever a request sends, the answer is JSON `{"detail"}` with a 4xx, never a 500.

use nectr_auth_tests::{Backend, TestApp, spawn_app};

on_both_databases!(
    unknown_routes_are_json_404,
    wrong_methods_are_json_405,
    malformed_query_strings_are_json_400,
    hostile_inputs_never_get_a_500,
    oversized_urls_and_headers_get_a_json_refusal,
    every_answer_carries_the_security_headers,
);

async fn assert_json_error(response: reqwest::Response, status: u16) {
    assert_eq!(response.status(), status);
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    let body: serde_json::Value = response.json().await.expect("JSON");
    assert!(
        body["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "{body}"
    );
}

async fn unknown_routes_are_json_404(backend: Backend) {
    let app = spawn_app(backend).await;
    assert_json_error(app.get("/nope").await, 404).await;
    assert_json_error(app.get("/auth/github/other").await, 404).await;
}

async fn wrong_methods_are_json_405(backend: Backend) {
    let app = spawn_app(backend).await;
    assert_json_error(app.post("/auth/me").await, 405).await;
    assert_json_error(app.post("/auth/github").await, 405).await;
    let delete = app
        .client
        .delete(app.url("/auth/me"))
        .send()
        .await
        .expect("sent");
    assert_json_error(delete, 405).await;
    // Each 405 names the method the path does take (RFC 9110 §15.5.6).
    for (response, allowed) in [
        (app.post("/auth/me").await, "GET"),
        (app.post("/auth/gitlab/callback").await, "GET"),
        (app.get("/auth/logout").await, "POST"),
        (app.post("/healthz").await, "GET"),
    ] {
        assert_eq!(response.status(), 405);
        let allow = response
            .headers()
            .get("allow")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        assert_eq!(allow.as_deref(), Some(allowed), "{}", response.url());
    }
}

async fn malformed_query_strings_are_json_400(backend: Backend) {
    let app = spawn_app(backend).await;
    // A duplicated parameter cannot be one value.
    assert_json_error(app.get("/auth/github/callback?state=a&state=b").await, 400).await;
    // Invalid UTF-8 after percent-decoding.
    assert_json_error(
        app.get("/auth/github/callback?state=%ff%fe&code=x").await,
        400,
    )
    .await;
}

async fn hostile_inputs_never_get_a_500(backend: Backend) {
    let app = spawn_app(backend).await;
    let long = "a".repeat(6000);
    let paths = [
        "/auth/github/callback?code=&state=".to_owned(),
        "/auth/github/callback?error=".to_owned(),
        format!("/auth/github/callback?code={long}&state={long}"),
        format!("/auth/github/callback?error={long}&error_description={long}"),
        "/auth/github/callback?code=%00&state=%00".to_owned(),
        "/auth/me?x=%zz".to_owned(),
        "/auth/github/callback?error=access_denied&error_description=%3Cscript%3E".to_owned(),
    ];
    for path in &paths {
        let status = app.get(path).await.status();
        assert!(status.is_client_error(), "{path:.60} gave {status}");
    }
    let cookies = [
        "access_token=",
        "access_token=%%%",
        "nectr_oauth_binding=../../etc",
    ];
    for cookie in cookies {
        let response = TestApp::fresh_client()
            .get(app.url("/auth/github/callback?code=x&state=y"))
            .header("cookie", cookie)
            .send()
            .await
            .expect("sent");
        assert!(response.status().is_client_error(), "{cookie}");
    }
}

async fn oversized_urls_and_headers_get_a_json_refusal(backend: Backend) {
    let app = spawn_app(backend).await;
    let long = "a".repeat(20_000);
    assert_json_error(
        app.get(&format!("/auth/github/callback?code={long}")).await,
        414,
    )
    .await;
    let response = TestApp::fresh_client()
        .get(app.url("/auth/me"))
        .header("cookie", format!("access_token={}", "b".repeat(40_000)))
        .send()
        .await
        .expect("sent");
    assert_json_error(response, 431).await;
}

async fn every_answer_carries_the_security_headers(backend: Backend) {
    let app = spawn_app(backend).await;
    let callback = app.authorize(&app.start_sign_in().await).await;
    let answers = [
        app.get("/auth/github").await,
        app.follow(&callback).await,
        app.get("/auth/me").await,
        app.get("/auth/github/callback?state=x").await,
        app.get("/nope").await,
        app.post("/auth/logout").await,
    ];
    for answer in &answers {
        let header = |name: &str| {
            answer
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        let what = format!("{} {}", answer.url().path(), answer.status());
        assert_eq!(header("cache-control"), "no-store", "{what}");
        assert_eq!(header("x-content-type-options"), "nosniff", "{what}");
        assert_eq!(header("x-frame-options"), "DENY", "{what}");
        assert_eq!(header("referrer-policy"), "no-referrer", "{what}");
        assert!(
            header("content-security-policy").contains("default-src 'none'"),
            "{what}"
        );
        assert!(
            header("strict-transport-security").is_empty(),
            "not over plain http: {what}"
        );
    }
}
