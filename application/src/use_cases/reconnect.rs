//! Reconnect: remove the app's grant at the provider, then sign in again, so the provider
//! shows its full consent screen (with organization access) once more.

use super::{
    AuthService, ProviderTokenError, ReauthenticationReason, ReconnectError, StartSignInError,
    StartedSignIn,
};
use crate::ports::ProviderError;

impl AuthService {
    /// # Errors
    /// `Session` without a valid session, `OtherProvider` when the person signed in with
    /// another provider than `provider`, `TokenUnreadable` when the stored token no longer
    /// opens (or its provider is no longer offered), `Provider` when the grant cannot be
    /// removed, `Store` on a database outage.
    pub async fn reconnect(
        &self,
        provider: &str,
        session_token: Option<&str>,
        binding: Option<&str>,
    ) -> Result<StartedSignIn, ReconnectError> {
        let (_, user) = self.authenticate(session_token).await?;
        if user.identity.provider.as_str() != provider {
            return Err(ReconnectError::OtherProvider {
                signed_in_with: user.identity.provider.to_string(),
            });
        }
        let provider = self.adapter_of(&user).map_err(reconnect_error)?;
        // The sign-in that follows must be able to start: refused after the grant is gone, it
        // would leave the person with a dead token and no sign-in under way.
        let now = self.ports.clock.now();
        if !self
            .state_cap
            .admits(self.ports.states.as_ref(), now)
            .await
            .map_err(ReconnectError::Store)?
        {
            tracing::warn!(user.id = %user.id, "reconnect refused before removing the grant: too many live states");
            return Err(StartSignInError::Busy.into());
        }
        // The grant is removed with a live token: one past its deadline may be unknown to the
        // provider while the grant (and the refresh token) live on, and the consent screen
        // would then not show. A pair that cannot be refreshed is what there is to try.
        match self.live_tokens(&user, None).await {
            Ok(_)
            | Err(ProviderTokenError::ReauthenticationNeeded(ReauthenticationReason::Expired)) => {}
            Err(e) => return Err(reconnect_error(e)),
        }
        // A refresh in flight here would store a pair that outlives the grant's removal (and,
        // at GitLab, keeps the consent screen away): let it finish, then use what is stored.
        let turn = self.refresh_locks.of(user.id).lock().await;
        let (_, tokens) = self.open_stored(&user).await.map_err(reconnect_error)?;
        match provider.revoke_grant(&tokens.access).await {
            Ok(()) => tracing::info!(user.id = %user.id, "grant removed for reconnect"),
            // The token is already dead at the provider (revoked there, or expired): there is
            // no grant left to keep the consent screen away, so carry on.
            Err(ProviderError::TokenRejected(reason)) => {
                tracing::info!(user.id = %user.id, %reason, "grant already gone");
            }
            Err(e) => return Err(ReconnectError::Provider(e)),
        }
        drop((tokens, turn));
        let provider = user.identity.provider.as_str();
        Ok(self.start_sign_in(provider, binding).await?)
    }
}

fn reconnect_error(e: ProviderTokenError) -> ReconnectError {
    match e {
        ProviderTokenError::Store(e) => ReconnectError::Store(e),
        ProviderTokenError::Provider(e) => ReconnectError::Provider(e),
        // Reconnect does not apply the sign-in rules here (the sign-in it starts does), so
        // `NotAllowed` never reaches this arm; it is grouped with the tokens it cannot use.
        ProviderTokenError::UnknownUser
        | ProviderTokenError::ReauthenticationNeeded(_)
        | ProviderTokenError::NotAllowed(_) => ReconnectError::TokenUnreadable,
    }
}
