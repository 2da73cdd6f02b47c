//! The REST calls: the signed-in person's profile and email, and revoking the app's token or
//! its whole grant.

use nectr_application::ports::ProviderError;
use nectr_domain::{AccessToken, IdentityProfile, Scopes, Subject};
use reqwest::header::{ACCEPT, HeaderValue};
use reqwest::{Method, StatusCode};
use secrecy::ExposeSecret;
use serde::Deserialize;
use url::Url;

use nectr_provider_http::{Answer, transport};

use crate::Inner;
use crate::errors::{self, Call};
use crate::transport::GITHUB;

/// The REST API version these calls are written against.
const API_VERSION: &str = "2022-11-28";
const GITHUB_JSON: &str = "application/vnd.github+json";

/// The parts of `GET /user` that we keep. `id` is an int64 at GitHub.
#[derive(Deserialize)]
struct User {
    id: i64,
    login: String,
    name: Option<String>,
    email: Option<String>,
    avatar_url: Option<String>,
}

/// One entry of `GET /user/emails`.
#[derive(Deserialize)]
struct Email {
    email: String,
    primary: bool,
    verified: bool,
}

pub(crate) async fn fetch_profile(
    inner: &Inner,
    token: &AccessToken,
) -> Result<IdentityProfile, ProviderError> {
    let call = inner.api_call("GET /user");
    let answer = send(
        inner,
        call,
        rest(inner, Method::GET, &inner.endpoints.user).bearer_auth(token.expose()),
    )
    .await?;
    if answer.status != StatusCode::OK {
        return Err(errors::rest_status(call, &answer));
    }
    let user: User = parse(call, &answer)?;
    let id = Subject::from_number(user.id).map_err(|_| {
        ProviderError::BadResponse("GitHub answered GET /user with an id below 1".to_owned())
    })?;
    let profile = IdentityProfile::new(id, user.login, user.name, user.email, user.avatar_url)
        .map_err(|e| {
            ProviderError::BadResponse(format!(
                "GitHub answered GET /user with a profile we cannot keep: {e}"
            ))
        })?
        .with_granted_scopes(oauth_scopes(&answer));
    if profile.email().is_some() {
        return Ok(profile);
    }
    let email = primary_verified_email(inner, token).await?;
    Ok(profile.with_email(email))
}

/// What the token carries, from GitHub's `X-OAuth-Scopes` on any answer to a classic token.
/// GitHub leaves it out for other kinds of token; a list that cannot be read counts as not
/// said.
pub(crate) fn oauth_scopes(answer: &Answer) -> Option<Scopes> {
    let header = answer.headers.get("x-oauth-scopes")?.to_str().ok()?;
    Scopes::parse(header).ok()
}

/// The primary verified address from `GET /user/emails`, for people whose public profile
/// shows none. Missing `user:email` consent (GitHub answers 404 or 403) means no email, not a
/// failed sign-in. Only the first page (100 addresses) is read.
async fn primary_verified_email(
    inner: &Inner,
    token: &AccessToken,
) -> Result<Option<String>, ProviderError> {
    let call = inner.api_call("GET /user/emails");
    let request =
        rest(inner, Method::GET, &inner.endpoints.user_emails).bearer_auth(token.expose());
    let answer = send(inner, call, request).await?;
    match answer.status {
        StatusCode::OK => {
            let emails: Vec<Email> = parse(call, &answer)?;
            Ok(emails
                .into_iter()
                .find(|e| e.primary && e.verified)
                .map(|e| e.email))
        }
        StatusCode::FORBIDDEN | StatusCode::NOT_FOUND => {
            match errors::rate_limited(call, &answer) {
                Some(limited) => Err(limited),
                None => {
                    tracing::debug!(http.status = %answer.status, "no access to GitHub emails; going without");
                    Ok(None)
                }
            }
        }
        _ => Err(errors::rest_status(call, &answer)),
    }
}

/// What the app revokes at GitHub.
#[derive(Clone, Copy)]
pub(crate) enum Revocation {
    /// `DELETE /applications/{client_id}/token`: this one token.
    Token,
    /// `DELETE /applications/{client_id}/grant`: the authorization and all its tokens.
    Grant,
}

pub(crate) async fn revoke(
    inner: &Inner,
    token: &AccessToken,
    what: Revocation,
) -> Result<(), ProviderError> {
    #[derive(serde::Serialize)]
    struct Body<'a> {
        access_token: &'a str,
    }
    let (call, url, doing) = match what {
        Revocation::Token => (
            inner.api_call("DELETE /applications/{client_id}/token"),
            &inner.endpoints.token,
            "revoking the token",
        ),
        Revocation::Grant => (
            inner.api_call("DELETE /applications/{client_id}/grant"),
            &inner.endpoints.grant,
            "removing the app's grant",
        ),
    };
    let request = rest(inner, Method::DELETE, url)
        .basic_auth(
            &inner.config.client_id,
            Some(inner.config.client_secret.expose_secret()),
        )
        .json(&Body {
            access_token: token.expose(),
        });
    let answer = send(inner, call, request).await?;
    match answer.status {
        // GitHub documents only 204; a 200 with a page is a proxy or a captive portal that
        // revoked nothing, and must not pass for a revocation.
        StatusCode::NO_CONTENT => Ok(()),
        // GitHub answers 404 both for an unknown (already revoked) token and for wrong client
        // credentials. The token itself tells them apart: if it still works, the credentials
        // were refused, and reporting "already revoked" would hide a live token.
        StatusCode::NOT_FOUND => match token_works(inner, token).await {
            Some(true) => Err(ProviderError::Misconfigured(format!(
                "GitHub refused this service's client credentials when {doing} (HTTP 404 for \
                 a token that still works): check GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET, \
                 unless the token was issued to another OAuth App (GITHUB_CLIENT_ID changed \
                 since the person signed in; they sign in again). The token was not revoked."
            ))),
            Some(false) => Err(ProviderError::TokenRejected(format!(
                "GitHub no longer knows this token when {doing}: it is already revoked or \
                 expired."
            ))),
            None => Err(ProviderError::TokenRejected(format!(
                "GitHub does not know this token or these client credentials when {doing} \
                 (HTTP 404), and whether the token still works could not be checked: if this \
                 repeats for everyone, check GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET."
            ))),
        },
        // Here Basic authentication carries the client credentials, not the token.
        StatusCode::UNAUTHORIZED => Err(ProviderError::Misconfigured(format!(
            "GitHub refused the client credentials when {doing}: check GITHUB_CLIENT_ID and \
             GITHUB_CLIENT_SECRET."
        ))),
        StatusCode::UNPROCESSABLE_ENTITY => Err(ProviderError::BadResponse(format!(
            "GitHub refused the request as malformed when {doing} (HTTP 422)."
        ))),
        _ => Err(errors::rest_status(call, &answer)),
    }
}

/// Whether GitHub still accepts `token` (`GET /user`): `None` when its answer says neither.
async fn token_works(inner: &Inner, token: &AccessToken) -> Option<bool> {
    let call = inner.api_call("GET /user");
    let request = rest(inner, Method::GET, &inner.endpoints.user).bearer_auth(token.expose());
    match send(inner, call, request).await.ok()?.status {
        StatusCode::OK => Some(true),
        StatusCode::UNAUTHORIZED => Some(false),
        _ => None,
    }
}

/// A REST request with the headers GitHub asks for (the `User-Agent` is the client's default).
pub(crate) fn rest(inner: &Inner, method: Method, url: &Url) -> reqwest::RequestBuilder {
    inner
        .http
        .request(method, url.clone())
        .header(ACCEPT, HeaderValue::from_static(GITHUB_JSON))
        .header(
            "x-github-api-version",
            HeaderValue::from_static(API_VERSION),
        )
}

pub(crate) async fn send(
    inner: &Inner,
    call: Call<'_>,
    request: reqwest::RequestBuilder,
) -> Result<Answer, ProviderError> {
    transport::send_built(&inner.http, &GITHUB, request)
        .await
        .map_err(|e| errors::transport(&e, call))
}

pub(crate) fn parse<T: serde::de::DeserializeOwned>(
    call: Call<'_>,
    answer: &Answer,
) -> Result<T, ProviderError> {
    serde_json::from_slice(&answer.body).map_err(|_| errors::unusable(call, Some(answer.status)))
}
