//! The GitHub identity provider: the `IdentityProvider` port over GitHub's OAuth web flow and REST API.
#![doc = include_str!("../README.md")]

mod config;
mod errors;
mod oauth;
mod orgs;
mod rest;
mod scopes;
mod transport;

use std::sync::Arc;

use async_trait::async_trait;
use nectr_application::ports::{
    AuthorizationRequest, IdentityProvider, Organization, ProviderError, ProviderTerms, Team,
    TokenGrant,
};
use nectr_domain::{AccessToken, IdentityProfile, PkceVerifier, ProviderId, RefreshToken, Scopes};

pub use config::{GithubConfig, GithubSetupError};

use config::Endpoints;
use errors::Call;

/// The scopes requested at authorize: private repositories (`repo`), the profile
/// (`read:user`), private email addresses (`user:email`) and organization membership
/// (`read:org`).
pub const SCOPES: [&str; 4] = ["repo", "read:user", "user:email", "read:org"];

/// GitHub as an identity provider. Cheap to clone: clones share one connection pool.
#[derive(Clone)]
pub struct GithubProvider {
    inner: Arc<Inner>,
}

/// What every call needs, built once at start-up.
pub(crate) struct Inner {
    id: ProviderId,
    config: GithubConfig,
    endpoints: Endpoints,
    /// One pooled client for the token endpoint and the REST API, with redirects off.
    http: reqwest::Client,
    oauth: oauth::OAuthClient,
}

impl Inner {
    fn api_call(&self, what: &'static str) -> Call<'_> {
        Call {
            what,
            base: &self.config.api_url,
            config: &self.config,
        }
    }
}

impl GithubProvider {
    /// Checks the settings and builds the HTTP client.
    ///
    /// # Errors
    /// `GithubSetupError` for an empty client id or secret, a base URL that is not `http(s)`
    /// with a host (or that has a query, a fragment or credentials), a callback URL that does
    /// not parse, a user agent that cannot be a header, or TLS that cannot be set up.
    pub fn new(config: GithubConfig) -> Result<Self, GithubSetupError> {
        use secrecy::ExposeSecret as _;
        let required = [
            ("GITHUB_CLIENT_ID", config.client_id.as_str()),
            ("GITHUB_CLIENT_SECRET", config.client_secret.expose_secret()),
        ];
        if let Some(setting) = nectr_provider_http::settings::first_blank(&required) {
            return Err(GithubSetupError::Missing { setting });
        }
        let endpoints = Endpoints::new(&config)?;
        let oauth = oauth::client(&config, &endpoints)?;
        let http = transport::build_client(&config)?;
        Ok(Self {
            inner: Arc::new(Inner {
                id: ProviderId::parse("github")
                    .expect("`github` follows the provider id rule: lowercase letters only"),
                config,
                endpoints,
                http,
                oauth,
            }),
        })
    }
}

// Written by hand so the client secret (held by the oauth2 client too) can never be printed.
impl std::fmt::Debug for GithubProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let config = &self.inner.config;
        f.debug_struct("GithubProvider")
            .field("client_id", &config.client_id)
            .field("client_secret", &"<redacted>")
            .field("web_url", &config.web_url.as_str())
            .field("api_url", &config.api_url.as_str())
            .field("redirect_url", &config.redirect_url)
            .field("pkce", &config.pkce)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl IdentityProvider for GithubProvider {
    fn id(&self) -> &ProviderId {
        &self.inner.id
    }

    fn display_name(&self) -> &str {
        "GitHub"
    }

    fn uses_pkce(&self) -> bool {
        self.inner.config.pkce
    }

    fn authorization_url(&self, request: &AuthorizationRequest<'_>) -> String {
        oauth::authorization_url(&self.inner, request)
    }

    fn requested_scopes(&self) -> Scopes {
        Scopes::of(SCOPES)
    }

    fn covers(&self, granted: &Scopes, wanted: &str) -> bool {
        scopes::covers(granted, wanted)
    }

    fn access_settings_url(&self) -> Option<String> {
        Some(self.inner.endpoints.access_settings.to_string())
    }

    fn terms(&self) -> ProviderTerms {
        ProviderTerms {
            application: "GitHub OAuth App".to_owned(),
            callback_field: "Authorization callback URL".to_owned(),
            organizations: "organizations".to_owned(),
            // An organization with OAuth App access restrictions hides its members from an app
            // its owners have not approved, so a member looks like a stranger.
            hidden_membership: Some(format!(
                "If you are a member, your membership may be hidden from this app until an owner of the organization approves it: review or request access at {}, then sign in again.",
                self.inner.endpoints.access_settings
            )),
        }
    }

    async fn exchange_code(
        &self,
        code: &str,
        pkce_verifier: Option<&PkceVerifier>,
    ) -> Result<TokenGrant, ProviderError> {
        oauth::exchange_code(&self.inner, code, pkce_verifier).await
    }

    async fn refresh(&self, refresh_token: &RefreshToken) -> Result<TokenGrant, ProviderError> {
        oauth::refresh(&self.inner, refresh_token).await
    }

    async fn fetch_profile(&self, token: &AccessToken) -> Result<IdentityProfile, ProviderError> {
        rest::fetch_profile(&self.inner, token).await
    }

    async fn organizations(&self, token: &AccessToken) -> Result<Vec<Organization>, ProviderError> {
        orgs::organizations(&self.inner, token).await
    }

    async fn teams(&self, token: &AccessToken) -> Result<Vec<Team>, ProviderError> {
        orgs::teams(&self.inner, token).await
    }

    async fn revoke_token(&self, token: &AccessToken) -> Result<(), ProviderError> {
        rest::revoke(&self.inner, token, rest::Revocation::Token).await
    }

    async fn revoke_grant(&self, token: &AccessToken) -> Result<(), ProviderError> {
        rest::revoke(&self.inner, token, rest::Revocation::Grant).await
    }
}
