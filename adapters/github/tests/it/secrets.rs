//! No error, and no `Debug` of the provider, its settings or a token grant, ever shows the
//! client secret, an access or refresh token, a code or a verifier.

use std::time::Duration;

use nectr_application::ports::{IdentityProvider, ProviderError};
use nectr_domain::{AccessToken, RefreshToken};
use nectr_github::GithubProvider;
use nectr_github_standin::{Endpoint, Fault, Person};
use secrecy::SecretString;

use crate::support::{SECRET, TestResult, World, closed_port_url, config, granting, verifier};

#[tokio::test]
async fn errors_and_debug_output_never_show_secrets() -> TestResult {
    // Expiring tokens, so refresh tokens are among the secrets that must not show.
    let world = World::start_expiring().await?;
    let verifier = verifier()?;
    let mut errors: Vec<ProviderError> = Vec::new();
    let mut codes: Vec<String> = Vec::new();
    let mut shown: Vec<String> = Vec::new();

    // A reused code.
    let code = world
        .code_from(&world.provider, Person::octocat(), Some(&verifier))
        .await?;
    let grant = world.provider.exchange_code(&code, Some(&verifier)).await?;
    shown.push(format!("{grant:?}"));
    let token = grant.access_token;
    let refresh = grant.refresh_token.ok_or("no refresh token")?;
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
    errors.extend(pasted.revoke_token(&token).await.err());
    errors.extend(pasted.refresh(&refresh).await.err());
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

    // Memberships without the scope they need.
    let without_org = world.sign_in(granting(&["read:user"])).await?;
    errors.extend(world.provider.organizations(&without_org).await.err());
    errors.extend(world.provider.teams(&without_org).await.err());

    // Broken, limited and hanging endpoints.
    let impatient = world.provider_with(|c| c.request_timeout = Duration::from_millis(200))?;
    for fault in [
        Fault::Garbage,
        Fault::Status(502),
        Fault::RateLimited,
        Fault::Hang,
    ] {
        for endpoint in [
            Endpoint::User,
            Endpoint::UserOrgs,
            Endpoint::UserTeams,
            Endpoint::DeleteGrant,
            Endpoint::DeleteToken,
        ] {
            world.github.set_fault(endpoint, fault.clone());
        }
        errors.extend(impatient.fetch_profile(&token).await.err());
        errors.extend(impatient.organizations(&token).await.err());
        errors.extend(impatient.teams(&token).await.err());
        errors.extend(impatient.revoke_grant(&token).await.err());
        errors.extend(impatient.revoke_token(&token).await.err());
        world.github.clear_faults();
        let code = world
            .code_from(&world.provider, Person::octocat(), Some(&verifier))
            .await?;
        world.github.set_fault(Endpoint::AccessToken, fault);
        errors.extend(impatient.exchange_code(&code, Some(&verifier)).await.err());
        errors.extend(impatient.refresh(&refresh).await.err());
        world.github.clear_faults();
        codes.push(code);
    }

    // A refresh token used twice: the second time it is dead.
    let rotated = world.provider.refresh(&refresh).await?;
    shown.push(format!("{rotated:?}"));
    errors.extend(world.provider.refresh(&refresh).await.err());
    // The rotation killed the old access token too.
    errors.extend(world.provider.fetch_profile(&token).await.err());
    let token = rotated.access_token;

    // A revoked token, twice, and calls made with it.
    world.provider.revoke_grant(&token).await?;
    errors.extend(world.provider.fetch_profile(&token).await.err());
    errors.extend(world.provider.organizations(&token).await.err());
    errors.extend(world.provider.teams(&token).await.err());
    errors.extend(world.provider.revoke_grant(&token).await.err());
    errors.extend(world.provider.revoke_token(&token).await.err());

    // Nobody home.
    let mut settings = config(&world.github)?;
    settings.web_url = closed_port_url()?;
    settings.api_url = closed_port_url()?;
    let nowhere = GithubProvider::new(settings.clone())?;
    let nowhere_token = AccessToken::new("gho_nowhere".into())?;
    errors.extend(nowhere.exchange_code("abc123", Some(&verifier)).await.err());
    errors.extend(nowhere.fetch_profile(&nowhere_token).await.err());
    errors.extend(nowhere.organizations(&nowhere_token).await.err());
    errors.extend(
        nowhere
            .refresh(&RefreshToken::new("ghr_nowhere".into())?)
            .await
            .err(),
    );

    assert_eq!(errors.len(), 47, "every call above should have failed");
    let mut secrets = world.github.issued_tokens();
    assert!(secrets.iter().any(|t| t.starts_with("ghr_")));
    secrets.extend(codes);
    secrets.push(SECRET.to_owned());
    secrets.push(verifier.expose().to_owned());
    secrets.push("gho_nowhere".to_owned());
    secrets.push("ghr_nowhere".to_owned());
    shown.extend(
        errors
            .iter()
            .flat_map(|e| [e.to_string(), format!("{e:?}")]),
    );
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
