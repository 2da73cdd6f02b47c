//! The GitLab identity provider: the `IdentityProvider` port over GitLab's OAuth 2.0
//! authorization code flow with PKCE and its REST API, for gitlab.com and self-managed
//! instances.
#![doc = include_str!("../README.md")]

mod config;
mod errors;
mod groups;
mod oauth;
mod rest;
mod scopes;
mod transport;

use std::sync::Arc;

use async_trait::async_trait;
use nectr_application::ports::{
    AuthorizationRequest, IdentityProvider, Organization, ProviderError, ProviderTerms, TokenGrant,
};
use nectr_domain::{AccessToken, IdentityProfile, PkceVerifier, ProviderId, RefreshToken, Scopes};

pub use config::{GitlabConfig, GitlabSetupError};
pub use scopes::{READ_API, READ_USER};

use config::Endpoints;
use errors::Call;

/// GitLab as an identity provider. Cheap to clone: clones share one connection pool.
#[derive(Clone)]
pub struct GitlabProvider {
    inner: Arc<Inner>,
}

/// What every call needs, built once at start-up.
pub(crate) struct Inner {
    id: ProviderId,
    config: GitlabConfig,
    endpoints: Endpoints,
    /// The scopes requested at authorize.
    scopes: Vec<&'static str>,
    /// One pooled client for the token endpoint and the REST API, with redirects off.
    http: reqwest::Client,
    oauth: oauth::OAuthClient,
}

impl Inner {
    fn call(&self, what: &'static str) -> Call<'_> {
        Call {
            what,
            config: &self.config,
            endpoints: &self.endpoints,
        }
    }
}

impl GitlabProvider {
    /// Checks the settings and builds the HTTP client.
    ///
    /// # Errors
    /// `GitlabSetupError` for an empty client id or secret, a base URL that is not `http(s)`
    /// with a host (or that has a query, a fragment or credentials), a callback URL that does
    /// not parse, a user agent that cannot be a header, or TLS that cannot be set up.
    pub fn new(config: GitlabConfig) -> Result<Self, GitlabSetupError> {
        use secrecy::ExposeSecret as _;
        let required = [
            ("GITLAB_CLIENT_ID", config.client_id.as_str()),
            ("GITLAB_CLIENT_SECRET", config.client_secret.expose_secret()),
        ];
        if let Some(setting) = nectr_provider_http::settings::first_blank(&required) {
            return Err(GitlabSetupError::Missing { setting });
        }
        let endpoints = Endpoints::new(&config)?;
        let oauth = oauth::client(&config, &endpoints)?;
        let http = transport::build_client(&config)?;
        let scopes = if config.read_groups {
            vec![READ_USER, READ_API]
        } else {
            vec![READ_USER]
        };
        Ok(Self {
            inner: Arc::new(Inner {
                id: ProviderId::parse("gitlab")
                    .expect("`gitlab` follows the provider id rule: lowercase letters only"),
                config,
                endpoints,
                scopes,
                http,
                oauth,
            }),
        })
    }
}

// Written by hand so the client secret (held by the oauth2 client too) can never be printed.
impl std::fmt::Debug for GitlabProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let config = &self.inner.config;
        f.debug_struct("GitlabProvider")
            .field("client_id", &config.client_id)
            .field("client_secret", &"<redacted>")
            .field("base_url", &config.base_url.as_str())
            .field("redirect_url", &config.redirect_url)
            .field("scopes", &self.inner.scopes)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl IdentityProvider for GitlabProvider {
    fn id(&self) -> &ProviderId {
        &self.inner.id
    }

    fn display_name(&self) -> &str {
        "GitLab"
    }

    /// Always: GitLab supports S256 for every application, confidential or not.
    fn uses_pkce(&self) -> bool {
        true
    }

    fn authorization_url(&self, request: &AuthorizationRequest<'_>) -> String {
        oauth::authorization_url(&self.inner, request)
    }

    /// `read_user`, and `read_api` when [`GitlabConfig::read_groups`] is on.
    fn requested_scopes(&self) -> Scopes {
        Scopes::of(self.inner.scopes.iter().copied())
    }

    fn covers(&self, granted: &Scopes, wanted: &str) -> bool {
        scopes::covers(granted, wanted)
    }

    /// User settings → Applications, where a person sees the applications they authorized
    /// and revokes them.
    fn access_settings_url(&self) -> Option<String> {
        Some(self.inner.endpoints.access_settings.to_string())
    }

    fn terms(&self) -> ProviderTerms {
        // GitLab shows every group a member is in to a token with `read_api`: nothing is
        // hidden the way GitHub's restricted organizations hide members.
        ProviderTerms {
            application: "GitLab application".to_owned(),
            callback_field: "Redirect URI".to_owned(),
            organizations: "groups".to_owned(),
            hidden_membership: None,
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
        groups::organizations(&self.inner, token).await
    }

    // `teams`: GitLab has subgroups, which `organizations` lists by their full path, and no
    // teams; the port's default answers `Unsupported`.

    async fn revoke_token(&self, token: &AccessToken) -> Result<(), ProviderError> {
        rest::revoke(&self.inner, token).await
    }

    /// GitLab has no endpoint that removes an application's authorization for a person;
    /// revoking the token is the most there is (the port's default, spelled out). GitLab skips
    /// its consent screen while it holds another unrevoked token of this (confidential)
    /// application for the person with the same scopes (possibly an expired one), or for an
    /// application an administrator marked trusted; otherwise the next authorization shows it
    /// again.
    async fn revoke_grant(&self, token: &AccessToken) -> Result<(), ProviderError> {
        rest::revoke(&self.inner, token).await
    }
}
