//! `UserStore` on either database.

use async_trait::async_trait;
use diesel::upsert::excluded;
use diesel::{ExpressionMethods, OptionalExtension, QueryDsl, SelectableHelper};
use diesel_async::RunQueryDsl;
use nectr_application::ports::{StoreError, UserStore};
use nectr_domain::{EncryptedToken, Identity, IdentityProfile, Timestamp, User, UserId};

use crate::Database;
use crate::database::run;
use crate::models::{NewUser, SealedTokenRow, UserRow, identity, invalid_row};
use crate::schema::users;

#[async_trait]
impl UserStore for Database {
    async fn upsert(
        &self,
        identity: &Identity,
        profile: &IdentityProfile,
        token: &EncryptedToken,
        now: Timestamp,
    ) -> Result<User, StoreError> {
        // The row is keyed by `identity`: a profile of someone else would be saved under the
        // wrong person, so a caller's mix-up stops here rather than in the data.
        if &identity.subject != profile.subject() {
            return Err(StoreError::Failed(
                "saving a user: the profile's subject is not the identity's".to_owned(),
            ));
        }
        let new = NewUser::new(identity, profile, token, now);
        // One statement, so concurrent first sign-ins of one person race inside the database,
        // which lets exactly one insert win and turns the others into updates. `created_at`
        // is left out of the update so it keeps the first sign-in's time.
        let row: UserRow = run!(self, "saving a user", |conn| {
            diesel::insert_into(users::table)
                .values(&new)
                .on_conflict((users::provider, users::provider_user_id))
                .do_update()
                .set((
                    users::username.eq(excluded(users::username)),
                    users::name.eq(excluded(users::name)),
                    users::email.eq(excluded(users::email)),
                    users::avatar_url.eq(excluded(users::avatar_url)),
                    users::granted_scopes.eq(excluded(users::granted_scopes)),
                    users::token_key_id.eq(excluded(users::token_key_id)),
                    users::token_nonce.eq(excluded(users::token_nonce)),
                    users::token_ciphertext.eq(excluded(users::token_ciphertext)),
                    users::updated_at.eq(excluded(users::updated_at)),
                ))
                .returning(UserRow::as_returning())
                .get_result(conn)
                .await
        })?;
        row.into_user()
    }

    async fn find(&self, id: UserId) -> Result<Option<User>, StoreError> {
        let row: Option<UserRow> = run!(self, "reading a user", |conn| {
            users::table
                .find(id.get())
                .select(UserRow::as_select())
                .get_result(conn)
                .await
                .optional()
        })?;
        row.map(UserRow::into_user).transpose()
    }

    async fn sealed_token(&self, id: UserId) -> Result<Option<EncryptedToken>, StoreError> {
        let row: Option<SealedTokenRow> = run!(self, "reading a sealed token", |conn| {
            users::table
                .find(id.get())
                .select(SealedTokenRow::as_select())
                .get_result(conn)
                .await
                .optional()
        })?;
        row.map(SealedTokenRow::into_token).transpose()
    }

    async fn sealed_tokens_after(
        &self,
        after: Option<UserId>,
        limit: u32,
    ) -> Result<Vec<(UserId, Identity, EncryptedToken)>, StoreError> {
        let after = after.map_or(0, UserId::get);
        let rows: Vec<(i64, String, String, SealedTokenRow)> =
            run!(self, "reading a page of sealed tokens", |conn| {
                users::table
                    .filter(users::id.gt(after))
                    .order(users::id.asc())
                    .limit(i64::from(limit))
                    .select((
                        users::id,
                        users::provider,
                        users::provider_user_id,
                        SealedTokenRow::as_select(),
                    ))
                    .load(conn)
                    .await
            })?;
        let invalid = invalid_row("users");
        rows.into_iter()
            .map(|(id, provider, provider_user_id, sealed)| {
                Ok((
                    UserId::new(id).map_err(&invalid)?,
                    identity(&provider, &provider_user_id)?,
                    sealed.into_token()?,
                ))
            })
            .collect()
    }

    async fn replace_sealed_token(
        &self,
        id: UserId,
        expected: &EncryptedToken,
        replacement: &EncryptedToken,
    ) -> Result<bool, StoreError> {
        // Compare-and-swap on the whole sealed value: a fresh sign-in meanwhile wins.
        let updated: usize = run!(self, "re-sealing a token", |conn| {
            diesel::update(
                users::table
                    .filter(users::id.eq(id.get()))
                    .filter(users::token_key_id.eq(expected.key_id().as_str()))
                    .filter(users::token_nonce.eq(expected.nonce()))
                    .filter(users::token_ciphertext.eq(expected.ciphertext())),
            )
            .set((
                users::token_key_id.eq(replacement.key_id().as_str()),
                users::token_nonce.eq(replacement.nonce()),
                users::token_ciphertext.eq(replacement.ciphertext()),
            ))
            .execute(conn)
            .await
        })?;
        Ok(updated > 0)
    }
}
