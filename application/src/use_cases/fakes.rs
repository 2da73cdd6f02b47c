//! In-memory ports for the use-case tests: simple, honest implementations of each contract
//! (a state is consumed once, sessions expire, a token opens only for its owner).

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use nectr_domain::{
    AccessToken, EncryptedToken, GithubId, IdentityProfile, KeyId, OAuthState, PkceVerifier,
    Session, SessionClaims, SessionId, StateToken, Timestamp, User, UserId,
};

use super::{AuthService, Policy, Ports};
use crate::ports::{
    AuthorizationRequest, CipherError, Clock, IdentityProvider, ProviderError, RandomSource,
    SessionSigner, SessionStore, SignerError, StateStore, StoreError, TokenCipher, UserStore,
};

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[derive(Default)]
pub struct MemoryStore {
    users: Mutex<Vec<(User, EncryptedToken)>>,
    pub states: Mutex<HashMap<String, OAuthState>>,
    sessions: Mutex<HashMap<String, Session>>,
}

#[async_trait]
impl UserStore for MemoryStore {
    async fn upsert(
        &self,
        p: &IdentityProfile,
        token: &EncryptedToken,
        now: Timestamp,
    ) -> Result<User, StoreError> {
        let mut users = lock(&self.users);
        let fields = |user: &mut User| {
            user.github_username = p.username().to_owned();
            user.name = p.name().map(str::to_owned);
            user.email = p.email().map(str::to_owned);
            user.avatar_url = p.avatar_url().map(str::to_owned);
            user.updated_at = now;
        };
        if let Some((user, sealed)) = users.iter_mut().find(|(u, _)| u.github_id == p.subject()) {
            fields(user);
            *sealed = token.clone();
            return Ok(user.clone());
        }
        let id = UserId::new(i64::try_from(users.len()).unwrap_or(0) + 1)
            .map_err(|e| StoreError::Failed(e.to_string()))?;
        let mut user = User {
            id,
            github_id: p.subject(),
            github_username: String::new(),
            name: None,
            email: None,
            avatar_url: None,
            created_at: now,
            updated_at: now,
        };
        fields(&mut user);
        users.push((user.clone(), token.clone()));
        Ok(user)
    }

    async fn find(&self, id: UserId) -> Result<Option<User>, StoreError> {
        Ok(lock(&self.users)
            .iter()
            .find(|(u, _)| u.id == id)
            .map(|(u, _)| u.clone()))
    }

    async fn sealed_token(&self, id: UserId) -> Result<Option<EncryptedToken>, StoreError> {
        Ok(lock(&self.users)
            .iter()
            .find(|(u, _)| u.id == id)
            .map(|(_, t)| t.clone()))
    }

    async fn sealed_tokens_after(
        &self,
        after: Option<UserId>,
        limit: u32,
    ) -> Result<Vec<(UserId, GithubId, EncryptedToken)>, StoreError> {
        let mut page: Vec<_> = lock(&self.users)
            .iter()
            .filter(|(u, _)| after.is_none_or(|a| u.id > a))
            .map(|(u, t)| (u.id, u.github_id, t.clone()))
            .collect();
        page.sort_by_key(|(id, _, _)| *id);
        page.truncate(limit as usize);
        Ok(page)
    }

    async fn replace_sealed_token(
        &self,
        id: UserId,
        expected: &EncryptedToken,
        replacement: &EncryptedToken,
    ) -> Result<bool, StoreError> {
        let mut users = lock(&self.users);
        match users.iter_mut().find(|(u, t)| u.id == id && t == expected) {
            Some((_, sealed)) => {
                *sealed = replacement.clone();
                Ok(true)
            }
            None => Ok(false),
        }
    }
}

#[async_trait]
impl StateStore for MemoryStore {
    async fn insert(&self, state: &OAuthState) -> Result<(), StoreError> {
        lock(&self.states).insert(state.token.as_str().to_owned(), state.clone());
        Ok(())
    }

    async fn consume(
        &self,
        token: &StateToken,
        digest: &str,
        now: Timestamp,
    ) -> Result<Option<Option<PkceVerifier>>, StoreError> {
        let mut states = lock(&self.states);
        let matches = states
            .get(token.as_str())
            .is_some_and(|s| s.binding_digest == digest && s.is_live_at(now));
        Ok(matches
            .then(|| states.remove(token.as_str()))
            .flatten()
            .map(|s| s.pkce_verifier))
    }

    async fn count_live(&self, now: Timestamp) -> Result<u64, StoreError> {
        Ok(lock(&self.states)
            .values()
            .filter(|s| s.is_live_at(now))
            .count() as u64)
    }

    async fn sweep_expired(&self, now: Timestamp) -> Result<u64, StoreError> {
        let mut states = lock(&self.states);
        let before = states.len();
        states.retain(|_, s| s.is_live_at(now));
        Ok((before - states.len()) as u64)
    }
}

#[async_trait]
impl SessionStore for MemoryStore {
    async fn create(&self, session: &Session) -> Result<(), StoreError> {
        lock(&self.sessions).insert(session.id.as_str().to_owned(), session.clone());
        Ok(())
    }

    async fn active_user(
        &self,
        id: &SessionId,
        user_id: UserId,
        now: Timestamp,
    ) -> Result<Option<User>, StoreError> {
        let live = lock(&self.sessions)
            .get(id.as_str())
            .is_some_and(|s| s.user_id == user_id && s.is_live_at(now));
        if live {
            self.find(user_id).await
        } else {
            Ok(None)
        }
    }

    async fn revoke(&self, id: &SessionId) -> Result<bool, StoreError> {
        Ok(lock(&self.sessions).remove(id.as_str()).is_some())
    }

    async fn revoke_all(&self, user_id: UserId) -> Result<u64, StoreError> {
        let mut sessions = lock(&self.sessions);
        let before = sessions.len();
        sessions.retain(|_, s| s.user_id != user_id);
        Ok((before - sessions.len()) as u64)
    }

    async fn sweep_expired(&self, now: Timestamp) -> Result<u64, StoreError> {
        let mut sessions = lock(&self.sessions);
        let before = sessions.len();
        sessions.retain(|_, s| s.is_live_at(now));
        Ok((before - sessions.len()) as u64)
    }
}

impl MemoryStore {
    pub fn session_count(&self) -> usize {
        lock(&self.sessions).len()
    }

    pub fn user_count(&self) -> usize {
        lock(&self.users).len()
    }
}

/// A provider whose answers the test chooses; it records what it was asked.
pub struct FakeProvider {
    pub pkce: bool,
    pub exchange: Mutex<Option<ProviderError>>,
    pub revoke: Mutex<Option<ProviderError>>,
    pub profile: IdentityProfile,
    pub exchanged: Mutex<Vec<(String, Option<String>)>>,
    pub revoked: Mutex<Vec<String>>,
}

impl FakeProvider {
    pub fn new(profile: IdentityProfile) -> Self {
        Self {
            pkce: true,
            exchange: Mutex::new(None),
            revoke: Mutex::new(None),
            profile,
            exchanged: Mutex::default(),
            revoked: Mutex::default(),
        }
    }
}

#[async_trait]
impl IdentityProvider for FakeProvider {
    fn display_name(&self) -> &str {
        "GitHub"
    }
    fn uses_pkce(&self) -> bool {
        self.pkce
    }
    fn authorization_url(&self, r: &AuthorizationRequest<'_>) -> String {
        format!(
            "https://provider.test/authorize?state={}&pkce={}",
            r.state.as_str(),
            r.pkce_verifier.is_some()
        )
    }
    async fn exchange_code(
        &self,
        code: &str,
        v: Option<&PkceVerifier>,
    ) -> Result<AccessToken, ProviderError> {
        lock(&self.exchanged).push((code.to_owned(), v.map(|v| v.expose().to_owned())));
        match lock(&self.exchange).take() {
            Some(e) => Err(e),
            None => AccessToken::new(format!("gho_token_for_{code}"))
                .map_err(|e| ProviderError::BadResponse(e.to_string())),
        }
    }
    async fn fetch_profile(&self, _: &AccessToken) -> Result<IdentityProfile, ProviderError> {
        Ok(self.profile.clone())
    }
    async fn revoke_grant(&self, token: &AccessToken) -> Result<(), ProviderError> {
        lock(&self.revoked).push(token.expose().to_owned());
        lock(&self.revoke).take().map_or(Ok(()), Err)
    }
}

/// Seals by keeping the token next to its owner: enough to test that the use cases seal,
/// store and open with the right owner, and react to a value that no longer opens.
pub struct FakeCipher {
    pub rotated_away: std::sync::atomic::AtomicBool,
    /// The key id new seals get; changing it plays a key rotation.
    pub current_key: Mutex<String>,
}

impl Default for FakeCipher {
    fn default() -> Self {
        Self {
            rotated_away: std::sync::atomic::AtomicBool::new(false),
            current_key: Mutex::new("aa".into()),
        }
    }
}

impl TokenCipher for FakeCipher {
    fn seal(&self, token: &AccessToken, owner: GithubId) -> EncryptedToken {
        let body = format!("{owner}|{}|padding-to-exceed-a-tag", token.expose()).into_bytes();
        let key = KeyId::parse(&lock(&self.current_key)).unwrap_or_else(|_| unreachable!());
        EncryptedToken::new(key, vec![0; 12], body).unwrap_or_else(|_| unreachable!())
    }
    fn open(&self, sealed: &EncryptedToken, owner: GithubId) -> Result<AccessToken, CipherError> {
        if self.rotated_away.load(Ordering::SeqCst) {
            return Err(CipherError::UnknownKey);
        }
        let text =
            String::from_utf8(sealed.ciphertext().to_vec()).map_err(|_| CipherError::Corrupt)?;
        let mut parts = text.split('|');
        if parts.next() != Some(owner.to_string().as_str()) {
            return Err(CipherError::Corrupt);
        }
        AccessToken::new(parts.next().unwrap_or_default().to_owned())
            .map_err(|_| CipherError::Corrupt)
    }

    fn is_current(&self, sealed: &EncryptedToken) -> bool {
        sealed.key_id().as_str() == lock(&self.current_key).as_str()
    }
}

/// `sid.uid.exp`, "signed" by being well-formed: the tests here are about sessions, not
/// signatures (the crypto adapter has its own).
pub struct FakeSigner;

impl SessionSigner for FakeSigner {
    fn sign(&self, c: &SessionClaims) -> String {
        format!(
            "{}.{}.{}",
            c.session_id.as_str(),
            c.user_id,
            c.expires_at.unix_seconds()
        )
    }
    fn verify(&self, token: &str, now: Timestamp) -> Result<SessionClaims, SignerError> {
        let mut parts = token.split('.');
        let (Some(sid), Some(uid), Some(exp), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(SignerError::Invalid("shape"));
        };
        let session_id = SessionId::parse(sid).map_err(|_| SignerError::Invalid("sid"))?;
        let user_id = UserId::parse(uid).map_err(|_| SignerError::Invalid("sub"))?;
        let exp = exp
            .parse::<i64>()
            .map_err(|_| SignerError::Invalid("exp"))?;
        if now.unix_seconds() >= exp {
            return Err(SignerError::Invalid("expired"));
        }
        Ok(SessionClaims {
            session_id,
            user_id,
            issued_at: now,
            expires_at: Timestamp::from_unix_seconds(exp),
        })
    }
}

pub struct ManualClock(pub AtomicI64);

impl ManualClock {
    pub fn advance(&self, seconds: i64) {
        self.0.fetch_add(seconds, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_unix_seconds(self.0.load(Ordering::SeqCst))
    }
}

/// Distinct, well-formed tokens from a counter.
#[derive(Default)]
pub struct CountingRandom(AtomicU64);

impl RandomSource for CountingRandom {
    fn token(&self) -> String {
        format!("{:0>43}", self.0.fetch_add(1, Ordering::SeqCst))
    }
}

/// A service on fakes, with handles to inspect them.
pub struct World {
    pub service: AuthService,
    pub store: Arc<MemoryStore>,
    pub provider: Arc<FakeProvider>,
    pub cipher: Arc<FakeCipher>,
    pub clock: Arc<ManualClock>,
}

pub const POLICY: Policy = Policy {
    session_ttl_seconds: 3600,
    state_ttl_seconds: 600,
    max_live_states: 5,
};

pub fn world() -> World {
    let id = GithubId::new(5_000_000_000).unwrap_or_else(|_| unreachable!());
    let profile =
        IdentityProfile::new(id, "octocat".into(), Some("The Octocat".into()), None, None)
            .unwrap_or_else(|_| unreachable!());
    let store = Arc::new(MemoryStore::default());
    let provider = Arc::new(FakeProvider::new(profile));
    let cipher = Arc::new(FakeCipher::default());
    let clock = Arc::new(ManualClock(AtomicI64::new(1_800_000_000)));
    let ports = Ports {
        users: store.clone(),
        states: store.clone(),
        sessions: store.clone(),
        provider: provider.clone(),
        cipher: cipher.clone(),
        signer: Arc::new(FakeSigner),
        clock: clock.clone(),
        random: Arc::new(CountingRandom::default()),
    };
    World {
        service: AuthService::new(ports, POLICY),
        store,
        provider,
        cipher,
        clock,
    }
}
