//! `POST /oauth/token`: the code exchange (PKCE, single use, expiry, client authentication,
//! redirect URI) and refresh-token rotation.

use std::time::Duration;

use nectr_gitlab_standin::{Endpoint, OAuthApp, Person};
use reqwest::StatusCode;
use serde_json::Value;

use crate::common::*;

fn assert_error(status: StatusCode, answer: &Value, expected_status: StatusCode, error: &str) {
    assert_eq!(status, expected_status, "{answer}");
    assert_eq!(answer["error"], error, "{answer}");
    assert!(answer["error_description"].is_string(), "{answer}");
    assert!(answer.get("access_token").is_none(), "{answer}");
}

#[tokio::test]
async fn the_happy_path_with_pkce_answers_gitlabs_token_json() -> TestResult {
    let standin = standin().await?;
    let code = code(&standin, &[("scope", "read_user read_api")]).await?;
    let response = client()?
        .post(format!("{}/oauth/token", standin.web_url()))
        .form(&code_form(&code, &[]))
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "cache-control"), Some("no-store"));
    let answer: Value = response.json().await?;
    assert_eq!(answer["token_type"], "Bearer");
    assert_eq!(answer["expires_in"], 7200);
    assert_eq!(answer["scope"], "read_user read_api");
    let created_at = answer["created_at"].as_u64().ok_or("no created_at")?;
    assert!(created_at > 1_600_000_000);
    let pair = Pair::from(&answer)?;
    for value in [&pair.access, &pair.refresh] {
        assert_eq!(value.len(), 64);
        assert!(value.chars().all(|c| c.is_ascii_hexdigit()));
    }
    assert_ne!(pair.access, pair.refresh);
    assert!(standin.is_token_live(&pair.access));
    assert!(
        !standin.is_token_live(&pair.refresh),
        "a refresh token is not an access token"
    );
    assert_eq!(standin.issued_tokens(), [pair.access.clone(), pair.refresh]);
    let sent = &standin.requests_to(Endpoint::Token)[0];
    assert_eq!(sent.form_param("code_verifier").as_deref(), Some(VERIFIER));
    assert_eq!(sent.form_param("redirect_uri").as_deref(), Some(CALLBACK));
    assert_eq!(
        standin.live_tokens(CLIENT_ID, Person::tanuki().id),
        [pair.access]
    );
    Ok(())
}

#[tokio::test]
async fn a_wrong_verifier_is_invalid_grant_and_leaves_the_code_usable() -> TestResult {
    let standin = standin().await?;
    let code = code(&standin, &[]).await?;
    let wrong = "x".repeat(43);
    for verifier in [wrong.as_str(), CHALLENGE] {
        let (status, answer) =
            exchange(&standin, &code_form(&code, &[("code_verifier", verifier)])).await?;
        assert_error(status, &answer, StatusCode::BAD_REQUEST, "invalid_grant");
    }
    let (status, answer) = exchange(&standin, &code_form(&code, &[])).await?;
    assert_eq!(status, StatusCode::OK, "{answer}");
    Ok(())
}

#[tokio::test]
async fn a_missing_verifier_after_a_challenge_is_invalid_request() -> TestResult {
    let standin = standin().await?;
    let code = code(&standin, &[]).await?;
    let (status, answer) = exchange(&standin, &code_form(&code, &[("code_verifier", "")])).await?;
    assert_error(status, &answer, StatusCode::BAD_REQUEST, "invalid_request");
    assert_eq!(
        answer["error_description"],
        "Missing required parameter: code_verifier."
    );
    Ok(())
}

#[tokio::test]
async fn without_pkce_the_plain_code_flow_works() -> TestResult {
    let standin = standin().await?;
    let code = code(
        &standin,
        &[("code_challenge", ""), ("code_challenge_method", "")],
    )
    .await?;
    let (status, answer) = exchange(&standin, &code_form(&code, &[("code_verifier", "")])).await?;
    assert_eq!(status, StatusCode::OK, "{answer}");
    Ok(())
}

#[tokio::test]
async fn a_verifier_for_a_code_issued_without_a_challenge_is_refused() -> TestResult {
    // Doorkeeper checks PKCE when either side uses it: a client that lost the challenge on
    // the way to authorize cannot make up for it at the token endpoint.
    let standin = standin().await?;
    let code = code(
        &standin,
        &[("code_challenge", ""), ("code_challenge_method", "")],
    )
    .await?;
    let (status, answer) =
        exchange(&standin, &code_form(&code, &[("code_verifier", VERIFIER)])).await?;
    assert_error(status, &answer, StatusCode::BAD_REQUEST, "invalid_grant");
    Ok(())
}

#[tokio::test]
async fn a_code_works_once() -> TestResult {
    let standin = standin().await?;
    let code = code(&standin, &[]).await?;
    let (status, _) = exchange(&standin, &code_form(&code, &[])).await?;
    assert_eq!(status, StatusCode::OK);
    let (status, replay) = exchange(&standin, &code_form(&code, &[])).await?;
    assert_error(status, &replay, StatusCode::BAD_REQUEST, "invalid_grant");
    assert_eq!(
        replay["error_description"],
        "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client."
    );
    let (status, unknown) = exchange(
        &standin,
        &code_form(&"0".repeat(64), &[("code_verifier", "")]),
    )
    .await?;
    assert_error(status, &unknown, StatusCode::BAD_REQUEST, "invalid_grant");
    assert_eq!(standin.issued_tokens().len(), 2, "one pair only");
    Ok(())
}

#[tokio::test]
async fn a_code_expires_after_ten_minutes() -> TestResult {
    let standin = standin().await?;
    let fresh = code(&standin, &[]).await?;
    standin.advance_clock(Duration::from_secs(9 * 60 + 59));
    let (status, _) = exchange(&standin, &code_form(&fresh, &[])).await?;
    assert_eq!(status, StatusCode::OK, "still inside ten minutes");
    let stale = code(&standin, &[]).await?;
    standin.advance_clock(Duration::from_secs(10 * 60 + 1));
    let (status, answer) = exchange(&standin, &code_form(&stale, &[])).await?;
    assert_error(status, &answer, StatusCode::BAD_REQUEST, "invalid_grant");
    Ok(())
}

#[tokio::test]
async fn bad_client_credentials_are_401_invalid_client() -> TestResult {
    let standin = standin().await?;
    let code = code(&standin, &[]).await?;
    let padded = format!("{SECRET}\n");
    for (id, secret) in [
        (CLIENT_ID, "wrong"),
        (CLIENT_ID, padded.as_str()),
        (CLIENT_ID, ""),
        ("other", SECRET),
    ] {
        let response = client()?
            .post(format!("{}/oauth/token", standin.web_url()))
            .form(&code_form(
                &code,
                &[("client_id", id), ("client_secret", secret)],
            ))
            .send()
            .await?;
        let status = response.status();
        let challenge = header(&response, "www-authenticate")
            .unwrap_or_default()
            .to_owned();
        assert!(
            challenge.contains("error=\"invalid_client\""),
            "{challenge}"
        );
        let answer: Value = response.json().await?;
        assert_error(status, &answer, StatusCode::UNAUTHORIZED, "invalid_client");
        assert_eq!(
            answer["error_description"],
            "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method."
        );
    }
    let no_client: Vec<_> = code_form(&code, &[("client_id", ""), ("client_secret", "")]);
    let (status, answer) = exchange(&standin, &no_client).await?;
    assert_error(status, &answer, StatusCode::UNAUTHORIZED, "invalid_client");
    let (status, _) = exchange(&standin, &code_form(&code, &[])).await?;
    assert_eq!(
        status,
        StatusCode::OK,
        "refused clients do not use the code up"
    );
    Ok(())
}

#[tokio::test]
async fn client_credentials_may_come_by_http_basic() -> TestResult {
    let standin = standin().await?;
    let code = code(&standin, &[]).await?;
    let response = client()?
        .post(format!("{}/oauth/token", standin.web_url()))
        .basic_auth(CLIENT_ID, Some(SECRET))
        .form(&code_form(
            &code,
            &[("client_id", ""), ("client_secret", "")],
        ))
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::OK);
    let recorded = &standin.requests_to(Endpoint::Token)[0];
    assert!(
        recorded
            .header("authorization")
            .is_some_and(|v| v.starts_with("Basic "))
    );
    Ok(())
}

#[tokio::test]
async fn a_public_app_may_send_its_client_id_alone() -> TestResult {
    let standin = standin_with(OAuthApp {
        confidential: false,
        ..OAuthApp::new(CLIENT_ID, SECRET, CALLBACK)
    })
    .await?;
    let code = code(&standin, &[]).await?;
    let (status, answer) = exchange(&standin, &code_form(&code, &[("client_secret", "")])).await?;
    assert_eq!(status, StatusCode::OK, "{answer}");

    let confidential = crate::common::standin().await?;
    let code = crate::common::code(&confidential, &[]).await?;
    let (status, answer) =
        exchange(&confidential, &code_form(&code, &[("client_secret", "")])).await?;
    assert_error(status, &answer, StatusCode::UNAUTHORIZED, "invalid_client");
    Ok(())
}

#[tokio::test]
async fn the_redirect_uri_must_be_the_one_sent_at_authorize() -> TestResult {
    let standin = standin().await?;
    let code = code(&standin, &[]).await?;
    let other = format!("{CALLBACK}/other");
    let (status, answer) =
        exchange(&standin, &code_form(&code, &[("redirect_uri", &other)])).await?;
    assert_error(status, &answer, StatusCode::BAD_REQUEST, "invalid_grant");
    let (status, answer) = exchange(&standin, &code_form(&code, &[("redirect_uri", "")])).await?;
    assert_error(status, &answer, StatusCode::BAD_REQUEST, "invalid_request");
    assert_eq!(
        answer["error_description"],
        "Missing required parameter: redirect_uri."
    );
    let (status, _) = exchange(&standin, &code_form(&code, &[])).await?;
    assert_eq!(status, StatusCode::OK);
    Ok(())
}

#[tokio::test]
async fn a_code_belongs_to_the_app_it_was_issued_to() -> TestResult {
    let standin = standin().await?;
    standin.register_app(OAuthApp::new("other-app", "other-secret", CALLBACK));
    let code = code(&standin, &[]).await?;
    let form = code_form(
        &code,
        &[
            ("client_id", "other-app"),
            ("client_secret", "other-secret"),
        ],
    );
    let (status, answer) = exchange(&standin, &form).await?;
    assert_error(status, &answer, StatusCode::BAD_REQUEST, "invalid_grant");
    Ok(())
}

#[tokio::test]
async fn grant_type_is_required_and_only_code_and_refresh_are_served() -> TestResult {
    let standin = standin().await?;
    let code = code(&standin, &[]).await?;
    let (status, answer) = exchange(&standin, &code_form(&code, &[("grant_type", "")])).await?;
    assert_error(status, &answer, StatusCode::BAD_REQUEST, "invalid_request");
    assert_eq!(
        answer["error_description"],
        "Missing required parameter: grant_type."
    );
    let (status, answer) =
        exchange(&standin, &code_form(&code, &[("grant_type", "implicit")])).await?;
    assert_error(
        status,
        &answer,
        StatusCode::BAD_REQUEST,
        "unsupported_grant_type",
    );
    Ok(())
}

#[tokio::test]
async fn a_json_body_is_read_like_a_form() -> TestResult {
    let standin = standin().await?;
    let code = code(&standin, &[]).await?;
    let body: serde_json::Map<String, Value> = code_form(&code, &[])
        .into_iter()
        .map(|(k, v)| (k.to_owned(), Value::from(v)))
        .collect();
    let response = client()?
        .post(format!("{}/oauth/token", standin.web_url()))
        .json(&body)
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::OK);
    let recorded = &standin.requests_to(Endpoint::Token)[0];
    assert_eq!(recorded.header("content-type"), Some("application/json"));
    assert!(
        recorded.form_param("code").is_none(),
        "the recording shows it was not a form"
    );
    Ok(())
}

fn refresh_form<'a>(refresh: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![
        ("client_id", CLIENT_ID),
        ("client_secret", SECRET),
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh),
    ];
    for (name, value) in extra {
        form.retain(|(n, _)| n != name);
        if !value.is_empty() {
            form.push((name, value));
        }
    }
    form
}

#[tokio::test]
async fn refresh_rotates_and_the_old_pair_stops_working() -> TestResult {
    let standin = standin().await?;
    let first = sign_in(&standin, "read_user read_api").await?;
    let (status, answer) = exchange(&standin, &refresh_form(&first.refresh, &[])).await?;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["scope"], "read_user read_api");
    assert_eq!(answer["expires_in"], 7200);
    let second = Pair::from(&answer)?;
    assert_ne!(second.access, first.access);
    assert_ne!(second.refresh, first.refresh);
    assert!(!standin.is_token_live(&first.access));
    assert!(standin.is_token_live(&second.access));
    let old = api_get(&standin, "/user", &first.access).await?;
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
    let (status, again) = exchange(&standin, &refresh_form(&first.refresh, &[])).await?;
    assert_error(status, &again, StatusCode::BAD_REQUEST, "invalid_grant");
    let now = api_get(&standin, "/user", &second.access).await?;
    assert_eq!(now.status(), StatusCode::OK);
    assert_eq!(standin.issued_tokens().len(), 4);
    Ok(())
}

#[tokio::test]
async fn an_expired_access_token_can_still_be_refreshed() -> TestResult {
    let standin = standin().await?;
    let pair = sign_in(&standin, "read_user").await?;
    standin.advance_clock(Duration::from_secs(2 * 60 * 60 + 1));
    assert!(!standin.is_token_live(&pair.access));
    let (status, answer) = exchange(&standin, &refresh_form(&pair.refresh, &[])).await?;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert!(standin.is_token_live(&Pair::from(&answer)?.access));
    Ok(())
}

#[tokio::test]
async fn refresh_checks_the_client_and_the_scopes() -> TestResult {
    let standin = standin().await?;
    standin.register_app(OAuthApp::new("other-app", "other-secret", CALLBACK));
    let pair = sign_in(&standin, "read_user read_api").await?;
    let (status, answer) = exchange(
        &standin,
        &refresh_form(&pair.refresh, &[("client_secret", "wrong")]),
    )
    .await?;
    assert_error(status, &answer, StatusCode::UNAUTHORIZED, "invalid_client");
    let other = refresh_form(
        &pair.refresh,
        &[
            ("client_id", "other-app"),
            ("client_secret", "other-secret"),
        ],
    );
    let (status, answer) = exchange(&standin, &other).await?;
    assert_error(status, &answer, StatusCode::BAD_REQUEST, "invalid_grant");
    let anonymous = refresh_form(&pair.refresh, &[("client_id", ""), ("client_secret", "")]);
    let (status, answer) = exchange(&standin, &anonymous).await?;
    assert_error(status, &answer, StatusCode::BAD_REQUEST, "invalid_grant");
    let (status, answer) =
        exchange(&standin, &refresh_form(&pair.refresh, &[("scope", "api")])).await?;
    assert_error(status, &answer, StatusCode::BAD_REQUEST, "invalid_scope");
    let (status, answer) = exchange(&standin, &refresh_form("", &[])).await?;
    assert_error(status, &answer, StatusCode::BAD_REQUEST, "invalid_request");
    assert!(
        standin.is_token_live(&pair.access),
        "refused refreshes change nothing"
    );
    let (status, answer) = exchange(
        &standin,
        &refresh_form(&pair.refresh, &[("scope", "read_user")]),
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(
        answer["scope"], "read_user",
        "a refresh may narrow the scopes"
    );
    Ok(())
}
