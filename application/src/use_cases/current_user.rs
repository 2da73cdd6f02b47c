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
        self.ports
            .sessions
            .active_user(&claims.session_id, claims.user_id, now)
            .await?
            .map(|user| (claims, user))
            .ok_or(CurrentUserError::InvalidToken)
    }

    /// Ends the session the cookie names, if it names one. A missing or invalid cookie has
    /// no session to end, which is not an error: logout is idempotent.
    ///
    /// # Errors
    /// `StoreError` when the session cannot be revoked: the caller must not claim success.
    pub async fn logout(&self, token: Option<&str>) -> Result<(), StoreError> {
        let now = self.ports.clock.now();
        let Some(claims) = token.and_then(|t| self.ports.signer.verify(t, now).ok()) else {
            return Ok(());
        };
        let existed = self.ports.sessions.revoke(&claims.session_id).await?;
        tracing::info!(user.id = %claims.user_id, existed, "logged out");
        Ok(())
    }
}
