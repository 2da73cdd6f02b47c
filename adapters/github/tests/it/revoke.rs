//! Removing the app's grant.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use nectr_application::ports::{IdentityProvider, ProviderError};
use nectr_github_standin::{Endpoint, Fault, Person};
use secrecy::SecretString;

use crate::support::{CLIENT_ID, SECRET, TestResult, World};

#[tokio::test]
async fn revoke_removes_the_grant_and_kills_the_token() -> TestResult {
    let world = World::start().await?;
    let token = world.sign_in(Person::octocat()).await?;
    assert!(world.github.grant_exists(CLIENT_ID, 583_231));

    world.provider.revoke_grant(&token).await?;

    assert!(!world.github.is_token_live(token.expose()));
    assert!(!world.github.grant_exists(CLIENT_ID, 583_231));
    let sent = world.github.requests_to(Endpoint::DeleteGrant);
    assert_eq!(sent.len(), 1);
    let sent = &sent[0];
    assert_eq!(sent.method, "DELETE");
    assert_eq!(sent.path, format!("/api/v3/applications/{CLIENT_ID}/grant"));
    let basic = format!("Basic {}", STANDARD.encode(format!("{CLIENT_ID}:{SECRET}")));
    assert_eq!(sent.header("authorization"), Some(basic.as_str()));
    assert_eq!(sent.header("accept"), Some("application/vnd.github+json"));
    assert_eq!(sent.header("x-github-api-version"), Some("2022-11-28"));
    assert!(
        sent.header("content-type")
            .is_some_and(|t| t.starts_with("application/json"))
    );
    let body: serde_json::Value = serde_json::from_str(&sent.body)?;
    assert_eq!(body, serde_json::json!({ "access_token": token.expose() }));
    Ok(())
}

#[tokio::test]
async fn revoking_a_dead_token_is_token_rejected() -> TestResult {
    let world = World::start().await?;
    let token = world.sign_in(Person::octocat()).await?;
    world.provider.revoke_grant(&token).await?;

    let again = world.provider.revoke_grant(&token).await;

    let Err(ProviderError::TokenRejected(message)) = again else {
        return Err(format!("expected TokenRejected, got {again:?}").into());
    };
    assert!(message.contains("no longer knows this token"), "{message}");
    Ok(())
}

#[tokio::test]
async fn wrong_client_credentials_are_not_mistaken_for_an_unknown_token() -> TestResult {
    // GitHub answers 404 for both; the token, which still works, tells them apart.
    let world = World::start().await?;
    let token = world.sign_in(Person::octocat()).await?;
    let wrong = world.provider_with(|c| c.client_secret = SecretString::from("wrong"))?;

    let result = wrong.revoke_grant(&token).await;

    assert!(
        matches!(result, Err(ProviderError::Misconfigured(_))),
        "{result:?}"
    );
    assert!(world.github.is_token_live(token.expose()));
    Ok(())
}

#[tokio::test]
async fn a_failing_revoke_endpoint_is_a_bad_response() -> TestResult {
    for (fault, expected) in [(Fault::Status(422), "422"), (Fault::Status(502), "502")] {
        let world = World::start().await?;
        let token = world.sign_in(Person::octocat()).await?;
        world.github.set_fault(Endpoint::DeleteGrant, fault.clone());

        let result = world.provider.revoke_grant(&token).await;

        assert!(
            matches!(&result, Err(ProviderError::BadResponse(m)) if m.contains(expected)),
            "{fault:?}: {result:?}"
        );
    }
    Ok(())
}
