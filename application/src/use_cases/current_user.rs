//! The session check and logout.

use nectr_domain::{SessionClaims, User};

use super::{AuthService, CurrentUserError};
use crate::ports::StoreError;

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

    /// Ends the session the cookie names, or with `everywhere` every session of its person;
    /// returns how many sessions ended. A missing or invalid cookie has no session to end,
    /// which is not an error: logout is idempotent. Signing out everywhere needs a live
    /// session, so a stolen cookie that was already revoked cannot end the person's others.
    ///
    /// # Errors
    /// `StoreError` when sessions cannot be revoked: the caller must not claim success.
    pub async fn logout(&self, token: Option<&str>, everywhere: bool) -> Result<u64, StoreError> {
        let now = self.ports.clock.now();
        let Some(claims) = token.and_then(|t| self.ports.signer.verify(t, now).ok()) else {
            return Ok(0);
        };
        let sessions = &self.ports.sessions;
        let ended = if everywhere {
            match sessions
                .active_user(&claims.session_id, claims.user_id, now)
                .await?
            {
                Some(_) => sessions.revoke_all(claims.user_id).await?,
                None => 0,
            }
        } else {
            u64::from(sessions.revoke(&claims.session_id).await?)
        };
        tracing::info!(user.id = %claims.user_id, everywhere, ended, "logged out");
        Ok(ended)
    }
}
