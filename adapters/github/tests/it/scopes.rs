//! Scopes: what is requested, what the exchange and the profile say was granted, and GitHub's
//! hierarchy of scopes.

use nectr_application::ports::{AuthorizationRequest, IdentityProvider};
use nectr_domain::Scopes;
use nectr_github::SCOPES;
use nectr_github_standin::Person;

use crate::support::{CLIENT_ID, TestResult, World, canned_server, granting, param, state};

#[tokio::test]
async fn the_requested_scopes_are_the_ones_authorize_asks_for() -> TestResult {
    let world = World::start().await?;
    let state = state()?;
    let url = world.provider.authorization_url(&AuthorizationRequest {
        state: &state,
        pkce_verifier: None,
    });

    let asked = param(&url::Url::parse(&url)?, "scope").ok_or("no scope")?;

    assert_eq!(Scopes::parse(&asked)?, world.provider.requested_scopes());
    assert_eq!(world.provider.requested_scopes(), Scopes::of(SCOPES));
    Ok(())
}

#[tokio::test]
async fn the_exchange_and_the_profile_report_every_scope_granted() -> TestResult {
    let world = World::start().await?;

    let grant = world.sign_in_grant(Person::octocat()).await?;
    let profile = world.provider.fetch_profile(&grant.access_token).await?;

    assert_eq!(grant.scopes.as_ref(), Some(&Scopes::of(SCOPES)));
    assert_eq!(profile.granted_scopes(), Some(&Scopes::of(SCOPES)));
    Ok(())
}

#[tokio::test]
async fn a_person_granting_less_shows_in_the_exchange_and_the_profile() -> TestResult {
    let world = World::start().await?;
    let person = granting(&["read:user", "user:email"]);

    let grant = world.sign_in_grant(person).await?;
    let profile = world.provider.fetch_profile(&grant.access_token).await?;

    let narrower = Scopes::of(["read:user", "user:email"]);
    assert_eq!(grant.scopes.as_ref(), Some(&narrower));
    assert_eq!(profile.granted_scopes(), Some(&narrower));
    let granted = profile.granted_scopes().ok_or("no scopes")?;
    assert!(!world.provider.covers(granted, "read:org"));
    assert!(world.provider.covers(granted, "read:user"));
    Ok(())
}

#[tokio::test]
async fn a_token_granted_nothing_reports_an_empty_set_not_an_unknown_one() -> TestResult {
    let world = World::start().await?;

    let grant = world.sign_in_grant(granting(&[])).await?;
    let profile = world.provider.fetch_profile(&grant.access_token).await?;

    assert_eq!(grant.scopes, Some(Scopes::default()));
    assert_eq!(profile.granted_scopes(), Some(&Scopes::default()));
    Ok(())
}

#[tokio::test]
async fn a_profile_answer_without_the_scopes_header_has_no_scopes() -> TestResult {
    let world = World::start().await?;
    let body =
        r#"{"id":7,"login":"someone","name":null,"email":"someone@example.com","avatar_url":null}"#;
    let server = canned_server(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json",
        body.as_bytes().to_vec(),
    )?;
    let provider = world.provider_with(|c| c.api_url = server)?;

    let profile = provider
        .fetch_profile(&nectr_domain::AccessToken::new("gho_canned".into())?)
        .await?;

    assert_eq!(profile.username(), "someone");
    assert_eq!(profile.granted_scopes(), None);
    Ok(())
}

#[tokio::test]
async fn covers_follows_githubs_scope_hierarchy() -> TestResult {
    let world = World::start().await?;
    let provider = &world.provider;
    let granted = |text: &str| Scopes::parse(text);

    assert!(provider.covers(&granted("user")?, "read:user"));
    assert!(provider.covers(&granted("user")?, "user:email"));
    assert!(provider.covers(&granted("admin:org")?, "read:org"));
    assert!(provider.covers(&granted("write:org")?, "read:org"));
    assert!(provider.covers(&granted("repo")?, "repo:status"));
    assert!(provider.covers(&granted("repo")?, "public_repo"));
    assert!(provider.covers(&granted("read:org")?, "read:org"));
    assert!(!provider.covers(&granted("read:org")?, "admin:org"));
    assert!(!provider.covers(&granted("read:user")?, "user"));
    assert!(!provider.covers(&granted("repo, user")?, "read:org"));
    Ok(())
}

#[tokio::test]
async fn the_provider_is_github_with_its_access_settings_page() -> TestResult {
    let world = World::start().await?;

    assert_eq!(world.provider.id().as_str(), "github");
    assert_eq!(world.provider.display_name(), "GitHub");
    assert_eq!(
        world.provider.access_settings_url(),
        Some(format!(
            "{}/settings/connections/applications/{CLIENT_ID}",
            world.github.web_url()
        ))
    );
    Ok(())
}
