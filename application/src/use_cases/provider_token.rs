//! A person's usable provider token, for the rest of Nectr: opened, refreshed when it is
//! about to expire, re-sealed, and checked with the provider.

use nectr_domain::{
    AccessToken, EncryptedToken, Identity, ProviderTokens, RefreshToken, Scopes, Timestamp, User,
    UserId,
};

use super::complete_sign_in::tokens_from;
use super::{AuthService, ProviderTokenError, ReauthenticationReason};
use crate::RegisteredProvider;
use crate::ports::{IdentityProvider, ProviderError};

/// A token refreshes this long before its deadline, so a caller never receives one that dies
/// during its first call.
const REFRESH_MARGIN_SECONDS: i64 = 300;

/// Refreshes of one person are serialised within an instance: providers rotate the refresh
/// token, so two refreshes with the same one would make the second fail. A fixed set of locks
/// picked by user id keeps memory flat.
const REFRESH_LOCK_STRIPES: usize = 64;

pub(super) struct RefreshLocks([tokio::sync::Mutex<()>; REFRESH_LOCK_STRIPES]);

impl Default for RefreshLocks {
    fn default() -> Self {
        Self(std::array::from_fn(|_| tokio::sync::Mutex::new(())))
    }
}

impl RefreshLocks {
    pub(super) fn of(&self, id: UserId) -> &tokio::sync::Mutex<()> {
        let stripe = id.get().unsigned_abs() % REFRESH_LOCK_STRIPES as u64;
        &self.0[usize::try_from(stripe).unwrap_or(0)]
    }
}

/// A token the rest of Nectr can use now.
#[derive(Debug)]
pub struct UsableToken {
    pub identity: Identity,
    pub access_token: AccessToken,
    /// When the token stops working; `None` for tokens that do not expire.
    pub expires_at: Option<Timestamp>,
    /// What the provider says the token carries, when it says.
    pub scopes: Option<Scopes>,
}

impl AuthService {
    /// The person's provider token, ready to use: refreshed (and re-sealed) when it expires
    /// within five minutes, and confirmed with the provider, which also tells its current
    /// scopes.
    ///
    /// # Errors
    /// `UnknownUser`; `ReauthenticationNeeded` with the reason when the token was revoked,
    /// expired beyond refresh, cannot be opened, or its provider is no longer offered;
    /// `Provider` when the provider cannot be asked; `Store` on a database outage.
    pub async fn usable_token(&self, id: UserId) -> Result<UsableToken, ProviderTokenError> {
        let outcome = self.find_usable_token(id).await;
        let result = match &outcome {
            Ok(_) => "ok",
            Err(ProviderTokenError::ReauthenticationNeeded(reason)) => reason.code(),
            Err(ProviderTokenError::UnknownUser) => "unknown_user",
            Err(ProviderTokenError::NotAllowed(_)) => "not_allowed",
            Err(ProviderTokenError::Provider(_)) => "provider_error",
            Err(ProviderTokenError::Store(_)) => "database_error",
        };
        metrics::counter!("nectr_auth_provider_tokens_total", "result" => result).increment(1);
        outcome
    }

    async fn find_usable_token(&self, id: UserId) -> Result<UsableToken, ProviderTokenError> {
        let user = self
            .ports
            .users
            .find(id)
            .await?
            .ok_or(ProviderTokenError::UnknownUser)?;
        let (mut tokens, mut refreshed) = self.live_tokens(&user, None).await?;
        let registered = self.registered_of(&user)?;
        let provider = registered.adapter.as_ref();
        let mut profile = None;
        if !refreshed {
            // Only the provider knows whether the person revoked the app since: ask it, with
            // the one call that also reports the scopes the token carries now.
            match provider.fetch_profile(&tokens.access).await {
                Ok(current) => profile = Some(current),
                // The provider may end a token before the deadline we hold (its clock, or an
                // early expiry): a live refresh token still gets a fresh one. A revocation
                // kills the refresh token too, so that refresh fails.
                Err(ProviderError::TokenRejected(_))
                    if tokens.live_refresh(self.ports.clock.now()).is_some() =>
                {
                    tokens = match self.live_tokens(&user, Some(&tokens.access)).await {
                        Ok((tokens, _)) => tokens,
                        Err(ProviderTokenError::ReauthenticationNeeded(_)) => {
                            return Err(revoked(&user));
                        }
                        Err(e) => return Err(e),
                    };
                    refreshed = true;
                }
                Err(ProviderError::TokenRejected(_)) => return Err(revoked(&user)),
                Err(e) => return Err(e.into()),
            }
        }
        if refreshed && profile.is_none() && !registered.rules.is_open() {
            // The rules compare the username the provider knows now, not the one stored at
            // sign-in: a renamed account must not keep a name the rules list.
            profile = Some(
                provider
                    .fetch_profile(&tokens.access)
                    .await
                    .map_err(|e| match e {
                        ProviderError::TokenRejected(_) => revoked(&user),
                        other => other.into(),
                    })?,
            );
        }
        let scopes = profile
            .as_ref()
            .and_then(|p| p.granted_scopes().cloned())
            .or_else(|| user.granted_scopes.clone());
        let username = profile.as_ref().map_or(&*user.username, |p| p.username());
        self.still_admitted(registered, &user, username, &tokens.access)
            .await?;
        Ok(UsableToken {
            identity: user.identity,
            expires_at: tokens.access_expires_at,
            access_token: tokens.access,
            scopes,
        })
    }

    pub(super) fn adapter_of(
        &self,
        user: &User,
    ) -> Result<&dyn IdentityProvider, ProviderTokenError> {
        self.registered_of(user).map(|p| p.adapter.as_ref())
    }

    fn registered_of(&self, user: &User) -> Result<&RegisteredProvider, ProviderTokenError> {
        self.provider(user.identity.provider.as_str()).ok_or(
            ProviderTokenError::ReauthenticationNeeded(
                ReauthenticationReason::ProviderNotConfigured,
            ),
        )
    }

    /// The person's opened tokens, refreshed when they are about to expire, or when the
    /// provider has just `rejected` the access token they held; the flag says whether they
    /// were just refreshed (and so are known to work).
    pub(super) async fn live_tokens(
        &self,
        user: &User,
        rejected: Option<&AccessToken>,
    ) -> Result<(ProviderTokens, bool), ProviderTokenError> {
        let provider = self.adapter_of(user)?;
        let (sealed, tokens) = self.open_stored(user).await?;
        let now = self.ports.clock.now();
        if rejected.is_none() && !tokens.access_expires_within(now, REFRESH_MARGIN_SECONDS) {
            return Ok((tokens, false));
        }
        let _turn = self.refresh_locks.of(user.id).lock().await;
        // Another request (here or on another instance) may have refreshed while this one
        // waited: its tokens are the live ones now.
        let (sealed, tokens) = match self.open_stored(user).await? {
            (latest, fresh) if latest != sealed => {
                let same_pair = fresh.refresh.as_ref().map(RefreshToken::expose)
                    == tokens.refresh.as_ref().map(RefreshToken::expose);
                if !same_pair && !fresh.access_expires_within(now, REFRESH_MARGIN_SECONDS) {
                    return Ok((fresh, true));
                }
                (latest, fresh)
            }
            _ => (sealed, tokens),
        };
        // Another request already replaced the token the provider rejected: that pair is the
        // live one, and refreshing again would retire the token that request handed out.
        if let Some(rejected) = rejected
            && tokens.access.expose() != rejected.expose()
        {
            return Ok((tokens, true));
        }
        let refresh = tokens.live_refresh(now).ok_or_else(|| {
            tracing::info!(user.id = %user.id, "provider token expired without a live refresh token");
            ProviderTokenError::ReauthenticationNeeded(ReauthenticationReason::Expired)
        })?;
        let used = refresh.expose().to_owned();
        let grant = match provider.refresh(refresh).await {
            Ok(grant) => grant,
            Err(ProviderError::TokenRejected(reason)) => {
                // Another instance may have used the same refresh token a moment earlier and
                // stored the pair it got: that pair is the person's live one.
                if let (_, latest) = self.open_stored(user).await?
                    && !latest.holds_refresh(&used)
                    && !latest.access_expires_within(now, REFRESH_MARGIN_SECONDS)
                {
                    return Ok((latest, true));
                }
                tracing::info!(user.id = %user.id, %reason, "provider refused the refresh token");
                return Err(ProviderTokenError::ReauthenticationNeeded(
                    ReauthenticationReason::Expired,
                ));
            }
            Err(e) => return Err(e.into()),
        };
        let fresh = tokens_from(grant, self.ports.clock.now());
        self.store_refreshed(user, sealed, &used, &fresh).await?;
        tracing::info!(user.id = %user.id, "provider token refreshed");
        Ok((fresh, true))
    }

    /// Stores the refreshed pair: the provider has retired the old one, so it must replace
    /// it. The stored value may have changed since it was read: re-sealed under a new key
    /// (key rotation), in which case it still holds the refresh token just used and is
    /// replaced all the same; or replaced by a new sign-in, whose tokens are newer and stay.
    async fn store_refreshed(
        &self,
        user: &User,
        mut expected: EncryptedToken,
        used: &str,
        fresh: &ProviderTokens,
    ) -> Result<(), ProviderTokenError> {
        let resealed = self.ports.cipher.seal(fresh, &user.identity);
        // A rotation re-seals each row once, so a few tries always suffice.
        for _ in 0..3 {
            if self
                .ports
                .users
                .replace_sealed_token(user.id, &expected, &resealed)
                .await?
            {
                return Ok(());
            }
            let Some(current) = self.ports.users.sealed_token(user.id).await? else {
                // The person was deleted during the refresh: the pair just issued belongs to
                // nobody here, so it must not be handed out or left working at the provider.
                if let Ok(provider) = self.adapter_of(user)
                    && let Err(e) = provider.revoke_token(&fresh.access).await
                {
                    tracing::info!(user.id = %user.id, error = %e, "could not revoke the token refreshed for a deleted person");
                }
                return Err(ProviderTokenError::UnknownUser);
            };
            let still_old = self
                .ports
                .cipher
                .open(&current, &user.identity)
                .is_ok_and(|t| t.holds_refresh(used));
            if !still_old {
                tracing::info!(user.id = %user.id, "a newer token was stored during the refresh");
                return Ok(());
            }
            expected = current;
        }
        tracing::warn!(user.id = %user.id, "the refreshed token could not be stored: the row kept changing");
        Ok(())
    }

    /// The stored sealed tokens and their opened form; a token read under an older key is
    /// re-sealed under the current one, so retiring that key loses nothing.
    pub(super) async fn open_stored(
        &self,
        user: &User,
    ) -> Result<(EncryptedToken, ProviderTokens), ProviderTokenError> {
        let unreadable =
            || ProviderTokenError::ReauthenticationNeeded(ReauthenticationReason::Unreadable);
        let sealed = self
            .ports
            .users
            .sealed_token(user.id)
            .await?
            .ok_or_else(unreadable)?;
        let tokens = self
            .ports
            .cipher
            .open(&sealed, &user.identity)
            .map_err(|e| {
                tracing::warn!(user.id = %user.id, reason = %e, "stored token does not open");
                unreadable()
            })?;
        if self.ports.cipher.is_current(&sealed) {
            return Ok((sealed, tokens));
        }
        let resealed = self.ports.cipher.seal(&tokens, &user.identity);
        if self
            .ports
            .users
            .replace_sealed_token(user.id, &sealed, &resealed)
            .await?
        {
            return Ok((resealed, tokens));
        }
        Ok((sealed, tokens))
    }
}

pub(super) fn revoked(user: &User) -> ProviderTokenError {
    tracing::info!(user.id = %user.id, "provider token revoked");
    ProviderTokenError::ReauthenticationNeeded(ReauthenticationReason::Revoked)
}
