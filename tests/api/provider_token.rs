//! `GET /internal/users/{id}/provider-token`: the person's usable GitHub token for Nectr's
//! other services, refreshed when it expires, refused to browsers.

use std::time::Duration;

use nectr_auth_tests::{Backend, CLIENT_ID, TestApp, TestOptions, spawn_app, spawn_app_with};

on_both_databases!(
    the_internal_api_is_off_without_service_credentials,
    a_service_gets_the_token_and_browsers_and_strangers_do_not,
    an_expiring_token_is_refreshed_rotated_and_stored,
    a_token_revoked_at_github_asks_for_a_new_sign_in,
    a_refresh_token_past_its_lifetime_asks_for_a_new_sign_in,
    narrowed_sign_in_rules_withhold_the_tokens_of_people_they_no_longer_admit,
);

const SERVICE_TOKEN: &str = "6d2f0a9c4b8e1f3a5c7e9b0d2f4a6c8e0b1d3f5a7c9e";

fn with_internal_api(expiring_tokens: bool) -> TestOptions {
    TestOptions {
        vars: vec![(
            "INTERNAL_API_TOKENS",
            format!("{}, {SERVICE_TOKEN}", "f".repeat(40)),
        )],
        expiring_tokens,
        ..TestOptions::default()
    }
}

/// What a Nectr service sends: a bearer credential and nothing a browser adds.
async fn fetch(app: &TestApp, user_id: &str, credential: &str) -> (u16, serde_json::Value) {
    let response = reqwest::Client::new()
        .get(app.url(&format!("/internal/users/{user_id}/provider-token")))
        .bearer_auth(credential)
        .send()
        .await
        .expect("sent");
    let status = response.status().as_u16();
    (status, response.json().await.expect("JSON"))
}

/// Moves the service's and GitHub's clocks together.
fn pass_time(app: &TestApp, seconds: u64) {
    app.clock.advance(i64::try_from(seconds).expect("fits"));
    app.github.advance_clock(Duration::from_secs(seconds));
}

async fn user_id(app: &TestApp) -> String {
    app.signed_in().await["id"].to_string()
}

async fn the_internal_api_is_off_without_service_credentials(backend: Backend) {
    let app = spawn_app(backend).await;
    let id = user_id(&app).await;
    let (status, body) = fetch(&app, &id, SERVICE_TOKEN).await;
    assert_eq!(status, 404);
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("INTERNAL_API_TOKENS")
    );
}

async fn a_service_gets_the_token_and_browsers_and_strangers_do_not(backend: Backend) {
    let app = spawn_app_with(backend, with_internal_api(false)).await;
    let id = user_id(&app).await;

    let (status, body) = fetch(&app, &id, SERVICE_TOKEN).await;
    assert_eq!(status, 200, "{body}");
    let token = body["access_token"].as_str().expect("a token");
    assert!(app.github.is_token_live(token), "the live GitHub token");
    assert_eq!(body["provider"], "github");
    assert_eq!(body["provider_user_id"], "583231");
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_at"], serde_json::Value::Null);
    assert_eq!(
        body["scopes"],
        serde_json::json!(["read:org", "read:user", "repo", "user:email"])
    );

    // A browser, even one holding the credential and a session, is refused.
    for (header, value) in [
        ("origin", "http://localhost:3000".to_owned()),
        ("sec-fetch-site", "same-site".to_owned()),
        (
            "cookie",
            format!("access_token={}", app.session_cookie().expect("cookie")),
        ),
    ] {
        let response = reqwest::Client::new()
            .get(app.url(&format!("/internal/users/{id}/provider-token")))
            .bearer_auth(SERVICE_TOKEN)
            .header(header, value)
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), 403, "{header}");
        let body: serde_json::Value = response.json().await.expect("JSON");
        assert_eq!(body["reason"], "browser_refused");
        assert!(body.get("access_token").is_none());
    }
    let (status, body) = fetch(&app, &id, &format!("{SERVICE_TOKEN}0")).await;
    assert_eq!(
        (status, body["reason"].as_str()),
        (401, Some("invalid_service_credential"))
    );
    let anonymous = reqwest::Client::new()
        .get(app.url(&format!("/internal/users/{id}/provider-token")))
        .send()
        .await
        .expect("sent");
    assert_eq!(anonymous.status(), 401);
    let (status, body) = fetch(&app, "999999", SERVICE_TOKEN).await;
    assert_eq!(
        (status, body["reason"].as_str()),
        (404, Some("unknown_user"))
    );
    let (status, _) = fetch(&app, "0", SERVICE_TOKEN).await;
    assert_eq!(status, 400);
}

async fn an_expiring_token_is_refreshed_rotated_and_stored(backend: Backend) {
    let app = spawn_app_with(backend, with_internal_api(true)).await;
    let id = user_id(&app).await;
    let (status, first) = fetch(&app, &id, SERVICE_TOKEN).await;
    assert_eq!(status, 200, "{first}");
    let first_token = first["access_token"].as_str().expect("token").to_owned();
    assert!(
        first["expires_at"].is_string(),
        "expiring tokens have a deadline"
    );

    // Eight hours later (GitHub's lifetime) the token is dead at GitHub.
    let eight_hours = 8 * 3600;
    pass_time(&app, eight_hours);
    let (status, second) = fetch(&app, &id, SERVICE_TOKEN).await;
    assert_eq!(status, 200, "{second}");
    let second_token = second["access_token"].as_str().expect("token").to_owned();
    assert_ne!(second_token, first_token);
    assert!(app.github.is_token_live(&second_token));
    assert!(!app.github.is_token_live(&first_token), "refresh rotates");

    // The rotated pair was stored: asking again gives the same live token, and the next
    // refresh works with the new refresh token.
    let (_, third) = fetch(&app, &id, SERVICE_TOKEN).await;
    assert_eq!(third["access_token"].as_str(), Some(second_token.as_str()));
    pass_time(&app, eight_hours);
    let (status, fourth) = fetch(&app, &id, SERVICE_TOKEN).await;
    assert_eq!(status, 200, "{fourth}");
    assert_ne!(fourth["access_token"].as_str(), Some(second_token.as_str()));
}

async fn a_token_revoked_at_github_asks_for_a_new_sign_in(backend: Backend) {
    let app = spawn_app_with(backend, with_internal_api(false)).await;
    let id = user_id(&app).await;
    app.github.revoke_app_access(CLIENT_ID, 583_231);
    let (status, body) = fetch(&app, &id, SERVICE_TOKEN).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["reason"], "token_revoked");
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("sign in again")
    );
}

async fn a_refresh_token_past_its_lifetime_asks_for_a_new_sign_in(backend: Backend) {
    let app = spawn_app_with(backend, with_internal_api(true)).await;
    let id = user_id(&app).await;
    // GitHub's refresh tokens live six months.
    pass_time(&app, 200 * 24 * 3600);
    let (status, body) = fetch(&app, &id, SERVICE_TOKEN).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["reason"], "token_expired");
}

async fn narrowed_sign_in_rules_withhold_the_tokens_of_people_they_no_longer_admit(
    backend: Backend,
) {
    // Signed in while anyone could; then instances start with narrower rules.
    let app = spawn_app_with(backend, with_internal_api(false)).await;
    let id = user_id(&app).await;
    let only_alice = app
        .sibling(vec![("ALLOWED_GITHUB_USERS", "alice".to_owned())])
        .await;
    let (status, body) = fetch(&only_alice, &id, SERVICE_TOKEN).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["reason"], "not_allowed");
    let detail = body["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("the people alice") && detail.contains("`octocat`"),
        "{detail}"
    );
    assert!(body.get("access_token").is_none(), "{body}");

    // A membership rule is asked of GitHub at each request, so what GitHub shows now counts.
    let members = app
        .sibling(vec![("ALLOWED_GITHUB_ORGS", "octo-org".to_owned())])
        .await;
    let (status, body) = fetch(&members, &id, SERVICE_TOKEN).await;
    assert_eq!(status, 200, "a member of octo-org: {body}");
    app.github.restrict_org_access("octo-org");
    let (status, body) = fetch(&members, &id, SERVICE_TOKEN).await;
    assert_eq!(status, 409, "membership no longer visible: {body}");
    assert_eq!(body["reason"], "not_allowed");

    // The instance whose rules still admit everyone hands the token out.
    let (status, body) = fetch(&app, &id, SERVICE_TOKEN).await;
    assert_eq!(status, 200, "{body}");
}
