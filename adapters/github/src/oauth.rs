//! The OAuth web flow: the authorization URL, the exchange of a code for tokens, and the
//! refresh of expiring tokens. The oauth2 glue is shared (nectr-provider-http); here are
//! GitHub's token answer and the meaning of its failures.

use nectr_application::ports::{AuthorizationRequest, ProviderError, TokenGrant};
use nectr_domain::{PkceVerifier, RefreshToken};
use nectr_provider_http::oauth::{self as shared, Failed, TokenFailure};
use oauth2::basic::BasicTokenType;
use oauth2::{ExtraTokenFields, StandardTokenResponse};

use crate::config::{Endpoints, GithubConfig, GithubSetupError};
use crate::errors::{self, Call};
use crate::transport::GITHUB;
use crate::{Inner, SCOPES};

/// What GitHub adds to RFC 6749's token answer for apps with expiring tokens.
#[derive(Clone, Debug, serde::Deserialize, serde::Serialize)]
pub(crate) struct GithubTokenFields {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refresh_token_expires_in: Option<u64>,
}

impl ExtraTokenFields for GithubTokenFields {}

type GithubTokenResponse = StandardTokenResponse<GithubTokenFields, BasicTokenType>;

/// An oauth2 client with the authorization and token endpoints set.
pub(crate) type OAuthClient = shared::OAuthClient<GithubTokenResponse>;

const EXCHANGE: &str = "the sign-in code exchange";
const REFRESH: &str = "the token refresh";

pub(crate) fn client(
    config: &GithubConfig,
    endpoints: &Endpoints,
) -> Result<OAuthClient, GithubSetupError> {
    shared::client(&shared::ClientSettings {
        client_id: &config.client_id,
        client_secret: &config.client_secret,
        authorize: &endpoints.authorize,
        token: &endpoints.access_token,
        redirect_url: &config.redirect_url,
    })
    .map_err(|problem| GithubSetupError::BadRedirectUrl {
        url: config.redirect_url.clone(),
        problem,
    })
}

pub(crate) fn authorization_url(inner: &Inner, request: &AuthorizationRequest<'_>) -> String {
    // With PKCE turned off (an Enterprise Server that does not support it) nothing of it is
    // sent, whatever the caller passes.
    let verifier = request.pkce_verifier.filter(|_| inner.config.pkce);
    shared::authorization_url(&inner.oauth, request.state.as_str(), SCOPES, verifier)
}

pub(crate) async fn exchange_code(
    inner: &Inner,
    code: &str,
    pkce_verifier: Option<&PkceVerifier>,
) -> Result<TokenGrant, ProviderError> {
    let call = token_call(inner, EXCHANGE);
    // A verifier is sent whenever the sign-in attempt has one: it was created while PKCE was
    // on, so GitHub holds its challenge and will insist on it.
    match shared::exchange_code(&inner.oauth, &inner.http, &GITHUB, code, pkce_verifier).await {
        Ok(answer) => {
            tracing::debug!("GitHub issued an access token");
            grant(&answer, call)
        }
        Err(failed) => Err(token_endpoint_error(failed, call, &inner.endpoints)),
    }
}

/// `grant_type=refresh_token` at the same endpoint, with the client credentials. GitHub
/// rotates both tokens, so the refresh token passed in is dead afterwards whatever happens
/// next.
pub(crate) async fn refresh(
    inner: &Inner,
    refresh_token: &RefreshToken,
) -> Result<TokenGrant, ProviderError> {
    let call = token_call(inner, REFRESH);
    match shared::refresh(&inner.oauth, &inner.http, &GITHUB, refresh_token).await {
        Ok(answer) => {
            tracing::debug!("GitHub refreshed an access token");
            grant(&answer, call)
        }
        Err(failed) => Err(token_endpoint_error(failed, call, &inner.endpoints)),
    }
}

fn token_call<'a>(inner: &'a Inner, what: &'static str) -> Call<'a> {
    Call {
        what,
        base: &inner.config.web_url,
        config: &inner.config,
    }
}

/// A token answer as the port's `TokenGrant`, with GitHub's refresh token life.
fn grant(answer: &GithubTokenResponse, call: Call<'_>) -> Result<TokenGrant, ProviderError> {
    let mut grant = shared::grant(answer, "GitHub", call.what)?;
    grant.refresh_token_expires_in = answer.extra_fields().refresh_token_expires_in;
    Ok(grant)
}

fn token_endpoint_error(failed: Failed, call: Call<'_>, endpoints: &Endpoints) -> ProviderError {
    // GitHub answers its errors with HTTP 200 (and others, at times, with RFC 6749's 400).
    match failed.classify(true) {
        TokenFailure::Transport(e) => errors::transport(&e, call),
        TokenFailure::Refused(code) => errors::token_error(&code, call, endpoints),
        TokenFailure::Unusable(status) => errors::unusable(call, status),
        TokenFailure::Status(answer) => errors::unexpected_status(call, &answer),
    }
}
