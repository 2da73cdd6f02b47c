//! The session check and logout.

use nectr_domain::{SessionClaims, User};

use super::{AuthService, CurrentUserError, ProviderTokenError};
use crate::ports::{ProviderError, StoreError};

impl AuthService {
    /// The signed-in person for a session cookie: a valid signature, a live session that
    /// belongs to the token's subject, and the person still existing.
    ///
    /// # Errors
    /// `NotAuthenticated` without a cookie, `InvalidToken` for a bad, expired or revoked one,
    /// `Store` when the database cannot answer.
    pub async fn current_user(&self, token: Option<&str>) -> Result<User, CurrentUserError> {
        self.authenticate(token).await.map(|(_, user)| user)
    }

    pub(super) async fn authenticate(
        &self,
        token: Option<&str>,
    ) -> Result<(SessionClaims, User), CurrentUserError> {
        let token = token
            .filter(|t| !t.is_empty())
            .ok_or(CurrentUserError::NotAuthenticated)?;
        let now = self.ports.clock.now();
        let claims = self.ports.signer.verify(token, now).map_err(|e| {
            tracing::debug!(reason = %e, "session token refused");
            CurrentUserError::InvalidToken
        })?;
        // The signer allows some leeway for other parties' clocks; the session's own deadline
        // (the same instant as `exp`) is exact, whether or not the store is asked.
        if claims.expires_at <= now {
            return Err(CurrentUserError::InvalidToken);
        }
        self.ports
            .sessions
            .active_user(&claims.session_id, claims.user_id, now)
            .await?
            .map(|user| (claims, user))
            .ok_or(CurrentUserError::InvalidToken)
    }

    /// Ends the session the cookie names, or with `everywhere` every session of its person.
    /// A missing or invalid cookie has no session to end, which is not an error: logout is
    /// idempotent. Signing out everywhere needs a live session, so a stolen cookie that was
    /// already revoked cannot end the person's others. With
    /// `Policy::revoke_provider_token_on_logout`, a live session's logout also revokes the
    /// person's provider token; the outcome says what the provider answered.
    ///
    /// # Errors
    /// `StoreError` when sessions cannot be revoked: the caller must not claim success.
    pub async fn logout(
        &self,
        token: Option<&str>,
        everywhere: bool,
    ) -> Result<LogoutOutcome, StoreError> {
        let now = self.ports.clock.now();
        let Some(claims) = token.and_then(|t| self.ports.signer.verify(t, now).ok()) else {
            return Ok(LogoutOutcome::default());
        };
        let sessions = &self.ports.sessions;
        // Only a live session may revoke the provider token or end the person's others.
        let user = sessions
            .active_user(&claims.session_id, claims.user_id, now)
            .await?;
        let ended = match (&user, everywhere) {
            (Some(_), true) => sessions.revoke_all(claims.user_id).await?,
            (None, true) => 0,
            (_, false) => u64::from(sessions.revoke(&claims.session_id).await?),
        };
        let provider_token = match user {
            Some(user) if self.policy.revoke_provider_token_on_logout => {
                Some(self.revoke_provider_token(&user).await)
            }
            _ => None,
        };
        tracing::info!(user.id = %claims.user_id, everywhere, ended, provider_token = ?provider_token, "logged out");
        Ok(LogoutOutcome {
            ended,
            provider_token,
        })
    }

    async fn revoke_provider_token(&self, user: &User) -> ProviderTokenRevocation {
        let Ok(provider) = self.adapter_of(user) else {
            return ProviderTokenRevocation::Failed(
                "its provider is no longer offered by this service".to_owned(),
            );
        };
        // An access token past its deadline may be unknown to the provider while its refresh
        // token still works: refresh first, so the revocation reaches a live pair (revoking a
        // token ends its refresh token too). A refresh that fails leaves a dead pair.
        if let Err(e) = self.live_tokens(user, None).await {
            tracing::info!(user.id = %user.id, error = %e, "no refresh before revoking at logout");
        }
        // A refresh in flight here would store a new pair after this revocation, and that
        // pair would go on working: let it finish, then revoke what is stored.
        let _turn = self.refresh_locks.of(user.id).lock().await;
        let tokens = match self.open_stored(user).await {
            Ok((_, tokens)) => tokens,
            // The store's own message names the database: for the log, not the browser.
            Err(ProviderTokenError::Store(e)) => {
                tracing::warn!(user.id = %user.id, error = %e, "could not read the provider token at logout");
                return ProviderTokenRevocation::Failed(
                    "the stored token could not be read (the database is unavailable); log in and out again later to revoke it".to_owned(),
                );
            }
            Err(e) => return ProviderTokenRevocation::Failed(e.to_string()),
        };
        match provider.revoke_token(&tokens.access).await {
            Ok(()) => ProviderTokenRevocation::Revoked,
            Err(ProviderError::TokenRejected(_)) => ProviderTokenRevocation::AlreadyInvalid,
            Err(e) => {
                tracing::warn!(user.id = %user.id, error = %e, "could not revoke the provider token at logout");
                ProviderTokenRevocation::Failed(e.to_string())
            }
        }
    }
}

/// What a logout did.
#[derive(Debug, Default)]
pub struct LogoutOutcome {
    /// How many sessions ended.
    pub ended: u64,
    /// What became of the provider token, when logout revokes it.
    pub provider_token: Option<ProviderTokenRevocation>,
}

/// The provider's answer to revoking a token at logout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderTokenRevocation {
    Revoked,
    /// The provider no longer knew the token (revoked or expired already).
    AlreadyInvalid,
    /// It could not be revoked; the reason is safe to show.
    Failed(String),
}
