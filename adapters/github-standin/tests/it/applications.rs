//! `DELETE /applications/{client_id}/grant` and `/token`: app credentials, body, and effects.

use nectr_github_standin::{OAuthApp, Person};
use reqwest::{Response, StatusCode};
use serde_json::json;

use crate::common::*;

async fn delete(
    standin: &nectr_github_standin::GithubStandIn,
    what: &str,
    credentials: (&str, &str),
    body: serde_json::Value,
) -> TestResult<Response> {
    Ok(client()?
        .delete(format!(
            "{}/applications/{CLIENT_ID}/{what}",
            standin.api_url()
        ))
        .header("user-agent", USER_AGENT)
        .header("accept", "application/vnd.github+json")
        .basic_auth(credentials.0, Some(credentials.1))
        .json(&body)
        .send()
        .await?)
}

#[tokio::test]
async fn deleting_the_grant_revokes_every_token_and_brings_back_the_consent_screen() -> TestResult {
    let standin = standin().await?;
    let id = Person::octocat().id;
    let first = token(&standin, "read:user").await?;
    let second = token(&standin, "read:user").await?;
    assert!(!standin.authorizations()[1].consent_screen_shown);
    let response = delete(
        &standin,
        "grant",
        (CLIENT_ID, SECRET),
        json!({"access_token": first}),
    )
    .await?;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(response.text().await?.is_empty());
    assert!(!standin.is_token_live(&first) && !standin.is_token_live(&second));
    assert!(!standin.grant_exists(CLIENT_ID, id));
    assert!(standin.live_tokens(CLIENT_ID, id).is_empty());
    let revoked = api_get(&standin, "/user", &second).await?;
    assert_eq!(revoked.status(), StatusCode::UNAUTHORIZED);
    token(&standin, "read:user").await?;
    assert!(standin.authorizations()[2].consent_screen_shown);
    Ok(())
}

#[tokio::test]
async fn deleting_a_token_revokes_only_that_token() -> TestResult {
    let standin = standin().await?;
    let first = token(&standin, "read:user").await?;
    let second = token(&standin, "read:user").await?;
    let response = delete(
        &standin,
        "token",
        (CLIENT_ID, SECRET),
        json!({"access_token": first}),
    )
    .await?;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(!standin.is_token_live(&first));
    assert!(standin.is_token_live(&second));
    assert!(standin.grant_exists(CLIENT_ID, Person::octocat().id));
    let again = delete(
        &standin,
        "token",
        (CLIENT_ID, SECRET),
        json!({"access_token": first}),
    )
    .await?;
    assert_eq!(
        again.status(),
        StatusCode::NOT_FOUND,
        "a revoked token is not found"
    );
    Ok(())
}

#[tokio::test]
async fn bad_app_credentials_get_404() -> TestResult {
    let standin = standin().await?;
    standin.register_app(OAuthApp::new("other-app", "other-secret", CALLBACK));
    let token = token(&standin, "read:user").await?;
    let body = json!({"access_token": token});
    for credentials in [(CLIENT_ID, "wrong"), ("other-app", "other-secret")] {
        for what in ["grant", "token"] {
            let response = delete(&standin, what, credentials, body.clone()).await?;
            assert_eq!(
                response.status(),
                StatusCode::NOT_FOUND,
                "{what} {credentials:?}"
            );
            let message: serde_json::Value = response.json().await?;
            assert_eq!(message["message"], "Not Found");
        }
    }
    assert!(standin.is_token_live(&token));
    Ok(())
}

#[tokio::test]
async fn a_body_without_access_token_gets_422() -> TestResult {
    let standin = standin().await?;
    let token = token(&standin, "read:user").await?;
    for body in [
        json!({}),
        json!({"token": token}),
        json!({"access_token": 5}),
    ] {
        let response = delete(&standin, "grant", (CLIENT_ID, SECRET), body).await?;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let message: serde_json::Value = response.json().await?;
        assert_eq!(message["message"], "Validation Failed");
    }
    assert!(standin.is_token_live(&token));
    Ok(())
}

#[tokio::test]
async fn a_token_of_another_app_is_not_found() -> TestResult {
    let standin = standin().await?;
    standin.register_app(OAuthApp::new("other-app", "other-secret", CALLBACK));
    let code = code_for_other_app(&standin).await?;
    let attempt = [
        ("client_id", "other-app"),
        ("client_secret", "other-secret"),
        ("code", code.as_str()),
    ];
    let (_, fields) = exchange(&standin, &attempt).await?;
    let foreign = fields["access_token"].as_str().ok_or("no token")?;
    let response = delete(
        &standin,
        "token",
        (CLIENT_ID, SECRET),
        json!({"access_token": foreign}),
    )
    .await?;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(standin.is_token_live(foreign));
    Ok(())
}

async fn code_for_other_app(standin: &nectr_github_standin::GithubStandIn) -> TestResult<String> {
    let back = authorize(standin, &[("client_id", "other-app")]).await?;
    Ok(param(&back, "code").ok_or("no code")?)
}
