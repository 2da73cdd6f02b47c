//! `POST /oauth/token`: exchanges a code, or rotates a refresh token, answering JSON with
//! Doorkeeper's status codes (400, and 401 for client authentication).

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use nectr_standin_kit::params::s256_challenge;
use serde_json::json;

use crate::authorize::same_uri;
use crate::faults::{Endpoint, arrive};
use crate::params::{authenticate, credentials, merged};
use crate::people::OAuthApp;
use crate::scopes;
use crate::state::{ACCESS_TOKEN_LIFETIME, Challenge, Inner, Shared, Token};

const INVALID_GRANT: &str = "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.";
const INVALID_CLIENT: &str = "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.";

/// A refused token request: the OAuth error, its description and HTTP status.
pub(crate) struct OAuthError {
    status: StatusCode,
    error: &'static str,
    description: String,
}

impl OAuthError {
    fn new(status: StatusCode, error: &'static str, description: &str) -> Self {
        Self {
            status,
            error,
            description: description.to_owned(),
        }
    }

    fn missing(param: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            &format!("Missing required parameter: {param}."),
        )
    }

    fn invalid_grant() -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_grant", INVALID_GRANT)
    }

    fn invalid_client() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "invalid_client", INVALID_CLIENT)
    }

    /// The JSON answer, with `WWW-Authenticate` on a 401 as RFC 6749 asks.
    pub(crate) fn answer(&self) -> HttpResponse {
        let mut answer = HttpResponse::build(self.status);
        answer
            .insert_header(("cache-control", "no-store"))
            .insert_header(("pragma", "no-cache"));
        if self.status == StatusCode::UNAUTHORIZED {
            answer.insert_header((
                "www-authenticate",
                format!(
                    "Bearer realm=\"Doorkeeper\", error=\"{}\", error_description=\"{}\"",
                    self.error, self.description
                ),
            ));
        }
        answer.json(json!({ "error": self.error, "error_description": self.description }))
    }
}

pub(crate) async fn handle(shared: Arc<Shared>, req: HttpRequest, body: Bytes) -> HttpResponse {
    if let Some(fault) = arrive(&shared, Some(Endpoint::Token), &req, &body).await {
        return fault;
    }
    let params = merged(&req, &body);
    let outcome = {
        let mut inner = shared.lock();
        let sent = credentials(&req, &params);
        match params.get("grant_type").map(String::as_str) {
            None | Some("") => Err(OAuthError::missing("grant_type")),
            Some("authorization_code") => exchange_code(&mut inner, sent, &params),
            Some("refresh_token") => refresh(&mut inner, sent, &params),
            Some(_) => Err(OAuthError::new(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "The authorization grant type is not supported by the authorization server.",
            )),
        }
    };
    match outcome {
        Ok(token) => HttpResponse::Ok()
            .insert_header(("cache-control", "no-store"))
            .insert_header(("pragma", "no-cache"))
            .json(json!({
                "access_token": token.access_token,
                "token_type": "Bearer",
                "expires_in": ACCESS_TOKEN_LIFETIME.as_secs(),
                "refresh_token": token.refresh_token,
                "scope": token.scopes.join(" "),
                "created_at": token.created_at,
            })),
        Err(error) => error.answer(),
    }
}

/// The authorization-code grant, checked in Doorkeeper's order: required parameters, client,
/// code, redirect URI, PKCE verifier. Only a successful exchange uses the code up.
fn exchange_code(
    inner: &mut Inner,
    sent: Option<(String, String)>,
    params: &HashMap<String, String>,
) -> Result<Token, OAuthError> {
    let param = |name: &str| {
        params
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    };
    let code_value = param("code").unwrap_or_default();
    let code = inner.code(code_value).cloned();
    let verifier = param("code_verifier");
    if code.as_ref().is_some_and(|c| c.challenge.is_some()) && verifier.is_none() {
        return Err(OAuthError::missing("code_verifier"));
    }
    let redirect_uri = param("redirect_uri").ok_or_else(|| OAuthError::missing("redirect_uri"))?;
    let app = client(inner, sent).ok_or_else(OAuthError::invalid_client)?;
    let code = code
        .filter(|c| c.client_id == app.client_id && inner.code_is_fresh(c))
        .ok_or_else(OAuthError::invalid_grant)?;
    if !same_uri(&code.redirect_uri, redirect_uri) {
        return Err(OAuthError::invalid_grant());
    }
    // As Doorkeeper's `validate_pkce`: a verifier is checked whenever either side uses PKCE,
    // so one sent for a code issued without a challenge fails too.
    let pkce_holds = match (&code.challenge, verifier) {
        (None, None) => true,
        (Some(challenge), Some(v)) => verifier_matches(challenge, v),
        _ => false,
    };
    if !pkce_holds {
        return Err(OAuthError::invalid_grant());
    }
    inner.use_code(code_value);
    Ok(inner.issue_token(&app.client_id, &code.person, code.scopes))
}

/// The refresh-token grant: the refresh token must be live and belong to the client; the old
/// pair stops working and a new pair is issued, with the same scopes or fewer.
fn refresh(
    inner: &mut Inner,
    sent: Option<(String, String)>,
    params: &HashMap<String, String>,
) -> Result<Token, OAuthError> {
    let refresh_token = params
        .get("refresh_token")
        .filter(|t| !t.is_empty())
        .ok_or_else(|| OAuthError::missing("refresh_token"))?;
    let held = inner
        .refreshable(refresh_token)
        .map(|t| (t.client_id.clone(), t.scopes.clone()))
        .ok_or_else(OAuthError::invalid_grant)?;
    let app = match sent {
        Some(sent) => Some(client(inner, Some(sent)).ok_or_else(OAuthError::invalid_client)?),
        None => None,
    };
    if app.is_none_or(|app| app.client_id != held.0) {
        return Err(OAuthError::invalid_grant());
    }
    let scopes = match params.get("scope").filter(|s| !s.is_empty()) {
        None => held.1,
        Some(asked) => {
            let asked = scopes::parse(asked);
            if !asked.iter().all(|s| held.1.contains(s)) {
                return Err(OAuthError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_scope",
                    "The requested scope is invalid, unknown, or malformed.",
                ));
            }
            asked
        }
    };
    inner
        .rotate(refresh_token, scopes)
        .ok_or_else(OAuthError::invalid_grant)
}

fn client(inner: &Inner, sent: Option<(String, String)>) -> Option<OAuthApp> {
    let (id, secret) = sent?;
    authenticate(inner, &id, &secret)
}

/// RFC 7636: `S256` compares the unpadded base64url SHA-256 of the verifier, `plain` the
/// verifier itself.
fn verifier_matches(challenge: &Challenge, verifier: &str) -> bool {
    match challenge.method.as_str() {
        "S256" => s256_challenge(verifier) == challenge.value,
        "plain" => verifier == challenge.value,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s256_follows_rfc_7636_appendix_b() {
        let challenge = Challenge {
            value: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".to_owned(),
            method: "S256".to_owned(),
        };
        assert!(verifier_matches(
            &challenge,
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        ));
        assert!(!verifier_matches(&challenge, &challenge.value));
        let plain = Challenge {
            method: "plain".to_owned(),
            ..challenge
        };
        assert!(verifier_matches(&plain, &plain.value));
    }
}
