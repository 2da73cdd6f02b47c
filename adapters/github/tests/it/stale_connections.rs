//! A connection closed by the server just as a request goes out (idle keep-alive connections
//! are closed on the server's schedule): a read is retried once on a new connection, a token
//! request never, since GitHub may have spent the code before the connection went.

use std::sync::atomic::Ordering;

use nectr_application::ports::{IdentityProvider, ProviderError};
use nectr_domain::AccessToken;
use nectr_provider_contract::hanging_up_server;

use crate::support::{TestResult, World};

const TOKEN: &str = r#"{"access_token":"gho_after_retry","token_type":"bearer","scope":"repo"}"#;
const PROFILE: &str = r#"{"id":583231,"login":"octocat","name":"The Octocat","email":"octocat@github.com","avatar_url":null}"#;

#[tokio::test]
async fn a_token_request_cut_off_is_not_sent_again() -> TestResult {
    let world = World::start().await?;
    let (server, seen) = hanging_up_server(1, TOKEN)?;
    let provider = world.provider_with(|c| c.web_url = server.clone())?;

    let result = provider.exchange_code("abc", None).await;

    assert!(
        matches!(result, Err(ProviderError::Unreachable(_))),
        "{result:?}"
    );
    assert_eq!(seen.load(Ordering::SeqCst), 1, "the code was sent once");
    Ok(())
}

#[tokio::test]
async fn a_profile_request_cut_off_is_retried_once() -> TestResult {
    let world = World::start().await?;
    let (server, seen) = hanging_up_server(1, PROFILE)?;
    let provider = world.provider_with(|c| c.api_url = server.clone())?;

    let profile = provider
        .fetch_profile(&AccessToken::new("gho_live".into())?)
        .await?;

    assert_eq!(profile.username(), "octocat");
    assert_eq!(seen.load(Ordering::SeqCst), 2);
    Ok(())
}

#[tokio::test]
async fn a_second_hang_up_is_an_error_not_another_retry() -> TestResult {
    let world = World::start().await?;
    let (server, seen) = hanging_up_server(usize::MAX, PROFILE)?;
    let provider = world.provider_with(|c| c.api_url = server.clone())?;

    let result = provider
        .fetch_profile(&AccessToken::new("gho_live".into())?)
        .await;

    assert!(
        matches!(result, Err(ProviderError::Unreachable(_))),
        "{result:?}"
    );
    assert_eq!(seen.load(Ordering::SeqCst), 2);
    Ok(())
}
