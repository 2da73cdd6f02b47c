//! The signed-in person's profile (`GET /api/v4/user`) and token revocation
//! (`POST /oauth/revoke`), plus what every REST call shares.

use nectr_application::ports::ProviderError;
use nectr_domain::{AccessToken, IdentityProfile, Subject};
use reqwest::header::{ACCEPT, HeaderValue};
use reqwest::{Method, StatusCode};
use secrecy::ExposeSecret;
use serde::{Deserialize, Deserializer};
use url::Url;

use nectr_provider_http::{Answer, transport};

use crate::Inner;
use crate::errors::{self, Call};
use crate::transport::GITLAB;

/// The parts of `GET /api/v4/user` that we keep. `id` is an int64 at GitLab.
#[derive(Deserialize)]
struct User {
    id: i64,
    username: String,
    #[serde(default)]
    name: Option<String>,
    /// The primary email. `GET /user` shows it to the token's owner whatever their profile's
    /// visibility settings.
    #[serde(default)]
    email: Option<String>,
    /// The email shown on the public profile, which GitLab lets people pick only among their
    /// verified addresses; null when unset.
    #[serde(default)]
    public_email: Option<String>,
    /// When the account's primary email was confirmed; present and null while it is not.
    #[serde(default, deserialize_with = "present")]
    confirmed_at: Option<Option<String>>,
    #[serde(default)]
    avatar_url: Option<String>,
}

/// GitLab's stand-in address for an account without one (`Gitlab::Auth::OAuth::User`).
fn is_placeholder(email: &str) -> bool {
    let email = email.to_ascii_lowercase();
    email.starts_with("temp-email-for-oauth-") && email.ends_with("@gitlab.localhost")
}

/// Tells a field that is there but null (`Some(None)`) from one that is left out (`None`).
fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(deserializer).map(Some)
}

impl User {
    /// The primary email, unless GitLab says it is not confirmed yet; then the public email,
    /// which can only be a verified address. GitLab gives accounts created through an
    /// external sign-in without an address a confirmed placeholder
    /// (`temp-email-for-oauth-{username}@gitlab.localhost`), which reaches nobody.
    fn verified_email(&self) -> Option<String> {
        let unconfirmed = matches!(self.confirmed_at, Some(None));
        let usable = |e: &Option<String>| {
            e.clone()
                .filter(|e| !e.trim().is_empty() && !is_placeholder(e))
        };
        let primary = usable(&self.email).filter(|_| !unconfirmed);
        primary.or_else(|| usable(&self.public_email))
    }
}

pub(crate) async fn fetch_profile(
    inner: &Inner,
    token: &AccessToken,
) -> Result<IdentityProfile, ProviderError> {
    let call = inner.call("GET /api/v4/user");
    let request = rest(inner, Method::GET, &inner.endpoints.user).bearer_auth(token.expose());
    let answer = send(inner, call, request).await?;
    let sent = [token.expose()];
    match answer.status {
        StatusCode::OK => {}
        StatusCode::FORBIDDEN
            if errors::oauth_error(&answer.body).as_deref() != Some("insufficient_scope") =>
        {
            return Err(account_refused(inner, &answer, &sent));
        }
        _ => return Err(errors::rest_status(call, &answer, &sent)),
    }
    let user: User = parse(call, &answer)?;
    let id = Subject::from_number(user.id).map_err(|_| {
        ProviderError::BadResponse("GitLab answered GET /api/v4/user with an id below 1".to_owned())
    })?;
    let email = user.verified_email();
    IdentityProfile::new(id, user.username, user.name, email, user.avatar_url)
        .map_err(|e| {
            ProviderError::BadResponse(format!(
                "GitLab answered GET /api/v4/user with a profile we cannot keep: {e}"
            ))
        })
        // GitLab's REST answers do not say what the token carries; the token answer did.
        .map(|profile| profile.with_granted_scopes(None))
}

/// GitLab's 403 to a valid token on `GET /user`: the account itself may not use the API
/// (blocked, deactivated, terms of service not accepted), which GitLab explains.
fn account_refused(inner: &Inner, answer: &Answer, sent: &[&str]) -> ProviderError {
    let why = errors::gitlab_message(&answer.body, sent)
        .map(|m| format!(" ({m})"))
        .unwrap_or_default();
    ProviderError::AccountRefused(format!(
        "GitLab refuses access to your account{why}: sign in to GitLab at {} in a browser to \
         see why (a blocked or deactivated account, or terms to accept), then sign in again.",
        crate::config::shown(&inner.config.base_url)
    ))
}

/// `POST /oauth/revoke` (RFC 7009) with the client credentials and the token in the form
/// body. GitLab answers 200 both when it revoked the token and when it does not know it
/// (already revoked or expired), as RFC 7009 asks, so both are `Ok`.
pub(crate) async fn revoke(inner: &Inner, token: &AccessToken) -> Result<(), ProviderError> {
    let call = inner.call("the token revocation");
    let config = &inner.config;
    let request = inner
        .http
        .post(inner.endpoints.revoke.clone())
        .header(ACCEPT, HeaderValue::from_static("application/json"))
        .form(&[
            ("client_id", config.client_id.as_str()),
            ("client_secret", config.client_secret.expose_secret()),
            ("token", token.expose()),
        ]);
    let answer = send(inner, call, request).await?;
    let sent = [token.expose(), config.client_secret.expose_secret()];
    match answer.status {
        // GitLab's success is `{}`; a 200 page of something else (a proxy, a portal, not
        // GitLab at all) has not revoked anything.
        StatusCode::OK => match serde_json::from_slice::<serde_json::Value>(&answer.body) {
            Ok(serde_json::Value::Object(_)) => Ok(()),
            _ => Err(errors::unusable(call, Some(answer.status))),
        },
        // Doorkeeper answers 403 `unauthorized_client` when the client credentials are wrong,
        // and when the token belongs to another (confidential) application.
        StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED
            if errors::oauth_error(&answer.body).is_some() =>
        {
            Err(ProviderError::Misconfigured(format!(
                "GitLab refused to revoke the token (HTTP {}): GITLAB_CLIENT_ID or \
                 GITLAB_CLIENT_SECRET is wrong, or the token was issued to another application. \
                 Check both against the GitLab application's page.",
                answer.status
            )))
        }
        _ => Err(errors::unexpected_status(call, &answer, &sent)),
    }
}

/// A REST request asking for JSON (the `User-Agent` is the client's default).
pub(crate) fn rest(inner: &Inner, method: Method, url: &Url) -> reqwest::RequestBuilder {
    inner
        .http
        .request(method, url.clone())
        .header(ACCEPT, HeaderValue::from_static("application/json"))
}

pub(crate) async fn send(
    inner: &Inner,
    call: Call<'_>,
    request: reqwest::RequestBuilder,
) -> Result<Answer, ProviderError> {
    transport::send_built(&inner.http, &GITLAB, request)
        .await
        .map_err(|e| errors::transport(&e, call))
}

pub(crate) fn parse<T: serde::de::DeserializeOwned>(
    call: Call<'_>,
    answer: &Answer,
) -> Result<T, ProviderError> {
    serde_json::from_slice(&answer.body).map_err(|_| errors::unusable(call, Some(answer.status)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(json: &str) -> Result<User, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn the_primary_email_is_used_once_confirmed() -> Result<(), serde_json::Error> {
        let confirmed = user(
            r#"{"id":1,"username":"a","email":"a@example.com","public_email":"pub@example.com","confirmed_at":"2020-01-01T00:00:00Z"}"#,
        )?;
        assert_eq!(confirmed.verified_email().as_deref(), Some("a@example.com"));
        // Older GitLab versions, or answers without the field: the primary email.
        let unsaid = user(r#"{"id":1,"username":"a","email":"a@example.com"}"#)?;
        assert_eq!(unsaid.verified_email().as_deref(), Some("a@example.com"));
        let unconfirmed = user(
            r#"{"id":1,"username":"a","email":"new@example.com","public_email":"pub@example.com","confirmed_at":null}"#,
        )?;
        assert_eq!(
            unconfirmed.verified_email().as_deref(),
            Some("pub@example.com")
        );
        let nothing = user(
            r#"{"id":1,"username":"a","email":"new@example.com","public_email":"","confirmed_at":null}"#,
        )?;
        assert_eq!(nothing.verified_email(), None);
        let public_only = user(r#"{"id":1,"username":"a","email":"","public_email":"p@x.org"}"#)?;
        assert_eq!(public_only.verified_email().as_deref(), Some("p@x.org"));
        let placeholder = user(
            r#"{"id":1,"username":"a","email":"temp-email-for-oauth-a@gitlab.localhost","public_email":null,"confirmed_at":"2020-01-01T00:00:00Z"}"#,
        )?;
        assert_eq!(placeholder.verified_email(), None);
        Ok(())
    }

    #[test]
    fn ids_are_int64() -> Result<(), serde_json::Error> {
        let big = user(r#"{"id":9007199254740993,"username":"big"}"#)?;
        assert_eq!(big.id, 9_007_199_254_740_993);
        Ok(())
    }
}
