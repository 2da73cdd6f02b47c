//! The code exchange: the happy path, what is sent, and GitLab's refusals provoked for real.

use nectr_application::ports::{IdentityProvider, ProviderError};
use nectr_domain::{PkceVerifier, Scopes};
use nectr_gitlab::GitlabConfig;
use nectr_gitlab_standin::{Endpoint, Fault, Person};
use secrecy::SecretString;

use crate::support::{CALLBACK, CLIENT_ID, SECRET, TestResult, World, verifier};

#[tokio::test]
async fn sign_in_with_pkce_gives_a_token_grant_and_the_profile() -> TestResult {
    let world = World::start().await?;

    let grant = world.sign_in(Person::tanuki()).await?;
    let profile = world.provider.fetch_profile(&grant.access_token).await?;

    assert!(world.gitlab.is_token_live(grant.access_token.expose()));
    assert_eq!(grant.expires_in, Some(7200));
    assert!(grant.refresh_token.is_some());
    assert_eq!(grant.refresh_token_expires_in, None);
    assert_eq!(grant.scopes, Some(Scopes::of(["read_user"])));
    assert_eq!(profile.subject().as_str(), "4242001");
    assert_eq!(profile.username(), "tanuki");
    assert_eq!(profile.name(), Some("Tanuki Test"));
    assert_eq!(profile.email(), Some("tanuki@example.com"));
    assert_eq!(profile.avatar_url(), None);
    Ok(())
}

#[tokio::test]
async fn exchange_sends_credentials_in_the_body_the_same_redirect_uri_and_the_verifier()
-> TestResult {
    let world = World::start().await?;
    let verifier = verifier()?;
    let code = world
        .code_from(&world.provider, Person::tanuki(), Some(&verifier))
        .await?;

    world.provider.exchange_code(&code, Some(&verifier)).await?;

    let sent = world.gitlab.requests_to(Endpoint::Token);
    assert_eq!(sent.len(), 1);
    let sent = &sent[0];
    assert_eq!(sent.method, "POST");
    assert_eq!(sent.path, "/oauth/token");
    assert_eq!(
        sent.header("user-agent"),
        Some(GitlabConfig::DEFAULT_USER_AGENT)
    );
    assert_eq!(sent.header("accept"), Some("application/json"));
    assert!(
        sent.header("content-type")
            .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"))
    );
    assert_eq!(
        sent.header("authorization"),
        None,
        "credentials go in the body"
    );
    assert_eq!(sent.form_param("client_id").as_deref(), Some(CLIENT_ID));
    assert_eq!(sent.form_param("client_secret").as_deref(), Some(SECRET));
    assert_eq!(
        sent.form_param("grant_type").as_deref(),
        Some("authorization_code")
    );
    assert_eq!(sent.form_param("code"), Some(code));
    assert_eq!(sent.form_param("redirect_uri").as_deref(), Some(CALLBACK));
    assert_eq!(
        sent.form_param("code_verifier").as_deref(),
        Some(verifier.expose())
    );
    assert!(sent.query.is_empty(), "nothing secret in the URL");
    Ok(())
}

#[tokio::test]
async fn a_reused_code_is_code_rejected_saying_to_start_again() -> TestResult {
    let world = World::start().await?;
    let verifier = verifier()?;
    let code = world
        .code_from(&world.provider, Person::tanuki(), Some(&verifier))
        .await?;
    world.provider.exchange_code(&code, Some(&verifier)).await?;

    let again = world.provider.exchange_code(&code, Some(&verifier)).await;

    let Err(ProviderError::CodeRejected(message)) = again else {
        return Err(format!("expected CodeRejected, got {again:?}").into());
    };
    assert!(message.contains("Start sign-in again"), "{message}");
    assert!(!message.contains(&code), "{message}");
    Ok(())
}

#[tokio::test]
async fn a_made_up_code_and_a_wrong_verifier_are_code_rejected() -> TestResult {
    let world = World::start().await?;
    let code = world
        .code_from(&world.provider, Person::tanuki(), Some(&verifier()?))
        .await?;
    let other = PkceVerifier::parse(&"x".repeat(43))?;

    let wrong_verifier = world.provider.exchange_code(&code, Some(&other)).await;
    let made_up = world
        .provider
        .exchange_code("0123456789abcdef", Some(&verifier()?))
        .await;

    for result in [wrong_verifier, made_up] {
        assert!(
            matches!(result, Err(ProviderError::CodeRejected(_))),
            "{result:?}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn an_expired_code_is_code_rejected() -> TestResult {
    let world = World::start().await?;
    let verifier = verifier()?;
    let code = world
        .code_from(&world.provider, Person::tanuki(), Some(&verifier))
        .await?;
    world
        .gitlab
        .advance_clock(std::time::Duration::from_secs(11 * 60));

    let result = world.provider.exchange_code(&code, Some(&verifier)).await;

    assert!(
        matches!(result, Err(ProviderError::CodeRejected(_))),
        "{result:?}"
    );
    Ok(())
}

#[tokio::test]
async fn a_wrong_secret_is_misconfigured_naming_both_settings() -> TestResult {
    let world = World::start().await?;
    let wrong = world.provider_with(|c| c.client_secret = SecretString::from("not-the-secret"))?;
    let verifier = verifier()?;
    let code = world
        .code_from(&wrong, Person::tanuki(), Some(&verifier))
        .await?;

    let result = wrong.exchange_code(&code, Some(&verifier)).await;

    let Err(ProviderError::Misconfigured(message)) = result else {
        return Err(format!("expected Misconfigured, got {result:?}").into());
    };
    assert!(
        message.contains("GITLAB_CLIENT_ID") && message.contains("GITLAB_CLIENT_SECRET"),
        "{message}"
    );
    assert!(
        message.contains("whitespace") && message.contains("renewed"),
        "{message}"
    );
    assert!(
        message.contains("/-/user_settings/applications"),
        "{message}"
    );
    assert!(!message.contains("not-the-secret"), "{message}");
    // The code was not used up by the refused client.
    let good = world.provider.exchange_code(&code, Some(&verifier)).await;
    assert!(good.is_ok(), "{good:?}");
    Ok(())
}

#[tokio::test]
async fn a_secret_with_pasted_whitespace_is_called_out() -> TestResult {
    let world = World::start().await?;
    let pasted =
        world.provider_with(|c| c.client_secret = SecretString::from(format!("{SECRET}\n")))?;
    let verifier = verifier()?;
    let code = world
        .code_from(&pasted, Person::tanuki(), Some(&verifier))
        .await?;

    let result = pasted.exchange_code(&code, Some(&verifier)).await;

    let Err(ProviderError::Misconfigured(message)) = result else {
        return Err(format!("expected Misconfigured, got {result:?}").into());
    };
    assert!(
        message.contains("starts or ends with whitespace"),
        "{message}"
    );
    Ok(())
}

#[tokio::test]
async fn an_unknown_client_id_is_misconfigured() -> TestResult {
    let world = World::start().await?;
    let stranger = world.provider_with(|c| c.client_id = "not-registered".into())?;

    let result = stranger.exchange_code("abc", Some(&verifier()?)).await;

    assert!(
        matches!(&result, Err(ProviderError::Misconfigured(m)) if m.contains("\"not-registered\"")),
        "{result:?}"
    );
    Ok(())
}

#[tokio::test]
async fn a_different_redirect_uri_at_exchange_is_refused_and_the_callback_named() -> TestResult {
    let world = World::start().await?;
    let verifier = verifier()?;
    let code = world
        .code_from(&world.provider, Person::tanuki(), Some(&verifier))
        .await?;
    let moved = format!("{CALLBACK}/elsewhere");
    let other = world.provider_with(|c| c.redirect_url = moved.clone())?;

    let result = other.exchange_code(&code, Some(&verifier)).await;

    // GitLab answers `invalid_grant` for this as for a bad code; the message names the
    // callback URL for the operator whose every sign-in fails this way.
    let Err(ProviderError::CodeRejected(message)) = result else {
        return Err(format!("expected CodeRejected, got {result:?}").into());
    };
    assert!(message.contains(&moved), "{message}");
    let sent = world.gitlab.requests_to(Endpoint::Token);
    assert_eq!(sent[0].form_param("redirect_uri"), Some(moved));
    Ok(())
}

#[tokio::test]
async fn an_unusable_answer_from_the_token_endpoint_is_bad_response_naming_the_status() -> TestResult
{
    for (fault, expected) in [
        (Fault::Garbage, "200"),
        (Fault::Status(502), "502"),
        (Fault::Status(500), "500"),
        (Fault::Status(404), "404"),
        (Fault::RateLimited, "try again in 60 s"),
    ] {
        let world = World::start().await?;
        let verifier = verifier()?;
        let code = world
            .code_from(&world.provider, Person::tanuki(), Some(&verifier))
            .await?;
        world.gitlab.set_fault(Endpoint::Token, fault.clone());

        let result = world.provider.exchange_code(&code, Some(&verifier)).await;

        let Err(ProviderError::BadResponse(message)) = result else {
            return Err(format!("{fault:?}: expected BadResponse, got {result:?}").into());
        };
        assert!(message.contains(expected), "{fault:?}: {message}");
        assert!(message.contains("GitLab"), "{fault:?}: {message}");
    }
    Ok(())
}
