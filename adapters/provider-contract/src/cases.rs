//! The contract cases. Each takes a harness and either returns `Ok`, fails an assertion that
//! says which promise of the port was broken, or returns `Err` when it could not be carried
//! out (a stand-in that did not answer the browser, a call that failed where it must work).
//!
//! [`crate::provider_contract!`] runs them all, one test each.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use nectr_application::ports::{AuthorizationRequest, IdentityProvider, ProviderError, TokenGrant};
use nectr_domain::{
    AccessToken, IdentityProfile, PkceVerifier, ProviderId, RefreshToken, Scopes, StateToken,
};
use url::Url;

use crate::support::{fresh_state, fresh_verifier, param, s256, same_endpoint};
use crate::{AppSettings, BoxError, CaseResult, ExpectedProfile, Persona, ProviderHarness};

/// How long a call to an adapter that cannot reach its provider may take before the case calls
/// it a hang.
const PATIENCE: Duration = Duration::from_secs(30);

/// A code no provider issued.
const MADE_UP_CODE: &str = "contract-made-up-code-4f1c2a9e7b3d5f60";
/// An access token no provider issued.
const MADE_UP_TOKEN: &str = "contract-made-up-access-token-8e2d4b6a0c1f3e57";
/// A refresh token no provider issued.
const MADE_UP_REFRESH: &str = "contract-made-up-refresh-token-1a3c5e7f9b2d4f60";

/// The happy path: the authorization URL carries the client id, the callback, the `state`,
/// the requested scopes and (with PKCE) the S256 challenge of the verifier; approval sends
/// the browser to the callback with the same `state` and a code; the code and verifier give a
/// token; the token gives the persona's profile. Along the way: the id is a valid lowercase
/// provider id, the requested scopes are not empty, and `organizations` works.
///
/// # Errors
/// When the case cannot be carried out (see the module).
pub async fn happy_path(harness: &dyn ProviderHarness) -> CaseResult {
    let provider = harness.provider();
    let app = harness.app();

    let id = provider.id().as_str();
    assert!(
        ProviderId::parse(id).is_ok() && id == id.to_ascii_lowercase(),
        "id() {id:?} is not a valid lowercase provider id"
    );
    assert!(
        !provider.display_name().trim().is_empty(),
        "display_name() is empty"
    );
    let requested = provider.requested_scopes();
    assert!(!requested.is_empty(), "requested_scopes() is empty");
    for scope in requested.iter() {
        assert!(
            provider.covers(&requested, scope),
            "covers() says the requested scopes do not include the requested `{scope}`"
        );
    }
    if let Some(page) = provider.access_settings_url() {
        assert!(
            Url::parse(&page).is_ok(),
            "access_settings_url() {page:?} is not an absolute URL"
        );
    }

    let expected = harness.sign_in_as(Persona::Regular);
    assert!(
        expected.email.is_some(),
        "harness: the Regular persona must have an email"
    );
    let attempt = Attempt::new(&*provider)?;
    let url = Url::parse(&attempt.url)
        .map_err(|e| format!("authorization_url() is not an absolute URL: {e}"))?;
    assert_eq!(
        param(&url, "response_type").as_deref(),
        Some("code"),
        "the authorization URL must ask for a code (response_type=code)"
    );
    assert_eq!(
        param(&url, "client_id").as_deref(),
        Some(app.client_id.as_str()),
        "the authorization URL must carry the configured client id"
    );
    assert_eq!(
        param(&url, "redirect_uri").as_deref(),
        Some(app.callback_url.as_str()),
        "the authorization URL must carry the configured callback URL as redirect_uri"
    );
    assert_eq!(
        param(&url, "state").as_deref(),
        Some(attempt.state.as_str()),
        "the authorization URL must carry the state it was given"
    );
    let carried = Scopes::parse(&param(&url, "scope").unwrap_or_default())
        .map_err(|e| format!("the authorization URL's scope parameter: {e}"))?;
    for scope in requested.iter() {
        assert!(
            carried.contains(scope),
            "the authorization URL's scope parameter lacks the requested `{scope}` (it has {:?})",
            carried.to_text()
        );
    }
    match &attempt.verifier {
        Some(verifier) => {
            assert_eq!(
                param(&url, "code_challenge_method").as_deref(),
                Some("S256"),
                "uses_pkce() is true: the authorization URL must say code_challenge_method=S256"
            );
            assert_eq!(
                param(&url, "code_challenge"),
                Some(s256(verifier)),
                "uses_pkce() is true: code_challenge must be the S256 challenge of the verifier"
            );
        }
        None => assert_eq!(
            param(&url, "code_challenge"),
            None,
            "uses_pkce() is false, yet the authorization URL carries a code_challenge"
        ),
    }

    let code = attempt.approve(harness, &app).await?;
    let grant = provider
        .exchange_code(&code, attempt.verifier.as_ref())
        .await
        .map_err(failed("exchange_code of a freshly approved code"))?;
    if let Some(granted) = &grant.scopes {
        assert_covers(&*provider, granted, &requested, "the grant's scopes");
    }
    let profile = provider
        .fetch_profile(&grant.access_token)
        .await
        .map_err(failed("fetch_profile with a fresh token"))?;
    assert_profile(&profile, &expected, Persona::Regular);
    if let Some(granted) = profile.granted_scopes() {
        assert_covers(
            &*provider,
            granted,
            &requested,
            "the profile's granted scopes",
        );
    }
    provider
        .organizations(&grant.access_token)
        .await
        .map_err(failed("organizations with a fresh token"))?;
    Ok(())
}

/// Cancel: the person presses Cancel, and the browser is sent to the callback with
/// `error=access_denied` and the `state`, without a code.
///
/// # Errors
/// When the case cannot be carried out (see the module).
pub async fn cancel(harness: &dyn ProviderHarness) -> CaseResult {
    let provider = harness.provider();
    let app = harness.app();
    harness.sign_in_as(Persona::Regular);
    harness.press_cancel();
    let attempt = Attempt::new(&*provider)?;
    let back = harness.approve(&attempt.url).await?;
    assert_at_callback(&back, &app, "after Cancel")?;
    assert_eq!(
        param(&back, "error").as_deref(),
        Some("access_denied"),
        "after Cancel the callback must carry error=access_denied"
    );
    assert_eq!(
        param(&back, "state").as_deref(),
        Some(attempt.state.as_str()),
        "after Cancel the callback must carry the same state"
    );
    assert_eq!(
        param(&back, "code"),
        None,
        "after Cancel the callback must not carry a code"
    );
    Ok(())
}

/// Refused codes are `CodeRejected`: a made-up code, a code already exchanged, and (when the
/// provider uses PKCE) a code with another verifier than the one it was requested with. The
/// messages never contain the code, the verifiers or the client secret.
///
/// # Errors
/// When the case cannot be carried out (see the module).
pub async fn rejected_codes(harness: &dyn ProviderHarness) -> CaseResult {
    let provider = harness.provider();
    let app = harness.app();
    harness.sign_in_as(Persona::Regular);

    let verifier = provider.uses_pkce().then(fresh_verifier).transpose()?;
    let error = expect_error(
        provider
            .exchange_code(MADE_UP_CODE, verifier.as_ref())
            .await,
        "CodeRejected",
        |e| matches!(e, ProviderError::CodeRejected(_)),
        "exchange_code of a made-up code",
    );
    assert_discreet(
        &error,
        &[
            ("the code", MADE_UP_CODE),
            ("the client secret", &app.client_secret),
        ],
        "exchange_code of a made-up code",
    );

    let attempt = Attempt::new(&*provider)?;
    let code = attempt.approve(harness, &app).await?;
    provider
        .exchange_code(&code, attempt.verifier.as_ref())
        .await
        .map_err(failed("exchange_code of a freshly approved code"))?;
    let error = expect_error(
        provider
            .exchange_code(&code, attempt.verifier.as_ref())
            .await,
        "CodeRejected",
        |e| matches!(e, ProviderError::CodeRejected(_)),
        "exchange_code of a code already exchanged",
    );
    assert_discreet(
        &error,
        &[
            ("the code", &code),
            ("the client secret", &app.client_secret),
        ],
        "exchange_code of a code already exchanged",
    );

    if provider.uses_pkce() {
        let attempt = Attempt::new(&*provider)?;
        let code = attempt.approve(harness, &app).await?;
        let wrong = fresh_verifier()?;
        let error = expect_error(
            provider.exchange_code(&code, Some(&wrong)).await,
            "CodeRejected",
            |e| matches!(e, ProviderError::CodeRejected(_)),
            "exchange_code with another verifier than the one at authorize",
        );
        let right = attempt.verifier.as_ref().map_or("", PkceVerifier::expose);
        assert_discreet(
            &error,
            &[
                ("the code", &code),
                ("the verifier sent", wrong.expose()),
                ("the verifier of the authorization", right),
                ("the client secret", &app.client_secret),
            ],
            "exchange_code with another verifier",
        );
    }
    Ok(())
}

/// A provider that cannot be reached: `exchange_code`, `fetch_profile`, `organizations` and
/// `revoke_token` give `Unreachable` (not a panic, not a hang), with a message that names the
/// provider and contains neither the client secret nor what was sent.
///
/// # Errors
/// When the case cannot be carried out (see the module).
pub async fn unreachable_provider(harness: &dyn ProviderHarness) -> CaseResult {
    let reference = harness.provider();
    let provider = harness.unreachable_provider()?;
    let app = harness.app();
    assert_eq!(
        provider.id(),
        reference.id(),
        "harness: unreachable_provider() must be the same adapter"
    );
    let name = provider.display_name().to_owned();
    let verifier = provider.uses_pkce().then(fresh_verifier).transpose()?;
    let token = AccessToken::new(MADE_UP_TOKEN.to_owned())?;
    let secrets: [(&str, &str); 4] = [
        ("the client secret", &app.client_secret),
        ("the code", MADE_UP_CODE),
        (
            "the verifier",
            verifier.as_ref().map_or("", PkceVerifier::expose),
        ),
        ("the access token", MADE_UP_TOKEN),
    ];
    let is_unreachable = |e: &ProviderError| matches!(e, ProviderError::Unreachable(_));

    let check = |error: ProviderError, call: &str| {
        let message = error.to_string();
        assert!(
            message.contains(&name),
            "{call} against an address where nothing listens: the message must name {name:?}, \
             it says {message:?}"
        );
        assert_discreet(&error, &secrets, call);
    };
    let call = "exchange_code";
    let result = within(
        call,
        provider.exchange_code(MADE_UP_CODE, verifier.as_ref()),
    )
    .await;
    check(
        expect_error(result, "Unreachable", is_unreachable, call),
        call,
    );
    let call = "fetch_profile";
    let result = within(call, provider.fetch_profile(&token)).await;
    check(
        expect_error(result, "Unreachable", is_unreachable, call),
        call,
    );
    let call = "organizations";
    let result = within(call, provider.organizations(&token)).await;
    check(
        expect_error(result, "Unreachable", is_unreachable, call),
        call,
    );
    let call = "revoke_token";
    let result = within(call, provider.revoke_token(&token)).await;
    check(
        expect_error(result, "Unreachable", is_unreachable, call),
        call,
    );
    Ok(())
}

/// A person with no public and no verified email signs in all the same, and their profile
/// has no email.
///
/// # Errors
/// When the case cannot be carried out (see the module).
pub async fn profile_without_email(harness: &dyn ProviderHarness) -> CaseResult {
    let signed_in = SignedIn::as_persona(harness, Persona::WithoutEmail).await?;
    assert_eq!(
        signed_in.expected.email, None,
        "harness: the WithoutEmail persona must expect no email"
    );
    let profile = signed_in.profile().await?;
    assert_profile(&profile, &signed_in.expected, Persona::WithoutEmail);
    Ok(())
}

/// A person whose id is above 2^32 gets exactly that id, in decimal, as subject.
///
/// # Errors
/// When the case cannot be carried out (see the module).
pub async fn large_id(harness: &dyn ProviderHarness) -> CaseResult {
    let signed_in = SignedIn::as_persona(harness, Persona::LargeId).await?;
    let id: u128 = signed_in.expected.subject.parse().map_err(|_| {
        format!(
            "harness: the LargeId persona's subject {:?} must be a decimal number",
            signed_in.expected.subject
        )
    })?;
    assert!(
        id > 1 << 32,
        "harness: the LargeId persona's id {id} must be above 2^32"
    );
    let profile = signed_in.profile().await?;
    assert_eq!(
        profile.subject().as_str(),
        signed_in.expected.subject,
        "the subject of a person with an id above 2^32 must be that id, exactly"
    );
    assert_profile(&profile, &signed_in.expected, Persona::LargeId);
    Ok(())
}

/// A revoked token is refused: `fetch_profile` gives `TokenRejected`, and revoking it again
/// gives `TokenRejected` or (for a provider that does not say, as RFC 7009 allows) `Ok`.
///
/// # Errors
/// When the case cannot be carried out (see the module).
pub async fn revoked_token(harness: &dyn ProviderHarness) -> CaseResult {
    let signed_in = SignedIn::as_persona(harness, Persona::Regular).await?;
    let provider = &signed_in.provider;
    let token = &signed_in.grant.access_token;
    signed_in.profile().await?;
    provider
        .revoke_token(token)
        .await
        .map_err(failed("revoke_token of a live token"))?;
    let error = expect_error(
        provider.fetch_profile(token).await,
        "TokenRejected",
        |e| matches!(e, ProviderError::TokenRejected(_)),
        "fetch_profile with a revoked token",
    );
    let app = harness.app();
    assert_discreet(
        &error,
        &[
            ("the access token", token.expose()),
            ("the client secret", &app.client_secret),
        ],
        "fetch_profile with a revoked token",
    );
    match provider.revoke_token(token).await {
        Ok(()) | Err(ProviderError::TokenRejected(_)) => {}
        Err(other) => panic!(
            "revoke_token of a token already revoked: expected TokenRejected (or Ok when the \
             provider does not say), got {other:?}"
        ),
    }
    Ok(())
}

/// Refresh. When the stand-in issues refresh tokens to the app: the grant has one, `refresh`
/// gives a new pair, the new access token works, and the old refresh and access tokens are
/// refused with `TokenRejected`. When it does not: the grant has no refresh token, and
/// `refresh` with a made-up one fails cleanly.
///
/// # Errors
/// When the case cannot be carried out (see the module).
pub async fn refresh(harness: &dyn ProviderHarness) -> CaseResult {
    let signed_in = SignedIn::as_persona(harness, Persona::Regular).await?;
    let provider = &signed_in.provider;
    let old = &signed_in.grant;
    let app = harness.app();

    if !harness.issues_refresh_tokens() {
        assert!(
            old.refresh_token.is_none(),
            "harness: issues_refresh_tokens() is false, yet the grant has a refresh token"
        );
        let made_up = RefreshToken::new(MADE_UP_REFRESH.to_owned())?;
        let Err(error) = provider.refresh(&made_up).await else {
            panic!("refresh with a made-up refresh token succeeded");
        };
        assert_discreet(
            &error,
            &[
                ("the refresh token", MADE_UP_REFRESH),
                ("the client secret", &app.client_secret),
            ],
            "refresh with a made-up refresh token",
        );
        return Ok(());
    }

    let old_refresh = old.refresh_token.as_ref().ok_or(
        "issues_refresh_tokens() is true, yet the grant of a fresh sign-in has no refresh token",
    )?;
    let new = provider
        .refresh(old_refresh)
        .await
        .map_err(failed("refresh with a fresh refresh token"))?;
    assert_ne!(
        new.access_token.expose(),
        old.access_token.expose(),
        "refresh must give a new access token"
    );
    let new_refresh = new
        .refresh_token
        .as_ref()
        .ok_or("refresh must give a new refresh token (the pair is replaced)")?;
    assert_ne!(
        new_refresh.expose(),
        old_refresh.expose(),
        "refresh must give a new refresh token, not the old one"
    );
    let profile = provider
        .fetch_profile(&new.access_token)
        .await
        .map_err(failed("fetch_profile with a refreshed token"))?;
    assert_profile(&profile, &signed_in.expected, Persona::Regular);

    let error = expect_error(
        provider.refresh(old_refresh).await,
        "TokenRejected",
        |e| matches!(e, ProviderError::TokenRejected(_)),
        "refresh with a refresh token already used",
    );
    assert_discreet(
        &error,
        &[
            ("the old refresh token", old_refresh.expose()),
            ("the new refresh token", new_refresh.expose()),
            ("the client secret", &app.client_secret),
        ],
        "refresh with a refresh token already used",
    );
    expect_error(
        provider.fetch_profile(&old.access_token).await,
        "TokenRejected",
        |e| matches!(e, ProviderError::TokenRejected(_)),
        "fetch_profile with the access token a refresh replaced",
    );
    Ok(())
}

/// One authorization request: its `state`, its verifier (when the provider uses PKCE) and
/// the URL the adapter built.
struct Attempt {
    state: StateToken,
    verifier: Option<PkceVerifier>,
    url: String,
}

impl Attempt {
    fn new(provider: &dyn IdentityProvider) -> Result<Self, BoxError> {
        let state = fresh_state()?;
        let verifier = provider.uses_pkce().then(fresh_verifier).transpose()?;
        let url = provider.authorization_url(&AuthorizationRequest {
            state: &state,
            pkce_verifier: verifier.as_ref(),
        });
        Ok(Self {
            state,
            verifier,
            url,
        })
    }

    /// The browser approves; answers the code the callback carries, after checking the
    /// callback.
    async fn approve(
        &self,
        harness: &dyn ProviderHarness,
        app: &AppSettings,
    ) -> Result<String, BoxError> {
        let back = harness.approve(&self.url).await?;
        assert_at_callback(&back, app, "after approval")?;
        assert_eq!(
            param(&back, "error"),
            None,
            "after approval the callback carries an error: {back}"
        );
        assert_eq!(
            param(&back, "state").as_deref(),
            Some(self.state.as_str()),
            "after approval the callback must carry the same state"
        );
        let code = param(&back, "code").unwrap_or_default();
        assert!(
            !code.is_empty(),
            "after approval the callback must carry a code"
        );
        Ok(code)
    }
}

/// A person signed in through the whole flow.
struct SignedIn {
    provider: Arc<dyn IdentityProvider>,
    expected: ExpectedProfile,
    grant: TokenGrant,
}

impl SignedIn {
    async fn as_persona(harness: &dyn ProviderHarness, persona: Persona) -> Result<Self, BoxError> {
        let provider = harness.provider();
        let app = harness.app();
        let expected = harness.sign_in_as(persona);
        let attempt = Attempt::new(&*provider)?;
        let code = attempt.approve(harness, &app).await?;
        let grant = provider
            .exchange_code(&code, attempt.verifier.as_ref())
            .await
            .map_err(|e| format!("exchange_code for the {persona:?} persona failed: {e:?}"))?;
        Ok(Self {
            provider,
            expected,
            grant,
        })
    }

    async fn profile(&self) -> Result<IdentityProfile, BoxError> {
        self.provider
            .fetch_profile(&self.grant.access_token)
            .await
            .map_err(failed("fetch_profile with a fresh token"))
    }
}

fn assert_at_callback(back: &Url, app: &AppSettings, when: &str) -> CaseResult {
    let callback = Url::parse(&app.callback_url)
        .map_err(|e| format!("harness: the callback URL does not parse: {e}"))?;
    assert!(
        same_endpoint(back, &callback),
        "{when} the browser must be sent to the callback {callback}, not to {back}"
    );
    Ok(())
}

fn assert_profile(profile: &IdentityProfile, expected: &ExpectedProfile, persona: Persona) {
    assert_eq!(
        profile.subject().as_str(),
        expected.subject,
        "the {persona:?} persona's subject"
    );
    assert_eq!(
        profile.username(),
        expected.username,
        "the {persona:?} persona's username"
    );
    assert_eq!(
        profile.email(),
        expected.email.as_deref(),
        "the {persona:?} persona's email"
    );
}

fn assert_covers(
    provider: &dyn IdentityProvider,
    granted: &Scopes,
    requested: &Scopes,
    what: &str,
) {
    for scope in requested.iter() {
        assert!(
            provider.covers(granted, scope),
            "{what} ({:?}) do not cover the requested `{scope}`, though the stand-in grants \
             everything requested",
            granted.to_text()
        );
    }
}

/// The error of `result`, which must be the variant `wanted` (checked by `is`).
fn expect_error<T>(
    result: Result<T, ProviderError>,
    wanted: &str,
    is: impl Fn(&ProviderError) -> bool,
    call: &str,
) -> ProviderError {
    match result {
        Err(error) if is(&error) => error,
        Err(other) => panic!("{call}: expected ProviderError::{wanted}, got {other:?}"),
        Ok(_) => panic!("{call}: expected ProviderError::{wanted}, got Ok"),
    }
}

/// The error's message holds none of `secrets` (pairs of what it is and its value; empty
/// values are skipped). A failure names what leaked, never the value.
fn assert_discreet(error: &ProviderError, secrets: &[(&str, &str)], call: &str) {
    let message = error.to_string();
    for (what, value) in secrets {
        assert!(
            value.is_empty() || !message.contains(value),
            "{call}: the error message contains {what}"
        );
    }
}

/// A call that must work failed: an error naming the call and the `ProviderError`.
fn failed(call: &'static str) -> impl Fn(ProviderError) -> BoxError {
    move |error| format!("{call} failed: {error:?}").into()
}

/// `future`'s output, or a failed assertion after [`PATIENCE`].
async fn within<T>(call: &str, future: impl Future<Output = T>) -> T {
    match tokio::time::timeout(PATIENCE, future).await {
        Ok(output) => output,
        Err(_) => panic!(
            "{call} against an address where nothing listens did not finish within {PATIENCE:?}"
        ),
    }
}
