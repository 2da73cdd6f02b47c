//! No error, and no `Debug` of the provider or its settings, ever shows the client secret, a
//! token, a code or a verifier.

use std::time::Duration;

use nectr_application::ports::{IdentityProvider, ProviderError};
use nectr_domain::AccessToken;
use nectr_github::GithubProvider;
use nectr_github_standin::{Endpoint, Fault, Person};
use secrecy::SecretString;

use crate::support::{SECRET, TestResult, World, closed_port_url, config, verifier};

#[tokio::test]
async fn errors_and_debug_output_never_show_secrets() -> TestResult {
    let world = World::start().await?;
    let verifier = verifier()?;
    let mut errors: Vec<ProviderError> = Vec::new();
    let mut codes: Vec<String> = Vec::new();

    // A reused code.
    let code = world
        .code_from(&world.provider, Person::octocat(), Some(&verifier))
        .await?;
    let token = world.provider.exchange_code(&code, Some(&verifier)).await?;
    errors.extend(
        world
            .provider
            .exchange_code(&code, Some(&verifier))
            .await
            .err(),
    );
    codes.push(code);

    // A wrong secret (with whitespace, to get the whitespace hint too).
    let pasted =
        world.provider_with(|c| c.client_secret = SecretString::from(format!(" {SECRET}")))?;
    let code = world
        .code_from(&pasted, Person::octocat(), Some(&verifier))
        .await?;
    errors.extend(pasted.exchange_code(&code, Some(&verifier)).await.err());
    errors.extend(pasted.revoke_grant(&token).await.err());
    codes.push(code);

    // A person GitHub refuses.
    let code = world
        .code_from(&world.provider, Person::unverified(), Some(&verifier))
        .await?;
    errors.extend(
        world
            .provider
            .exchange_code(&code, Some(&verifier))
            .await
            .err(),
    );
    codes.push(code);

    // Broken, limited and hanging endpoints.
    let impatient = world.provider_with(|c| c.request_timeout = Duration::from_millis(200))?;
    for fault in [
        Fault::Garbage,
        Fault::Status(502),
        Fault::RateLimited,
        Fault::Hang,
    ] {
        world.github.set_fault(Endpoint::User, fault.clone());
        errors.extend(impatient.fetch_profile(&token).await.err());
        world.github.set_fault(Endpoint::DeleteGrant, fault.clone());
        errors.extend(impatient.revoke_grant(&token).await.err());
        world.github.clear_faults();
        let code = world
            .code_from(&world.provider, Person::octocat(), Some(&verifier))
            .await?;
        world.github.set_fault(Endpoint::AccessToken, fault);
        errors.extend(impatient.exchange_code(&code, Some(&verifier)).await.err());
        world.github.clear_faults();
        codes.push(code);
    }

    // A revoked token, twice.
    world.provider.revoke_grant(&token).await?;
    errors.extend(world.provider.fetch_profile(&token).await.err());
    errors.extend(world.provider.revoke_grant(&token).await.err());

    // Nobody home.
    let mut settings = config(&world.github)?;
    settings.web_url = closed_port_url()?;
    settings.api_url = closed_port_url()?;
    let nowhere = GithubProvider::new(settings.clone())?;
    errors.extend(nowhere.exchange_code("abc123", Some(&verifier)).await.err());
    errors.extend(
        nowhere
            .fetch_profile(&AccessToken::new("gho_nowhere".into())?)
            .await
            .err(),
    );

    assert!(errors.len() >= 18, "only {} errors collected", errors.len());
    let mut secrets = world.github.issued_tokens();
    assert!(!secrets.is_empty());
    secrets.extend(codes);
    secrets.push(SECRET.to_owned());
    secrets.push(verifier.expose().to_owned());
    secrets.push("gho_nowhere".to_owned());
    let mut shown: Vec<String> = errors
        .iter()
        .flat_map(|e| [e.to_string(), format!("{e:?}")])
        .collect();
    shown.push(format!("{:?}", world.provider));
    shown.push(format!("{pasted:?}"));
    shown.push(format!("{settings:?}"));
    for text in &shown {
        for secret in &secrets {
            assert!(
                !text.contains(secret.as_str()),
                "a secret leaked into: {text}"
            );
        }
    }
    Ok(())
}
