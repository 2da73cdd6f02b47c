//! A connection closed by the server just as a request goes out (idle keep-alive connections
//! are closed on the server's schedule): a read is retried once on a new connection, a token
//! request never, since GitLab may have spent the code or rotated the refresh token before
//! the connection went.

use std::sync::atomic::Ordering;

use nectr_application::ports::{IdentityProvider, ProviderError};
use nectr_domain::{AccessToken, RefreshToken};
use nectr_provider_contract::hanging_up_server;

use crate::support::{TestResult, World};

const TOKEN: &str = r#"{"access_token":"after-retry","token_type":"Bearer","expires_in":7200,"refresh_token":"r-after-retry","scope":"read_user","created_at":1}"#;
const PROFILE: &str = r#"{"id":4242001,"username":"tanuki","name":"Tanuki","email":"tanuki@example.com","public_email":null,"confirmed_at":"2020-01-01T00:00:00Z","avatar_url":null,"state":"active"}"#;

#[tokio::test]
async fn token_requests_cut_off_are_not_sent_again() -> TestResult {
    let world = World::start().await?;
    let (server, seen) = hanging_up_server(2, TOKEN)?;
    let provider = world.provider_with(|c| c.base_url = server.clone())?;

    let exchange = provider.exchange_code("abc", None).await;
    assert!(
        matches!(exchange, Err(ProviderError::Unreachable(_))),
        "{exchange:?}"
    );
    assert_eq!(seen.load(Ordering::SeqCst), 1, "the code was sent once");

    let refresh = provider
        .refresh(&RefreshToken::new("r-single-use".into())?)
        .await;
    assert!(
        matches!(refresh, Err(ProviderError::Unreachable(_))),
        "{refresh:?}"
    );
    assert_eq!(
        seen.load(Ordering::SeqCst),
        2,
        "the refresh token was sent once"
    );
    Ok(())
}

#[tokio::test]
async fn a_profile_request_cut_off_is_retried_once() -> TestResult {
    let world = World::start().await?;
    let (server, seen) = hanging_up_server(1, PROFILE)?;
    let provider = world.provider_with(|c| c.base_url = server.clone())?;

    let profile = provider
        .fetch_profile(&AccessToken::new("glpat-live".into())?)
        .await?;

    assert_eq!(profile.username(), "tanuki");
    assert_eq!(seen.load(Ordering::SeqCst), 2);
    Ok(())
}

#[tokio::test]
async fn a_second_hang_up_is_an_error_not_another_retry() -> TestResult {
    let world = World::start().await?;
    let (server, seen) = hanging_up_server(usize::MAX, PROFILE)?;
    let provider = world.provider_with(|c| c.base_url = server.clone())?;

    let result = provider
        .fetch_profile(&AccessToken::new("glpat-live".into())?)
        .await;

    assert!(
        matches!(result, Err(ProviderError::Unreachable(_))),
        "{result:?}"
    );
    assert_eq!(seen.load(Ordering::SeqCst), 2);
    Ok(())
}
