//! What `/auth/me` and `/auth/me/organizations` tell the frontend about the person's grant:
//! scopes granted and missing, organizations visible, and where to grant more.

use nectr_auth_tests::{Backend, CLIENT_ID, TestApp, spawn_app};
use nectr_github_standin::Person;

on_both_databases!(
    me_shows_the_granted_scopes_and_none_missing,
    me_shows_the_scopes_a_person_withheld,
    organizations_lists_what_the_token_sees_and_links_to_grant_more,
    organizations_needs_a_session,
);

async fn me_shows_the_granted_scopes_and_none_missing(backend: Backend) {
    let app = spawn_app(backend).await;
    let me = app.signed_in().await;
    assert_eq!(me["provider"], "github");
    assert_eq!(me["provider_user_id"], "583231");
    assert_eq!(me["username"], "octocat");
    assert_eq!(me["github_id"], 583_231);
    assert_eq!(me["github_username"], "octocat");
    assert_eq!(
        me["granted_scopes"],
        serde_json::json!(["read:org", "read:user", "repo", "user:email"])
    );
    assert_eq!(me["missing_scopes"], serde_json::json!([]));
}

async fn me_shows_the_scopes_a_person_withheld(backend: Backend) {
    let app = spawn_app(backend).await;
    app.github.sign_in_as(Person {
        grants_scopes: Some(vec!["repo".into(), "read:user".into()]),
        ..Person::octocat()
    });
    let me = app.signed_in().await;
    assert_eq!(
        me["granted_scopes"],
        serde_json::json!(["read:user", "repo"])
    );
    assert_eq!(
        me["missing_scopes"],
        serde_json::json!(["read:org", "user:email"])
    );
}

async fn organizations(app: &TestApp) -> (u16, serde_json::Value) {
    let response = app.get("/auth/me/organizations").await;
    let status = response.status().as_u16();
    (status, response.json().await.expect("JSON"))
}

async fn organizations_lists_what_the_token_sees_and_links_to_grant_more(backend: Backend) {
    let app = spawn_app(backend).await;
    app.github.sign_in_as(Person {
        orgs: vec!["octo-org".into(), "locked-org".into()],
        ..Person::octocat()
    });
    // An organization with OAuth App access restrictions hides itself from the app.
    app.github.restrict_org_access("locked-org");
    app.signed_in().await;

    let (status, body) = organizations(&app).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["provider"], "github");
    let logins: Vec<&str> = body["organizations"]
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|o| o["login"].as_str())
        .collect();
    assert_eq!(logins, ["octo-org"]);
    assert_eq!(
        body["settings_url"].as_str(),
        Some(
            format!(
                "{}/settings/connections/applications/{CLIENT_ID}",
                app.github.web_url()
            )
            .as_str()
        )
    );
    assert_eq!(
        body["reconnect_url"].as_str(),
        Some(app.url("/auth/github/reconnect").as_str())
    );

    // Once an owner approves the app, the organization shows.
    app.github.approve_org_access("locked-org", CLIENT_ID);
    let (_, body) = organizations(&app).await;
    assert_eq!(body["organizations"].as_array().map(Vec::len), Some(2));
}

async fn organizations_needs_a_session(backend: Backend) {
    let app = spawn_app(backend).await;
    let (status, body) = organizations(&app).await;
    assert_eq!(
        (status, body["detail"].as_str()),
        (401, Some("Not authenticated"))
    );
}
