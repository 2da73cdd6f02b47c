//! The code exchange: the happy path, what is sent, and GitHub's HTTP-200 errors provoked for
//! real.

use nectr_application::ports::{IdentityProvider, ProviderError};
use nectr_github::GithubConfig;
use nectr_github_standin::{Endpoint, Fault, Person};
use secrecy::SecretString;

use crate::support::{CALLBACK, CLIENT_ID, SECRET, TestResult, World, verifier};

#[tokio::test]
async fn exchange_and_profile_happy_path() -> TestResult {
    let world = World::start().await?;

    let token = world.sign_in(Person::octocat()).await?;
    let profile = world.provider.fetch_profile(&token).await?;

    assert!(world.github.is_token_live(token.expose()));
    assert_eq!(profile.subject().as_str(), "583231");
    assert_eq!(profile.username(), "octocat");
    assert_eq!(profile.name(), Some("The Octocat"));
    assert_eq!(profile.email(), Some("octocat@github.com"));
    assert!(profile.avatar_url().is_some_and(|u| u.contains("583231")));
    // The public email was there, so the emails list was not needed.
    assert!(world.github.requests_to(Endpoint::UserEmails).is_empty());
    Ok(())
}

#[tokio::test]
async fn exchange_sends_credentials_in_the_body_the_same_redirect_uri_and_the_verifier()
-> TestResult {
    let world = World::start().await?;
    let verifier = verifier()?;
    let code = world
        .code_from(&world.provider, Person::octocat(), Some(&verifier))
        .await?;

    world.provider.exchange_code(&code, Some(&verifier)).await?;

    let sent = world.github.requests_to(Endpoint::AccessToken);
    assert_eq!(sent.len(), 1);
    let sent = &sent[0];
    assert_eq!(sent.method, "POST");
    assert_eq!(sent.path, "/login/oauth/access_token");
    assert_eq!(
        sent.header("user-agent"),
        Some(GithubConfig::DEFAULT_USER_AGENT)
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
    assert_eq!(sent.form_param("code"), Some(code));
    assert_eq!(sent.form_param("redirect_uri").as_deref(), Some(CALLBACK));
    assert_eq!(
        sent.form_param("code_verifier").as_deref(),
        Some(verifier.expose())
    );
    assert_eq!(
        sent.form_param("grant_type").as_deref(),
        Some("authorization_code")
    );
    assert!(sent.query.is_empty(), "nothing secret in the URL");
    Ok(())
}

#[tokio::test]
async fn a_reused_code_is_code_rejected() -> TestResult {
    let world = World::start().await?;
    let verifier = verifier()?;
    let code = world
        .code_from(&world.provider, Person::octocat(), Some(&verifier))
        .await?;
    world.provider.exchange_code(&code, Some(&verifier)).await?;

    let again = world.provider.exchange_code(&code, Some(&verifier)).await;

    let Err(ProviderError::CodeRejected(message)) = again else {
        return Err(format!("expected CodeRejected, got {again:?}").into());
    };
    assert!(message.contains("Start sign-in again"), "{message}");
    Ok(())
}

#[tokio::test]
async fn a_wrong_verifier_is_code_rejected() -> TestResult {
    let world = World::start().await?;
    let code = world
        .code_from(&world.provider, Person::octocat(), Some(&verifier()?))
        .await?;
    let other = nectr_domain::PkceVerifier::parse(&"x".repeat(43))?;

    let result = world.provider.exchange_code(&code, Some(&other)).await;

    assert!(
        matches!(result, Err(ProviderError::CodeRejected(_))),
        "{result:?}"
    );
    Ok(())
}

#[tokio::test]
async fn a_wrong_secret_is_misconfigured() -> TestResult {
    let world = World::start().await?;
    let wrong = world.provider_with(|c| c.client_secret = SecretString::from("not-the-secret"))?;
    let verifier = verifier()?;
    let code = world
        .code_from(&wrong, Person::octocat(), Some(&verifier))
        .await?;

    let result = wrong.exchange_code(&code, Some(&verifier)).await;

    let Err(ProviderError::Misconfigured(message)) = result else {
        return Err(format!("expected Misconfigured, got {result:?}").into());
    };
    assert!(
        message.contains("GITHUB_CLIENT_ID") && message.contains("GITHUB_CLIENT_SECRET"),
        "{message}"
    );
    assert!(message.contains("whitespace"), "{message}");
    Ok(())
}

#[tokio::test]
async fn a_secret_with_pasted_whitespace_is_called_out() -> TestResult {
    let world = World::start().await?;
    let pasted =
        world.provider_with(|c| c.client_secret = SecretString::from(format!("{SECRET}\n")))?;
    let verifier = verifier()?;
    let code = world
        .code_from(&pasted, Person::octocat(), Some(&verifier))
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
async fn a_different_redirect_uri_at_exchange_is_misconfigured_and_named() -> TestResult {
    let world = World::start().await?;
    let verifier = verifier()?;
    let code = world
        .code_from(&world.provider, Person::octocat(), Some(&verifier))
        .await?;
    let moved = format!("{CALLBACK}/elsewhere");
    let other = world.provider_with(|c| c.redirect_url = moved.clone())?;

    let result = other.exchange_code(&code, Some(&verifier)).await;

    let Err(ProviderError::Misconfigured(message)) = result else {
        return Err(format!("expected Misconfigured, got {result:?}").into());
    };
    assert!(message.contains(&moved), "{message}");
    let sent = world.github.requests_to(Endpoint::AccessToken);
    assert_eq!(sent[0].form_param("redirect_uri"), Some(moved));
    Ok(())
}

#[tokio::test]
async fn an_unverified_email_is_account_refused() -> TestResult {
    let world = World::start().await?;

    let result = world.sign_in(Person::unverified()).await;

    let error = result.err().ok_or("the exchange should fail")?;
    let error = error
        .downcast::<ProviderError>()
        .map_err(|e| format!("{e}"))?;
    let ProviderError::AccountRefused(message) = *error else {
        return Err(format!("expected AccountRefused, got {error:?}").into());
    };
    let settings = format!("{}/settings/emails", world.github.web_url());
    assert!(message.contains(&settings), "{message}");
    Ok(())
}

#[tokio::test]
async fn an_unknown_answer_from_the_token_endpoint_is_bad_response_naming_the_status() -> TestResult
{
    for (fault, status) in [
        (Fault::Garbage, "200"),
        (Fault::Status(502), "502"),
        (Fault::Status(404), "404"),
    ] {
        let world = World::start().await?;
        let verifier = verifier()?;
        let code = world
            .code_from(&world.provider, Person::octocat(), Some(&verifier))
            .await?;
        world.github.set_fault(Endpoint::AccessToken, fault.clone());

        let result = world.provider.exchange_code(&code, Some(&verifier)).await;

        let Err(ProviderError::BadResponse(message)) = result else {
            return Err(format!("{fault:?}: expected BadResponse, got {result:?}").into());
        };
        assert!(message.contains(status), "{fault:?}: {message}");
    }
    Ok(())
}
