//! The authorization URL: what it carries, and that GitLab (the stand-in) accepts it.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use nectr_application::ports::{AuthorizationRequest, IdentityProvider};
use nectr_domain::Scopes;
use nectr_gitlab_standin::{OAuthApp, Person};
use sha2::{Digest, Sha256};
use url::Url;

use crate::support::{
    CALLBACK, CLIENT_ID, SECRET, TestResult, World, follow_authorize, param, state, verifier,
};

#[tokio::test]
async fn authorize_url_carries_code_client_callback_scope_state_and_s256_challenge() -> TestResult {
    let world = World::start().await?;
    let state = state()?;
    let verifier = verifier()?;

    let url = world.provider.authorization_url(&AuthorizationRequest {
        state: &state,
        pkce_verifier: Some(&verifier),
    });

    let url = Url::parse(&url)?;
    assert_eq!(
        url.as_str().split('?').next(),
        Some(format!("{}/oauth/authorize", world.gitlab.web_url()).as_str())
    );
    assert_eq!(param(&url, "response_type").as_deref(), Some("code"));
    assert_eq!(param(&url, "client_id").as_deref(), Some(CLIENT_ID));
    assert_eq!(param(&url, "redirect_uri").as_deref(), Some(CALLBACK));
    assert_eq!(param(&url, "scope").as_deref(), Some("read_user"));
    assert_eq!(param(&url, "state").as_deref(), Some(state.as_str()));
    let expected = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.expose().as_bytes()));
    assert_eq!(param(&url, "code_challenge"), Some(expected));
    assert_eq!(
        param(&url, "code_challenge_method").as_deref(),
        Some("S256")
    );
    let raw = url.query().ok_or("no query")?;
    assert!(
        !raw.contains(verifier.expose()),
        "the verifier itself must never be sent here"
    );
    assert!(!raw.contains(SECRET), "the secret must never be sent here");
    Ok(())
}

#[tokio::test]
async fn reading_groups_adds_read_api_space_separated() -> TestResult {
    let world = World::start().await?;
    let reader = world.group_reader()?;
    let state = state()?;

    let url = Url::parse(&reader.authorization_url(&AuthorizationRequest {
        state: &state,
        pkce_verifier: Some(&verifier()?),
    }))?;

    assert_eq!(param(&url, "scope").as_deref(), Some("read_user read_api"));
    assert_eq!(
        reader.requested_scopes(),
        Scopes::of(["read_user", "read_api"])
    );
    assert_eq!(world.provider.requested_scopes(), Scopes::of(["read_user"]));
    Ok(())
}

#[tokio::test]
async fn gitlab_accepts_the_authorize_url_and_records_the_request() -> TestResult {
    let world = World::start().await?;
    let verifier = verifier()?;

    world
        .code_from(&world.provider, Person::tanuki(), Some(&verifier))
        .await?;
    world
        .code_from(&world.group_reader()?, Person::tanuki(), Some(&verifier))
        .await?;

    let records = world.gitlab.authorizations();
    assert_eq!(records.len(), 2);
    assert!(records.iter().all(|r| r.approved));
    assert_eq!(records[0].scopes, ["read_user"]);
    assert_eq!(records[1].scopes, ["read_user", "read_api"]);
    assert_eq!(records[0].redirect_uri, CALLBACK);
    assert_eq!(records[0].code_challenge_method.as_deref(), Some("S256"));
    assert!(records[0].code_challenge.is_some());
    Ok(())
}

#[tokio::test]
async fn an_application_with_only_read_user_ticked_is_enough_for_sign_in() -> TestResult {
    let world =
        World::start_with(OAuthApp::new(CLIENT_ID, SECRET, CALLBACK).with_scopes("read_user"))
            .await?;

    let grant = world.sign_in(Person::tanuki()).await?;
    let profile = world.provider.fetch_profile(&grant.access_token).await?;

    assert_eq!(profile.username(), "tanuki");
    Ok(())
}

#[tokio::test]
async fn names_pkce_and_the_access_settings_page() -> TestResult {
    let world = World::start().await?;
    let provider = &world.provider;
    assert_eq!(provider.id().as_str(), "gitlab");
    assert_eq!(provider.display_name(), "GitLab");
    assert!(provider.uses_pkce());
    assert_eq!(
        provider.access_settings_url(),
        Some(format!(
            "{}/-/user_settings/applications",
            world.gitlab.web_url()
        ))
    );
    // The browser step works without a verifier too (GitLab then asks for none).
    let state = state()?;
    let url = provider.authorization_url(&AuthorizationRequest {
        state: &state,
        pkce_verifier: None,
    });
    assert_eq!(param(&Url::parse(&url)?, "code_challenge"), None);
    let back = follow_authorize(&url).await?;
    assert!(back.as_str().starts_with(CALLBACK));
    Ok(())
}

#[tokio::test]
async fn broader_scopes_cover_the_requested_ones() -> TestResult {
    let world = World::start().await?;
    let provider = world.group_reader()?;
    for granted in ["read_user read_api", "api", "read_api"] {
        let granted = Scopes::parse(granted)?;
        assert!(provider.covers(&granted, "read_user"), "{granted:?}");
        assert!(provider.covers(&granted, "read_api"), "{granted:?}");
    }
    assert!(!provider.covers(&Scopes::parse("read_user")?, "read_api"));
    assert!(!provider.covers(&Scopes::parse("openid profile email")?, "read_user"));
    Ok(())
}
