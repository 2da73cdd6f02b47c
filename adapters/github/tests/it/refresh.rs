//! Expiring tokens: what the exchange reports, and the refresh that rotates both tokens.

use std::time::Duration;

use nectr_application::ports::{IdentityProvider, ProviderError};
use nectr_domain::RefreshToken;
use nectr_github::SCOPES;
use nectr_github_standin::{Endpoint, Person};
use secrecy::SecretString;

use crate::support::{CLIENT_ID, SECRET, TestResult, World};

/// GitHub's lifetimes for expiring tokens: 8 hours and 6 months.
const ACCESS_LIFETIME: u64 = 28_800;
const REFRESH_LIFETIME: u64 = 15_897_600;

#[tokio::test]
async fn an_expiring_app_gets_lifetimes_a_refresh_token_and_the_scopes() -> TestResult {
    let world = World::start_expiring().await?;

    let grant = world.sign_in_grant(Person::octocat()).await?;

    assert_eq!(grant.expires_in, Some(ACCESS_LIFETIME));
    assert_eq!(grant.refresh_token_expires_in, Some(REFRESH_LIFETIME));
    let refresh = grant.refresh_token.ok_or("no refresh token")?;
    assert!(refresh.expose().starts_with("ghr_"));
    let scopes = grant.scopes.ok_or("no scopes")?;
    assert_eq!(scopes.iter().collect::<Vec<_>>().len(), SCOPES.len());
    assert!(SCOPES.iter().all(|s| scopes.contains(s)), "{scopes:?}");
    Ok(())
}

#[tokio::test]
async fn a_classic_app_gets_a_lasting_token_and_no_refresh_token() -> TestResult {
    let world = World::start().await?;

    let grant = world.sign_in_grant(Person::octocat()).await?;

    assert_eq!(grant.expires_in, None);
    assert!(grant.refresh_token.is_none());
    assert_eq!(grant.refresh_token_expires_in, None);
    assert!(grant.scopes.is_some_and(|s| s.contains("read:org")));
    Ok(())
}

#[tokio::test]
async fn refresh_rotates_both_tokens_and_the_old_refresh_token_is_refused() -> TestResult {
    let world = World::start_expiring().await?;
    let first = world.sign_in_grant(Person::octocat()).await?;
    let old_refresh = first.refresh_token.ok_or("no refresh token")?;

    let second = world.provider.refresh(&old_refresh).await?;

    let new_refresh = second.refresh_token.ok_or("no new refresh token")?;
    assert_ne!(new_refresh.expose(), old_refresh.expose());
    assert_ne!(second.access_token.expose(), first.access_token.expose());
    assert_eq!(second.expires_in, Some(ACCESS_LIFETIME));
    assert!(second.scopes.is_some_and(|s| s.contains("repo")));
    assert!(world.github.is_token_live(second.access_token.expose()));
    assert!(!world.github.is_token_live(first.access_token.expose()));
    let profile = world.provider.fetch_profile(&second.access_token).await?;
    assert_eq!(profile.username(), "octocat");

    let again = world.provider.refresh(&old_refresh).await;

    let Err(ProviderError::TokenRejected(message)) = again else {
        return Err(format!("expected TokenRejected, got {again:?}").into());
    };
    assert!(message.contains("sign in with GitHub again"), "{message}");
    // The newest pair is untouched by the refused attempt.
    world.provider.refresh(&new_refresh).await?;
    Ok(())
}

#[tokio::test]
async fn refresh_sends_the_refresh_grant_with_the_client_credentials() -> TestResult {
    let world = World::start_expiring().await?;
    let grant = world.sign_in_grant(Person::octocat()).await?;
    let refresh = grant.refresh_token.ok_or("no refresh token")?;

    world.provider.refresh(&refresh).await?;

    let sent = world.github.requests_to(Endpoint::AccessToken);
    assert_eq!(sent.len(), 2, "the exchange, then the refresh");
    let sent = &sent[1];
    assert_eq!(sent.method, "POST");
    assert_eq!(sent.header("accept"), Some("application/json"));
    assert_eq!(
        sent.form_param("grant_type").as_deref(),
        Some("refresh_token")
    );
    assert_eq!(
        sent.form_param("refresh_token").as_deref(),
        Some(refresh.expose())
    );
    assert_eq!(sent.form_param("client_id").as_deref(), Some(CLIENT_ID));
    assert_eq!(sent.form_param("client_secret").as_deref(), Some(SECRET));
    assert_eq!(sent.form_param("code"), None);
    assert!(sent.query.is_empty(), "nothing secret in the URL");
    Ok(())
}

#[tokio::test]
async fn an_access_token_past_eight_hours_is_rejected_and_a_refresh_revives_access() -> TestResult {
    let world = World::start_expiring().await?;
    let grant = world.sign_in_grant(Person::octocat()).await?;
    world
        .github
        .advance_clock(Duration::from_secs(ACCESS_LIFETIME + 1));

    let expired = world.provider.fetch_profile(&grant.access_token).await;

    assert!(
        matches!(expired, Err(ProviderError::TokenRejected(_))),
        "{expired:?}"
    );
    let refresh = grant.refresh_token.ok_or("no refresh token")?;
    let fresh = world.provider.refresh(&refresh).await?;
    world.provider.fetch_profile(&fresh.access_token).await?;
    Ok(())
}

#[tokio::test]
async fn an_expired_refresh_token_is_token_rejected() -> TestResult {
    let world = World::start_expiring().await?;
    let grant = world.sign_in_grant(Person::octocat()).await?;
    world
        .github
        .advance_clock(Duration::from_secs(REFRESH_LIFETIME + 1));

    let result = world
        .provider
        .refresh(&grant.refresh_token.ok_or("no refresh token")?)
        .await;

    assert!(
        matches!(result, Err(ProviderError::TokenRejected(_))),
        "{result:?}"
    );
    Ok(())
}

#[tokio::test]
async fn a_refresh_token_dies_with_the_apps_access() -> TestResult {
    let world = World::start_expiring().await?;
    let grant = world.sign_in_grant(Person::octocat()).await?;
    // The person revokes the app in their GitHub settings.
    world.github.revoke_app_access(CLIENT_ID, 583_231);

    let result = world
        .provider
        .refresh(&grant.refresh_token.ok_or("no refresh token")?)
        .await;

    assert!(
        matches!(result, Err(ProviderError::TokenRejected(_))),
        "{result:?}"
    );
    Ok(())
}

#[tokio::test]
async fn an_unknown_refresh_token_is_token_rejected() -> TestResult {
    let world = World::start().await?;

    let result = world
        .provider
        .refresh(&RefreshToken::new("ghr_neverissued".into())?)
        .await;

    assert!(
        matches!(result, Err(ProviderError::TokenRejected(_))),
        "{result:?}"
    );
    Ok(())
}

#[tokio::test]
async fn wrong_client_credentials_at_refresh_are_misconfigured() -> TestResult {
    let world = World::start_expiring().await?;
    let grant = world.sign_in_grant(Person::octocat()).await?;
    let wrong = world.provider_with(|c| c.client_secret = SecretString::from("wrong"))?;
    let refresh = grant.refresh_token.ok_or("no refresh token")?;

    let result = wrong.refresh(&refresh).await;

    assert!(
        matches!(&result, Err(ProviderError::Misconfigured(m)) if m.contains("GITHUB_CLIENT_SECRET")),
        "{result:?}"
    );
    // Refused before the token was looked at, so it still works.
    world.provider.refresh(&refresh).await?;
    Ok(())
}
