//! Revoking one token, and tokens revoked at GitHub without the service being told.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use nectr_application::ports::{IdentityProvider, ProviderError};
use nectr_github_standin::{Endpoint, Fault, Person};
use secrecy::SecretString;

use crate::support::{CLIENT_ID, SECRET, TestResult, World};

#[tokio::test]
async fn revoke_token_kills_that_token_and_keeps_the_grant() -> TestResult {
    let world = World::start().await?;
    let token = world.sign_in(Person::octocat()).await?;
    let other = world.sign_in(Person::octocat()).await?;

    world.provider.revoke_token(&token).await?;

    assert!(!world.github.is_token_live(token.expose()));
    assert!(world.github.is_token_live(other.expose()));
    assert!(world.github.grant_exists(CLIENT_ID, 583_231));
    let sent = world.github.requests_to(Endpoint::DeleteToken);
    assert_eq!(sent.len(), 1);
    let sent = &sent[0];
    assert_eq!(sent.method, "DELETE");
    assert_eq!(sent.path, format!("/api/v3/applications/{CLIENT_ID}/token"));
    let basic = format!("Basic {}", STANDARD.encode(format!("{CLIENT_ID}:{SECRET}")));
    assert_eq!(sent.header("authorization"), Some(basic.as_str()));
    assert_eq!(sent.header("accept"), Some("application/vnd.github+json"));
    assert_eq!(sent.header("x-github-api-version"), Some("2022-11-28"));
    let body: serde_json::Value = serde_json::from_str(&sent.body)?;
    assert_eq!(body, serde_json::json!({ "access_token": token.expose() }));
    Ok(())
}

#[tokio::test]
async fn a_revoked_token_then_fetches_no_profile() -> TestResult {
    let world = World::start().await?;
    let token = world.sign_in(Person::octocat()).await?;
    world.provider.revoke_token(&token).await?;

    let profile = world.provider.fetch_profile(&token).await;

    let Err(ProviderError::TokenRejected(message)) = profile else {
        return Err(format!("expected TokenRejected, got {profile:?}").into());
    };
    assert!(message.contains("sign in with GitHub again"), "{message}");
    Ok(())
}

#[tokio::test]
async fn revoking_a_dead_token_again_is_token_rejected() -> TestResult {
    let world = World::start().await?;
    let token = world.sign_in(Person::octocat()).await?;
    world.provider.revoke_token(&token).await?;

    let again = world.provider.revoke_token(&token).await;

    let Err(ProviderError::TokenRejected(message)) = again else {
        return Err(format!("expected TokenRejected, got {again:?}").into());
    };
    assert!(message.contains("revoking the token"), "{message}");
    assert!(message.contains("already revoked or expired"), "{message}");
    Ok(())
}

#[tokio::test]
async fn wrong_client_credentials_are_told_from_an_unknown_token() -> TestResult {
    // GitHub answers 404 for wrong credentials as for an unknown token; the token, which still
    // works, tells them apart.
    let world = World::start().await?;
    let token = world.sign_in(Person::octocat()).await?;
    let wrong = world.provider_with(|c| c.client_secret = SecretString::from("wrong"))?;

    let result = wrong.revoke_token(&token).await;

    let Err(ProviderError::Misconfigured(message)) = result else {
        return Err(format!("expected Misconfigured, got {result:?}").into());
    };
    assert!(message.contains("GITHUB_CLIENT_SECRET"), "{message}");
    assert!(
        !message.contains("wrong") && !message.contains(token.expose()),
        "{message}"
    );
    assert!(world.github.is_token_live(token.expose()));
    Ok(())
}

#[tokio::test]
async fn a_token_revoked_at_github_behind_our_back_is_token_rejected() -> TestResult {
    let world = World::start().await?;
    let token = world.sign_in(Person::octocat()).await?;
    world.github.revoke_token(token.expose());

    let profile = world.provider.fetch_profile(&token).await;

    assert!(
        matches!(profile, Err(ProviderError::TokenRejected(_))),
        "{profile:?}"
    );
    Ok(())
}

#[tokio::test]
async fn an_app_revoked_in_githubs_settings_leaves_no_live_token() -> TestResult {
    let world = World::start().await?;
    let first = world.sign_in(Person::octocat()).await?;
    let second = world.sign_in(Person::octocat()).await?;
    world.github.revoke_app_access(CLIENT_ID, 583_231);

    for token in [&first, &second] {
        let orgs = world.provider.organizations(token).await;
        assert!(
            matches!(orgs, Err(ProviderError::TokenRejected(_))),
            "{orgs:?}"
        );
    }
    assert!(!world.github.grant_exists(CLIENT_ID, 583_231));
    Ok(())
}

#[tokio::test]
async fn a_page_instead_of_githubs_204_is_not_a_revocation() -> TestResult {
    let world = World::start().await?;
    let token = world.sign_in(Person::octocat()).await?;
    world
        .github
        .set_fault(Endpoint::DeleteToken, Fault::Garbage);
    world
        .github
        .set_fault(Endpoint::DeleteGrant, Fault::Garbage);

    let token_result = world.provider.revoke_token(&token).await;
    let grant_result = world.provider.revoke_grant(&token).await;

    for result in [token_result, grant_result] {
        assert!(
            matches!(&result, Err(ProviderError::BadResponse(m)) if m.contains("200")),
            "{result:?}"
        );
    }
    assert!(world.github.is_token_live(token.expose()));
    Ok(())
}
