//! Answers the stand-in does not give, from a canned server: other token shapes, redirects,
//! RFC-style error statuses and oversized bodies.

use nectr_application::ports::{IdentityProvider, ProviderError};
use nectr_domain::AccessToken;
use nectr_github::GithubProvider;

use crate::support::{TestResult, World, canned_server};

/// A provider whose GitHub (web and API) is the canned server.
async fn provider_at(head: &str, body: &str) -> TestResult<(World, GithubProvider)> {
    let world = World::start().await?;
    let server = canned_server(head, body.as_bytes().to_vec())?;
    let provider = world.provider_with(|c| {
        c.web_url = server.clone();
        c.api_url = server.clone();
    })?;
    Ok((world, provider))
}

#[tokio::test]
async fn capitalised_bearer_and_space_separated_scopes_are_accepted_too() -> TestResult {
    let body = r#"{"access_token":"gho_canned","token_type":"Bearer","scope":"repo read:user"}"#;
    let (_world, provider) =
        provider_at("HTTP/1.1 200 OK\r\ncontent-type: application/json", body).await?;

    let grant = provider.exchange_code("abc", None).await?;

    assert_eq!(grant.access_token.expose(), "gho_canned");
    let scopes = grant.scopes.ok_or("no scopes")?;
    assert!(scopes.contains("repo") && scopes.contains("read:user"));
    Ok(())
}

#[tokio::test]
async fn a_non_bearer_token_is_refused() -> TestResult {
    let body = r#"{"access_token":"gho_canned","token_type":"mac"}"#;
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
async fn a_form_encoded_token_answer_is_a_bad_response_naming_the_status() -> TestResult {
    let (_world, provider) = provider_at(
        "HTTP/1.1 200 OK\r\ncontent-type: application/x-www-form-urlencoded",
        "access_token=gho_canned&scope=repo&token_type=bearer",
    )
    .await?;

    let result = provider.exchange_code("abc", None).await;

    let Err(ProviderError::BadResponse(message)) = result else {
        return Err(format!("expected BadResponse, got {result:?}").into());
    };
    assert!(
        message.contains("200") && !message.contains("gho_canned"),
        "{message}"
    );
    Ok(())
}

#[tokio::test]
async fn an_rfc_style_error_status_is_mapped_like_githubs_200() -> TestResult {
    let (_world, provider) = provider_at(
        "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json",
        r#"{"error":"bad_verification_code","error_description":"The code passed is incorrect or expired."}"#,
    )
    .await?;

    let result = provider.exchange_code("abc", None).await;

    assert!(
        matches!(result, Err(ProviderError::CodeRejected(_))),
        "{result:?}"
    );
    Ok(())
}

#[tokio::test]
async fn redirects_are_never_followed() -> TestResult {
    let world = World::start().await?;
    // A redirect to the real stand-in: following it would succeed (or leak the secret there).
    let target = format!("{}/login/oauth/access_token", world.github.web_url());
    let server = canned_server(
        &format!("HTTP/1.1 307 Temporary Redirect\r\nlocation: {target}\r\ncontent-length: 0"),
        Vec::new(),
    )?;
    let provider = world.provider_with(|c| {
        c.web_url = server.clone();
        c.api_url = server.clone();
    })?;

    let exchange = provider.exchange_code("abc", None).await;
    let profile = provider
        .fetch_profile(&AccessToken::new("gho_x".into())?)
        .await;

    assert!(
        matches!(&exchange, Err(ProviderError::BadResponse(m)) if m.contains("307")),
        "{exchange:?}"
    );
    assert!(
        matches!(&profile, Err(ProviderError::BadResponse(m)) if m.contains("307")),
        "{profile:?}"
    );
    assert!(
        world.github.requests().is_empty(),
        "a redirect was followed"
    );
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
        let provider = world.provider_with(|c| {
            c.web_url = server.clone();
            c.api_url = server.clone();
        })?;

        let profile = provider
            .fetch_profile(&AccessToken::new("gho_x".into())?)
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
