//! Rows as Diesel reads and writes them, and their conversion to domain types.

use diesel::pg::Pg;
use diesel::sqlite::Sqlite;
use diesel::{Insertable, Queryable, Selectable};
use nectr_application::ports::StoreError;
use nectr_domain::{
    DomainError, EncryptedToken, Identity, IdentityProfile, KeyId, OAuthState, ProviderId, Scopes,
    Session, Subject, Timestamp, User, UserId,
};

use crate::schema::{oauth_states, sessions, users};

/// A stored row that the domain refuses. The message names the table and the broken rule,
/// never the value.
pub(crate) fn invalid_row(table: &'static str) -> impl Fn(DomainError) -> StoreError {
    move |error| StoreError::Failed(format!("a row of table {table} is invalid: {error}"))
}

/// A person as read back, without the sealed token.
#[derive(Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(Sqlite, Pg))]
pub(crate) struct UserRow {
    id: i64,
    provider: String,
    provider_user_id: String,
    username: String,
    name: Option<String>,
    email: Option<String>,
    avatar_url: Option<String>,
    granted_scopes: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl UserRow {
    pub(crate) fn into_user(self) -> Result<User, StoreError> {
        let invalid = invalid_row("users");
        Ok(User {
            id: UserId::new(self.id).map_err(&invalid)?,
            identity: identity(&self.provider, &self.provider_user_id)?,
            username: self.username,
            name: self.name,
            email: self.email,
            avatar_url: self.avatar_url,
            granted_scopes: self
                .granted_scopes
                .as_deref()
                .map(Scopes::parse)
                .transpose()
                .map_err(&invalid)?,
            created_at: Timestamp::from_unix_seconds(self.created_at),
            updated_at: Timestamp::from_unix_seconds(self.updated_at),
        })
    }
}

/// A person's identity from the `provider` and `provider_user_id` columns of `users`.
pub(crate) fn identity(provider: &str, provider_user_id: &str) -> Result<Identity, StoreError> {
    let invalid = invalid_row("users");
    Ok(Identity::new(
        ProviderId::parse(provider).map_err(&invalid)?,
        Subject::parse(provider_user_id).map_err(&invalid)?,
    ))
}

/// A person's sealed provider token as read back.
#[derive(Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(Sqlite, Pg))]
pub(crate) struct SealedTokenRow {
    token_key_id: String,
    token_nonce: Vec<u8>,
    token_ciphertext: Vec<u8>,
}

impl SealedTokenRow {
    pub(crate) fn into_token(self) -> Result<EncryptedToken, StoreError> {
        let invalid = invalid_row("users");
        let key_id = KeyId::parse(&self.token_key_id).map_err(&invalid)?;
        EncryptedToken::new(key_id, self.token_nonce, self.token_ciphertext).map_err(&invalid)
    }
}

/// A person to insert, or to update when their identity is already stored.
#[derive(Insertable)]
#[diesel(table_name = users)]
pub(crate) struct NewUser<'a> {
    provider: &'a str,
    provider_user_id: &'a str,
    username: &'a str,
    name: Option<&'a str>,
    email: Option<&'a str>,
    avatar_url: Option<&'a str>,
    granted_scopes: Option<String>,
    token_key_id: &'a str,
    token_nonce: &'a [u8],
    token_ciphertext: &'a [u8],
    created_at: i64,
    updated_at: i64,
}

impl<'a> NewUser<'a> {
    pub(crate) fn new(
        identity: &'a Identity,
        profile: &'a IdentityProfile,
        token: &'a EncryptedToken,
        now: Timestamp,
    ) -> Self {
        Self {
            provider: identity.provider.as_str(),
            provider_user_id: identity.subject.as_str(),
            username: profile.username(),
            name: profile.name(),
            email: profile.email(),
            avatar_url: profile.avatar_url(),
            granted_scopes: profile.granted_scopes().map(Scopes::to_text),
            token_key_id: token.key_id().as_str(),
            token_nonce: token.nonce(),
            token_ciphertext: token.ciphertext(),
            created_at: now.unix_seconds(),
            updated_at: now.unix_seconds(),
        }
    }
}

/// A sign-in attempt to insert.
// NULL rather than DEFAULT for a missing verifier: SQLite takes several rows in one INSERT
// only without DEFAULT.
#[derive(Insertable)]
#[diesel(table_name = oauth_states, treat_none_as_default_value = false)]
pub(crate) struct NewState<'a> {
    state: &'a str,
    provider: &'a str,
    binding_digest: &'a str,
    pkce_verifier: Option<&'a str>,
    created_at: i64,
    expires_at: i64,
}

impl<'a> NewState<'a> {
    pub(crate) fn new(attempt: &'a OAuthState) -> Self {
        Self {
            state: attempt.token.as_str(),
            provider: attempt.provider.as_str(),
            binding_digest: &attempt.binding_digest,
            pkce_verifier: attempt
                .pkce_verifier
                .as_ref()
                .map(|verifier| verifier.expose()),
            created_at: attempt.created_at.unix_seconds(),
            expires_at: attempt.expires_at.unix_seconds(),
        }
    }
}

/// A session to insert.
#[derive(Insertable)]
#[diesel(table_name = sessions)]
pub(crate) struct NewSession<'a> {
    id: &'a str,
    user_id: i64,
    created_at: i64,
    expires_at: i64,
}

impl<'a> NewSession<'a> {
    pub(crate) fn new(session: &'a Session) -> Self {
        Self {
            id: session.id.as_str(),
            user_id: session.user_id.get(),
            created_at: session.created_at.unix_seconds(),
            expires_at: session.expires_at.unix_seconds(),
        }
    }
}
