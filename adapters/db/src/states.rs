//! `StateStore` on either database.

use async_trait::async_trait;
use diesel::{ExpressionMethods, OptionalExtension, QueryDsl};
use diesel_async::RunQueryDsl;
use nectr_application::ports::{StateStore, StoreError};
use nectr_domain::{ConsumedState, OAuthState, PkceVerifier, ProviderId, StateToken, Timestamp};
use secrecy::{ExposeSecret, SecretString};

use crate::Database;
use crate::database::run;
use crate::models::invalid_row;
use crate::schema::oauth_states;

#[async_trait]
impl StateStore for Database {
    async fn insert(&self, state: &OAuthState) -> Result<(), StoreError> {
        self.insert_state_batched(state).await
    }

    async fn consume(
        &self,
        token: &StateToken,
        binding_digest: &str,
        now: Timestamp,
    ) -> Result<Option<ConsumedState>, StoreError> {
        // Check and delete in one statement: of two concurrent callers only one can delete
        // the row, and a foreign browser's digest leaves the attempt in place for its owner.
        let deleted: Option<(String, Option<String>)> =
            run!(self, "consuming a sign-in attempt", |conn| {
                diesel::delete(
                    oauth_states::table
                        .filter(oauth_states::state.eq(token.as_str()))
                        .filter(oauth_states::binding_digest.eq(binding_digest))
                        .filter(oauth_states::expires_at.gt(now.unix_seconds())),
                )
                .returning((oauth_states::provider, oauth_states::pkce_verifier))
                .get_result(conn)
                .await
                .optional()
            })?;
        let Some((provider, verifier)) = deleted else {
            return Ok(None);
        };
        let invalid = invalid_row("oauth_states");
        let provider = ProviderId::parse(&provider).map_err(&invalid)?;
        let pkce_verifier = verifier
            .map(|text| {
                // Zeroed on drop, like the verifier built from it.
                let text = SecretString::from(text);
                PkceVerifier::parse(text.expose_secret())
            })
            .transpose()
            .map_err(&invalid)?;
        Ok(Some(ConsumedState {
            provider,
            pkce_verifier,
        }))
    }

    async fn sweep_expired(&self, now: Timestamp) -> Result<u64, StoreError> {
        let deleted: usize = run!(self, "sweeping expired sign-in attempts", |conn| {
            diesel::delete(
                oauth_states::table.filter(oauth_states::expires_at.le(now.unix_seconds())),
            )
            .execute(conn)
            .await
        })?;
        Ok(u64::try_from(deleted).unwrap_or(u64::MAX))
    }

    async fn count_live(&self, now: Timestamp) -> Result<u64, StoreError> {
        let live: i64 = run!(self, "counting live sign-in attempts", |conn| {
            oauth_states::table
                .filter(oauth_states::expires_at.gt(now.unix_seconds()))
                .count()
                .get_result(conn)
                .await
        })?;
        Ok(u64::try_from(live).unwrap_or(0))
    }
}
