//! The profile: what is sent, int64 ids, unicode names, people without an email, and the
//! REST failures.

use nectr_application::ports::{IdentityProvider, ProviderError};
use nectr_domain::AccessToken;
use nectr_gitlab::GitlabConfig;
use nectr_gitlab_standin::{Endpoint, Fault, Person};

use crate::support::{TestResult, World};

#[tokio::test]
async fn the_profile_call_sends_the_bearer_token_and_asks_for_json() -> TestResult {
    let world = World::start().await?;
    let grant = world.sign_in(Person::tanuki()).await?;

    world.provider.fetch_profile(&grant.access_token).await?;

    let sent = world.gitlab.requests_to(Endpoint::User);
    assert_eq!(sent.len(), 1);
    let sent = &sent[0];
    assert_eq!(
        (sent.method.as_str(), sent.path.as_str()),
        ("GET", "/api/v4/user")
    );
    assert!(sent.query.is_empty(), "the token never goes in the URL");
    assert_eq!(
        sent.header("authorization"),
        Some(format!("Bearer {}", grant.access_token.expose()).as_str())
    );
    assert_eq!(sent.header("accept"), Some("application/json"));
    assert_eq!(
        sent.header("user-agent"),
        Some(GitlabConfig::DEFAULT_USER_AGENT)
    );
    Ok(())
}

#[tokio::test]
async fn a_person_without_any_email_signs_in_without_one() -> TestResult {
    let world = World::start().await?;
    let grant = world.sign_in(Person::no_email()).await?;

    let profile = world.provider.fetch_profile(&grant.access_token).await?;

    assert_eq!(profile.email(), None);
    assert_eq!(profile.username(), "quiet.person");
    assert_eq!(profile.subject().as_str(), "4242002");
    Ok(())
}

#[tokio::test]
async fn the_primary_email_is_used_even_when_the_profile_shows_none() -> TestResult {
    let world = World::start().await?;
    let person = Person {
        public_email: None,
        email: Some("private@example.com".into()),
        ..Person::tanuki()
    };
    let grant = world.sign_in(person).await?;

    let profile = world.provider.fetch_profile(&grant.access_token).await?;

    assert_eq!(profile.email(), Some("private@example.com"));
    Ok(())
}

#[tokio::test]
async fn gitlabs_placeholder_address_is_no_email() -> TestResult {
    // An account made through an external sign-in without an address gets a confirmed
    // placeholder that reaches nobody.
    let world = World::start().await?;
    let person = Person {
        public_email: None,
        email: Some("temp-email-for-oauth-tanuki@gitlab.localhost".into()),
        ..Person::tanuki()
    };
    let grant = world.sign_in(person).await?;

    let profile = world.provider.fetch_profile(&grant.access_token).await?;

    assert_eq!(profile.email(), None);
    assert_eq!(profile.username(), "tanuki");
    Ok(())
}

#[tokio::test]
async fn ids_above_two_to_the_53_are_kept_exactly() -> TestResult {
    let world = World::start().await?;
    let grant = world.sign_in(Person::big_id()).await?;

    let profile = world.provider.fetch_profile(&grant.access_token).await?;

    assert_eq!(profile.subject().as_str(), "9007199254740993");
    Ok(())
}

#[tokio::test]
async fn unicode_names_are_kept() -> TestResult {
    let world = World::start().await?;
    let grant = world.sign_in(Person::unicode_name()).await?;

    let profile = world.provider.fetch_profile(&grant.access_token).await?;

    assert_eq!(profile.name(), Some("Zoë Ñandú 李雷 🦊"));
    Ok(())
}

#[tokio::test]
async fn an_avatar_url_is_kept() -> TestResult {
    let world = World::start().await?;
    let person = Person {
        avatar_url: Some("https://gitlab.example.com/uploads/-/system/user/avatar/1/a.png".into()),
        ..Person::tanuki()
    };
    let grant = world.sign_in(person).await?;

    let profile = world.provider.fetch_profile(&grant.access_token).await?;

    assert_eq!(
        profile.avatar_url(),
        Some("https://gitlab.example.com/uploads/-/system/user/avatar/1/a.png")
    );
    Ok(())
}

#[tokio::test]
async fn a_revoked_or_unknown_token_is_token_rejected() -> TestResult {
    let world = World::start().await?;
    let grant = world.sign_in(Person::tanuki()).await?;
    world.provider.revoke_token(&grant.access_token).await?;
    let unknown = AccessToken::new("f".repeat(64))?;

    for token in [&grant.access_token, &unknown] {
        let result = world.provider.fetch_profile(token).await;
        let Err(ProviderError::TokenRejected(message)) = result else {
            return Err(format!("expected TokenRejected, got {result:?}").into());
        };
        assert!(message.contains("sign in with GitLab again"), "{message}");
        assert!(!message.contains(token.expose()), "{message}");
    }
    Ok(())
}

#[tokio::test]
async fn server_errors_and_garbage_are_bad_responses_naming_the_status() -> TestResult {
    for (fault, expected) in [
        (Fault::Status(502), "502"),
        (Fault::Status(500), "500"),
        (Fault::Status(503), "503"),
        (Fault::Garbage, "200"),
    ] {
        let world = World::start().await?;
        let grant = world.sign_in(Person::tanuki()).await?;
        world.gitlab.set_fault(Endpoint::User, fault.clone());

        let result = world.provider.fetch_profile(&grant.access_token).await;

        let Err(ProviderError::BadResponse(message)) = result else {
            return Err(format!("{fault:?}: expected BadResponse, got {result:?}").into());
        };
        assert!(message.contains(expected), "{fault:?}: {message}");
        assert!(message.contains("GitLab"), "{fault:?}: {message}");
    }
    Ok(())
}

#[tokio::test]
async fn a_rate_limit_is_a_bad_response_saying_when_to_retry() -> TestResult {
    let world = World::start().await?;
    let grant = world.sign_in(Person::tanuki()).await?;
    world.gitlab.set_fault(Endpoint::User, Fault::RateLimited);

    let result = world.provider.fetch_profile(&grant.access_token).await;

    let Err(ProviderError::BadResponse(message)) = result else {
        return Err(format!("expected BadResponse, got {result:?}").into());
    };
    assert!(message.contains("rate limit"), "{message}");
    assert!(message.contains("try again in 60 s"), "{message}");
    Ok(())
}
