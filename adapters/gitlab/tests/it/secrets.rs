//! No error, and no `Debug` of the provider or its settings, ever shows the client secret, a
//! token, a code or a verifier.

use std::time::Duration;

use nectr_application::ports::{IdentityProvider, ProviderError};
use nectr_domain::{AccessToken, RefreshToken};
use nectr_gitlab::GitlabProvider;
use nectr_gitlab_standin::{Endpoint, Fault, Person};
use secrecy::SecretString;

use crate::support::{SECRET, TestResult, World, closed_port_url, config, verifier};

#[tokio::test]
async fn errors_and_debug_output_never_show_secrets() -> TestResult {
    let world = World::start().await?;
    let provider = world.group_reader()?;
    let verifier = verifier()?;
    let mut errors: Vec<ProviderError> = Vec::new();

    // A reused code, and a refused verifier.
    let code = world
        .code_from(&provider, Person::tanuki(), Some(&verifier))
        .await?;
    let grant = provider.exchange_code(&code, Some(&verifier)).await?;
    errors.extend(provider.exchange_code(&code, Some(&verifier)).await.err());
    let code = world
        .code_from(&provider, Person::tanuki(), Some(&verifier))
        .await?;
    let other = nectr_domain::PkceVerifier::parse(&"o".repeat(50))?;
    errors.extend(provider.exchange_code(&code, Some(&other)).await.err());

    // A wrong secret (with whitespace, to get the whitespace hint too): exchange, refresh and
    // revoke.
    let pasted =
        world.provider_with(|c| c.client_secret = SecretString::from(format!(" {SECRET}")))?;
    let code = world
        .code_from(&pasted, Person::tanuki(), Some(&verifier))
        .await?;
    errors.extend(pasted.exchange_code(&code, Some(&verifier)).await.err());
    let refresh_token = grant.refresh_token.clone().ok_or("no refresh token")?;
    errors.extend(pasted.refresh(&refresh_token).await.err());
    errors.extend(pasted.revoke_token(&grant.access_token).await.err());

    // A token without read_api on the groups list.
    let narrow = world.sign_in(Person::tanuki()).await?;
    errors.extend(provider.organizations(&narrow.access_token).await.err());

    // Broken, limited and hanging endpoints.
    let impatient = world.provider_with(|c| {
        c.request_timeout = Duration::from_millis(200);
        c.read_groups = true;
    })?;
    for fault in [
        Fault::Garbage,
        Fault::Status(502),
        Fault::Status(401),
        Fault::RateLimited,
        Fault::Hang,
    ] {
        for endpoint in [Endpoint::User, Endpoint::Groups, Endpoint::Revoke] {
            world.gitlab.set_fault(endpoint, fault.clone());
        }
        errors.extend(impatient.fetch_profile(&grant.access_token).await.err());
        errors.extend(impatient.organizations(&grant.access_token).await.err());
        errors.extend(impatient.revoke_token(&grant.access_token).await.err());
        world.gitlab.clear_faults();
        let code = world
            .code_from(&provider, Person::tanuki(), Some(&verifier))
            .await?;
        world.gitlab.set_fault(Endpoint::Token, fault);
        errors.extend(impatient.exchange_code(&code, Some(&verifier)).await.err());
        errors.extend(impatient.refresh(&refresh_token).await.err());
        world.gitlab.clear_faults();
    }

    // A refresh token used twice, and a revoked token.
    let fresh = provider.refresh(&refresh_token).await?;
    errors.extend(provider.refresh(&refresh_token).await.err());
    provider.revoke_token(&fresh.access_token).await?;
    errors.extend(provider.fetch_profile(&fresh.access_token).await.err());
    errors.extend(provider.organizations(&fresh.access_token).await.err());

    // Nobody home.
    let mut settings = config(&world.gitlab)?;
    settings.base_url = closed_port_url()?;
    let nowhere = GitlabProvider::new(settings.clone())?;
    errors.extend(nowhere.exchange_code("abc123", Some(&verifier)).await.err());
    errors.extend(
        nowhere
            .fetch_profile(&AccessToken::new("glpat-nowhere".into())?)
            .await
            .err(),
    );
    errors.extend(
        nowhere
            .refresh(&RefreshToken::new("refresh-nowhere".into())?)
            .await
            .err(),
    );

    assert_eq!(errors.len(), 37, "every call above must fail");
    let mut secrets = world.gitlab.issued_tokens();
    assert!(!secrets.is_empty());
    secrets.extend(world.gitlab.issued_codes());
    secrets.push(SECRET.to_owned());
    secrets.push(verifier.expose().to_owned());
    secrets.push(other.expose().to_owned());
    secrets.push("glpat-nowhere".to_owned());
    secrets.push("refresh-nowhere".to_owned());
    let mut shown: Vec<String> = errors
        .iter()
        .flat_map(|e| [e.to_string(), format!("{e:?}")])
        .collect();
    shown.push(format!("{:?}", world.provider));
    shown.push(format!("{provider:?}"));
    shown.push(format!("{pasted:?}"));
    shown.push(format!("{settings:?}"));
    shown.push(format!("{grant:?}"));
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
