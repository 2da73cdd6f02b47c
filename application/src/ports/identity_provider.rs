//! The identity-provider port: an OAuth 2.0 authorization-code provider with a profile API.
//!
//! Nothing provider-specific crosses it: the authorization URL, the code exchange, the
//! profile and the revocation of the app's grant are the same shape for any provider.

use async_trait::async_trait;
use nectr_domain::{AccessToken, IdentityProfile, PkceVerifier, StateToken};

/// What the authorization redirect must carry.
#[derive(Debug)]
pub struct AuthorizationRequest<'a> {
    pub state: &'a StateToken,
    /// Present when the provider uses PKCE; the adapter derives the S256 challenge.
    pub pkce_verifier: Option<&'a PkceVerifier>,
}

/// Why the provider could not do what was asked. Each message says what happened and what to
/// do, and never contains a token or a secret.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// The authorization code was refused: wrong, already used, or expired. The person can
    /// simply start again.
    #[error("{0}")]
    CodeRejected(String),
    /// The provider refuses this person (e.g. no verified email). The person must act.
    #[error("{0}")]
    AccountRefused(String),
    /// The provider refuses this service's own settings (client credentials, callback URL):
    /// an operator must fix the configuration.
    #[error("{0}")]
    Misconfigured(String),
    /// The provider says the access token is not (or no longer) valid.
    #[error("{0}")]
    TokenRejected(String),
    /// The provider did not answer in time.
    #[error("{0}")]
    Timeout(String),
    /// The provider could not be reached at all.
    #[error("{0}")]
    Unreachable(String),
    /// The provider answered with something unusable (5xx, garbage, rate limit).
    #[error("{0}")]
    BadResponse(String),
}

/// An OAuth identity provider.
///
/// # Errors
/// Network failures are `Timeout` or `Unreachable`; answers that make no sense are
/// `BadResponse`. `exchange_code` returns `CodeRejected` for a refused code, `AccountRefused`
/// for a person the provider will not let in, `Misconfigured` for refused client settings.
/// `fetch_profile` returns `TokenRejected` for a refused token. `revoke_grant` returns
/// `TokenRejected` when the provider does not know the token (already revoked) and
/// `Misconfigured` for refused client credentials.
#[async_trait]
pub trait IdentityProvider: Send + Sync + 'static {
    /// The provider's name as people know it ("GitHub"), used in messages.
    fn display_name(&self) -> &str;

    /// Whether authorization requests carry PKCE (S256).
    fn uses_pkce(&self) -> bool;

    /// The URL to send the browser to.
    fn authorization_url(&self, request: &AuthorizationRequest<'_>) -> String;

    /// Trades an authorization code (and the PKCE verifier it was requested with) for an
    /// access token.
    async fn exchange_code(
        &self,
        code: &str,
        pkce_verifier: Option<&PkceVerifier>,
    ) -> Result<AccessToken, ProviderError>;

    /// The profile of the token's owner, with their primary verified email when the public
    /// profile has none.
    async fn fetch_profile(&self, token: &AccessToken) -> Result<IdentityProfile, ProviderError>;

    /// Removes this app's authorization for the token's owner (revoking the token), so the
    /// next authorization shows the full consent screen again.
    async fn revoke_grant(&self, token: &AccessToken) -> Result<(), ProviderError>;
}
