//! The operator's sign-in rules (`ALLOWED_GITHUB_USERS`, `_ORGS`, `_TEAMS`): who gets in,
//! and what a refused person is told.

use nectr_auth_tests::{Backend, CLIENT_ID, TestApp, TestOptions, spawn_app_with};

on_both_databases!(
    a_listed_user_gets_in,
    a_member_of_an_allowed_organization_gets_in,
    a_member_of_an_allowed_team_gets_in,
    a_person_outside_every_rule_is_refused_with_the_rules_named,
    a_hidden_membership_is_refused_with_the_link_to_request_access,
);

async fn app_with(backend: Backend, rules: &[(&'static str, &str)]) -> TestApp {
    spawn_app_with(
        backend,
        TestOptions {
            vars: rules.iter().map(|(k, v)| (*k, (*v).to_owned())).collect(),
            ..TestOptions::default()
        },
    )
    .await
}

async fn a_listed_user_gets_in(backend: Backend) {
    let app = app_with(backend, &[("ALLOWED_GITHUB_USERS", "someone, OctoCat")]).await;
    assert_eq!(app.signed_in().await["username"], "octocat");
}

async fn a_member_of_an_allowed_organization_gets_in(backend: Backend) {
    let app = app_with(backend, &[("ALLOWED_GITHUB_ORGS", "other-org,octo-org")]).await;
    assert_eq!(app.signed_in().await["username"], "octocat");
}

async fn a_member_of_an_allowed_team_gets_in(backend: Backend) {
    let app = app_with(
        backend,
        &[
            ("ALLOWED_GITHUB_ORGS", "other-org"),
            ("ALLOWED_GITHUB_TEAMS", "octo-org/developers"),
        ],
    )
    .await;
    assert_eq!(app.signed_in().await["username"], "octocat");
}

/// A refusal: 403, no session cookie, the detail, and the GitHub token is no longer live.
async fn refused(app: &TestApp) -> String {
    let response = app.sign_in().await;
    let status = response.status();
    let body: serde_json::Value = response.json().await.expect("JSON");
    assert_eq!(status, 403, "{body}");
    assert!(app.session_cookie().is_none(), "no session");
    assert_eq!(app.get("/auth/me").await.status(), 401);
    let issued = app.github.issued_tokens();
    assert!(
        issued.iter().all(|t| !app.github.is_token_live(t)),
        "the refused person's token is revoked"
    );
    body["detail"].as_str().unwrap_or_default().to_owned()
}

async fn a_person_outside_every_rule_is_refused_with_the_rules_named(backend: Backend) {
    let app = app_with(
        backend,
        &[
            ("ALLOWED_GITHUB_USERS", "alice"),
            ("ALLOWED_GITHUB_ORGS", "acme"),
            ("ALLOWED_GITHUB_TEAMS", "octo-org/admins"),
        ],
    )
    .await;
    let detail = refused(&app).await;
    for part in ["alice", "acme", "octo-org/admins", "`octocat`"] {
        assert!(detail.contains(part), "{part} missing from {detail}");
    }
}

async fn a_hidden_membership_is_refused_with_the_link_to_request_access(backend: Backend) {
    let app = app_with(backend, &[("ALLOWED_GITHUB_ORGS", "octo-org")]).await;
    app.github.restrict_org_access("octo-org");
    let detail = refused(&app).await;
    let link = format!(
        "{}/settings/connections/applications/{CLIENT_ID}",
        app.github.web_url()
    );
    assert!(detail.contains(&link), "{detail}");
    // Once the organization approves the app, the same person gets in.
    app.github.approve_org_access("octo-org", CLIENT_ID);
    assert_eq!(app.signed_in().await["username"], "octocat");
}
