//! `POST /login/oauth/access_token`: exchanges a code (or a refresh token) for tokens, answering
//! every failure with HTTP 200 and an `error` field, in JSON or form encoding as `Accept` asks.

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::http::header::{ACCEPT, CONTENT_TYPE};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use nectr_standin_kit::params::{basic_credentials, first_values, s256_challenge};
use serde::Serialize;

use crate::authorize::redirect_uri_matches;
use crate::faults::{Endpoint, arrive};
use crate::people::OAuthApp;
use crate::state::{ACCESS_TOKEN_LIFETIME, Inner, Issued, REFRESH_TOKEN_LIFETIME, Shared};

const ERRORS_DOC: &str = "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/";

/// A failed exchange, as GitHub reports it (with HTTP 200).
#[derive(Serialize)]
struct TokenError {
    error: &'static str,
    error_description: &'static str,
    error_uri: String,
}

impl TokenError {
    fn new(error: &'static str, error_description: &'static str, anchor: &str) -> Self {
        Self {
            error,
            error_description,
            error_uri: format!("{ERRORS_DOC}#{anchor}"),
        }
    }

    fn bad_code(error_description: &'static str) -> Self {
        Self::new(
            "bad_verification_code",
            error_description,
            "bad-verification-code",
        )
    }
}

/// A successful exchange; the `expires_in` family only for apps with expiring tokens.
#[derive(Serialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_in: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token_expires_in: Option<u64>,
    scope: String,
    token_type: &'static str,
}

impl From<Issued> for TokenAnswer {
    fn from(issued: Issued) -> Self {
        let expiring = issued.refresh_token.is_some();
        Self {
            access_token: issued.access_token,
            expires_in: expiring.then_some(ACCESS_TOKEN_LIFETIME.as_secs()),
            refresh_token: issued.refresh_token,
            refresh_token_expires_in: expiring.then_some(REFRESH_TOKEN_LIFETIME.as_secs()),
            scope: issued.scopes.join(","),
            token_type: "bearer",
        }
    }
}

pub(crate) async fn handle(shared: Arc<Shared>, req: HttpRequest, body: Bytes) -> HttpResponse {
    if let Some(fault) = arrive(&shared, Some(Endpoint::AccessToken), &req, &body).await {
        return fault;
    }
    let params = form_params(&req, &body);
    let outcome = exchange(&mut shared.lock(), &req, &params);
    match outcome {
        Ok(answer) => respond(&req, &answer),
        Err(error) => respond(&req, &error),
    }
}

fn exchange(
    inner: &mut Inner,
    req: &HttpRequest,
    params: &HashMap<String, String>,
) -> Result<TokenAnswer, TokenError> {
    let app = client(inner, req, params).ok_or(TokenError::new(
        "incorrect_client_credentials",
        "The client_id and/or client_secret passed are incorrect.",
        "incorrect-client-credentials",
    ))?;
    let param = |name: &str| params.get(name).map(String::as_str);
    match param("grant_type").unwrap_or("authorization_code") {
        "authorization_code" => {}
        "refresh_token" => {
            let refreshed = param("refresh_token").and_then(|t| inner.refresh(&app, t));
            return refreshed.map(TokenAnswer::from).ok_or(TokenError::new(
                "bad_refresh_token",
                "The refresh token passed is incorrect or expired.",
                "bad-verification-code",
            ));
        }
        _ => {
            return Err(TokenError::new(
                "unsupported_grant_type",
                "The grant type is not supported.",
                "bad-verification-code",
            ));
        }
    }
    let code = param("code")
        .and_then(|code| inner.take_code(code, &app.client_id))
        .ok_or(TokenError::bad_code(
            "The code passed is incorrect or expired.",
        ))?;
    let redirect_ok = match (&code.redirect_uri, param("redirect_uri")) {
        (Some(at_authorize), given) => given == Some(at_authorize.as_str()),
        (None, Some(given)) => redirect_uri_matches(&app.callback_url, given),
        (None, None) => true,
    };
    if !redirect_ok {
        return Err(TokenError::new(
            "redirect_uri_mismatch",
            "The redirect_uri MUST match the registered callback URL for this application.",
            "redirect-uri-mismatch2",
        ));
    }
    if let Some(challenge) = &code.code_challenge {
        verify_pkce(challenge, param("code_verifier"))?;
    }
    if !code.person.verified_email {
        return Err(TokenError::new(
            "unverified_user_email",
            "The user must have a verified primary email.",
            "unverified-user-email",
        ));
    }
    Ok(inner.issue_token(&app, &code.person, code.scopes).into())
}

/// RFC 7636 S256: the verifier is 43–128 unreserved characters whose SHA-256, base64url
/// without padding, is the challenge sent at authorize.
fn verify_pkce(challenge: &str, verifier: Option<&str>) -> Result<(), TokenError> {
    let verifier = verifier.ok_or(TokenError::bad_code(
        "A code_verifier is required: a code_challenge was sent at authorize.",
    ))?;
    let unreserved = |c: char| c.is_ascii_alphanumeric() || "-._~".contains(c);
    let well_formed = (43..=128).contains(&verifier.len()) && verifier.chars().all(unreserved);
    if !well_formed || s256_challenge(verifier) != challenge {
        return Err(TokenError::bad_code(
            "The code_verifier does not match the code_challenge sent at authorize.",
        ));
    }
    Ok(())
}

/// The app whose credentials came with the request: HTTP Basic first, else the form. Secrets
/// are compared exactly, so pasted whitespace makes them wrong.
fn client(inner: &Inner, req: &HttpRequest, params: &HashMap<String, String>) -> Option<OAuthApp> {
    let (id, secret) = match basic_credentials(req) {
        Some(basic) => basic,
        None => (
            params.get("client_id")?.clone(),
            params.get("client_secret")?.clone(),
        ),
    };
    if params
        .get("client_id")
        .is_some_and(|form_id| *form_id != id)
    {
        return None;
    }
    inner
        .apps
        .get(&id)
        .filter(|app| app.client_secret == secret)
        .cloned()
}

/// The body's parameters, read only when it is declared as a form (as GitHub documents).
fn form_params(req: &HttpRequest, body: &[u8]) -> HashMap<String, String> {
    let is_form = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        });
    if is_form {
        first_values(&String::from_utf8_lossy(body))
    } else {
        HashMap::new()
    }
}

/// JSON when `Accept` mentions `application/json`, otherwise form encoding.
fn respond<T: Serialize>(req: &HttpRequest, answer: &T) -> HttpResponse {
    let wants_json = req
        .headers()
        .get_all(ACCEPT)
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.to_ascii_lowercase().contains("application/json"));
    let encoded = if wants_json {
        serde_json::to_string(answer)
            .map(|body| (body, "application/json; charset=utf-8"))
            .map_err(|e| e.to_string())
    } else {
        serde_urlencoded::to_string(answer)
            .map(|body| (body, "application/x-www-form-urlencoded; charset=utf-8"))
            .map_err(|e| e.to_string())
    };
    match encoded {
        Ok((body, content_type)) => HttpResponse::Ok().content_type(content_type).body(body),
        Err(_) => HttpResponse::InternalServerError().finish(),
    }
}
