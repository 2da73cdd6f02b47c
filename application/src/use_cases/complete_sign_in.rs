//! Complete sign-in: check the state, trade the code, keep the person and their sealed
//! token, open a session.

use nectr_domain::{
    BrowserBinding, Identity, ProviderTokens, Session, SessionId, StateToken, Timestamp, User,
};

use super::{AuthService, CompleteSignInError, binding_digest};
use crate::ports::{IdentityProvider, TokenGrant};

/// The callback's query, as the provider sent it (RFC 6749 §4.1.2).
#[derive(Debug, Default, Clone)]
pub struct CallbackParams {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

/// A new session: the token for the cookie and who it belongs to.
#[derive(Debug)]
pub struct SignedIn {
    pub session_token: String,
    pub user: User,
    pub max_age_seconds: i64,
}

/// Authorization codes we forward to the provider are bounded and printable; anything else
/// cannot be a real code.
fn usable_code(code: Option<&str>) -> Option<&str> {
    code.filter(|c| !c.is_empty() && c.len() <= 512 && c.bytes().all(|b| b.is_ascii_graphic()))
}

impl AuthService {
    /// Handles the provider's redirect back to us.
    ///
    /// The state is consumed before anything else happens, so a replayed, forged or foreign
    /// callback fails with `InvalidState` whatever else it carries. `previous_session` is the session cookie the browser
    /// already had, if any: it is revoked once the new session exists, so a sign-in never
    /// leaves an old session behind in the same browser.
    ///
    /// # Errors
    /// `InvalidState` for a bad state or binding, or a state that was sent to another provider
    /// than the one calling back; `Cancelled` / `ProviderRefused` when the provider sent an
    /// error, `MissingCode`, `NotAllowed` when the operator's rules refuse the person, or the
    /// provider's and store's errors.
    pub async fn complete_sign_in(
        &self,
        provider: &str,
        params: CallbackParams,
        binding: Option<&str>,
        previous_session: Option<&str>,
    ) -> Result<SignedIn, CompleteSignInError> {
        let outcome = self
            .sign_in(provider, params, binding, previous_session)
            .await;
        // Only a registered id becomes a label: the path segment is whatever was requested.
        let provider = self
            .provider(provider)
            .map_or("unknown", |p| p.adapter.id().as_str())
            .to_owned();
        match &outcome {
            Ok(_) => {
                metrics::counter!("nectr_auth_sign_ins_completed_total", "provider" => provider)
                    .increment(1);
            }
            // The failure's log line is written where it becomes an answer, once.
            Err(e) => {
                metrics::counter!(
                    "nectr_auth_sign_ins_failed_total",
                    "provider" => provider,
                    "reason" => e.reason()
                )
                .increment(1);
            }
        }
        outcome
    }

    async fn sign_in(
        &self,
        provider_id: &str,
        params: CallbackParams,
        binding: Option<&str>,
        previous_session: Option<&str>,
    ) -> Result<SignedIn, CompleteSignInError> {
        // The state comes first: without a valid one, nothing else in the callback (not even
        // an `error` to echo) is believed.
        let consumed = self.consume_state(&params, binding).await?;
        // A state is only good at the callback of the provider it was sent to: an attacker who
        // gets a code from one provider cannot replay it at another's callback (RFC 9700 §4.4).
        let registered = self
            .provider(provider_id)
            .filter(|p| p.adapter.id() == &consumed.provider)
            .ok_or_else(|| {
                tracing::debug!(
                    state.provider = %consumed.provider,
                    callback.provider = provider_id,
                    "callback rejected: state was sent to another provider"
                );
                CompleteSignInError::InvalidState
            })?;
        let provider = registered.adapter.as_ref();
        if let Some(error) = params.error.as_deref() {
            return Err(self.provider_refusal(
                provider,
                error,
                params.error_description.as_deref(),
            ));
        }
        let code = usable_code(params.code.as_deref()).ok_or(CompleteSignInError::MissingCode)?;

        let grant = provider
            .exchange_code(code, consumed.pkce_verifier.as_ref())
            .await?;
        let profile = provider.fetch_profile(&grant.access_token).await?;
        if let Err(refusal) = self.admit(registered, &profile, &grant.access_token).await {
            // We will not act for this person, so their fresh token should not outlive this
            // request at the provider either.
            if let Err(e) = provider.revoke_token(&grant.access_token).await {
                tracing::info!(error = %e, "could not revoke the token of a refused person");
            }
            return Err(refusal);
        }
        let now = self.ports.clock.now();
        // The profile call's scopes (GitHub's `X-OAuth-Scopes`) are what the token carries
        // now; the exchange's `scope` is the fallback.
        let scopes = profile.granted_scopes().cloned().or(grant.scopes.clone());
        let profile = profile.with_granted_scopes(scopes);
        let identity = Identity::new(provider.id().clone(), profile.subject().clone());
        let sealed = self.ports.cipher.seal(&tokens_from(grant, now), &identity);

        let user = self
            .ports
            .users
            .upsert(&identity, &profile, &sealed, now)
            .await?;
        let session_id = self.fresh(SessionId::parse);
        let session = Session {
            id: session_id,
            user_id: user.id,
            created_at: now,
            expires_at: now.plus_seconds(self.policy.session_ttl_seconds),
        };
        self.ports.sessions.create(&session).await?;
        let session_token = self.ports.signer.sign(&session.claims());
        self.revoke_previous(previous_session, &session).await;
        tracing::info!(user.id = %user.id, identity = %user.identity, "signed in");
        Ok(SignedIn {
            session_token,
            user,
            max_age_seconds: self.policy.session_ttl_seconds,
        })
    }

    async fn consume_state(
        &self,
        params: &CallbackParams,
        binding: Option<&str>,
    ) -> Result<nectr_domain::ConsumedState, CompleteSignInError> {
        let state = params
            .state
            .as_deref()
            .and_then(|s| StateToken::parse(s).ok());
        let binding = binding.and_then(|b| BrowserBinding::parse(b).ok());
        let binding_present = binding.is_some();
        let (Some(state), Some(binding)) = (state, binding) else {
            tracing::debug!(
                state.present = params.state.is_some(),
                binding.present = binding_present,
                "callback rejected: state or binding cookie missing or malformed"
            );
            return Err(CompleteSignInError::InvalidState);
        };
        let now = self.ports.clock.now();
        match self
            .ports
            .states
            .consume(&state, &binding_digest(&binding), now)
            .await?
        {
            Some(consumed) => Ok(consumed),
            None => {
                tracing::debug!("callback rejected: state unknown, expired, used or foreign");
                Err(CompleteSignInError::InvalidState)
            }
        }
    }

    fn provider_refusal(
        &self,
        provider: &dyn IdentityProvider,
        error: &str,
        description: Option<&str>,
    ) -> CompleteSignInError {
        let terms = provider.terms();
        let provider = provider.display_name().to_owned();
        // Both values come from the query string: keep them short and plain before echoing.
        let error: String = error
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .take(64)
            .collect();
        if error == "access_denied" {
            return CompleteSignInError::Cancelled { provider };
        }
        let description = description
            .map(|d| {
                d.chars()
                    .map(|c| if c.is_control() { ' ' } else { c })
                    .take(300)
                    .collect::<String>()
            })
            .filter(|d| !d.is_empty());
        let application = &terms.application;
        let hint = match error.as_str() {
            "redirect_uri_mismatch" => format!(
                "The {} registered on the {application} must be this service's callback URL; `nectr-auth check` prints the one to register.",
                terms.callback_field
            ),
            "application_suspended" => format!(
                "The {application} is suspended: its owner must contact {provider}'s support."
            ),
            _ => format!(
                "Start sign-in again; if it keeps failing, ask the operator to check the {application}'s settings."
            ),
        };
        tracing::debug!(oauth.error = %error, "callback carried an OAuth error");
        CompleteSignInError::ProviderRefused {
            provider,
            error,
            description,
            hint,
        }
    }

    async fn revoke_previous(&self, previous: Option<&str>, current: &Session) {
        let Some(claims) = previous
            .and_then(|t| self.ports.signer.verify(t, current.created_at).ok())
            .filter(|c| c.session_id != current.id)
        else {
            return;
        };
        if let Err(e) = self.ports.sessions.revoke(&claims.session_id).await {
            tracing::warn!(error = %e, "could not revoke the browser's previous session");
        }
    }
}

/// The tokens to seal from what the provider granted at `now`.
pub(super) fn tokens_from(grant: TokenGrant, now: Timestamp) -> ProviderTokens {
    let deadline = |seconds: Option<u64>| {
        seconds.map(|s| now.plus_seconds(i64::try_from(s).unwrap_or(i64::MAX)))
    };
    ProviderTokens {
        access_expires_at: deadline(grant.expires_in),
        refresh_expires_at: grant
            .refresh_token
            .as_ref()
            .and(deadline(grant.refresh_token_expires_in)),
        access: grant.access_token,
        refresh: grant.refresh_token,
    }
}
