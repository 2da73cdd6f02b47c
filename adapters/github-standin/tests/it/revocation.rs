//! Tokens that stop working without the app doing anything: expiry, and a person revoking
//! the app or a token in GitHub's settings.

use std::time::Duration;

use nectr_github_standin::{OAuthApp, Person};
use reqwest::StatusCode;
use serde_json::Value;

use crate::common::*;

async fn expiring_standin() -> TestResult<nectr_github_standin::GithubStandIn> {
    standin_with(OAuthApp {
        expiring_tokens: true,
        ..OAuthApp::new(CLIENT_ID, SECRET, CALLBACK)
    })
    .await
}

async fn status_of(
    standin: &nectr_github_standin::GithubStandIn,
    path: &str,
    token: &str,
) -> TestResult<StatusCode> {
    Ok(api_get(standin, path, token).await?.status())
}

#[tokio::test]
async fn an_expiring_access_token_is_refused_on_every_route_after_eight_hours() -> TestResult {
    let standin = expiring_standin().await?;
    let token = token(&standin, "read:user user:email read:org").await?;
    standin.advance_clock(Duration::from_secs(28_799));
    assert_eq!(status_of(&standin, "/user", &token).await?, StatusCode::OK);

    standin.advance_clock(Duration::from_secs(1));

    for path in ["/user", "/user/emails", "/user/orgs", "/user/teams"] {
        let response = api_get(&standin, path, &token).await?;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{path}");
        let body: Value = response.json().await?;
        assert_eq!(body["message"], "Bad credentials");
    }
    Ok(())
}

#[tokio::test]
async fn a_classic_token_does_not_expire() -> TestResult {
    let standin = standin().await?;
    let token = token(&standin, "read:user").await?;

    standin.advance_clock(Duration::from_secs(365 * 24 * 3600));

    assert_eq!(status_of(&standin, "/user", &token).await?, StatusCode::OK);
    Ok(())
}

#[tokio::test]
async fn a_token_revoked_by_the_person_gets_bad_credentials() -> TestResult {
    let standin = expiring_standin().await?;
    let code = code(&standin, &[("scope", "read:user")]).await?;
    let fields = exchange_code(&standin, &code).await?;
    let access = fields["access_token"].as_str().ok_or("no access token")?;
    let refresh = fields["refresh_token"].as_str().ok_or("no refresh token")?;
    let other = token(&standin, "read:user").await?;

    standin.revoke_token(access);

    assert_eq!(
        status_of(&standin, "/user", access).await?,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(status_of(&standin, "/user", &other).await?, StatusCode::OK);
    assert!(standin.grant_exists(CLIENT_ID, Person::octocat().id));
    let rotate = [
        ("client_id", CLIENT_ID),
        ("client_secret", SECRET),
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh),
    ];
    let (_, refused) = exchange(&standin, &rotate).await?;
    assert_eq!(error_of(&refused), Some("bad_refresh_token"));
    Ok(())
}

#[tokio::test]
async fn revoking_the_app_in_settings_kills_every_token_and_the_grant() -> TestResult {
    let standin = standin().await?;
    let first = token(&standin, "read:user").await?;
    let second = token(&standin, "read:org").await?;
    let github_id = Person::octocat().id;

    standin.revoke_app_access(CLIENT_ID, github_id);

    for token in [&first, &second] {
        assert_eq!(
            status_of(&standin, "/user", token).await?,
            StatusCode::UNAUTHORIZED
        );
    }
    assert!(!standin.grant_exists(CLIENT_ID, github_id));
    assert!(standin.live_tokens(CLIENT_ID, github_id).is_empty());
    // The next authorize shows the consent screen again.
    code(&standin, &[("scope", "read:user")]).await?;
    let last = standin.authorizations().pop().ok_or("no authorization")?;
    assert!(last.consent_screen_shown);
    Ok(())
}
