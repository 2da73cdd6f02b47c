//! Start sign-in: store a fresh attempt bound to this browser and point it at the provider.

use nectr_domain::{BrowserBinding, OAuthState, PkceVerifier, StateToken};

use super::{AuthService, binding_digest};
use crate::ports::{AuthorizationRequest, StoreError};

/// Where to send the browser, and the binding cookie it must carry back.
#[derive(Debug)]
pub struct StartedSignIn {
    pub redirect_url: String,
    pub binding: BrowserBinding,
    /// How long the binding cookie must live to outlast the attempt.
    pub ttl_seconds: i64,
}

impl AuthService {
    /// Stores a new attempt (256-bit state, PKCE verifier, deadline) bound to the browser's
    /// binding cookie, reusing the cookie when the browser already has a well-formed one so
    /// attempts in several tabs all stay valid.
    ///
    /// # Errors
    /// `StoreError` when the attempt cannot be stored.
    pub async fn start_sign_in(
        &self,
        existing_binding: Option<&str>,
    ) -> Result<StartedSignIn, StoreError> {
        let binding = existing_binding
            .and_then(|b| BrowserBinding::parse(b).ok())
            .map_or_else(|| self.fresh(BrowserBinding::parse), Ok)?;
        let token = self.fresh(StateToken::parse)?;
        let pkce_verifier = if self.ports.provider.uses_pkce() {
            Some(self.fresh(PkceVerifier::parse)?)
        } else {
            None
        };
        let now = self.ports.clock.now();
        let state = OAuthState {
            token,
            binding_digest: binding_digest(&binding),
            pkce_verifier,
            created_at: now,
            expires_at: now.plus_seconds(self.policy.state_ttl_seconds),
        };
        self.ports.states.insert(&state).await?;
        let redirect_url = self
            .ports
            .provider
            .authorization_url(&AuthorizationRequest {
                state: &state.token,
                pkce_verifier: state.pkce_verifier.as_ref(),
            });
        tracing::debug!(pkce = state.pkce_verifier.is_some(), "sign-in started");
        Ok(StartedSignIn {
            redirect_url,
            binding,
            ttl_seconds: self.policy.state_ttl_seconds,
        })
    }

    /// A fresh random value of one of the token types. The random port promises the format;
    /// a broken adapter is reported rather than trusted.
    fn fresh<T, E>(&self, parse: impl Fn(&str) -> Result<T, E>) -> Result<T, StoreError> {
        parse(&self.ports.random.token())
            .map_err(|_| StoreError::Failed("the random source produced a malformed token".into()))
    }
}
