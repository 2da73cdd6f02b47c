//! A GitLab that hangs, is slow, or cannot be reached.

use std::time::{Duration, Instant};

use nectr_application::ports::{IdentityProvider, ProviderError};
use nectr_domain::AccessToken;
use nectr_gitlab::GitlabProvider;
use nectr_gitlab_standin::{Endpoint, Fault, Person};

use crate::support::{TestResult, World, closed_port_url, config, verifier};

const SHORT: Duration = Duration::from_millis(300);

#[tokio::test]
async fn a_hanging_token_endpoint_times_out_quickly() -> TestResult {
    let world = World::start().await?;
    let impatient = world.provider_with(|c| c.request_timeout = SHORT)?;
    let verifier = verifier()?;
    let code = world
        .code_from(&impatient, Person::tanuki(), Some(&verifier))
        .await?;
    world.gitlab.set_fault(Endpoint::Token, Fault::Hang);

    let started = Instant::now();
    let result = impatient.exchange_code(&code, Some(&verifier)).await;

    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    let Err(ProviderError::Timeout(message)) = result else {
        return Err(format!("expected Timeout, got {result:?}").into());
    };
    assert!(
        message.contains("GitLab did not answer within 0.3 s"),
        "{message}"
    );
    assert!(message.contains("Try again later"), "{message}");
    Ok(())
}

#[tokio::test]
async fn hanging_rest_and_revoke_calls_time_out_quickly() -> TestResult {
    let world = World::start().await?;
    let impatient = world.provider_with(|c| {
        c.request_timeout = SHORT;
        c.read_groups = true;
    })?;
    let grant = world.sign_in_with(&impatient, Person::tanuki()).await?;
    let token = &grant.access_token;
    for endpoint in [Endpoint::User, Endpoint::Groups, Endpoint::Revoke] {
        world.gitlab.clear_faults();
        world.gitlab.set_fault(endpoint, Fault::Hang);

        let started = Instant::now();
        let result = match endpoint {
            Endpoint::User => impatient.fetch_profile(token).await.map(|_| ()),
            Endpoint::Groups => impatient.organizations(token).await.map(|_| ()),
            _ => impatient.revoke_token(token).await,
        };

        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{endpoint:?} took {:?}",
            started.elapsed()
        );
        assert!(
            matches!(&result, Err(ProviderError::Timeout(m)) if m.contains("GitLab")),
            "{endpoint:?}: {result:?}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn a_slow_but_answering_gitlab_is_fine() -> TestResult {
    let world = World::start().await?;
    let grant = world.sign_in(Person::tanuki()).await?;
    world
        .gitlab
        .set_fault(Endpoint::User, Fault::Delay(Duration::from_millis(100)));

    let profile = world.provider.fetch_profile(&grant.access_token).await?;

    assert_eq!(profile.username(), "tanuki");
    Ok(())
}

#[tokio::test]
async fn an_unreachable_gitlab_is_unreachable_and_named() -> TestResult {
    let world = World::start().await?;
    let nowhere = closed_port_url()?;
    let mut settings = config(&world.gitlab)?;
    settings.base_url = nowhere.clone();
    settings.read_groups = true;
    let provider = GitlabProvider::new(settings)?;
    let token = AccessToken::new("glpat-whatever".into())?;

    let results = [
        provider
            .exchange_code("0123456789abcdef0123", Some(&verifier()?))
            .await
            .map(|_| ()),
        provider
            .refresh(&nectr_domain::RefreshToken::new("r".repeat(64))?)
            .await
            .map(|_| ()),
        provider.fetch_profile(&token).await.map(|_| ()),
        provider.organizations(&token).await.map(|_| ()),
        provider.revoke_token(&token).await,
    ];

    let shown = nowhere.as_str().trim_end_matches('/');
    for result in results {
        let Err(ProviderError::Unreachable(message)) = result else {
            return Err(format!("expected Unreachable, got {result:?}").into());
        };
        assert!(
            message.contains(&format!("cannot reach GitLab at {shown}")),
            "{message}"
        );
        assert!(message.contains("GITLAB_URL"), "{message}");
    }
    Ok(())
}
