//! [`CachedSessions`]: live sessions believed from memory for a few seconds.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use nectr_application::ports::{SessionStore, StoreError};
use nectr_domain::{Session, SessionId, Timestamp, User, UserId};
use quick_cache::sync::Cache;

/// How long this instance remembers that it revoked a session or a person's sessions: longer
/// than any check that started before the revocation can take to finish.
const REVOCATION_MEMORY: Duration = Duration::from_secs(60);

/// A [`SessionStore`] that answers repeated session checks from memory for a few seconds.
///
/// Entries are never removed for age, only replaced or pushed out by newer ones (the cache
/// holds at most `capacity`): an entry past its window is simply not believed.
pub struct CachedSessions {
    inner: Arc<dyn SessionStore>,
    fresh_for: i64,
    live: Cache<SessionId, Arc<Checked>>,
    revoked_sessions: Cache<SessionId, Instant>,
    revoked_people: Cache<UserId, Instant>,
}

/// A session the database said was live, and when it said so.
struct Checked {
    user: User,
    at: Timestamp,
}

impl CachedSessions {
    /// Caches up to `capacity` live sessions, each believed for `fresh_for` seconds after the
    /// database vouched for it.
    pub fn new(inner: Arc<dyn SessionStore>, fresh_for_seconds: u32, capacity: usize) -> Self {
        Self {
            inner,
            fresh_for: i64::from(fresh_for_seconds),
            live: Cache::new(capacity),
            revoked_sessions: Cache::new(capacity),
            revoked_people: Cache::new(capacity),
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
        let recent = |at: Option<Instant>| at.is_some_and(|at| at.elapsed() < REVOCATION_MEMORY);
        if recent(self.revoked_sessions.get(id)) || recent(self.revoked_people.get(&user.id)) {
            self.live.remove(id);
        }
    }

    fn forget_person(&self, user_id: UserId) {
        self.revoked_people.insert(user_id, Instant::now());
        self.live.retain(|_, checked| checked.user.id != user_id);
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
            None => {
                self.live.remove(id);
            }
        }
        Ok(found)
    }

    async fn revoke(&self, id: &SessionId) -> Result<bool, StoreError> {
        // Forgotten whether or not the database answered: after an error nobody knows whether
        // the row is gone, and a cache miss only costs a query.
        let outcome = self.inner.revoke(id).await;
        self.revoked_sessions.insert(id.clone(), Instant::now());
        self.live.remove(id);
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
