//! A GitHub that hangs or cannot be reached.

use std::time::{Duration, Instant};

use nectr_application::ports::{IdentityProvider, ProviderError};
use nectr_domain::AccessToken;
use nectr_github::GithubProvider;
use nectr_github_standin::{Endpoint, Fault, Person};

use crate::support::{TestResult, World, closed_port_url, config, verifier};

const SHORT: Duration = Duration::from_millis(300);

#[tokio::test]
async fn a_hanging_token_endpoint_times_out_quickly() -> TestResult {
    let world = World::start().await?;
    let impatient = world.provider_with(|c| c.request_timeout = SHORT)?;
    let verifier = verifier()?;
    let code = world
        .code_from(&impatient, Person::octocat(), Some(&verifier))
        .await?;
    world.github.set_fault(Endpoint::AccessToken, Fault::Hang);

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
        message.contains("GitHub did not answer within 0.3 s"),
        "{message}"
    );
    Ok(())
}

#[tokio::test]
async fn a_hanging_rest_api_times_out_quickly() -> TestResult {
    let world = World::start().await?;
    let impatient = world.provider_with(|c| c.request_timeout = SHORT)?;
    let token = world.sign_in(Person::octocat()).await?;
    world.github.set_fault(Endpoint::User, Fault::Hang);

    let started = Instant::now();
    let result = impatient.fetch_profile(&token).await;

    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    assert!(
        matches!(result, Err(ProviderError::Timeout(_))),
        "{result:?}"
    );
    Ok(())
}

#[tokio::test]
async fn a_slow_but_answering_github_is_fine() -> TestResult {
    let world = World::start().await?;
    let token = world.sign_in(Person::octocat()).await?;
    world
        .github
        .set_fault(Endpoint::User, Fault::Delay(Duration::from_millis(100)));

    let profile = world.provider.fetch_profile(&token).await?;

    assert_eq!(profile.username(), "octocat");
    Ok(())
}

#[tokio::test]
async fn an_unreachable_github_is_unreachable_and_named() -> TestResult {
    let world = World::start().await?;
    let nowhere = closed_port_url()?;
    let mut settings = config(&world.github)?;
    settings.web_url = nowhere.clone();
    settings.api_url = nowhere.join("api/v3")?;
    let provider = GithubProvider::new(settings)?;

    let exchange = provider
        .exchange_code("0123456789abcdef0123", Some(&verifier()?))
        .await;
    let profile = provider
        .fetch_profile(&AccessToken::new("gho_whatever".into())?)
        .await;
    let revoke = provider
        .revoke_grant(&AccessToken::new("gho_whatever".into())?)
        .await;

    let shown = nowhere.as_str().trim_end_matches('/');
    let Err(ProviderError::Unreachable(message)) = exchange else {
        return Err(format!("expected Unreachable, got {exchange:?}").into());
    };
    assert!(
        message.contains(&format!("cannot reach GitHub at {shown}")),
        "{message}"
    );
    for result in [profile.map(|_| ()), revoke] {
        let Err(ProviderError::Unreachable(message)) = result else {
            return Err(format!("expected Unreachable, got {result:?}").into());
        };
        assert!(
            message.contains(&format!("cannot reach GitHub at {shown}/api/v3")),
            "{message}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn the_newer_calls_time_out_quickly_on_a_hanging_github() -> TestResult {
    let world = World::start_expiring().await?;
    let impatient = world.provider_with(|c| c.request_timeout = SHORT)?;
    let grant = world.sign_in_grant(Person::octocat()).await?;
    let refresh = grant.refresh_token.ok_or("no refresh token")?;
    for endpoint in [
        Endpoint::UserOrgs,
        Endpoint::UserTeams,
        Endpoint::DeleteToken,
        Endpoint::AccessToken,
    ] {
        world.github.set_fault(endpoint, Fault::Hang);
    }

    let started = Instant::now();
    let results = [
        impatient
            .organizations(&grant.access_token)
            .await
            .map(|_| ()),
        impatient.teams(&grant.access_token).await.map(|_| ()),
        impatient.revoke_token(&grant.access_token).await,
        impatient.refresh(&refresh).await.map(|_| ()),
    ];

    assert!(
        started.elapsed() < Duration::from_secs(8),
        "took {:?}",
        started.elapsed()
    );
    for result in results {
        assert!(
            matches!(&result, Err(ProviderError::Timeout(m)) if m.contains("0.3 s")),
            "{result:?}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn the_newer_calls_report_a_failing_github_as_a_bad_response() -> TestResult {
    let world = World::start_expiring().await?;
    let grant = world.sign_in_grant(Person::octocat()).await?;
    let refresh = grant.refresh_token.ok_or("no refresh token")?;
    for (fault, expected) in [
        (Fault::Status(502), "502"),
        (Fault::Garbage, "not the expected JSON"),
        (Fault::RateLimited, "rate limit"),
    ] {
        for endpoint in [
            Endpoint::UserOrgs,
            Endpoint::UserTeams,
            Endpoint::DeleteToken,
            Endpoint::AccessToken,
        ] {
            world.github.set_fault(endpoint, fault.clone());
        }

        let results = [
            world
                .provider
                .organizations(&grant.access_token)
                .await
                .map(|_| ()),
            world.provider.teams(&grant.access_token).await.map(|_| ()),
            world.provider.revoke_token(&grant.access_token).await,
            world.provider.refresh(&refresh).await.map(|_| ()),
        ];

        for (i, result) in results.into_iter().enumerate() {
            // A page is only "not JSON" where JSON was expected; revocation names the status.
            let expected = if i == 2 && fault == Fault::Garbage {
                "200"
            } else {
                expected
            };
            assert!(
                matches!(&result, Err(ProviderError::BadResponse(m)) if m.contains(expected)),
                "{fault:?}, call {i}: {result:?}"
            );
        }
    }
    Ok(())
}
