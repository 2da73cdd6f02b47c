//! Revoking a token at GitLab (`POST /oauth/revoke`, RFC 7009).

use nectr_application::ports::{IdentityProvider, ProviderError};
use nectr_gitlab_standin::{Endpoint, Fault, Person};
use secrecy::SecretString;

use crate::support::{CLIENT_ID, SECRET, TestResult, World};

#[tokio::test]
async fn revoke_token_kills_the_pair_and_sends_the_credentials_in_the_body() -> TestResult {
    let world = World::start().await?;
    let grant = world.sign_in(Person::tanuki()).await?;
    assert!(world.gitlab.is_token_live(grant.access_token.expose()));

    world.provider.revoke_token(&grant.access_token).await?;

    assert!(!world.gitlab.is_token_live(grant.access_token.expose()));
    let sent = world.gitlab.requests_to(Endpoint::Revoke);
    assert_eq!(sent.len(), 1);
    let sent = &sent[0];
    assert_eq!(
        (sent.method.as_str(), sent.path.as_str()),
        ("POST", "/oauth/revoke")
    );
    assert!(
        sent.header("content-type")
            .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"))
    );
    assert_eq!(sent.form_param("client_id").as_deref(), Some(CLIENT_ID));
    assert_eq!(sent.form_param("client_secret").as_deref(), Some(SECRET));
    assert_eq!(
        sent.form_param("token").as_deref(),
        Some(grant.access_token.expose())
    );
    assert_eq!(sent.header("authorization"), None);
    assert!(sent.query.is_empty(), "nothing secret in the URL");
    // The refresh token went with it.
    let refresh = world
        .provider
        .refresh(grant.refresh_token.as_ref().ok_or("no refresh token")?)
        .await;
    assert!(
        matches!(refresh, Err(ProviderError::TokenRejected(_))),
        "{refresh:?}"
    );
    Ok(())
}

#[tokio::test]
async fn revoking_twice_is_fine_as_gitlab_does_not_say() -> TestResult {
    let world = World::start().await?;
    let grant = world.sign_in(Person::tanuki()).await?;
    world.provider.revoke_token(&grant.access_token).await?;

    world.provider.revoke_token(&grant.access_token).await?;
    world.provider.revoke_grant(&grant.access_token).await?;
    Ok(())
}

#[tokio::test]
async fn revoke_grant_revokes_the_token() -> TestResult {
    let world = World::start().await?;
    let grant = world.sign_in(Person::tanuki()).await?;

    world.provider.revoke_grant(&grant.access_token).await?;

    assert!(!world.gitlab.is_token_live(grant.access_token.expose()));
    assert_eq!(world.gitlab.requests_to(Endpoint::Revoke).len(), 1);
    Ok(())
}

#[tokio::test]
async fn wrong_client_credentials_are_misconfigured_and_the_token_lives_on() -> TestResult {
    let world = World::start().await?;
    let grant = world.sign_in(Person::tanuki()).await?;
    let wrong = world.provider_with(|c| c.client_secret = SecretString::from("wrong-secret"))?;

    let result = wrong.revoke_token(&grant.access_token).await;

    let Err(ProviderError::Misconfigured(message)) = result else {
        return Err(format!("expected Misconfigured, got {result:?}").into());
    };
    assert!(
        message.contains("GITLAB_CLIENT_ID") && message.contains("GITLAB_CLIENT_SECRET"),
        "{message}"
    );
    assert!(!message.contains("wrong-secret"), "{message}");
    assert!(world.gitlab.is_token_live(grant.access_token.expose()));
    Ok(())
}

#[tokio::test]
async fn a_failing_revoke_endpoint_is_a_bad_response() -> TestResult {
    for (fault, expected) in [
        (Fault::Status(502), "502"),
        (Fault::Status(500), "500"),
        (Fault::RateLimited, "rate limit"),
    ] {
        let world = World::start().await?;
        let grant = world.sign_in(Person::tanuki()).await?;
        world.gitlab.set_fault(Endpoint::Revoke, fault.clone());

        let result = world.provider.revoke_token(&grant.access_token).await;

        assert!(
            matches!(&result, Err(ProviderError::BadResponse(m)) if m.contains(expected)),
            "{fault:?}: {result:?}"
        );
        assert!(world.gitlab.is_token_live(grant.access_token.expose()));
    }
    Ok(())
}

#[tokio::test]
async fn a_200_that_is_not_gitlabs_json_is_not_taken_for_a_revocation() -> TestResult {
    let world = World::start().await?;
    let grant = world.sign_in(Person::tanuki()).await?;
    world.gitlab.set_fault(Endpoint::Revoke, Fault::Garbage);

    let result = world.provider.revoke_token(&grant.access_token).await;

    assert!(
        matches!(&result, Err(ProviderError::BadResponse(m)) if m.contains("200")),
        "{result:?}"
    );
    Ok(())
}
