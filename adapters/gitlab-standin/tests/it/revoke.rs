//! `POST /oauth/revoke`: RFC 7009 as GitLab serves it.

use nectr_gitlab_standin::OAuthApp;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::*;

fn revoke_form(token: &str) -> Vec<(&str, &str)> {
    vec![
        ("client_id", CLIENT_ID),
        ("client_secret", SECRET),
        ("token", token),
    ]
}

#[tokio::test]
async fn revoking_an_access_token_answers_an_empty_object_and_kills_the_pair() -> TestResult {
    let standin = standin().await?;
    let pair = sign_in(&standin, "read_user").await?;
    let (status, body) = post_form(&standin, "/oauth/revoke", &revoke_form(&pair.access)).await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({}));
    assert!(!standin.is_token_live(&pair.access));
    let refresh = [
        ("client_id", CLIENT_ID),
        ("client_secret", SECRET),
        ("grant_type", "refresh_token"),
        ("refresh_token", pair.refresh.as_str()),
    ];
    let (status, answer) = exchange(&standin, &refresh).await?;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(answer["error"], "invalid_grant");
    Ok(())
}

#[tokio::test]
async fn revoking_the_refresh_token_revokes_the_access_token_too() -> TestResult {
    let standin = standin().await?;
    let pair = sign_in(&standin, "read_user").await?;
    let (status, _) = post_form(&standin, "/oauth/revoke", &revoke_form(&pair.refresh)).await?;
    assert_eq!(status, StatusCode::OK);
    assert!(!standin.is_token_live(&pair.access));
    Ok(())
}

#[tokio::test]
async fn an_unknown_token_is_not_an_error() -> TestResult {
    let standin = standin().await?;
    let (status, body) = post_form(&standin, "/oauth/revoke", &revoke_form("nope")).await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({}));
    Ok(())
}

#[tokio::test]
async fn a_client_that_does_not_authenticate_is_refused_with_403() -> TestResult {
    let standin = standin().await?;
    let pair = sign_in(&standin, "read_user").await?;
    for form in [
        vec![
            ("client_id", CLIENT_ID),
            ("client_secret", "wrong"),
            ("token", pair.access.as_str()),
        ],
        vec![("token", pair.access.as_str())],
    ] {
        let (status, body): (StatusCode, Value) =
            post_form(&standin, "/oauth/revoke", &form).await?;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(body["error"], "unauthorized_client");
        assert_eq!(
            body["error_description"],
            "You are not authorized to revoke this token"
        );
    }
    assert!(standin.is_token_live(&pair.access));
    Ok(())
}

#[tokio::test]
async fn an_app_cannot_revoke_another_confidential_apps_token() -> TestResult {
    let standin = standin().await?;
    standin.register_app(OAuthApp::new("other-app", "other-secret", CALLBACK));
    let pair = sign_in(&standin, "read_user").await?;
    let form = [
        ("client_id", "other-app"),
        ("client_secret", "other-secret"),
        ("token", pair.access.as_str()),
    ];
    let (status, body) = post_form(&standin, "/oauth/revoke", &form).await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"], "unauthorized_client");
    assert!(standin.is_token_live(&pair.access));
    Ok(())
}
