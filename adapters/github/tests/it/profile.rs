//! The profile: headers sent, int64 ids, unicode names, the private-email fallback, and the
//! REST failures.

use nectr_application::ports::{IdentityProvider, ProviderError};
use nectr_github::GithubConfig;
use nectr_github_standin::{Endpoint, Fault, Person};

use crate::support::{TestResult, World};

#[tokio::test]
async fn rest_calls_send_githubs_headers_and_a_bearer_token() -> TestResult {
    let world = World::start().await?;
    let token = world.sign_in(Person::octocat()).await?;

    world.provider.fetch_profile(&token).await?;

    let sent = world.github.requests_to(Endpoint::User);
    assert_eq!(sent.len(), 1);
    let sent = &sent[0];
    assert_eq!(
        (sent.method.as_str(), sent.path.as_str()),
        ("GET", "/api/v3/user")
    );
    assert_eq!(
        sent.header("user-agent"),
        Some(GithubConfig::DEFAULT_USER_AGENT)
    );
    assert_eq!(sent.header("accept"), Some("application/vnd.github+json"));
    assert_eq!(sent.header("x-github-api-version"), Some("2022-11-28"));
    assert_eq!(
        sent.header("authorization"),
        Some(format!("Bearer {}", token.expose()).as_str())
    );
    Ok(())
}

#[tokio::test]
async fn a_private_email_comes_from_the_primary_verified_address() -> TestResult {
    let world = World::start().await?;
    let token = world.sign_in(Person::private_email()).await?;

    let profile = world.provider.fetch_profile(&token).await?;

    assert_eq!(profile.email(), Some("quiet@example.com"));
    let sent = world.github.requests_to(Endpoint::UserEmails);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].path, "/api/v3/user/emails");
    assert_eq!(sent[0].query_param("per_page"), Some("100"));
    assert_eq!(sent[0].header("x-github-api-version"), Some("2022-11-28"));
    Ok(())
}

#[tokio::test]
async fn without_the_user_email_scope_there_is_no_email_and_no_error() -> TestResult {
    let world = World::start().await?;
    let person = Person {
        grants_scopes: Some(vec!["repo".into(), "read:user".into(), "read:org".into()]),
        ..Person::private_email()
    };
    let token = world.sign_in(person).await?;

    let profile = world.provider.fetch_profile(&token).await?;

    assert_eq!(profile.email(), None);
    assert_eq!(profile.username(), "quiet-person");
    Ok(())
}

#[tokio::test]
async fn no_primary_verified_address_means_no_email() -> TestResult {
    let world = World::start().await?;
    let mut person = Person::private_email();
    person.emails.iter_mut().for_each(|e| e.verified = false);
    let token = world.sign_in(person).await?;

    let profile = world.provider.fetch_profile(&token).await?;

    assert_eq!(profile.email(), None);
    Ok(())
}

#[tokio::test]
async fn ids_above_two_to_the_31_are_kept() -> TestResult {
    let world = World::start().await?;
    let token = world.sign_in(Person::big_id()).await?;

    let profile = world.provider.fetch_profile(&token).await?;

    assert_eq!(profile.subject().as_str(), "5000000000");
    Ok(())
}

#[tokio::test]
async fn unicode_names_are_kept() -> TestResult {
    let world = World::start().await?;
    let token = world.sign_in(Person::unicode_name()).await?;

    let profile = world.provider.fetch_profile(&token).await?;

    assert_eq!(profile.name(), Some("Zoë Ñandú 李雷 🐙"));
    Ok(())
}

#[tokio::test]
async fn a_revoked_token_is_token_rejected() -> TestResult {
    let world = World::start().await?;
    let token = world.sign_in(Person::octocat()).await?;
    world.provider.revoke_grant(&token).await?;

    let result = world.provider.fetch_profile(&token).await;

    assert!(
        matches!(result, Err(ProviderError::TokenRejected(_))),
        "{result:?}"
    );
    Ok(())
}

#[tokio::test]
async fn server_errors_and_garbage_are_bad_responses() -> TestResult {
    for (fault, expected) in [
        (Fault::Status(502), "502"),
        (Fault::Status(500), "500"),
        (Fault::Garbage, "200"),
    ] {
        let world = World::start().await?;
        let token = world.sign_in(Person::octocat()).await?;
        world.github.set_fault(Endpoint::User, fault.clone());

        let result = world.provider.fetch_profile(&token).await;

        let Err(ProviderError::BadResponse(message)) = result else {
            return Err(format!("{fault:?}: expected BadResponse, got {result:?}").into());
        };
        assert!(message.contains(expected), "{fault:?}: {message}");
    }
    Ok(())
}

#[tokio::test]
async fn a_rate_limit_is_a_bad_response_saying_so() -> TestResult {
    for endpoint in [Endpoint::User, Endpoint::UserEmails] {
        let world = World::start().await?;
        let token = world.sign_in(Person::private_email()).await?;
        world.github.set_fault(endpoint, Fault::RateLimited);

        let result = world.provider.fetch_profile(&token).await;

        // On /user/emails too: a rate limit is not a missing scope.
        let Err(ProviderError::BadResponse(message)) = result else {
            return Err(format!("{endpoint:?}: expected BadResponse, got {result:?}").into());
        };
        assert!(message.contains("rate limit"), "{message}");
        assert!(message.contains("try again"), "{message}");
    }
    Ok(())
}

#[tokio::test]
async fn a_server_error_on_the_emails_list_is_not_hidden() -> TestResult {
    let world = World::start().await?;
    let token = world.sign_in(Person::private_email()).await?;
    world
        .github
        .set_fault(Endpoint::UserEmails, Fault::Status(503));

    let result = world.provider.fetch_profile(&token).await;

    assert!(
        matches!(&result, Err(ProviderError::BadResponse(m)) if m.contains("503")),
        "{result:?}"
    );
    Ok(())
}
