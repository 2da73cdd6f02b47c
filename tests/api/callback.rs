//! The callback's failures: Cancel, GitHub's refusals, missing code. Each gets a clear
//! error and never a session.

use nectr_auth_tests::{Backend, TestOptions, spawn_app, spawn_app_with};
use nectr_github_standin::Person;

on_both_databases!(
    cancel_at_github_is_a_clear_error_without_session,
    rejected_code_is_a_clear_error,
    wrong_client_secret_tells_the_operator_what_to_fix,
    unverified_email_tells_the_person_what_to_do,
    callback_with_valid_state_but_no_code_is_refused,
    redirect_uri_mismatch_from_github_points_to_check,
    an_error_without_a_valid_state_is_not_believed,
);

async fn detail(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let body: serde_json::Value = response.json().await.expect("a JSON body");
    (
        status,
        body["detail"].as_str().unwrap_or_default().to_owned(),
    )
}

async fn cancel_at_github_is_a_clear_error_without_session(backend: Backend) {
    let app = spawn_app(backend).await;
    app.github.press_cancel();
    let callback = app.authorize(&app.start_sign_in().await).await;
    assert!(callback.contains("error=access_denied") && !callback.contains("code="));
    let (status, detail) = detail(app.follow(&callback).await).await;
    assert_eq!(status, 400);
    assert!(detail.contains("cancelled"), "{detail}");
    assert!(app.session_cookie().is_none());
    assert_eq!(app.count("sessions").await, 0);
    assert_eq!(app.count("oauth_states").await, 0, "the attempt is over");
}

async fn rejected_code_is_a_clear_error(backend: Backend) {
    let app = spawn_app(backend).await;
    let callback = app.authorize(&app.start_sign_in().await).await;
    // Use the code elsewhere first, as a replay or a slow double click would.
    let code = url::Url::parse(&callback)
        .expect("URL")
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .expect("code");
    let burn = reqwest::Client::new()
        .post(format!("{}/login/oauth/access_token", app.github.web_url()))
        .form(&[
            ("client_id", nectr_auth_tests::CLIENT_ID),
            ("client_secret", nectr_auth_tests::CLIENT_SECRET),
            ("code", code.as_str()),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(burn.status(), 200);
    let (status, detail) = detail(app.follow(&callback).await).await;
    assert_eq!(status, 400);
    assert!(detail.contains("code"), "{detail}");
    assert_eq!(app.count("sessions").await, 0);
}

async fn wrong_client_secret_tells_the_operator_what_to_fix(backend: Backend) {
    let app = spawn_app_with(
        backend,
        TestOptions {
            registered_secret: Some("the-secret-github-really-has".into()),
            ..TestOptions::default()
        },
    )
    .await;
    let (status, detail) = detail(app.sign_in().await).await;
    assert_eq!(status, 502);
    assert!(detail.contains("GITHUB_CLIENT_SECRET"), "{detail}");
    assert!(!detail.contains(nectr_auth_tests::CLIENT_SECRET));
    assert_eq!(app.count("sessions").await, 0);
}

async fn unverified_email_tells_the_person_what_to_do(backend: Backend) {
    let app = spawn_app(backend).await;
    app.github.sign_in_as(Person::unverified());
    let (status, detail) = detail(app.sign_in().await).await;
    assert_eq!(status, 403);
    assert!(detail.to_lowercase().contains("verif"), "{detail}");
    assert_eq!(app.count("users").await, 0);
}

async fn callback_with_valid_state_but_no_code_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let state = state_of(&app.start_sign_in().await);
    let (status, detail) = detail(
        app.get(&format!("/auth/github/callback?state={state}"))
            .await,
    )
    .await;
    assert_eq!(status, 400);
    assert!(detail.contains("code"), "{detail}");
}

async fn redirect_uri_mismatch_from_github_points_to_check(backend: Backend) {
    let app = spawn_app(backend).await;
    let state = state_of(&app.start_sign_in().await);
    let (status, detail) = detail(
        app.get(&format!(
            "/auth/github/callback?error=redirect_uri_mismatch&error_description=The+redirect_uri+MUST+match&state={state}"
        ))
        .await,
    )
    .await;
    assert_eq!(status, 400);
    assert!(detail.contains("redirect_uri_mismatch"), "{detail}");
    assert!(detail.contains("nectr-auth check"), "{detail}");
    // In the words of GitHub's own settings page, so the operator finds the field.
    assert!(
        detail.contains("Authorization callback URL registered on the GitHub OAuth App"),
        "{detail}"
    );
}

async fn an_error_without_a_valid_state_is_not_believed(backend: Backend) {
    let app = spawn_app(backend).await;
    app.start_sign_in().await;
    for query in [
        "error=access_denied&error_description=Call+support+at+555".to_owned(),
        format!("error=access_denied&state={}", "A".repeat(43)),
    ] {
        let (status, detail) =
            detail(app.get(&format!("/auth/github/callback?{query}")).await).await;
        assert_eq!(
            (status, detail.as_str()),
            (400, "Invalid or expired OAuth state")
        );
    }
}

fn state_of(authorize_url: &str) -> String {
    url::Url::parse(authorize_url)
        .expect("URL")
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .expect("state")
}
