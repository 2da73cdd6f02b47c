//! The authorization URL: what it carries, and that GitHub (the stand-in) accepts it.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use nectr_application::ports::{AuthorizationRequest, IdentityProvider};
use nectr_github::SCOPES;
use nectr_github_standin::Person;
use sha2::{Digest, Sha256};
use url::Url;

use crate::support::{
    CALLBACK, CLIENT_ID, TestResult, World, follow_authorize, param, state, verifier,
};

#[tokio::test]
async fn authorize_url_carries_client_callback_scopes_state_and_s256_challenge() -> TestResult {
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
        Some(format!("{}/login/oauth/authorize", world.github.web_url()).as_str())
    );
    assert_eq!(param(&url, "client_id").as_deref(), Some(CLIENT_ID));
    assert_eq!(param(&url, "redirect_uri").as_deref(), Some(CALLBACK));
    assert_eq!(
        param(&url, "scope").as_deref(),
        Some("repo read:user user:email read:org")
    );
    assert_eq!(param(&url, "state").as_deref(), Some(state.as_str()));
    let expected = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.expose().as_bytes()));
    assert_eq!(param(&url, "code_challenge"), Some(expected));
    assert_eq!(
        param(&url, "code_challenge_method").as_deref(),
        Some("S256")
    );
    let raw = url.query().ok_or("no query")?;
    assert!(
        !raw.contains(' ') && !raw.contains("read:user"),
        "scope is not url-encoded: {raw}"
    );
    assert!(
        !raw.contains(verifier.expose()),
        "the verifier itself must never be sent here"
    );
    Ok(())
}

#[tokio::test]
async fn github_accepts_the_authorize_url_and_records_the_request() -> TestResult {
    let world = World::start().await?;
    let verifier = verifier()?;

    world
        .code_from(&world.provider, Person::octocat(), Some(&verifier))
        .await?;

    let records = world.github.authorizations();
    assert_eq!(records.len(), 1);
    assert!(records[0].approved);
    assert_eq!(records[0].scopes, SCOPES.map(str::to_owned).to_vec());
    assert_eq!(records[0].redirect_uri.as_deref(), Some(CALLBACK));
    assert!(records[0].code_challenge.is_some());
    Ok(())
}

#[tokio::test]
async fn no_pkce_parameters_when_pkce_is_off() -> TestResult {
    let world = World::start().await?;
    let provider = world.provider_with(|c| c.pkce = false)?;
    let state = state()?;
    let verifier = verifier()?;
    assert!(!provider.uses_pkce());

    // Even a caller that passes a verifier gets no PKCE when it is turned off.
    for pkce_verifier in [None, Some(&verifier)] {
        let url = provider.authorization_url(&AuthorizationRequest {
            state: &state,
            pkce_verifier,
        });
        let url = Url::parse(&url)?;
        assert_eq!(param(&url, "code_challenge"), None);
        assert_eq!(param(&url, "code_challenge_method"), None);
        assert_eq!(param(&url, "state").as_deref(), Some(state.as_str()));
    }
    Ok(())
}

#[tokio::test]
async fn sign_in_without_pkce_works_end_to_end() -> TestResult {
    let world = World::start().await?;
    let provider = world.provider_with(|c| c.pkce = false)?;

    let code = world.code_from(&provider, Person::octocat(), None).await?;
    let token = provider.exchange_code(&code, None).await?.access_token;

    assert!(world.github.is_token_live(token.expose()));
    let sent = world
        .github
        .requests_to(nectr_github_standin::Endpoint::AccessToken);
    assert_eq!(sent[0].form_param("code_verifier"), None);
    Ok(())
}

#[tokio::test]
async fn names_and_pkce_default() -> TestResult {
    let world = World::start().await?;
    assert_eq!(world.provider.display_name(), "GitHub");
    assert!(world.provider.uses_pkce());
    // The browser step works with the default provider too.
    let state = state()?;
    let url = world.provider.authorization_url(&AuthorizationRequest {
        state: &state,
        pkce_verifier: None,
    });
    let back = follow_authorize(&url).await?;
    assert!(back.as_str().starts_with(CALLBACK));
    Ok(())
}
