//! The use cases, as methods of one service that holds the ports.

mod complete_sign_in;
mod current_user;
mod errors;
mod organization_access;
mod provider_token;
mod reconnect;
mod sign_in_rules;
mod start_sign_in;
mod state_cap;
mod sweep;

use std::sync::Arc;

use base64::Engine as _;
use nectr_domain::BrowserBinding;
use sha2::{Digest as _, Sha256};

use crate::ports::{
    Clock, RandomSource, SessionSigner, SessionStore, StateStore, TokenCipher, UserStore,
};
use crate::providers::{Providers, RegisteredProvider};

pub use complete_sign_in::{CallbackParams, SignedIn};
pub use current_user::{LogoutOutcome, ProviderTokenRevocation};
pub use errors::{
    CompleteSignInError, CurrentUserError, ProviderTokenError, ReauthenticationReason,
    ReconnectError, StartSignInError,
};
pub use organization_access::{OrganizationAccess, OrganizationAccessError};
pub use provider_token::UsableToken;
pub use start_sign_in::StartedSignIn;
pub use sweep::SweepReport;

/// The adapters the use cases run on.
#[derive(Clone)]
pub struct Ports {
    pub users: Arc<dyn UserStore>,
    pub states: Arc<dyn StateStore>,
    pub sessions: Arc<dyn SessionStore>,
    pub providers: Providers,
    pub cipher: Arc<dyn TokenCipher>,
    pub signer: Arc<dyn SessionSigner>,
    pub clock: Arc<dyn Clock>,
    pub random: Arc<dyn RandomSource>,
}

/// Lifetimes the operator chooses.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// How long a session lasts (`ACCESS_TOKEN_EXPIRE_MINUTES` × 60).
    pub session_ttl_seconds: i64,
    /// How long a sign-in attempt stays valid (`OAUTH_STATE_TTL_SECONDS`).
    pub state_ttl_seconds: i64,
    /// Most sign-in attempts live at once (`MAX_LIVE_OAUTH_STATES`); 0 for no cap.
    pub max_live_states: u64,
    /// Whether logout also revokes the person's provider token (`REVOKE_PROVIDER_TOKEN_ON_LOGOUT`).
    pub revoke_provider_token_on_logout: bool,
}

/// Sign-in, session check, reconnect, logout, the provider token's life and sweeping.
#[derive(Clone)]
pub struct AuthService {
    ports: Ports,
    policy: Policy,
    state_cap: Arc<state_cap::StateCap>,
    refresh_locks: Arc<provider_token::RefreshLocks>,
}

impl AuthService {
    pub fn new(ports: Ports, policy: Policy) -> Self {
        Self {
            ports,
            policy,
            state_cap: Arc::new(state_cap::StateCap::new(policy.max_live_states)),
            refresh_locks: Arc::default(),
        }
    }

    pub fn policy(&self) -> Policy {
        self.policy
    }

    /// The offered identity providers.
    pub fn providers(&self) -> &Providers {
        &self.ports.providers
    }

    /// The scopes `user`'s provider was asked for that it has not said it granted; `None`
    /// when it never said what it granted, or the provider is no longer offered.
    pub fn missing_scopes(&self, user: &nectr_domain::User) -> Option<Vec<String>> {
        let granted = user.granted_scopes.as_ref()?;
        let registered = self.ports.providers.get(user.identity.provider.as_str())?;
        // Asked on every session check: a scope granted as requested needs no walk through
        // the provider's hierarchy, and nothing is allocated when nothing is missing.
        Some(
            registered
                .requested_scopes
                .iter()
                .filter(|wanted| {
                    !granted.contains(wanted) && !registered.adapter.covers(granted, wanted)
                })
                .map(str::to_owned)
                .collect(),
        )
    }

    fn provider(&self, id: &str) -> Option<&RegisteredProvider> {
        self.ports.providers.get(id)
    }
}

/// What the state store keeps of the binding cookie: a digest, so a copy of the database
/// cannot be turned into a working cookie.
fn binding_digest(binding: &BrowserBinding) -> String {
    let digest = Sha256::digest(binding.as_str().as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest)
}

#[cfg(test)]
mod fakes;
#[cfg(test)]
mod provider_tests;
#[cfg(test)]
mod tests;
