//! Start sign-in: store a fresh attempt bound to this browser and point it at the provider.

use nectr_domain::{BrowserBinding, OAuthState, PkceVerifier, StateToken};

use super::{AuthService, StartSignInError, binding_digest};
use crate::ports::AuthorizationRequest;

/// Where to send the browser, and the binding cookie it must carry back.
#[derive(Debug)]
pub struct StartedSignIn {
    pub redirect_url: String,
    /// The provider the browser is sent to.
    pub provider: nectr_domain::ProviderId,
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
    /// `Busy` when `Policy::max_live_states` attempts are already live, `Store` when the
    /// attempt cannot be stored.
    pub async fn start_sign_in(
        &self,
        provider: &str,
        existing_binding: Option<&str>,
    ) -> Result<StartedSignIn, StartSignInError> {
        let provider = &self
            .provider(provider)
            .ok_or_else(|| StartSignInError::UnknownProvider(provider.to_owned()))?
            .adapter;
        let now = self.ports.clock.now();
        // A soft cap: concurrent starts and other instances may pass it by a few, which is
        // harmless; what matters is that a flood cannot grow the table without bound.
        if !self
            .state_cap
            .admits(self.ports.states.as_ref(), now)
            .await?
        {
            let cap = self.policy.max_live_states;
            tracing::warn!(cap, "sign-in refused: too many live states");
            return Err(StartSignInError::Busy);
        }
        let binding = existing_binding
            .and_then(|b| BrowserBinding::parse(b).ok())
            .unwrap_or_else(|| self.fresh(BrowserBinding::parse));
        let token = self.fresh(StateToken::parse);
        let pkce_verifier = provider
            .uses_pkce()
            .then(|| self.fresh(PkceVerifier::parse));
        let state = OAuthState {
            token,
            provider: provider.id().clone(),
            binding_digest: binding_digest(&binding),
            pkce_verifier,
            created_at: now,
            expires_at: now.plus_seconds(self.policy.state_ttl_seconds),
        };
        self.ports.states.insert(&state).await?;
        self.state_cap.started();
        let redirect_url = provider.authorization_url(&AuthorizationRequest {
            state: &state.token,
            pkce_verifier: state.pkce_verifier.as_ref(),
        });
        tracing::debug!(provider = %provider.id(), pkce = state.pkce_verifier.is_some(), "sign-in started");
        metrics::counter!(
            "nectr_auth_sign_ins_started_total",
            "provider" => provider.id().as_str().to_owned()
        )
        .increment(1);
        Ok(StartedSignIn {
            redirect_url,
            provider: provider.id().clone(),
            binding,
            ttl_seconds: self.policy.state_ttl_seconds,
        })
    }

    /// A fresh random value of one of the token types.
    ///
    /// # Panics
    /// When the random adapter breaks its promise of 43 base64url characters: a bug in the
    /// adapter, which no request can cause.
    pub(super) fn fresh<T, E: std::fmt::Debug>(&self, parse: impl Fn(&str) -> Result<T, E>) -> T {
        parse(&self.ports.random.token())
            .expect("the RandomSource adapter must return 43 characters of base64url")
    }
}
