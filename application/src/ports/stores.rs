//! Persistence ports: people, sign-in attempts and sessions.

use async_trait::async_trait;
use nectr_domain::{
    ConsumedState, EncryptedToken, Identity, IdentityProfile, OAuthState, Session, SessionId,
    StateToken, Timestamp, User, UserId,
};

/// Why a store could not answer. Adapters translate every driver error into one of these.
///
/// The texts are for the operator's log: where the database is and what the driver said,
/// never credentials or bound values. Only `database` (the kind) is meant for anyone to see.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be reached or refused the connection: a real outage. `database`
    /// is its kind ("PostgreSQL", "SQLite").
    #[error("{detail}")]
    Unavailable {
        database: &'static str,
        detail: String,
    },
    /// Anything else that went wrong in the database (a bug or a schema mismatch).
    #[error("{0}")]
    Failed(String),
}

/// People, keyed by their identity (provider, provider's id of them).
///
/// # Errors
/// Every method returns `StoreError::Unavailable` when the database cannot be reached.
#[async_trait]
pub trait UserStore: Send + Sync + 'static {
    /// Creates the person or updates their profile, granted scopes and sealed token, in one
    /// atomic statement keyed by `identity`: concurrent first sign-ins of one person never
    /// fail and never create two rows. `identity.subject` is `profile.subject()`.
    async fn upsert(
        &self,
        identity: &Identity,
        profile: &IdentityProfile,
        token: &EncryptedToken,
        now: Timestamp,
    ) -> Result<User, StoreError>;

    /// The person with this id, if any.
    async fn find(&self, id: UserId) -> Result<Option<User>, StoreError>;

    /// The person's sealed provider token, if the person exists.
    async fn sealed_token(&self, id: UserId) -> Result<Option<EncryptedToken>, StoreError>;

    /// Up to `limit` people with an id above `after` (all, when `None`), in id order, with
    /// their identity and sealed token: a page of a key rotation.
    async fn sealed_tokens_after(
        &self,
        after: Option<UserId>,
        limit: u32,
    ) -> Result<Vec<(UserId, Identity, EncryptedToken)>, StoreError>;

    /// Replaces the person's sealed token with `replacement` only if it is still exactly
    /// `expected` (same key id, nonce and ciphertext); returns whether it was replaced. A
    /// sign-in that stored a fresh token meanwhile is never overwritten.
    async fn replace_sealed_token(
        &self,
        id: UserId,
        expected: &EncryptedToken,
        replacement: &EncryptedToken,
    ) -> Result<bool, StoreError>;
}

/// Sign-in attempts in flight.
///
/// # Errors
/// Every method returns `StoreError::Unavailable` when the database cannot be reached.
#[async_trait]
pub trait StateStore: Send + Sync + 'static {
    /// Stores a new attempt. A duplicate token (never expected from 256 random bits) is
    /// `StoreError::Failed`.
    async fn insert(&self, state: &OAuthState) -> Result<(), StoreError>;

    /// Deletes and returns the attempt in one atomic statement, if it exists, belongs to the
    /// browser with `binding_digest` and is live at `now`. Of two concurrent calls with the
    /// same token at most one gets `Some`. Returns `Ok(None)` for a missing, expired, foreign
    /// or already used state.
    async fn consume(
        &self,
        token: &StateToken,
        binding_digest: &str,
        now: Timestamp,
    ) -> Result<Option<ConsumedState>, StoreError>;

    /// Deletes every attempt whose deadline has passed at `now`; returns how many.
    async fn sweep_expired(&self, now: Timestamp) -> Result<u64, StoreError>;

    /// How many attempts are live at `now`.
    async fn count_live(&self, now: Timestamp) -> Result<u64, StoreError>;
}

/// Sessions: a session exists until it expires or is revoked.
///
/// # Errors
/// Every method returns `StoreError::Unavailable` when the database cannot be reached.
#[async_trait]
pub trait SessionStore: Send + Sync + 'static {
    /// Stores a new session. A duplicate id (never expected from 256 random bits) is
    /// `StoreError::Failed`.
    async fn create(&self, session: &Session) -> Result<(), StoreError>;

    /// The user of the session `id`, if the session exists, belongs to `user_id` and is live
    /// at `now`: the whole session check in one query.
    async fn active_user(
        &self,
        id: &SessionId,
        user_id: UserId,
        now: Timestamp,
    ) -> Result<Option<User>, StoreError>;

    /// Ends the session; returns whether it existed. Revoking twice is not an error.
    async fn revoke(&self, id: &SessionId) -> Result<bool, StoreError>;

    /// Ends every session of the person ("sign out everywhere"); returns how many.
    async fn revoke_all(&self, user_id: UserId) -> Result<u64, StoreError>;

    /// Deletes every session whose deadline has passed at `now`; returns how many.
    async fn sweep_expired(&self, now: Timestamp) -> Result<u64, StoreError>;
}
