//! The use cases, as methods of one service that holds the ports.

mod complete_sign_in;
mod current_user;
mod errors;
mod reconnect;
mod start_sign_in;
mod state_cap;
mod sweep;

use std::sync::Arc;

use base64::Engine as _;
use nectr_domain::BrowserBinding;
use sha2::{Digest as _, Sha256};

use crate::ports::{
    Clock, IdentityProvider, RandomSource, SessionSigner, SessionStore, StateStore, TokenCipher,
    UserStore,
};

pub use complete_sign_in::{CallbackParams, SignedIn};
pub use errors::{CompleteSignInError, CurrentUserError, ReconnectError, StartSignInError};
pub use start_sign_in::StartedSignIn;
pub use sweep::SweepReport;

/// The adapters the use cases run on.
#[derive(Clone)]
pub struct Ports {
    pub users: Arc<dyn UserStore>,
    pub states: Arc<dyn StateStore>,
    pub sessions: Arc<dyn SessionStore>,
    pub provider: Arc<dyn IdentityProvider>,
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
}

/// Sign-in, session check, reconnect, logout and sweeping.
#[derive(Clone)]
pub struct AuthService {
    ports: Ports,
    policy: Policy,
    state_cap: Arc<state_cap::StateCap>,
}

impl AuthService {
    pub fn new(ports: Ports, policy: Policy) -> Self {
        Self {
            ports,
            policy,
            state_cap: Arc::new(state_cap::StateCap::new(policy.max_live_states)),
        }
    }

    pub fn policy(&self) -> Policy {
        self.policy
    }

    /// The provider's display name, for messages outside the use cases.
    pub fn provider_name(&self) -> &str {
        self.ports.provider.display_name()
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
mod tests;
