//! [`CachedSessions`]: live sessions believed from memory for a few seconds.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use moka::sync::Cache;
use nectr_application::ports::{SessionStore, StoreError};
use nectr_domain::{Session, SessionId, Timestamp, User, UserId};

/// How long stale entries may occupy memory (in real time) before moka drops them. Whether
/// an entry is still believed is decided by `fresh_for` on the service's clock, not by this.
const HOUSEKEEPING_TTL: Duration = Duration::from_secs(60);

/// How long this instance remembers that it revoked a session or a person's sessions: longer
/// than any check that started before the revocation can take to finish.
const REVOCATION_MEMORY: Duration = Duration::from_secs(60);

/// A [`SessionStore`] that answers repeated session checks from memory for a few seconds.
pub struct CachedSessions {
    inner: Arc<dyn SessionStore>,
    fresh_for: i64,
    live: Cache<SessionId, Arc<Checked>>,
    revoked_sessions: Cache<SessionId, ()>,
    revoked_people: Cache<UserId, ()>,
}

/// A session the database said was live, and when it said so.
struct Checked {
    user: User,
    at: Timestamp,
}

impl CachedSessions {
    /// Caches up to `capacity` live sessions, each believed for `fresh_for` seconds after the
    /// database vouched for it.
    pub fn new(inner: Arc<dyn SessionStore>, fresh_for_seconds: u32, capacity: u64) -> Self {
        Self {
            inner,
            fresh_for: i64::from(fresh_for_seconds),
            live: Cache::builder()
                .max_capacity(capacity)
                .time_to_live(HOUSEKEEPING_TTL)
                .support_invalidation_closures()
                .build(),
            revoked_sessions: Cache::builder()
                .max_capacity(capacity)
                .time_to_live(REVOCATION_MEMORY)
                .build(),
            revoked_people: Cache::builder()
                .max_capacity(capacity)
                .time_to_live(REVOCATION_MEMORY)
                .build(),
        }
    }

    fn cached(&self, id: &SessionId, user_id: UserId, now: Timestamp) -> Option<User> {
        let checked = self.live.get(id)?;
        let fresh = now < checked.at.plus_seconds(self.fresh_for);
        (fresh && checked.user.id == user_id).then(|| checked.user.clone())
    }

    /// Caches what the database just said, unless a revocation through this instance raced
    /// with the query. The entry goes in first and the revocations are read after: a
    /// revocation either happened before that read, and is seen, or after the insert, and
    /// its own invalidation removes the entry.
    fn remember(&self, id: &SessionId, user: &User, now: Timestamp) {
        self.live.insert(
            id.clone(),
            Arc::new(Checked {
                user: user.clone(),
                at: now,
            }),
        );
        if self.revoked_sessions.contains_key(id) || self.revoked_people.contains_key(&user.id) {
            self.live.invalidate(id);
        }
    }

    fn forget_person(&self, user_id: UserId) {
        self.revoked_people.insert(user_id, ());
        // Only fails when the cache was built without closure support, which `new` enables;
        // dropping everything is the safe answer if it ever does.
        if self
            .live
            .invalidate_entries_if(move |_, checked| checked.user.id == user_id)
            .is_err()
        {
            self.live.invalidate_all();
        }
    }
}

#[async_trait]
impl SessionStore for CachedSessions {
    async fn create(&self, session: &Session) -> Result<(), StoreError> {
        self.inner.create(session).await
    }

    async fn active_user(
        &self,
        id: &SessionId,
        user_id: UserId,
        now: Timestamp,
    ) -> Result<Option<User>, StoreError> {
        if let Some(user) = self.cached(id, user_id, now) {
            return Ok(Some(user));
        }
        let found = self.inner.active_user(id, user_id, now).await?;
        match &found {
            Some(user) => self.remember(id, user, now),
            None => self.live.invalidate(id),
        }
        Ok(found)
    }

    async fn revoke(&self, id: &SessionId) -> Result<bool, StoreError> {
        // Forgotten whether or not the database answered: after an error nobody knows whether
        // the row is gone, and a cache miss only costs a query.
        let outcome = self.inner.revoke(id).await;
        self.revoked_sessions.insert(id.clone(), ());
        self.live.invalidate(id);
        outcome
    }

    async fn revoke_all(&self, user_id: UserId) -> Result<u64, StoreError> {
        let outcome = self.inner.revoke_all(user_id).await;
        self.forget_person(user_id);
        outcome
    }

    async fn sweep_expired(&self, now: Timestamp) -> Result<u64, StoreError> {
        self.inner.sweep_expired(now).await
    }
}

#[cfg(test)]
#[path = "sessions_tests.rs"]
mod tests;
