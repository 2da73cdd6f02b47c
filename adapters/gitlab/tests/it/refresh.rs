//! Refresh: GitLab replaces both tokens, and the old ones stop working.

use std::time::Duration;

use nectr_application::ports::{IdentityProvider, ProviderError};
use nectr_domain::{RefreshToken, Scopes};
use nectr_gitlab_standin::{Endpoint, Person};
use secrecy::SecretString;

use crate::support::{CLIENT_ID, SECRET, TestResult, World};

#[tokio::test]
async fn refresh_rotates_both_tokens_and_the_old_ones_stop_working() -> TestResult {
    let world = World::start().await?;
    let old = world.sign_in(Person::tanuki()).await?;
    let old_refresh = old.refresh_token.clone().ok_or("no refresh token")?;

    let new = world.provider.refresh(&old_refresh).await?;

    let new_refresh = new.refresh_token.clone().ok_or("no new refresh token")?;
    assert_ne!(new.access_token.expose(), old.access_token.expose());
    assert_ne!(new_refresh.expose(), old_refresh.expose());
    assert_eq!(new.expires_in, Some(7200));
    assert_eq!(new.scopes, Some(Scopes::of(["read_user"])));
    let profile = world.provider.fetch_profile(&new.access_token).await?;
    assert_eq!(profile.username(), "tanuki");

    let reused = world.provider.refresh(&old_refresh).await;
    let Err(ProviderError::TokenRejected(message)) = reused else {
        return Err(format!("expected TokenRejected, got {reused:?}").into());
    };
    assert!(message.contains("sign in with GitLab again"), "{message}");
    assert!(!message.contains(old_refresh.expose()), "{message}");
    let stale = world.provider.fetch_profile(&old.access_token).await;
    assert!(
        matches!(stale, Err(ProviderError::TokenRejected(_))),
        "{stale:?}"
    );
    Ok(())
}

#[tokio::test]
async fn refresh_sends_the_grant_type_the_refresh_token_and_the_credentials_in_the_body()
-> TestResult {
    let world = World::start().await?;
    let grant = world.sign_in(Person::tanuki()).await?;
    let refresh_token = grant.refresh_token.ok_or("no refresh token")?;

    world.provider.refresh(&refresh_token).await?;

    let sent = world.gitlab.requests_to(Endpoint::Token);
    let sent = sent.last().ok_or("nothing sent")?;
    assert_eq!(sent.method, "POST");
    assert_eq!(
        sent.form_param("grant_type").as_deref(),
        Some("refresh_token")
    );
    assert_eq!(
        sent.form_param("refresh_token").as_deref(),
        Some(refresh_token.expose())
    );
    assert_eq!(sent.form_param("client_id").as_deref(), Some(CLIENT_ID));
    assert_eq!(sent.form_param("client_secret").as_deref(), Some(SECRET));
    assert_eq!(sent.header("authorization"), None);
    assert!(sent.query.is_empty());
    Ok(())
}

#[tokio::test]
async fn an_expired_access_token_is_rejected_as_expired_and_can_be_refreshed() -> TestResult {
    let world = World::start().await?;
    let grant = world.sign_in(Person::tanuki()).await?;
    world
        .gitlab
        .advance_clock(Duration::from_secs(2 * 60 * 60 + 1));

    let expired = world.provider.fetch_profile(&grant.access_token).await;
    let refreshed = world
        .provider
        .refresh(grant.refresh_token.as_ref().ok_or("no refresh token")?)
        .await?;

    let Err(ProviderError::TokenRejected(message)) = expired else {
        return Err(format!("expected TokenRejected, got {expired:?}").into());
    };
    assert!(message.contains("expired"), "{message}");
    assert!(message.contains("Refresh"), "{message}");
    world
        .provider
        .fetch_profile(&refreshed.access_token)
        .await?;
    Ok(())
}

#[tokio::test]
async fn a_revoked_or_made_up_refresh_token_is_token_rejected() -> TestResult {
    let world = World::start().await?;
    let grant = world.sign_in(Person::tanuki()).await?;
    world.provider.revoke_token(&grant.access_token).await?;
    let made_up = RefreshToken::new("f".repeat(64))?;

    for refresh_token in [grant.refresh_token.ok_or("no refresh token")?, made_up] {
        let result = world.provider.refresh(&refresh_token).await;
        assert!(
            matches!(result, Err(ProviderError::TokenRejected(_))),
            "{result:?}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn a_refresh_with_a_wrong_secret_is_misconfigured_and_leaves_the_token_usable() -> TestResult
{
    let world = World::start().await?;
    let grant = world.sign_in(Person::tanuki()).await?;
    let refresh_token = grant.refresh_token.ok_or("no refresh token")?;
    let wrong = world.provider_with(|c| c.client_secret = SecretString::from("wrong"))?;

    let result = wrong.refresh(&refresh_token).await;

    assert!(
        matches!(&result, Err(ProviderError::Misconfigured(m)) if m.contains("GITLAB_CLIENT_SECRET")),
        "{result:?}"
    );
    world.provider.refresh(&refresh_token).await?;
    Ok(())
}
