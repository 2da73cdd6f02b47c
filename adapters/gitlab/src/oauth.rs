//! The OAuth flow: the authorization URL (always with PKCE), the exchange of a code for
//! tokens, and the refresh that replaces both tokens. The oauth2 glue is shared
//! (nectr-provider-http); here is what GitLab's failures mean.

use nectr_application::ports::{AuthorizationRequest, ProviderError, TokenGrant};
use nectr_domain::{PkceVerifier, RefreshToken};
use nectr_provider_http::oauth::{self as shared, Failed, TokenFailure};
use oauth2::basic::BasicTokenResponse;
use secrecy::ExposeSecret;

use crate::Inner;
use crate::config::{Endpoints, GitlabConfig, GitlabSetupError};
use crate::errors::{self, Call, Grant};
use crate::transport::GITLAB;

/// An oauth2 client with the authorization and token endpoints set.
pub(crate) type OAuthClient = shared::OAuthClient<BasicTokenResponse>;

const EXCHANGE: &str = "the sign-in code exchange";
const REFRESH: &str = "the token refresh";

pub(crate) fn client(
    config: &GitlabConfig,
    endpoints: &Endpoints,
) -> Result<OAuthClient, GitlabSetupError> {
    shared::client(&shared::ClientSettings {
        client_id: &config.client_id,
        client_secret: &config.client_secret,
        authorize: &endpoints.authorize,
        token: &endpoints.token,
        redirect_url: &config.redirect_url,
    })
    .map_err(|problem| GitlabSetupError::BadRedirectUrl {
        url: config.redirect_url.clone(),
        problem,
    })
}

/// `{GITLAB_URL}/oauth/authorize` with `response_type=code`, the client id, the callback, the
/// `state`, the space-separated scopes and the S256 challenge of the request's verifier.
pub(crate) fn authorization_url(inner: &Inner, request: &AuthorizationRequest<'_>) -> String {
    // The use cases create a verifier for every sign-in with a provider that uses PKCE; one
    // without would simply go without a challenge, and GitLab would then not ask for one.
    shared::authorization_url(
        &inner.oauth,
        request.state.as_str(),
        inner.scopes.iter().copied(),
        request.pkce_verifier,
    )
}

pub(crate) async fn exchange_code(
    inner: &Inner,
    code: &str,
    pkce_verifier: Option<&PkceVerifier>,
) -> Result<TokenGrant, ProviderError> {
    let call = inner.call(EXCHANGE);
    match shared::exchange_code(&inner.oauth, &inner.http, &GITLAB, code, pkce_verifier).await {
        Ok(answer) => {
            tracing::debug!("GitLab issued an access token");
            shared::grant(&answer, "GitLab", call.what)
        }
        Err(failed) => {
            let sent = [
                code,
                pkce_verifier.map_or("", PkceVerifier::expose),
                inner.config.client_secret.expose_secret(),
            ];
            Err(token_endpoint_error(failed, Grant::Code, call, &sent))
        }
    }
}

/// `grant_type=refresh_token` at the same endpoint, with the client credentials. GitLab
/// replaces both tokens: once it has taken the request, the refresh token passed in is dead,
/// even if its answer is lost on the way back. (GitLab's refresh tokens do not expire; they
/// die when used or revoked, so the grant says no refresh token life.)
pub(crate) async fn refresh(
    inner: &Inner,
    refresh_token: &RefreshToken,
) -> Result<TokenGrant, ProviderError> {
    let call = inner.call(REFRESH);
    match shared::refresh(&inner.oauth, &inner.http, &GITLAB, refresh_token).await {
        Ok(answer) => {
            tracing::debug!("GitLab refreshed an access token");
            shared::grant(&answer, "GitLab", call.what)
        }
        Err(failed) => {
            let sent = [
                refresh_token.expose(),
                inner.config.client_secret.expose_secret(),
            ];
            Err(token_endpoint_error(failed, Grant::Refresh, call, &sent))
        }
    }
}

fn token_endpoint_error(
    failed: Failed,
    grant: Grant,
    call: Call<'_>,
    sent: &[&str],
) -> ProviderError {
    // GitLab answers RFC 6749's errors with HTTP 400 or 401, never with 200: a 200 body that
    // is not a token (a 502 page, GitLab's REST error JSON, a rate-limit text) is unusable.
    match failed.classify(false) {
        TokenFailure::Transport(e) => errors::transport(&e, call),
        TokenFailure::Refused(code) => errors::token_error(&code, grant, call),
        TokenFailure::Unusable(status) => errors::unusable(call, status),
        TokenFailure::Status(answer) => errors::unexpected_status(call, &answer, sent),
    }
}
