//! The kit checked against an in-memory provider: a faithful one passes every case, and each
//! flawed one fails the case meant to catch its flaw.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use nectr_application::ports::{
    AuthorizationRequest, IdentityProvider, Organization, ProviderError, TokenGrant,
};
use nectr_domain::{
    AccessToken, IdentityProfile, PkceVerifier, ProviderId, RefreshToken, Scopes, Subject,
};
use nectr_provider_contract::{
    AppSettings, BoxError, ExpectedProfile, Persona, ProviderHarness, cases, param,
};
use sha2::{Digest as _, Sha256};
use url::Url;

const CLIENT_ID: &str = "fake-client";
const SECRET: &str = "fake-secret-0123456789";
const CALLBACK: &str = "http://127.0.0.1:8000/auth/fake/callback";

/// What a flawed provider gets wrong.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Flaw {
    None,
    PlainChallenge,
    CancelLosesState,
    ReusableCodes,
    SecretInMessages,
    InventedEmail,
    TruncatedIds,
    RevokeIgnored,
    OldRefreshWorks,
}

#[derive(Default)]
struct World {
    signed_in: Option<Persona>,
    cancel_next: bool,
    next: u64,
    /// code → (persona, challenge)
    codes: HashMap<String, (Persona, Option<String>)>,
    /// access token → persona, while live
    tokens: HashMap<String, Persona>,
    /// refresh token → access token, while live
    refresh: HashMap<String, String>,
}

impl World {
    fn fresh(&mut self, prefix: &str) -> String {
        self.next += 1;
        format!("{prefix}{:08}", self.next)
    }

    fn issue(&mut self, persona: Persona, refreshable: bool) -> Result<TokenGrant, ProviderError> {
        let access = self.fresh("at");
        self.tokens.insert(access.clone(), persona);
        let refresh = refreshable.then(|| {
            let refresh = self.fresh("rt");
            self.refresh.insert(refresh.clone(), access.clone());
            refresh
        });
        let bad = |_| ProviderError::BadResponse("Fake issued a malformed token".into());
        Ok(TokenGrant {
            access_token: AccessToken::new(access).map_err(bad)?,
            expires_in: refreshable.then_some(3600),
            refresh_token: refresh.map(RefreshToken::new).transpose().map_err(bad)?,
            refresh_token_expires_in: None,
            scopes: Some(Scopes::of(["profile", "email"])),
        })
    }
}

struct Fake {
    id: ProviderId,
    world: Arc<Mutex<World>>,
    flaw: Flaw,
    reachable: bool,
    refreshable: bool,
}

fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn profile_of(persona: Persona, flaw: Flaw) -> ExpectedProfile {
    let (subject, username, email) = match persona {
        Persona::Regular => ("42", "regular", Some("regular@example.com")),
        Persona::WithoutEmail => ("43", "quiet", None),
        Persona::LargeId => ("5000000000", "large", Some("large@example.com")),
    };
    let subject = if flaw == Flaw::TruncatedIds {
        // What a 32-bit integer on the way makes of it.
        (subject.parse::<u64>().unwrap_or(0) % (1 << 32)).to_string()
    } else {
        subject.to_owned()
    };
    let email = match (email, flaw) {
        (None, Flaw::InventedEmail) => Some("noreply@example.com"),
        (email, _) => email,
    };
    ExpectedProfile {
        subject,
        username: username.to_owned(),
        email: email.map(str::to_owned),
    }
}

impl Fake {
    fn world(&self) -> MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn reach(&self) -> Result<(), ProviderError> {
        if self.reachable {
            return Ok(());
        }
        let secret = if self.flaw == Flaw::SecretInMessages {
            SECRET
        } else {
            "<redacted>"
        };
        Err(ProviderError::Unreachable(format!(
            "cannot reach Fake at http://127.0.0.1:1 (client secret {secret})"
        )))
    }

    fn holder(&self, token: &AccessToken) -> Result<Persona, ProviderError> {
        self.world()
            .tokens
            .get(token.expose())
            .copied()
            .ok_or_else(|| ProviderError::TokenRejected("Fake refused the token".into()))
    }
}

#[async_trait]
impl IdentityProvider for Fake {
    fn id(&self) -> &ProviderId {
        &self.id
    }

    fn display_name(&self) -> &str {
        "Fake"
    }

    fn uses_pkce(&self) -> bool {
        true
    }

    fn authorization_url(&self, request: &AuthorizationRequest<'_>) -> String {
        let mut url = Url::parse("http://fake.invalid/authorize").expect("a fixed URL parses");
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", CLIENT_ID)
            .append_pair("redirect_uri", CALLBACK)
            .append_pair("scope", "profile email")
            .append_pair("state", request.state.as_str());
        if let Some(verifier) = request.pkce_verifier {
            let challenge = if self.flaw == Flaw::PlainChallenge {
                verifier.expose().to_owned()
            } else {
                s256(verifier.expose())
            };
            url.query_pairs_mut()
                .append_pair("code_challenge", &challenge)
                .append_pair("code_challenge_method", "S256");
        }
        url.into()
    }

    fn requested_scopes(&self) -> Scopes {
        Scopes::of(["profile", "email"])
    }

    async fn exchange_code(
        &self,
        code: &str,
        pkce_verifier: Option<&PkceVerifier>,
    ) -> Result<TokenGrant, ProviderError> {
        self.reach()?;
        let mut world = self.world();
        let rejected = || ProviderError::CodeRejected("Fake refused the code".into());
        let (persona, challenge) = if self.flaw == Flaw::ReusableCodes {
            world.codes.get(code).cloned()
        } else {
            world.codes.remove(code)
        }
        .ok_or_else(rejected)?;
        if challenge != pkce_verifier.map(|v| s256(v.expose())) {
            return Err(rejected());
        }
        world.issue(persona, self.refreshable)
    }

    async fn refresh(&self, refresh_token: &RefreshToken) -> Result<TokenGrant, ProviderError> {
        self.reach()?;
        let mut world = self.world();
        let rejected = || ProviderError::TokenRejected("Fake refused the refresh token".into());
        if !self.refreshable {
            return Err(rejected());
        }
        let old_access = if self.flaw == Flaw::OldRefreshWorks {
            world.refresh.get(refresh_token.expose()).cloned()
        } else {
            world.refresh.remove(refresh_token.expose())
        }
        .ok_or_else(rejected)?;
        let persona = if self.flaw == Flaw::OldRefreshWorks {
            world.tokens.get(&old_access).copied()
        } else {
            world.tokens.remove(&old_access)
        }
        .ok_or_else(rejected)?;
        world.issue(persona, true)
    }

    async fn fetch_profile(&self, token: &AccessToken) -> Result<IdentityProfile, ProviderError> {
        self.reach()?;
        let expected = profile_of(self.holder(token)?, self.flaw);
        let subject = Subject::parse(&expected.subject)
            .map_err(|e| ProviderError::BadResponse(e.to_string()))?;
        IdentityProfile::new(subject, expected.username, None, expected.email, None)
            .map_err(|e| ProviderError::BadResponse(e.to_string()))
    }

    async fn organizations(&self, token: &AccessToken) -> Result<Vec<Organization>, ProviderError> {
        self.reach()?;
        self.holder(token)?;
        Ok(Vec::new())
    }

    async fn revoke_token(&self, token: &AccessToken) -> Result<(), ProviderError> {
        self.reach()?;
        self.holder(token)?;
        if self.flaw != Flaw::RevokeIgnored {
            self.world().tokens.remove(token.expose());
        }
        Ok(())
    }
}

struct FakeHarness {
    world: Arc<Mutex<World>>,
    flaw: Flaw,
    refreshable: bool,
}

impl FakeHarness {
    fn new(flaw: Flaw, refreshable: bool) -> Self {
        Self {
            world: Arc::default(),
            flaw,
            refreshable,
        }
    }

    fn fake(&self, reachable: bool) -> Result<Arc<dyn IdentityProvider>, BoxError> {
        Ok(Arc::new(Fake {
            id: ProviderId::parse("fake")?,
            world: self.world.clone(),
            flaw: self.flaw,
            reachable,
            refreshable: self.refreshable,
        }))
    }

    fn world(&self) -> MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[async_trait]
impl ProviderHarness for FakeHarness {
    fn provider(&self) -> Arc<dyn IdentityProvider> {
        self.fake(true).unwrap_or_else(|e| panic!("{e}"))
    }

    fn app(&self) -> AppSettings {
        AppSettings {
            client_id: CLIENT_ID.into(),
            client_secret: SECRET.into(),
            callback_url: CALLBACK.into(),
        }
    }

    fn sign_in_as(&self, persona: Persona) -> ExpectedProfile {
        self.world().signed_in = Some(persona);
        profile_of(persona, Flaw::None)
    }

    fn press_cancel(&self) {
        self.world().cancel_next = true;
    }

    fn unreachable_provider(&self) -> Result<Arc<dyn IdentityProvider>, BoxError> {
        self.fake(false)
    }

    fn issues_refresh_tokens(&self) -> bool {
        self.refreshable
    }

    /// The fake's consent step: no HTTP, the decision is taken here.
    async fn approve(&self, authorization_url: &str) -> Result<Url, BoxError> {
        let url = Url::parse(authorization_url)?;
        let mut back = Url::parse(&param(&url, "redirect_uri").ok_or("no redirect_uri")?)?;
        let state = param(&url, "state").ok_or("no state")?;
        let mut world = self.world();
        if std::mem::take(&mut world.cancel_next) {
            back.query_pairs_mut().append_pair("error", "access_denied");
            if self.flaw != Flaw::CancelLosesState {
                back.query_pairs_mut().append_pair("state", &state);
            }
            return Ok(back);
        }
        let persona = world.signed_in.ok_or("nobody signed in")?;
        let code = world.fresh("code");
        world
            .codes
            .insert(code.clone(), (persona, param(&url, "code_challenge")));
        back.query_pairs_mut()
            .append_pair("code", &code)
            .append_pair("state", &state);
        Ok(back)
    }
}

mod faithful_lasting {
    use super::{FakeHarness, Flaw};

    nectr_provider_contract::provider_contract!(FakeHarness::new(Flaw::None, false));
}

mod faithful_refreshable {
    use super::{FakeHarness, Flaw};

    nectr_provider_contract::provider_contract!(FakeHarness::new(Flaw::None, true));
}

#[tokio::test]
#[should_panic(expected = "code_challenge must be the S256 challenge")]
async fn a_plain_challenge_fails_the_happy_path() {
    let _ = cases::happy_path(&FakeHarness::new(Flaw::PlainChallenge, false)).await;
}

#[tokio::test]
#[should_panic(expected = "after Cancel the callback must carry the same state")]
async fn a_cancel_without_state_fails() {
    let _ = cases::cancel(&FakeHarness::new(Flaw::CancelLosesState, false)).await;
}

#[tokio::test]
#[should_panic(expected = "a code already exchanged: expected ProviderError::CodeRejected")]
async fn reusable_codes_fail() {
    let _ = cases::rejected_codes(&FakeHarness::new(Flaw::ReusableCodes, false)).await;
}

#[tokio::test]
#[should_panic(expected = "exchange_code: the error message contains the client secret")]
async fn a_secret_in_a_message_fails() {
    let _ = cases::unreachable_provider(&FakeHarness::new(Flaw::SecretInMessages, false)).await;
}

#[tokio::test]
#[should_panic(expected = "the WithoutEmail persona's email")]
async fn an_invented_email_fails() {
    let _ = cases::profile_without_email(&FakeHarness::new(Flaw::InventedEmail, false)).await;
}

#[tokio::test]
#[should_panic(expected = "id above 2^32 must be that id, exactly")]
async fn truncated_ids_fail() {
    let _ = cases::large_id(&FakeHarness::new(Flaw::TruncatedIds, false)).await;
}

#[tokio::test]
#[should_panic(
    expected = "fetch_profile with a revoked token: expected ProviderError::TokenRejected"
)]
async fn an_ignored_revocation_fails() {
    let _ = cases::revoked_token(&FakeHarness::new(Flaw::RevokeIgnored, false)).await;
}

#[tokio::test]
#[should_panic(expected = "refresh token already used: expected ProviderError::TokenRejected")]
async fn a_reusable_refresh_token_fails() {
    let _ = cases::refresh(&FakeHarness::new(Flaw::OldRefreshWorks, true)).await;
}

#[tokio::test]
#[should_panic(expected = "issues_refresh_tokens() is false, yet the grant has a refresh token")]
async fn a_harness_that_misstates_refresh_fails() {
    // The fake issues refresh tokens while the harness says it does not.
    let _ = cases::refresh(&Liar(FakeHarness::new(Flaw::None, true))).await;
}

/// A harness that claims its stand-in issues no refresh tokens.
struct Liar(FakeHarness);

#[async_trait]
impl ProviderHarness for Liar {
    fn provider(&self) -> Arc<dyn IdentityProvider> {
        self.0.provider()
    }
    fn app(&self) -> AppSettings {
        self.0.app()
    }
    fn sign_in_as(&self, persona: Persona) -> ExpectedProfile {
        self.0.sign_in_as(persona)
    }
    fn press_cancel(&self) {
        self.0.press_cancel();
    }
    fn unreachable_provider(&self) -> Result<Arc<dyn IdentityProvider>, BoxError> {
        self.0.unreachable_provider()
    }
    fn issues_refresh_tokens(&self) -> bool {
        false
    }
    async fn approve(&self, authorization_url: &str) -> Result<Url, BoxError> {
        self.0.approve(authorization_url).await
    }
}
