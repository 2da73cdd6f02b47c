use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use nectr_domain::{Identity, ProviderId, Subject};
use tokio::sync::Semaphore;

use super::*;

const FRESH_FOR: u32 = 2;
const T0: i64 = 1_800_000_000;

/// The database: sessions by id, how many checks reached it, and an optional gate that holds
/// a check between reading the row and answering (to replay a race with a revocation).
#[derive(Default)]
struct Database {
    sessions: Mutex<HashMap<SessionId, User>>,
    checks: AtomicUsize,
    gate: Mutex<Option<Arc<Semaphore>>>,
}

impl Database {
    fn checks(&self) -> usize {
        self.checks.load(Ordering::SeqCst)
    }

    fn add(&self, id: &SessionId, user: &User) {
        self.lock().insert(id.clone(), user.clone());
    }

    /// What another instance's logout does: the row goes, this instance's cache is not told.
    fn delete_behind_the_cache(&self, id: &SessionId) {
        self.lock().remove(id);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<SessionId, User>> {
        self.sessions.lock().expect("not poisoned")
    }
}

#[async_trait]
impl SessionStore for Database {
    async fn create(&self, _: &Session) -> Result<(), StoreError> {
        Ok(())
    }

    async fn active_user(
        &self,
        id: &SessionId,
        user_id: UserId,
        _: Timestamp,
    ) -> Result<Option<User>, StoreError> {
        self.checks.fetch_add(1, Ordering::SeqCst);
        let found = self.lock().get(id).filter(|u| u.id == user_id).cloned();
        let gate = self.gate.lock().expect("not poisoned").clone();
        if let Some(gate) = gate {
            drop(gate.acquire().await.expect("open"));
        }
        Ok(found)
    }

    async fn revoke(&self, id: &SessionId) -> Result<bool, StoreError> {
        Ok(self.lock().remove(id).is_some())
    }

    async fn revoke_all(&self, user_id: UserId) -> Result<u64, StoreError> {
        let mut sessions = self.lock();
        let before = sessions.len();
        sessions.retain(|_, u| u.id != user_id);
        Ok(u64::try_from(before - sessions.len()).expect("fits"))
    }

    async fn sweep_expired(&self, _: Timestamp) -> Result<u64, StoreError> {
        Ok(0)
    }
}

fn session(n: u8) -> SessionId {
    SessionId::parse(&format!("{}{}", char::from(b'A' + n), "s".repeat(42))).expect("valid")
}

fn person(id: i64) -> User {
    User {
        id: UserId::new(id).expect("positive"),
        identity: Identity::new(
            ProviderId::parse("github").expect("valid"),
            Subject::from_number(id + 100).expect("positive"),
        ),
        username: format!("user-{id}"),
        name: None,
        email: None,
        avatar_url: None,
        granted_scopes: None,
        created_at: Timestamp::from_unix_seconds(T0),
        updated_at: Timestamp::from_unix_seconds(T0),
    }
}

fn at(offset: i64) -> Timestamp {
    Timestamp::from_unix_seconds(T0 + offset)
}

fn world() -> (Arc<Database>, CachedSessions) {
    let database = Arc::new(Database::default());
    let cache = CachedSessions::new(database.clone(), FRESH_FOR, 100);
    (database, cache)
}

async fn check(cache: &CachedSessions, id: &SessionId, user: &User, now: Timestamp) -> bool {
    cache
        .active_user(id, user.id, now)
        .await
        .expect("the fake answers")
        .is_some_and(|found| found == *user)
}

#[tokio::test]
async fn repeated_checks_within_the_window_reach_the_database_once() {
    let (database, cache) = world();
    let (id, alice) = (session(0), person(1));
    database.add(&id, &alice);

    for offset in [0, 0, 1, 1] {
        assert!(check(&cache, &id, &alice, at(offset)).await);
    }
    assert_eq!(database.checks(), 1);

    assert!(check(&cache, &id, &alice, at(i64::from(FRESH_FOR))).await);
    assert_eq!(
        database.checks(),
        2,
        "asked again once the window has passed"
    );
}

#[tokio::test]
async fn a_revocation_elsewhere_is_seen_once_the_window_has_passed() {
    let (database, cache) = world();
    let (id, alice) = (session(0), person(1));
    database.add(&id, &alice);
    assert!(check(&cache, &id, &alice, at(0)).await);

    database.delete_behind_the_cache(&id);
    assert!(
        check(&cache, &id, &alice, at(i64::from(FRESH_FOR) - 1)).await,
        "within the window the cached answer stands"
    );
    assert!(!check(&cache, &id, &alice, at(i64::from(FRESH_FOR))).await);
    assert!(
        !check(&cache, &id, &alice, at(i64::from(FRESH_FOR))).await,
        "a refusal is not cached as anything"
    );
    assert_eq!(database.checks(), 3);
}

#[tokio::test]
async fn a_revocation_here_is_seen_at_once() {
    let (database, cache) = world();
    let (id, alice) = (session(0), person(1));
    database.add(&id, &alice);
    assert!(check(&cache, &id, &alice, at(0)).await);

    assert!(cache.revoke(&id).await.expect("revoked"));
    assert!(!check(&cache, &id, &alice, at(0)).await);
}

#[tokio::test]
async fn signing_out_everywhere_drops_every_session_of_that_person_only() {
    let (database, cache) = world();
    let (alice, bob) = (person(1), person(2));
    let (phone, laptop, bobs) = (session(0), session(1), session(2));
    database.add(&phone, &alice);
    database.add(&laptop, &alice);
    database.add(&bobs, &bob);
    for (id, user) in [(&phone, &alice), (&laptop, &alice), (&bobs, &bob)] {
        assert!(check(&cache, id, user, at(0)).await);
    }

    assert_eq!(cache.revoke_all(alice.id).await.expect("revoked"), 2);
    assert!(!check(&cache, &phone, &alice, at(0)).await);
    assert!(!check(&cache, &laptop, &alice, at(0)).await);
    let before = database.checks();
    assert!(check(&cache, &bobs, &bob, at(0)).await);
    assert_eq!(
        database.checks(),
        before,
        "the other person's entry stays cached"
    );
}

#[tokio::test]
async fn a_cached_session_is_not_lent_to_another_subject() {
    let (database, cache) = world();
    let (id, alice, mallory) = (session(0), person(1), person(3));
    database.add(&id, &alice);
    assert!(check(&cache, &id, &alice, at(0)).await);

    assert_eq!(
        cache
            .active_user(&id, mallory.id, at(0))
            .await
            .expect("answers"),
        None
    );
}

/// A check reads the row, then the session is revoked through this instance before the check
/// has stored its answer: the stale answer must not be cached.
#[tokio::test]
async fn a_check_racing_a_revocation_does_not_cache_the_revoked_session() {
    let (database, cache) = world();
    let cache = Arc::new(cache);
    let (id, alice) = (session(0), person(1));
    database.add(&id, &alice);
    let gate = Arc::new(Semaphore::new(0));
    *database.gate.lock().expect("not poisoned") = Some(gate.clone());

    let racing = tokio::spawn({
        let (cache, id, alice) = (cache.clone(), id.clone(), alice.clone());
        async move { check(&cache, &id, &alice, at(0)).await }
    });
    while database.checks() == 0 {
        tokio::task::yield_now().await;
    }
    // The check has read the live row and waits; the revocation completes; only then does
    // the check store what it read.
    cache.revoke(&id).await.expect("revoked");
    gate.add_permits(1);
    assert!(
        racing.await.expect("the check ends"),
        "the racing check answers what it read"
    );
    *database.gate.lock().expect("not poisoned") = None;

    assert!(!check(&cache, &id, &alice, at(0)).await);
}

#[tokio::test]
async fn database_errors_pass_through_and_cache_nothing() {
    struct Down;
    #[async_trait]
    impl SessionStore for Down {
        async fn create(&self, _: &Session) -> Result<(), StoreError> {
            Err(down())
        }
        async fn active_user(
            &self,
            _: &SessionId,
            _: UserId,
            _: Timestamp,
        ) -> Result<Option<User>, StoreError> {
            Err(down())
        }
        async fn revoke(&self, _: &SessionId) -> Result<bool, StoreError> {
            Err(down())
        }
        async fn revoke_all(&self, _: UserId) -> Result<u64, StoreError> {
            Err(down())
        }
        async fn sweep_expired(&self, _: Timestamp) -> Result<u64, StoreError> {
            Err(down())
        }
    }
    fn down() -> StoreError {
        StoreError::Unavailable {
            database: "PostgreSQL",
            detail: "connection refused".to_owned(),
        }
    }

    let cache = CachedSessions::new(Arc::new(Down), FRESH_FOR, 100);
    let id = session(0);
    assert!(matches!(
        cache.active_user(&id, person(1).id, at(0)).await,
        Err(StoreError::Unavailable { .. })
    ));
    assert!(cache.revoke(&id).await.is_err());
    assert!(cache.revoke_all(person(1).id).await.is_err());
    assert_eq!(cache.live.len(), 0);
}
