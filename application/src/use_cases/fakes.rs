//! In-memory ports for the use-case tests: simple, honest implementations of each contract
//! (a state is consumed once, sessions expire, a token opens only for its owner).

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use nectr_domain::{
    AccessToken, ConsumedState, EncryptedToken, Identity, IdentityProfile, KeyId, OAuthState,
    PkceVerifier, ProviderId, ProviderTokens, RefreshToken, Scopes, Session, SessionClaims,
    SessionId, StateToken, Subject, Timestamp, User, UserId,
};
use secrecy::ExposeSecret as _;

use super::{AuthService, Policy, Ports};
use crate::ports::{
    AuthorizationRequest, CipherError, Clock, IdentityProvider, Organization, ProviderError,
    RandomSource, SessionSigner, SessionStore, SignerError, StateStore, StoreError, Team,
    TokenCipher, TokenGrant, UserStore,
};
use crate::providers::{Providers, SignInRules};

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
        identity: &Identity,
        p: &IdentityProfile,
        token: &EncryptedToken,
        now: Timestamp,
    ) -> Result<User, StoreError> {
        let mut users = lock(&self.users);
        let fields = |user: &mut User| {
            user.username = p.username().to_owned();
            user.name = p.name().map(str::to_owned);
            user.email = p.email().map(str::to_owned);
            user.avatar_url = p.avatar_url().map(str::to_owned);
            user.granted_scopes = p.granted_scopes().cloned();
            user.updated_at = now;
        };
        if let Some((user, sealed)) = users.iter_mut().find(|(u, _)| &u.identity == identity) {
            fields(user);
            *sealed = token.clone();
            return Ok(user.clone());
        }
        let id = UserId::new(i64::try_from(users.len()).unwrap_or(0) + 1)
            .map_err(|e| StoreError::Failed(e.to_string()))?;
        let mut user = User {
            id,
            identity: identity.clone(),
            username: String::new(),
            name: None,
            email: None,
            avatar_url: None,
            granted_scopes: None,
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
    ) -> Result<Vec<(UserId, Identity, EncryptedToken)>, StoreError> {
        let mut page: Vec<_> = lock(&self.users)
            .iter()
            .filter(|(u, _)| after.is_none_or(|a| u.id > a))
            .map(|(u, t)| (u.id, u.identity.clone(), t.clone()))
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
    ) -> Result<Option<ConsumedState>, StoreError> {
        let mut states = lock(&self.states);
        let matches = states
            .get(token.as_str())
            .is_some_and(|s| s.binding_digest == digest && s.is_live_at(now));
        Ok(matches
            .then(|| states.remove(token.as_str()))
            .flatten()
            .map(|s| ConsumedState {
                provider: s.provider,
                pkce_verifier: s.pkce_verifier,
            }))
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
    /// A person's sealed token, read synchronously.
    pub fn sealed(&self, id: UserId) -> Option<EncryptedToken> {
        lock(&self.users)
            .iter()
            .find(|(u, _)| u.id == id)
            .map(|(_, t)| t.clone())
    }

    /// Replaces a person's sealed token behind the use cases' back.
    pub fn overwrite_token(&self, id: UserId, sealed: EncryptedToken) {
        if let Some((_, token)) = lock(&self.users).iter_mut().find(|(u, _)| u.id == id) {
            *token = sealed;
        }
    }

    /// Deletes a person behind the use cases' back, as an operator's `DELETE` does.
    pub fn delete_user(&self, id: UserId) {
        lock(&self.users).retain(|(u, _)| u.id != id);
    }

    pub fn session_count(&self) -> usize {
        lock(&self.sessions).len()
    }

    pub fn user_count(&self) -> usize {
        lock(&self.users).len()
    }
}

/// A provider whose answers the test chooses; it records what it was asked.
pub struct FakeProvider {
    pub id: ProviderId,
    pub pkce: bool,
    /// Tokens expire after this many seconds, with a refresh token, when set.
    pub expires_in: Option<u64>,
    pub exchange: Mutex<Option<ProviderError>>,
    pub refresh_error: Mutex<Option<ProviderError>>,
    pub profile_error: Mutex<Option<ProviderError>>,
    pub revoke: Mutex<Option<ProviderError>>,
    pub profile: IdentityProfile,
    pub organizations: Mutex<Vec<&'static str>>,
    /// Answers the next membership call (organizations or teams) instead of the lists.
    pub membership_error: Mutex<Option<ProviderError>>,
    pub teams: Mutex<Vec<(&'static str, &'static str)>>,
    pub exchanged: Mutex<Vec<(String, Option<String>)>>,
    pub refreshed: Mutex<Vec<String>>,
    pub revoked: Mutex<Vec<String>>,
    pub revoked_tokens: Mutex<Vec<String>>,
    /// Runs while a refresh is at the provider: what another instance or a key rotation
    /// does meanwhile.
    pub during_refresh: Mutex<Option<Box<dyn FnOnce() + Send>>>,
    /// Holds the next refresh at the provider: it signals the first `Notify` on arrival and
    /// answers once the second is notified, so a test can act while it is in flight.
    pub refresh_pause: Mutex<Option<(Arc<tokio::sync::Notify>, Arc<tokio::sync::Notify>)>>,
    /// Who the profile call says the token belongs to, when not `profile` (a renamed account).
    pub current_profile: Mutex<Option<IdentityProfile>>,
    issued: AtomicU64,
}

impl FakeProvider {
    pub fn new(id: &str, profile: IdentityProfile) -> Self {
        Self {
            id: ProviderId::parse(id).unwrap_or_else(|_| unreachable!()),
            pkce: true,
            expires_in: None,
            exchange: Mutex::new(None),
            refresh_error: Mutex::new(None),
            profile_error: Mutex::new(None),
            revoke: Mutex::new(None),
            profile,
            organizations: Mutex::default(),
            membership_error: Mutex::new(None),
            teams: Mutex::default(),
            exchanged: Mutex::default(),
            refreshed: Mutex::default(),
            revoked: Mutex::default(),
            revoked_tokens: Mutex::default(),
            during_refresh: Mutex::new(None),
            refresh_pause: Mutex::new(None),
            current_profile: Mutex::new(None),
            issued: AtomicU64::new(0),
        }
    }

    fn grant(&self, access: String) -> Result<TokenGrant, ProviderError> {
        let n = self.issued.fetch_add(1, Ordering::SeqCst);
        let bad = |e: nectr_domain::DomainError| ProviderError::BadResponse(e.to_string());
        Ok(TokenGrant {
            access_token: AccessToken::new(access).map_err(bad)?,
            expires_in: self.expires_in,
            refresh_token: self
                .expires_in
                .map(|_| RefreshToken::new(format!("refresh_{n}")))
                .transpose()
                .map_err(bad)?,
            refresh_token_expires_in: self.expires_in.map(|s| s * 10),
            scopes: Some(Scopes::of(["repo", "read:user"])),
        })
    }
}

#[async_trait]
impl IdentityProvider for FakeProvider {
    fn id(&self) -> &ProviderId {
        &self.id
    }
    fn display_name(&self) -> &str {
        "GitHub"
    }
    fn uses_pkce(&self) -> bool {
        self.pkce
    }
    fn authorization_url(&self, r: &AuthorizationRequest<'_>) -> String {
        format!(
            "https://{}.test/authorize?state={}&pkce={}",
            self.id,
            r.state.as_str(),
            r.pkce_verifier.is_some()
        )
    }
    fn requested_scopes(&self) -> Scopes {
        Scopes::of(["repo", "read:user", "read:org"])
    }
    fn access_settings_url(&self) -> Option<String> {
        Some("https://provider.test/settings/app".into())
    }
    async fn exchange_code(
        &self,
        code: &str,
        v: Option<&PkceVerifier>,
    ) -> Result<TokenGrant, ProviderError> {
        lock(&self.exchanged).push((code.to_owned(), v.map(|v| v.expose().to_owned())));
        match lock(&self.exchange).take() {
            Some(e) => Err(e),
            None => self.grant(format!("gho_token_for_{code}")),
        }
    }
    async fn refresh(&self, refresh: &RefreshToken) -> Result<TokenGrant, ProviderError> {
        lock(&self.refreshed).push(refresh.expose().to_owned());
        let meanwhile = lock(&self.during_refresh).take();
        if let Some(meanwhile) = meanwhile {
            meanwhile();
        }
        let pause = lock(&self.refresh_pause).take();
        if let Some((arrived, answer)) = pause {
            arrived.notify_one();
            answer.notified().await;
        }
        match lock(&self.refresh_error).take() {
            Some(e) => Err(e),
            None => self.grant(format!("gho_refreshed_from_{}", refresh.expose())),
        }
    }
    async fn fetch_profile(&self, _: &AccessToken) -> Result<IdentityProfile, ProviderError> {
        match lock(&self.profile_error).take() {
            Some(e) => Err(e),
            None => Ok(lock(&self.current_profile)
                .clone()
                .unwrap_or_else(|| self.profile.clone())),
        }
    }
    async fn organizations(&self, _: &AccessToken) -> Result<Vec<Organization>, ProviderError> {
        if let Some(e) = lock(&self.membership_error).take() {
            return Err(e);
        }
        Ok(lock(&self.organizations)
            .iter()
            .map(|login| Organization {
                login: (*login).to_owned(),
                name: None,
                avatar_url: None,
            })
            .collect())
    }
    async fn teams(&self, _: &AccessToken) -> Result<Vec<Team>, ProviderError> {
        Ok(lock(&self.teams)
            .iter()
            .map(|(org, slug)| Team {
                organization: (*org).to_owned(),
                slug: (*slug).to_owned(),
            })
            .collect())
    }
    async fn revoke_token(&self, token: &AccessToken) -> Result<(), ProviderError> {
        lock(&self.revoked_tokens).push(token.expose().to_owned());
        lock(&self.revoke).take().map_or(Ok(()), Err)
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
    fn seal(&self, tokens: &ProviderTokens, owner: &Identity) -> EncryptedToken {
        let body = format!(
            "{owner}|{}|padding-to-exceed-a-tag",
            tokens.to_sealable().expose_secret()
        )
        .into_bytes();
        let key = KeyId::parse(&lock(&self.current_key)).unwrap_or_else(|_| unreachable!());
        EncryptedToken::new(key, vec![0; 12], body).unwrap_or_else(|_| unreachable!())
    }
    fn open(
        &self,
        sealed: &EncryptedToken,
        owner: &Identity,
    ) -> Result<ProviderTokens, CipherError> {
        if self.rotated_away.load(Ordering::SeqCst) {
            return Err(CipherError::UnknownKey);
        }
        let text =
            String::from_utf8(sealed.ciphertext().to_vec()).map_err(|_| CipherError::Corrupt)?;
        let mut parts = text.split('|');
        if parts.next() != Some(owner.to_string().as_str()) {
            return Err(CipherError::Corrupt);
        }
        ProviderTokens::from_sealable(parts.next().unwrap_or_default())
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
    revoke_provider_token_on_logout: false,
};

pub fn profile(id: i64, username: &str) -> IdentityProfile {
    let id = Subject::from_number(id).unwrap_or_else(|_| unreachable!());
    IdentityProfile::new(id, username.into(), Some("The Octocat".into()), None, None)
        .unwrap_or_else(|_| unreachable!())
}

pub fn world() -> World {
    world_with(|_| {}, SignInRules::default(), POLICY)
}

/// A world whose GitHub-like provider is changed by `change` and admits by `rules`, beside
/// a second provider (`other`) with the same people's ids.
pub fn world_with(
    change: impl FnOnce(&mut FakeProvider),
    rules: SignInRules,
    policy: Policy,
) -> World {
    let store = Arc::new(MemoryStore::default());
    let mut github = FakeProvider::new("github", profile(5_000_000_000, "octocat"));
    change(&mut github);
    let provider = Arc::new(github);
    let other = Arc::new(FakeProvider::new(
        "other",
        profile(5_000_000_000, "octo-other"),
    ));
    let cipher = Arc::new(FakeCipher::default());
    let clock = Arc::new(ManualClock(AtomicI64::new(1_800_000_000)));
    let mut providers = Providers::default();
    providers
        .register(provider.clone(), rules)
        .unwrap_or_else(|_| unreachable!());
    providers
        .register(other, SignInRules::default())
        .unwrap_or_else(|_| unreachable!());
    let ports = Ports {
        users: store.clone(),
        states: store.clone(),
        sessions: store.clone(),
        providers,
        cipher: cipher.clone(),
        signer: Arc::new(FakeSigner),
        clock: clock.clone(),
        random: Arc::new(CountingRandom::default()),
    };
    World {
        service: AuthService::new(ports, policy),
        store,
        provider,
        cipher,
        clock,
    }
}
