//! Answers the stand-in does not give, from a canned server: other token shapes, redirects,
//! refusals of the account, and oversized bodies.

use nectr_application::ports::{IdentityProvider, ProviderError};
use nectr_domain::AccessToken;
use nectr_gitlab::GitlabProvider;

use crate::support::{TestResult, World, canned_server};

/// A provider whose GitLab is the canned server.
async fn provider_at(head: &str, body: &str) -> TestResult<(World, GitlabProvider)> {
    let world = World::start().await?;
    let server = canned_server(head, body.as_bytes().to_vec())?;
    let provider = world.provider_with(|c| c.base_url = server.clone())?;
    Ok((world, provider))
}

#[tokio::test]
async fn the_documented_lowercase_bearer_and_an_answer_without_scope_are_accepted() -> TestResult {
    // The answer as GitLab's documentation shows it.
    let body = r#"{"access_token":"de6780bc506a0446309bd9362820ba8aed28aa506c71eedbe1c5c4f9dd350e54","token_type":"bearer","expires_in":7200,"refresh_token":"8257e65c97202ed1726cf9571600918f3bffb2544b26e00a61df9897668c33a1","created_at":1607635748}"#;
    let (_world, provider) =
        provider_at("HTTP/1.1 200 OK\r\ncontent-type: application/json", body).await?;

    let grant = provider.exchange_code("abc", None).await?;

    assert_eq!(grant.expires_in, Some(7200));
    assert_eq!(grant.scopes, None);
    assert!(grant.refresh_token.is_some());
    Ok(())
}

#[tokio::test]
async fn a_non_bearer_token_is_refused() -> TestResult {
    let body = r#"{"access_token":"abc","token_type":"mac"}"#;
    let (_world, provider) =
        provider_at("HTTP/1.1 200 OK\r\ncontent-type: application/json", body).await?;

    let result = provider.exchange_code("abc", None).await;

    assert!(
        matches!(result, Err(ProviderError::BadResponse(_))),
        "{result:?}"
    );
    Ok(())
}

#[tokio::test]
async fn an_unknown_oauth_error_is_a_bad_response_naming_only_the_code() -> TestResult {
    let (_world, provider) = provider_at(
        "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json",
        r#"{"error":"invalid_request","error_description":"Missing required parameter: code_verifier."}"#,
    )
    .await?;

    let result = provider.exchange_code("abc", None).await;

    assert!(
        matches!(&result, Err(ProviderError::BadResponse(m)) if m.contains("`invalid_request`")),
        "{result:?}"
    );
    Ok(())
}

#[tokio::test]
async fn redirects_are_never_followed() -> TestResult {
    let world = World::start().await?;
    // A redirect to the real stand-in: following it would succeed (or leak the secret there).
    let target = format!("{}/oauth/token", world.gitlab.web_url());
    let server = canned_server(
        &format!("HTTP/1.1 307 Temporary Redirect\r\nlocation: {target}\r\ncontent-length: 0"),
        Vec::new(),
    )?;
    let provider = world.provider_with(|c| c.base_url = server.clone())?;

    let exchange = provider.exchange_code("abc", None).await;
    let profile = provider
        .fetch_profile(&AccessToken::new("glpat-x".into())?)
        .await;

    for result in [exchange.map(|_| ()), profile.map(|_| ())] {
        assert!(
            matches!(&result, Err(ProviderError::BadResponse(m)) if m.contains("307") && m.contains("GITLAB_URL")),
            "{result:?}"
        );
    }
    assert!(
        world.gitlab.requests().is_empty(),
        "a redirect was followed"
    );
    Ok(())
}

#[tokio::test]
async fn a_403_that_is_not_about_scopes_refuses_the_account_with_gitlabs_reason() -> TestResult {
    let (_world, provider) = provider_at(
        "HTTP/1.1 403 Forbidden\r\ncontent-type: application/json",
        r#"{"message":"403 Forbidden - Your account has been blocked."}"#,
    )
    .await?;

    let result = provider
        .fetch_profile(&AccessToken::new("glpat-x".into())?)
        .await;

    let Err(ProviderError::AccountRefused(message)) = result else {
        return Err(format!("expected AccountRefused, got {result:?}").into());
    };
    assert!(message.contains("has been blocked"), "{message}");
    assert!(message.contains("in a browser"), "{message}");
    Ok(())
}

#[tokio::test]
async fn a_token_without_read_user_is_scope_missing_on_the_profile() -> TestResult {
    let (_world, provider) = provider_at(
        "HTTP/1.1 403 Forbidden\r\ncontent-type: application/json",
        r#"{"error":"insufficient_scope","error_description":"The request requires higher privileges than provided by the access token.","scope":"read_user api read_api"}"#,
    )
    .await?;

    let result = provider
        .fetch_profile(&AccessToken::new("glpat-x".into())?)
        .await;

    assert!(
        matches!(result, Err(ProviderError::ScopeMissing(_))),
        "{result:?}"
    );
    Ok(())
}

#[tokio::test]
async fn an_explanation_that_repeats_the_token_is_not_shown() -> TestResult {
    let (_world, provider) = provider_at(
        "HTTP/1.1 418 I'm a teapot\r\ncontent-type: application/json",
        r#"{"message":"no such token glpat-echoed"}"#,
    )
    .await?;

    let result = provider
        .fetch_profile(&AccessToken::new("glpat-echoed".into())?)
        .await;

    let Err(ProviderError::BadResponse(message)) = result else {
        return Err(format!("expected BadResponse, got {result:?}").into());
    };
    assert!(message.contains("418"), "{message}");
    assert!(!message.contains("glpat-echoed"), "{message}");
    Ok(())
}

#[tokio::test]
async fn oversized_answers_are_not_read_to_the_end() -> TestResult {
    const SIZE: usize = 3 * 1024 * 1024;
    for length in [format!("\r\ncontent-length: {SIZE}"), String::new()] {
        let world = World::start().await?;
        let server = canned_server(
            &format!("HTTP/1.1 200 OK\r\ncontent-type: application/json{length}"),
            vec![b' '; SIZE],
        )?;
        let provider = world.provider_with(|c| c.base_url = server.clone())?;

        let profile = provider
            .fetch_profile(&AccessToken::new("glpat-x".into())?)
            .await;
        let exchange = provider.exchange_code("abc", None).await;

        for result in [profile.map(|_| ()), exchange.map(|_| ())] {
            assert!(
                matches!(&result, Err(ProviderError::BadResponse(m)) if m.contains("1024 KiB")),
                "{length:?}: {result:?}"
            );
        }
    }
    Ok(())
}
