//! Reconnect: remove the app's grant at the provider, then sign in again, so the provider
//! shows its full consent screen (with organization access) once more.

use super::{AuthService, ReconnectError, StartedSignIn};
use crate::ports::ProviderError;

impl AuthService {
    /// # Errors
    /// `Session` without a valid session, `TokenUnreadable` when the stored token no longer
    /// opens, `Provider` when the grant cannot be removed, `Store` on a database outage.
    pub async fn reconnect(
        &self,
        session_token: Option<&str>,
        binding: Option<&str>,
    ) -> Result<StartedSignIn, ReconnectError> {
        let (_, user) = self.authenticate(session_token).await?;
        let sealed = self
            .ports
            .users
            .sealed_token(user.id)
            .await?
            .ok_or(ReconnectError::TokenUnreadable)?;
        let token = self
            .ports
            .cipher
            .open(&sealed, user.github_id)
            .map_err(|e| {
                tracing::warn!(user.id = %user.id, reason = %e, "stored token does not open");
                ReconnectError::TokenUnreadable
            })?;
        if !self.ports.cipher.is_current(&sealed) {
            // Read under an older key: re-seal it now, so retiring that key loses nothing.
            let resealed = self.ports.cipher.seal(&token, user.github_id);
            self.ports
                .users
                .replace_sealed_token(user.id, &sealed, &resealed)
                .await?;
        }
        match self.ports.provider.revoke_grant(&token).await {
            Ok(()) => tracing::info!(user.id = %user.id, "grant removed for reconnect"),
            // The token is already dead at the provider (revoked there, or expired): there is
            // no grant left to keep the consent screen away, so carry on.
            Err(ProviderError::TokenRejected(reason)) => {
                tracing::info!(user.id = %user.id, %reason, "grant already gone");
            }
            Err(e) => return Err(ReconnectError::Provider(e)),
        }
        drop(token);
        Ok(self.start_sign_in(binding).await?)
    }
}
