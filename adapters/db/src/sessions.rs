//! `SessionStore` on either database.

use async_trait::async_trait;
use diesel::{ExpressionMethods, OptionalExtension, QueryDsl, SelectableHelper};
use diesel_async::RunQueryDsl;
use nectr_application::ports::{SessionStore, StoreError};
use nectr_domain::{Session, SessionId, Timestamp, User, UserId};

use crate::Database;
use crate::database::run;
use crate::models::{NewSession, UserRow};
use crate::schema::{sessions, users};

#[async_trait]
impl SessionStore for Database {
    async fn create(&self, session: &Session) -> Result<(), StoreError> {
        let new = NewSession::new(session);
        run!(self, "creating a session", |conn| {
            diesel::insert_into(sessions::table)
                .values(&new)
                .execute(conn)
                .await
                .map(drop)
        })
    }

    async fn active_user(
        &self,
        id: &SessionId,
        user_id: UserId,
        now: Timestamp,
    ) -> Result<Option<User>, StoreError> {
        // Existence, owner and deadline in one query: nothing can change between the checks.
        let row: Option<UserRow> = run!(self, "checking a session", |conn| {
            sessions::table
                .inner_join(users::table)
                .filter(sessions::id.eq(id.as_str()))
                .filter(sessions::user_id.eq(user_id.get()))
                .filter(sessions::expires_at.gt(now.unix_seconds()))
                .select(UserRow::as_select())
                .get_result(conn)
                .await
                .optional()
        })?;
        row.map(UserRow::into_user).transpose()
    }

    async fn revoke(&self, id: &SessionId) -> Result<bool, StoreError> {
        let deleted: usize = run!(self, "revoking a session", |conn| {
            diesel::delete(sessions::table.find(id.as_str()))
                .execute(conn)
                .await
        })?;
        Ok(deleted > 0)
    }

    async fn revoke_all(&self, user_id: UserId) -> Result<u64, StoreError> {
        let deleted: usize = run!(self, "revoking every session of a person", |conn| {
            diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id.get())))
                .execute(conn)
                .await
        })?;
        Ok(u64::try_from(deleted).unwrap_or(u64::MAX))
    }

    async fn sweep_expired(&self, now: Timestamp) -> Result<u64, StoreError> {
        let deleted: usize = run!(self, "sweeping expired sessions", |conn| {
            diesel::delete(sessions::table.filter(sessions::expires_at.le(now.unix_seconds())))
                .execute(conn)
                .await
        })?;
        Ok(u64::try_from(deleted).unwrap_or(u64::MAX))
    }
}
