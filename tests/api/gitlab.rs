//! GitLab as a second provider: the whole sign-in through its stand-in, people keyed by
//! (provider, id), states that only work at their own provider, and GitLab's expiring tokens.

use nectr_auth_tests::{Backend, TestApp, TestOptions, location, spawn_app_with};
use nectr_github_standin::Person as GithubPerson;
use nectr_gitlab_standin::{Endpoint, Person};

on_both_databases!(
    a_gitlab_sign_in_lands_on_the_dashboard_with_a_gitlab_profile,
    the_same_id_at_github_and_gitlab_is_two_people,
    a_state_started_for_github_is_refused_at_gitlabs_callback,
    cancel_at_gitlab_is_explained,
    a_gitlab_error_is_explained_in_gitlabs_words,
    reconnect_names_the_provider_the_person_signed_in_with,
    gitlab_tokens_are_refreshed_for_the_internal_api,
    gitlab_group_rules_admit_members_only,
);

fn with_gitlab(vars: Vec<(&'static str, String)>) -> TestOptions {
    TestOptions {
        gitlab: true,
        vars,
        ..TestOptions::default()
    }
}

fn gitlab(app: &TestApp) -> &nectr_gitlab_standin::GitlabStandIn {
    app.gitlab.as_ref().expect("the world offers GitLab")
}

/// Starts at `/auth/gitlab`, lets the stand-in approve, and follows the callback.
async fn sign_in_with_gitlab(app: &TestApp) -> reqwest::Response {
    let start = app.get("/auth/gitlab").await;
    assert_eq!(start.status(), 302);
    let callback = app.authorize(&location(&start)).await;
    app.follow(&callback).await
}

async fn a_gitlab_sign_in_lands_on_the_dashboard_with_a_gitlab_profile(backend: Backend) {
    let app = spawn_app_with(backend, with_gitlab(vec![])).await;
    let start = app.get("/auth/gitlab").await;
    let authorize = url::Url::parse(&location(&start)).expect("a URL");
    assert!(
        authorize
            .as_str()
            .starts_with(&format!("{}/oauth/authorize", gitlab(&app).web_url()))
    );
    let query: std::collections::HashMap<_, _> = authorize.query_pairs().into_owned().collect();
    assert_eq!(query.get("response_type").map(String::as_str), Some("code"));
    assert_eq!(query.get("scope").map(String::as_str), Some("read_user"));
    assert_eq!(
        query.get("code_challenge_method").map(String::as_str),
        Some("S256")
    );
    assert_eq!(
        query.get("redirect_uri"),
        Some(&app.url("/auth/gitlab/callback"))
    );

    let callback = app.authorize(authorize.as_str()).await;
    let done = app.follow(&callback).await;
    assert_eq!(
        done.status(),
        302,
        "{}",
        done.text().await.unwrap_or_default()
    );
    let me = app.me_json().await;
    assert_eq!(me["provider"], "gitlab");
    assert_eq!(me["provider_user_id"], "4242001");
    assert_eq!(me["username"], "tanuki");
    assert_eq!(me["name"], "Tanuki Test");
    assert_eq!(me["email"], "tanuki@example.com");
    assert_eq!(me["github_id"], serde_json::Value::Null);
    assert_eq!(me["github_username"], serde_json::Value::Null);
    assert_eq!(me["granted_scopes"], serde_json::json!(["read_user"]));
    assert_eq!(me["missing_scopes"], serde_json::json!([]));
    // The token exchange sent the PKCE verifier and the same redirect URI.
    let exchange = gitlab(&app).requests_to(Endpoint::Token);
    assert_eq!(exchange.len(), 1);
    assert!(exchange[0].form_param("code_verifier").is_some());
    assert_eq!(
        exchange[0].form_param("redirect_uri"),
        Some(app.url("/auth/gitlab/callback"))
    );
}

async fn the_same_id_at_github_and_gitlab_is_two_people(backend: Backend) {
    let app = spawn_app_with(backend, with_gitlab(vec![])).await;
    app.github.sign_in_as(GithubPerson {
        id: Person::tanuki().id,
        ..GithubPerson::octocat()
    });
    let at_github = app.signed_in().await;
    let other_browser = app.another_browser();
    assert_eq!(sign_in_with_gitlab(&other_browser).await.status(), 302);
    let at_gitlab = other_browser.me_json().await;
    assert_eq!(at_github["provider_user_id"], at_gitlab["provider_user_id"]);
    assert_ne!(at_github["id"], at_gitlab["id"]);
    assert_eq!(app.count("users").await, 2);
}

async fn a_state_started_for_github_is_refused_at_gitlabs_callback(backend: Backend) {
    let app = spawn_app_with(backend, with_gitlab(vec![])).await;
    // A code from GitLab and a state from a GitHub start, both in this browser: the mix-up
    // an attacker would try.
    let github_authorize = app.start_sign_in().await;
    let github_callback = app.authorize(&github_authorize).await;
    let state = url::Url::parse(&github_callback)
        .expect("a URL")
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .expect("a state");
    let gitlab_start = app.get("/auth/gitlab").await;
    let gitlab_callback = app.authorize(&location(&gitlab_start)).await;
    let code = url::Url::parse(&gitlab_callback)
        .expect("a URL")
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .expect("a code");
    // Each provider's binding cookie stays on its own routes; the attacker's page is assumed
    // to have planted the GitHub one on GitLab's callback too, so only the provider check is
    // left to refuse the mix.
    let github_binding = binding_cookie(&app, "/auth/github/callback");
    let mixed = TestApp::fresh_client()
        .get(app.url(&format!("/auth/gitlab/callback?code={code}&state={state}")))
        .header("cookie", format!("nectr_oauth_binding={github_binding}"))
        .send()
        .await
        .expect("sent");
    assert_eq!(mixed.status(), 400);
    let body: serde_json::Value = mixed.json().await.expect("JSON");
    assert_eq!(body["detail"], "Invalid or expired OAuth state");
    assert!(
        gitlab(&app).requests_to(Endpoint::Token).is_empty(),
        "no code was exchanged"
    );
    // The GitHub state was used up by the attempt: it cannot be replayed at GitHub either.
    let replay = app.follow(&github_callback).await;
    assert_eq!(replay.status(), 400);
    assert!(app.session_cookie().is_none());
}

/// The binding cookie the browser sends to `path`.
fn binding_cookie(app: &TestApp, path: &str) -> String {
    use reqwest::cookie::CookieStore as _;
    let url = url::Url::parse(&app.url(path)).expect("a URL");
    let header = app.jar.cookies(&url).expect("cookies for the path");
    header
        .to_str()
        .expect("ASCII cookies")
        .split("; ")
        .find_map(|pair| pair.strip_prefix("nectr_oauth_binding="))
        .expect("a binding cookie")
        .to_owned()
}

async fn cancel_at_gitlab_is_explained(backend: Backend) {
    let app = spawn_app_with(backend, with_gitlab(vec![])).await;
    gitlab(&app).press_cancel();
    let response = sign_in_with_gitlab(&app).await;
    assert_eq!(response.status(), 400);
    let body: serde_json::Value = response.json().await.expect("JSON");
    let detail = body["detail"].as_str().unwrap_or_default();
    assert!(
        detail.starts_with("GitLab sign-in was cancelled"),
        "{detail}"
    );
    assert!(app.session_cookie().is_none());
}

async fn a_gitlab_error_is_explained_in_gitlabs_words(backend: Backend) {
    let app = spawn_app_with(backend, with_gitlab(vec![])).await;
    for (error, words) in [
        (
            "redirect_uri_mismatch",
            "Redirect URI registered on the GitLab application",
        ),
        ("invalid_scope", "check the GitLab application's settings"),
    ] {
        // Each answer uses its state up, so each error gets a start of its own.
        let start = app.get("/auth/gitlab").await;
        let state = url::Url::parse(&location(&start))
            .expect("a URL")
            .query_pairs()
            .find(|(k, _)| k == "state")
            .map(|(_, v)| v.into_owned())
            .expect("a state");
        let response = app
            .get(&format!(
                "/auth/gitlab/callback?error={error}&state={state}"
            ))
            .await;
        assert_eq!(response.status(), 400);
        let body: serde_json::Value = response.json().await.expect("JSON");
        let detail = body["detail"].as_str().unwrap_or_default();
        assert!(detail.starts_with("GitLab refused the sign-in"), "{detail}");
        assert!(detail.contains(words), "{detail}");
        assert!(!detail.contains("OAuth App"), "{detail}");
    }
    assert!(app.session_cookie().is_none());
}

async fn reconnect_names_the_provider_the_person_signed_in_with(backend: Backend) {
    let app = spawn_app_with(backend, with_gitlab(vec![])).await;
    assert_eq!(sign_in_with_gitlab(&app).await.status(), 302);
    let wrong = app
        .client
        .get(app.url("/auth/github/reconnect"))
        .header("origin", nectr_auth_tests::FRONTEND)
        .send()
        .await
        .expect("sent");
    assert_eq!(wrong.status(), 400);
    let body: serde_json::Value = wrong.json().await.expect("JSON");
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("/auth/gitlab/reconnect"),
        "{body}"
    );
    let right = app
        .client
        .get(app.url("/auth/gitlab/reconnect"))
        .header("origin", nectr_auth_tests::FRONTEND)
        .send()
        .await
        .expect("sent");
    assert_eq!(right.status(), 302);
    assert!(location(&right).starts_with(&gitlab(&app).web_url()));
    // GitLab has no grant to delete: its token was revoked instead.
    assert_eq!(gitlab(&app).requests_to(Endpoint::Revoke).len(), 1);
}

const SERVICE_TOKEN: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c";

async fn gitlab_tokens_are_refreshed_for_the_internal_api(backend: Backend) {
    let app = spawn_app_with(
        backend,
        with_gitlab(vec![("INTERNAL_API_TOKENS", SERVICE_TOKEN.to_owned())]),
    )
    .await;
    assert_eq!(sign_in_with_gitlab(&app).await.status(), 302);
    let id = app.me_json().await["id"].to_string();
    let fetch = || async {
        let response = reqwest::Client::new()
            .get(app.url(&format!("/internal/users/{id}/provider-token")))
            .bearer_auth(SERVICE_TOKEN)
            .send()
            .await
            .expect("sent");
        let status = response.status().as_u16();
        let body: serde_json::Value = response.json().await.expect("JSON");
        (status, body)
    };
    let (status, first) = fetch().await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["provider"], "gitlab");
    let first_token = first["access_token"].as_str().expect("a token").to_owned();
    assert!(gitlab(&app).is_token_live(&first_token));

    // GitLab's tokens live two hours.
    app.clock.advance(2 * 3600);
    gitlab(&app).advance_clock(std::time::Duration::from_secs(2 * 3600));
    let (status, second) = fetch().await;
    assert_eq!(status, 200, "{second}");
    let second_token = second["access_token"].as_str().expect("a token");
    assert_ne!(second_token, first_token);
    assert!(gitlab(&app).is_token_live(second_token));
    assert!(!gitlab(&app).is_token_live(&first_token));
}

async fn gitlab_group_rules_admit_members_only(backend: Backend) {
    let rules = vec![(
        "ALLOWED_GITLAB_GROUPS",
        "tanuki-test-group/backend".to_owned(),
    )];
    let app = spawn_app_with(backend, with_gitlab(rules.clone())).await;
    assert_eq!(sign_in_with_gitlab(&app).await.status(), 302);
    // Listing groups needs `read_api`, so it is asked for when group rules are set.
    assert_eq!(
        app.me_json().await["granted_scopes"],
        serde_json::json!(["read_api", "read_user"])
    );

    let app = spawn_app_with(backend, with_gitlab(rules)).await;
    gitlab(&app).sign_in_as(Person::no_email());
    let refused = sign_in_with_gitlab(&app).await;
    assert_eq!(refused.status(), 403);
    let body: serde_json::Value = refused.json().await.expect("JSON");
    let detail = body["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("members of the GitLab groups tanuki-test-group/backend")
            && detail.contains("`quiet.person`"),
        "{detail}"
    );
    // GitLab hides no member from an app: GitHub's approval advice would mislead here.
    assert!(
        !detail.contains("organization") && !detail.contains("approves"),
        "{detail}"
    );
    assert!(app.session_cookie().is_none());
}
