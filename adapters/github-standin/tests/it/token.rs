//! `POST /login/oauth/access_token`: formats, the four HTTP-200 errors, single use, PKCE,
//! expiring tokens and the ten-token limit.

use std::time::Duration;

use nectr_github_standin::{Endpoint, OAuthApp, Person};
use reqwest::StatusCode;

use crate::common::*;

fn form<'a>(code: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![
        ("client_id", CLIENT_ID),
        ("client_secret", SECRET),
        ("code", code),
    ];
    form.extend_from_slice(extra);
    form
}

#[tokio::test]
async fn json_answer_has_lowercase_bearer_and_comma_scopes() -> TestResult {
    let standin = standin().await?;
    let code = code(&standin, &[("scope", "repo read:user")]).await?;
    let (status, fields) = exchange(&standin, &form(&code, &[])).await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(fields["token_type"], "bearer");
    assert_eq!(fields["scope"], "repo,read:user");
    let token = fields["access_token"].as_str().ok_or("no token")?;
    let body = token.strip_prefix("gho_").ok_or("no gho_ prefix")?;
    assert_eq!(body.len(), 36);
    assert!(body.chars().all(|c| c.is_ascii_alphanumeric()));
    assert!(standin.is_token_live(token));
    assert!(!fields.contains_key("refresh_token"));
    Ok(())
}

#[tokio::test]
async fn without_accept_json_the_answer_is_form_encoded() -> TestResult {
    let standin = standin().await?;
    let code = code(&standin, &[("scope", "read:user")]).await?;
    let response = client()?
        .post(format!("{}/login/oauth/access_token", standin.web_url()))
        .form(&form(&code, &[]))
        .send()
        .await?;
    let content_type = header(&response, "content-type")
        .unwrap_or_default()
        .to_owned();
    assert!(
        content_type.starts_with("application/x-www-form-urlencoded"),
        "{content_type}"
    );
    let body = response.text().await?;
    assert!(serde_json::from_str::<serde_json::Value>(&body).is_err());
    let fields: Vec<(String, String)> = url::form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    assert!(
        fields
            .iter()
            .any(|(n, v)| n == "access_token" && v.starts_with("gho_"))
    );
    assert!(fields.contains(&("token_type".to_owned(), "bearer".to_owned())));
    Ok(())
}

#[tokio::test]
async fn errors_are_form_encoded_too_without_accept_json() -> TestResult {
    let standin = standin().await?;
    let response = client()?
        .post(format!("{}/login/oauth/access_token", standin.web_url()))
        .form(&form("0000", &[]))
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::OK);
    let body = response.text().await?;
    assert!(
        body.starts_with("error=bad_verification_code&error_description="),
        "{body}"
    );
    Ok(())
}

#[tokio::test]
async fn wrong_client_credentials_are_an_http_200_error() -> TestResult {
    let standin = standin().await?;
    let code = code(&standin, &[]).await?;
    let padded = format!("{SECRET} \n");
    for (id, secret) in [
        (CLIENT_ID, "wrong"),
        (CLIENT_ID, padded.as_str()),
        ("other", SECRET),
    ] {
        let attempt = [
            ("client_id", id),
            ("client_secret", secret),
            ("code", code.as_str()),
        ];
        let (status, fields) = exchange(&standin, &attempt).await?;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            error_of(&fields),
            Some("incorrect_client_credentials"),
            "{secret:?}"
        );
        assert!(fields.contains_key("error_description") && fields.contains_key("error_uri"));
    }
    let fields = exchange_code(&standin, &code).await?;
    assert!(
        fields.contains_key("access_token"),
        "a refused client must not use up the code"
    );
    Ok(())
}

#[tokio::test]
async fn client_credentials_may_come_by_http_basic() -> TestResult {
    let standin = standin().await?;
    let code = code(&standin, &[]).await?;
    let response = client()?
        .post(format!("{}/login/oauth/access_token", standin.web_url()))
        .basic_auth(CLIENT_ID, Some(SECRET))
        .header("accept", "application/json")
        .form(&[("code", code.as_str())])
        .send()
        .await?;
    let fields: serde_json::Value = response.json().await?;
    assert!(fields["access_token"].is_string(), "{fields}");
    Ok(())
}

#[tokio::test]
async fn a_code_works_once() -> TestResult {
    let standin = standin().await?;
    let code = code(&standin, &[]).await?;
    assert!(
        exchange_code(&standin, &code)
            .await?
            .contains_key("access_token")
    );
    let (status, replay) = exchange(&standin, &form(&code, &[])).await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(error_of(&replay), Some("bad_verification_code"));
    let (_, unknown) = exchange(&standin, &form("0123456789abcdef0123", &[])).await?;
    assert_eq!(error_of(&unknown), Some("bad_verification_code"));
    Ok(())
}

#[tokio::test]
async fn a_failed_exchange_still_uses_up_the_code() -> TestResult {
    let standin = standin().await?;
    let code = code(&standin, &[("redirect_uri", CALLBACK)]).await?;
    let (_, first) = exchange(
        &standin,
        &form(&code, &[("redirect_uri", "http://elsewhere.test/")]),
    )
    .await?;
    assert_eq!(error_of(&first), Some("redirect_uri_mismatch"));
    let (_, second) = exchange(&standin, &form(&code, &[("redirect_uri", CALLBACK)])).await?;
    assert_eq!(error_of(&second), Some("bad_verification_code"));
    Ok(())
}

#[tokio::test]
async fn a_code_expires_after_ten_minutes() -> TestResult {
    let standin = standin().await?;
    let fresh = code(&standin, &[]).await?;
    standin.advance_clock(Duration::from_secs(9 * 60));
    assert!(
        exchange_code(&standin, &fresh)
            .await?
            .contains_key("access_token")
    );
    let stale = code(&standin, &[]).await?;
    standin.advance_clock(Duration::from_secs(10 * 60 + 1));
    let (_, fields) = exchange(&standin, &form(&stale, &[])).await?;
    assert_eq!(error_of(&fields), Some("bad_verification_code"));
    Ok(())
}

#[tokio::test]
async fn a_code_belongs_to_the_app_it_was_issued_to() -> TestResult {
    let standin = standin().await?;
    standin.register_app(OAuthApp::new("other-app", "other-secret", CALLBACK));
    let code = code(&standin, &[]).await?;
    let attempt = [
        ("client_id", "other-app"),
        ("client_secret", "other-secret"),
        ("code", code.as_str()),
    ];
    let (_, fields) = exchange(&standin, &attempt).await?;
    assert_eq!(error_of(&fields), Some("bad_verification_code"));
    Ok(())
}

#[tokio::test]
async fn the_redirect_uri_must_be_the_one_sent_at_authorize() -> TestResult {
    let standin = standin().await?;
    let sent = format!("{CALLBACK}/sub");
    for at_exchange in [Some(CALLBACK), None] {
        let code = code(&standin, &[("redirect_uri", &sent)]).await?;
        let extra: Vec<_> = at_exchange
            .map(|uri| ("redirect_uri", uri))
            .into_iter()
            .collect();
        let (status, fields) = exchange(&standin, &form(&code, &extra)).await?;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            error_of(&fields),
            Some("redirect_uri_mismatch"),
            "{at_exchange:?}"
        );
    }
    let code = code(&standin, &[("redirect_uri", &sent)]).await?;
    let (_, fields) = exchange(&standin, &form(&code, &[("redirect_uri", &sent)])).await?;
    assert!(fields.contains_key("access_token"));
    Ok(())
}

#[tokio::test]
async fn without_one_at_authorize_the_redirect_uri_must_match_the_callback() -> TestResult {
    let standin = standin().await?;
    let code = code(&standin, &[]).await?;
    let (_, fields) = exchange(
        &standin,
        &form(&code, &[("redirect_uri", "http://app.example.test/x")]),
    )
    .await?;
    assert_eq!(error_of(&fields), Some("redirect_uri_mismatch"));
    let code = crate::common::code(&standin, &[]).await?;
    let below = format!("{CALLBACK}/below");
    let (_, fields) = exchange(&standin, &form(&code, &[("redirect_uri", &below)])).await?;
    assert!(fields.contains_key("access_token"));
    Ok(())
}

#[tokio::test]
async fn pkce_needs_the_matching_verifier() -> TestResult {
    let standin = standin().await?;
    let pkce = [
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ];
    let other_verifier = "x".repeat(43);
    for verifier in [None, Some(other_verifier.as_str())] {
        let code = code(&standin, &pkce).await?;
        let extra: Vec<_> = verifier.map(|v| ("code_verifier", v)).into_iter().collect();
        let (status, fields) = exchange(&standin, &form(&code, &extra)).await?;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            error_of(&fields),
            Some("bad_verification_code"),
            "{verifier:?}"
        );
        let description = fields["error_description"].as_str().unwrap_or_default();
        assert!(description.contains("code_verifier"), "{description}");
    }
    let code = code(&standin, &pkce).await?;
    let (_, fields) = exchange(&standin, &form(&code, &[("code_verifier", VERIFIER)])).await?;
    assert!(fields.contains_key("access_token"));
    Ok(())
}

#[tokio::test]
async fn a_person_without_a_verified_email_gets_unverified_user_email() -> TestResult {
    let standin = standin().await?;
    standin.sign_in_as(Person::unverified());
    let code = code(&standin, &[]).await?;
    let (status, fields) = exchange(&standin, &form(&code, &[])).await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(error_of(&fields), Some("unverified_user_email"));
    assert!(standin.issued_tokens().is_empty());
    Ok(())
}

#[tokio::test]
async fn parameters_are_read_from_a_form_body_only() -> TestResult {
    let standin = standin().await?;
    let code = code(&standin, &[]).await?;
    let response = client()?
        .post(format!("{}/login/oauth/access_token", standin.web_url()))
        .header("accept", "application/json")
        .json(&serde_json::json!({"client_id": CLIENT_ID, "client_secret": SECRET, "code": code}))
        .send()
        .await?;
    let fields: serde_json::Value = response.json().await?;
    assert_eq!(fields["error"], "incorrect_client_credentials");
    let recorded = standin.requests_to(Endpoint::AccessToken);
    assert_eq!(recorded[0].header("Content-Type"), Some("application/json"));
    Ok(())
}

#[tokio::test]
async fn expiring_tokens_come_with_a_refresh_token_that_rotates() -> TestResult {
    let standin = standin_with(OAuthApp {
        expiring_tokens: true,
        ..OAuthApp::new(CLIENT_ID, SECRET, CALLBACK)
    })
    .await?;
    let code = code(&standin, &[("scope", "read:user")]).await?;
    let first = exchange_code(&standin, &code).await?;
    assert_eq!(first["expires_in"], 28_800);
    assert_eq!(first["refresh_token_expires_in"], 15_897_600);
    let access = first["access_token"].as_str().ok_or("no access token")?;
    let refresh = first["refresh_token"].as_str().ok_or("no refresh token")?;
    assert!(refresh.starts_with("ghr_"));
    let rotate = [
        ("client_id", CLIENT_ID),
        ("client_secret", SECRET),
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh),
    ];
    let (_, second) = exchange(&standin, &rotate).await?;
    let new_access = second["access_token"]
        .as_str()
        .ok_or("no new access token")?;
    assert_ne!(new_access, access);
    assert_ne!(second["refresh_token"].as_str(), Some(refresh));
    assert_eq!(second["scope"], "read:user");
    assert!(!standin.is_token_live(access));
    assert!(standin.is_token_live(new_access));
    let (_, again) = exchange(&standin, &rotate).await?;
    assert_eq!(error_of(&again), Some("bad_refresh_token"));
    standin.advance_clock(Duration::from_secs(28_800));
    assert!(
        !standin.is_token_live(new_access),
        "access tokens expire after 8 hours"
    );
    Ok(())
}

#[tokio::test]
async fn an_eleventh_token_revokes_the_oldest_of_the_same_scope_set() -> TestResult {
    let standin = standin().await?;
    let other_set = token(&standin, "read:user user:email").await?;
    let mut tokens = Vec::new();
    for _ in 0..11 {
        tokens.push(token(&standin, "read:user").await?);
    }
    assert!(!standin.is_token_live(&tokens[0]));
    assert!(tokens[1..].iter().all(|t| standin.is_token_live(t)));
    assert!(standin.is_token_live(&other_set));
    let live = standin.live_tokens(CLIENT_ID, Person::octocat().id);
    assert_eq!(live.len(), 11);
    assert!(!live.contains(&tokens[0]));
    Ok(())
}
