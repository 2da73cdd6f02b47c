//! `GET /auth/github` and the happy path through the callback.

use nectr_auth_tests::{Backend, location, set_cookies, spawn_app};
use nectr_github_standin::{Endpoint, Person};

on_both_databases!(
    start_redirects_to_github_with_every_parameter,
    start_sets_an_httponly_binding_cookie,
    whole_flow_signs_in_and_lands_on_the_dashboard,
    session_cookie_has_the_development_attributes,
    user_with_private_email_gets_the_primary_verified_one,
    github_ids_above_two_to_the_31_work,
    unicode_names_round_trip,
    signing_in_again_updates_the_same_user,
    what_we_send_to_github_follows_its_documentation,
    pkce_can_be_turned_off,
);

async fn start_redirects_to_github_with_every_parameter(backend: Backend) {
    let app = spawn_app(backend).await;
    let authorize = url::Url::parse(&app.start_sign_in().await).expect("URL");
    assert_eq!(
        authorize.as_str().split('?').next(),
        Some(format!("{}/login/oauth/authorize", app.github.web_url()).as_str())
    );
    let q = |name: &str| {
        authorize
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    assert_eq!(q("client_id").as_deref(), Some("Iv1.0123456789abcdef"));
    assert_eq!(q("redirect_uri"), Some(app.url("/auth/github/callback")));
    assert_eq!(
        q("scope").as_deref(),
        Some("repo read:user user:email read:org")
    );
    assert_eq!(q("code_challenge_method").as_deref(), Some("S256"));
    assert_eq!(q("code_challenge").map(|c| c.len()), Some(43));
    let state = q("state").expect("state");
    assert_eq!(state.len(), 43, "256 random bits");
    assert_eq!(app.count("oauth_states").await, 1);
}

async fn start_sets_an_httponly_binding_cookie(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app.get("/auth/github").await;
    let cookies = set_cookies(response.headers());
    let binding = cookies
        .iter()
        .find(|c| c.starts_with("nectr_oauth_binding="))
        .expect("binding cookie");
    for attribute in [
        "HttpOnly",
        "SameSite=Lax",
        "Path=/auth/github",
        "Max-Age=600",
    ] {
        assert!(binding.contains(attribute), "{binding} lacks {attribute}");
    }
    assert!(!binding.contains("Secure"), "plain http in development");
}

async fn whole_flow_signs_in_and_lands_on_the_dashboard(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app.sign_in().await;
    assert_eq!(response.status(), 302);
    assert_eq!(location(&response), "http://localhost:3000/dashboard");
    assert_eq!(
        response
            .headers()
            .get("referrer-policy")
            .map(|v| v.to_str().ok()),
        Some(Some("no-referrer"))
    );
    let me = app.me_json().await;
    let octocat = Person::octocat();
    assert_eq!(me["github_username"].as_str(), Some(octocat.login.as_str()));
    assert_eq!(me["github_id"].as_i64(), Some(octocat.id));
    assert_eq!(me["name"].as_str(), octocat.name.as_deref());
    assert_eq!(me["email"].as_str(), octocat.public_email.as_deref());
    assert!(me["id"].as_i64().is_some_and(|id| id > 0));
    assert!(
        me["avatar_url"]
            .as_str()
            .is_some_and(|u| u.starts_with("http"))
    );
    let created = me["created_at"].as_str().expect("created_at");
    assert!(created.ends_with('Z') && created.contains('T'), "{created}");
    // The SPEC's seven fields, then what the provider said: who, and the scopes granted.
    let fields: std::collections::BTreeSet<&str> = me
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    assert_eq!(
        fields,
        std::collections::BTreeSet::from([
            "id",
            "github_id",
            "github_username",
            "name",
            "email",
            "avatar_url",
            "created_at",
            "provider",
            "provider_user_id",
            "username",
            "granted_scopes",
            "missing_scopes",
        ]),
        "{me}"
    );
    assert_eq!(app.count("oauth_states").await, 0, "the state was consumed");
    assert_eq!(app.count("sessions").await, 1);
}

async fn session_cookie_has_the_development_attributes(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app.sign_in().await;
    let cookies = set_cookies(response.headers());
    let session = cookies
        .iter()
        .find(|c| c.starts_with("access_token="))
        .expect("session cookie");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=86400"] {
        assert!(session.contains(attribute), "{session} lacks {attribute}");
    }
    assert!(!session.contains("Secure"));
    let jwt = app.session_cookie().expect("cookie kept");
    assert_eq!(jwt.split('.').count(), 3, "a JWT");
}

async fn user_with_private_email_gets_the_primary_verified_one(backend: Backend) {
    let app = spawn_app(backend).await;
    let person = Person::private_email();
    let expected = person
        .emails
        .iter()
        .find(|e| e.primary && e.verified)
        .map(|e| e.email.clone())
        .expect("a primary verified email");
    app.github.sign_in_as(person);
    let me = app.signed_in().await;
    assert_eq!(me["email"], expected.as_str());
    assert_eq!(app.github.requests_to(Endpoint::UserEmails).len(), 1);
}

async fn github_ids_above_two_to_the_31_work(backend: Backend) {
    let app = spawn_app(backend).await;
    let person = Person::big_id();
    assert!(person.id > i64::from(i32::MAX));
    app.github.sign_in_as(person.clone());
    let me = app.signed_in().await;
    assert_eq!(me["github_id"].as_i64(), Some(person.id));
}

async fn unicode_names_round_trip(backend: Backend) {
    let app = spawn_app(backend).await;
    let person = Person::unicode_name();
    app.github.sign_in_as(person.clone());
    let me = app.signed_in().await;
    assert_eq!(me["name"].as_str(), person.name.as_deref());
}

async fn signing_in_again_updates_the_same_user(backend: Backend) {
    let app = spawn_app(backend).await;
    let first = app.signed_in().await;
    let mut renamed = Person::octocat();
    renamed.login = "octocat-renamed".into();
    app.github.sign_in_as(renamed);
    let second = app.signed_in().await;
    assert_eq!(first["id"], second["id"]);
    assert_eq!(first["created_at"], second["created_at"]);
    assert_eq!(second["github_username"], "octocat-renamed");
    assert_eq!(app.count("users").await, 1);
    assert_eq!(
        app.count("sessions").await,
        1,
        "the browser's previous session was revoked"
    );
}

async fn what_we_send_to_github_follows_its_documentation(backend: Backend) {
    let app = spawn_app(backend).await;
    app.github.sign_in_as(Person::private_email());
    app.signed_in().await;
    let authorize = app.github.requests_to(Endpoint::Authorize);
    let exchange = app.github.requests_to(Endpoint::AccessToken);
    assert_eq!((authorize.len(), exchange.len()), (1, 1));
    let exchange = &exchange[0];
    assert!(
        exchange
            .header("accept")
            .is_some_and(|a| a.contains("application/json"))
    );
    assert!(exchange.header("user-agent").is_some());
    assert_eq!(
        exchange.form_param("redirect_uri"),
        authorize[0].query_param("redirect_uri").map(str::to_owned),
        "the same redirect_uri at authorize and exchange"
    );
    assert!(exchange.form_param("code_verifier").is_some());
    assert_eq!(
        exchange.form_param("client_secret").as_deref(),
        Some(nectr_auth_tests::CLIENT_SECRET)
    );
    // Every REST call, including the email look-up and the grant deletion of a reconnect.
    assert_eq!(app.get("/auth/github/reconnect").await.status(), 302);
    let rest: Vec<_> = app
        .github
        .requests()
        .into_iter()
        .filter(|r| r.path.contains("/api/v3/"))
        .collect();
    let endpoints: Vec<_> = rest.iter().filter_map(|r| r.endpoint).collect();
    for expected in [Endpoint::User, Endpoint::UserEmails, Endpoint::DeleteGrant] {
        assert!(
            endpoints.contains(&expected),
            "{expected:?} in {endpoints:?}"
        );
    }
    for request in &rest {
        assert!(request.header("user-agent").is_some(), "{}", request.path);
        assert_eq!(
            request.header("accept"),
            Some("application/vnd.github+json"),
            "{}",
            request.path
        );
        assert_eq!(
            request.header("x-github-api-version"),
            Some("2022-11-28"),
            "{}",
            request.path
        );
    }
}

async fn pkce_can_be_turned_off(backend: Backend) {
    let app = nectr_auth_tests::spawn_app_with(
        backend,
        nectr_auth_tests::TestOptions {
            vars: vec![("GITHUB_PKCE", "false".into())],
            ..Default::default()
        },
    )
    .await;
    let authorize = app.start_sign_in().await;
    assert!(!authorize.contains("code_challenge"), "{authorize}");
    let callback = app.authorize(&authorize).await;
    assert_eq!(app.follow(&callback).await.status(), 302);
    let exchange = app.github.requests_to(Endpoint::AccessToken);
    assert_eq!(exchange[0].form_param("code_verifier"), None);
}
