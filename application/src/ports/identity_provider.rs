//! The identity-provider port: an OAuth 2.0 authorization-code provider with a profile API.
//!
//! Nothing provider-specific crosses it: the authorization URL, the code exchange and refresh,
//! the profile, memberships and revocation are the same shape for any provider. An adapter is
//! registered once in the composition root; the routes `/auth/{id}`, `/auth/{id}/callback`
//! and `/auth/{id}/reconnect` follow from its [`IdentityProvider::id`].

use async_trait::async_trait;
use nectr_domain::{
    AccessToken, IdentityProfile, PkceVerifier, ProviderId, RefreshToken, Scopes, StateToken,
};

/// What the authorization redirect must carry.
#[derive(Debug)]
pub struct AuthorizationRequest<'a> {
    pub state: &'a StateToken,
    /// Present when the provider uses PKCE; the adapter derives the S256 challenge.
    pub pkce_verifier: Option<&'a PkceVerifier>,
}

/// What a code exchange or a refresh returned. Lifetimes are as the provider sent them
/// (seconds from now); the use cases turn them into deadlines with their clock.
#[derive(Debug)]
pub struct TokenGrant {
    pub access_token: AccessToken,
    pub expires_in: Option<u64>,
    pub refresh_token: Option<RefreshToken>,
    pub refresh_token_expires_in: Option<u64>,
    /// The scopes the provider says it granted (`scope` in the answer), when it says.
    pub scopes: Option<Scopes>,
}

/// A group of people at the provider that sign-in can be restricted to, and that the
/// frontend lists: a GitHub organization, a GitLab group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    /// The name used in settings and URLs (GitHub's `login`, GitLab's `full_path`).
    pub login: String,
    pub name: Option<String>,
    pub avatar_url: Option<String>,
}

/// A team inside an organization, named `org/team-slug` in settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Team {
    pub organization: String,
    pub slug: String,
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
    /// The provider says the access (or refresh) token is not, or no longer, valid.
    #[error("{0}")]
    TokenRejected(String),
    /// The token is valid but lacks the scope this call needs.
    #[error("{0}")]
    ScopeMissing(String),
    /// The provider did not answer in time.
    #[error("{0}")]
    Timeout(String),
    /// The provider could not be reached at all.
    #[error("{0}")]
    Unreachable(String),
    /// The provider answered with something unusable (5xx, garbage, rate limit).
    #[error("{0}")]
    BadResponse(String),
    /// The provider has no such operation (e.g. teams at a provider without teams).
    #[error("{0}")]
    Unsupported(String),
}

/// How the provider names the things people and operators deal with there, so messages use
/// the words they will find on its pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderTerms {
    /// What the app registered there is called: "GitHub OAuth App", "GitLab application".
    pub application: String,
    /// The field of that registration holding the callback URL: "Authorization callback URL".
    pub callback_field: String,
    /// What groups of people are called there, plural: "organizations", "groups".
    pub organizations: String,
    /// What a member whose membership the app cannot see should do, when the provider lets
    /// organizations hide membership from apps; `None` when it does not.
    pub hidden_membership: Option<String>,
}

impl ProviderTerms {
    /// Plain OAuth words, for a provider that names nothing its own way.
    #[must_use]
    pub fn generic(display_name: &str) -> Self {
        Self {
            application: format!("{display_name} OAuth application"),
            callback_field: "Redirect URI".to_owned(),
            organizations: "organizations".to_owned(),
            hidden_membership: None,
        }
    }
}

/// An OAuth identity provider.
///
/// # Errors
/// Network failures are `Timeout` or `Unreachable`; answers that make no sense are
/// `BadResponse`. `exchange_code` returns `CodeRejected` for a refused code, `AccountRefused`
/// for a person the provider will not let in, `Misconfigured` for refused client settings.
/// `refresh` returns `TokenRejected` for a refused refresh token. Calls made with an access
/// token return `TokenRejected` for a refused token and `ScopeMissing` when it lacks the
/// scope. Revocation returns `TokenRejected` when the provider does not know the token
/// (already revoked) and `Misconfigured` for refused client credentials.
#[async_trait]
pub trait IdentityProvider: Send + Sync + 'static {
    /// The provider's short name (`github`): its route segment and what the database stores.
    fn id(&self) -> &ProviderId;

    /// The provider's name as people know it ("GitHub"), used in messages.
    fn display_name(&self) -> &str;

    /// Whether authorization requests carry PKCE (S256).
    fn uses_pkce(&self) -> bool;

    /// The URL to send the browser to.
    fn authorization_url(&self, request: &AuthorizationRequest<'_>) -> String;

    /// The scopes requested at authorize, which the service needs.
    fn requested_scopes(&self) -> Scopes;

    /// Whether `granted` includes `wanted`, directly or through a broader scope (GitHub's
    /// `user` includes `read:user`). By default only directly.
    fn covers(&self, granted: &Scopes, wanted: &str) -> bool {
        granted.contains(wanted)
    }

    /// Where a person reviews this app's access, and at GitHub grants or requests access for
    /// organizations; `None` when the provider has no such page.
    fn access_settings_url(&self) -> Option<String> {
        None
    }

    /// The provider's own words for its app registration and its groups of people, used in
    /// the messages of sign-in failures, sign-in rules and `nectr-auth check`.
    fn terms(&self) -> ProviderTerms {
        ProviderTerms::generic(self.display_name())
    }

    /// Trades an authorization code (and the PKCE verifier it was requested with) for tokens.
    async fn exchange_code(
        &self,
        code: &str,
        pkce_verifier: Option<&PkceVerifier>,
    ) -> Result<TokenGrant, ProviderError>;

    /// Trades a refresh token for a fresh pair; the old pair stops working.
    async fn refresh(&self, refresh_token: &RefreshToken) -> Result<TokenGrant, ProviderError> {
        let _ = refresh_token;
        Err(ProviderError::Unsupported(format!(
            "{} does not issue refresh tokens",
            self.display_name()
        )))
    }

    /// The profile of the token's owner, with their primary verified email when the public
    /// profile has none, and the scopes the token carries when the provider says.
    async fn fetch_profile(&self, token: &AccessToken) -> Result<IdentityProfile, ProviderError>;

    /// The organizations (groups) this token lets the app see the person in.
    async fn organizations(&self, token: &AccessToken) -> Result<Vec<Organization>, ProviderError>;

    /// The teams the person is in, as far as this token may see.
    async fn teams(&self, token: &AccessToken) -> Result<Vec<Team>, ProviderError> {
        let _ = token;
        Err(ProviderError::Unsupported(format!(
            "{} has no teams",
            self.display_name()
        )))
    }

    /// Revokes this one token at the provider.
    async fn revoke_token(&self, token: &AccessToken) -> Result<(), ProviderError>;

    /// Removes this app's authorization for the token's owner (revoking their tokens), so the
    /// next authorization shows the full consent screen again. Providers without such an
    /// operation revoke the token.
    async fn revoke_grant(&self, token: &AccessToken) -> Result<(), ProviderError> {
        self.revoke_token(token).await
    }
}
