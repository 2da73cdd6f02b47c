//! Reconnect: remove the app's grant at the provider, then sign in again, so the provider
//! shows its full consent screen (with organization access) once more.

use super::{AuthService, ProviderTokenError, ReconnectError, StartedSignIn};
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
        drop(tokens);
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
