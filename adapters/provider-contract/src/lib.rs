//! The contract of the identity-provider port, as one set of cases that every adapter runs
//! against its own stand-in.
#![doc = include_str!("../README.md")]

pub mod cases;
mod support;

use std::sync::Arc;

use async_trait::async_trait;
use nectr_application::ports::IdentityProvider;
use url::Url;

pub use support::{
    follow_authorization, fresh_state, fresh_verifier, hanging_up_server, param,
    unreachable_base_url,
};

/// Any error a harness or a case meets on its way (a stand-in that does not start, a URL that
/// does not parse). Contract violations are assertion failures, not errors.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What every case returns: `Err` when it could not be carried out.
pub type CaseResult = Result<(), BoxError>;

/// The standard people a stand-in must be able to sign in as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Persona {
    /// An ordinary person with an email address the adapter reports.
    Regular,
    /// A person with no public email and no verified email the adapter could fall back on:
    /// the profile has no email, and sign-in still works.
    WithoutEmail,
    /// A person whose numeric id is above 2^32 (e.g. 5 000 000 000), which a 32-bit integer
    /// anywhere on the way would truncate.
    LargeId,
}

impl Persona {
    /// Every persona, in a fixed order.
    pub const ALL: [Persona; 3] = [Persona::Regular, Persona::WithoutEmail, Persona::LargeId];
}

/// What the adapter must report for a persona: exactly these values, as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedProfile {
    /// The subject (the provider's stable id of the person), e.g. `"583231"`.
    pub subject: String,
    /// The username (GitHub login, GitLab username).
    pub username: String,
    /// The email `fetch_profile` reports; `None` for [`Persona::WithoutEmail`].
    pub email: Option<String>,
}

/// The OAuth application the adapter under test was configured with, as registered at the
/// stand-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppSettings {
    /// The client id, which the authorization URL must carry.
    pub client_id: String,
    /// The client secret, which no error message may contain.
    pub client_secret: String,
    /// The callback URL, which the authorization URL must carry byte for byte as
    /// `redirect_uri`, and where the stand-in sends the browser back.
    pub callback_url: String,
}

/// What an adapter gives the contract cases: itself configured against its stand-in, and
/// control over that stand-in.
///
/// Each case builds a fresh harness (one per test), so a harness may own a stand-in started
/// on the test's runtime. Implement it in the adapter's own test target and expand
/// [`provider_contract!`] there; see the crate's README for a complete example.
#[async_trait]
pub trait ProviderHarness: Send + Sync {
    /// The adapter under test, configured against the stand-in and the app of
    /// [`ProviderHarness::app`].
    fn provider(&self) -> Arc<dyn IdentityProvider>;

    /// The app the adapter was configured with.
    fn app(&self) -> AppSettings;

    /// Makes `persona` the one who approves (or cancels) the next authorizations, and says
    /// what the adapter must report for them.
    fn sign_in_as(&self, persona: Persona) -> ExpectedProfile;

    /// The next authorization is answered as if the person pressed Cancel: a redirect to the
    /// callback with `error=access_denied` and the `state`, without a code.
    fn press_cancel(&self);

    /// The same adapter configured against an address where nothing listens (see
    /// [`unreachable_base_url`]), with the same app.
    ///
    /// # Errors
    /// When it cannot be built; the case then fails.
    fn unreachable_provider(&self) -> Result<Arc<dyn IdentityProvider>, BoxError>;

    /// Whether the stand-in issues refresh tokens to the app of [`ProviderHarness::app`]. When
    /// it does, the refresh case checks the whole rotation; when it does not, the case checks
    /// that no refresh token comes with a grant and that `refresh` fails cleanly.
    fn issues_refresh_tokens(&self) -> bool;

    /// What the browser does with an authorization URL once the person is signed in at the
    /// stand-in: answers the URL the stand-in sends the browser back to (the callback with its
    /// query). The default GETs the URL without following redirects and reads the `Location`
    /// of the 3xx answer ([`follow_authorization`]); override it for a stand-in with a consent
    /// step to click through.
    ///
    /// # Errors
    /// When the stand-in does not send the browser anywhere.
    async fn approve(&self, authorization_url: &str) -> Result<Url, BoxError> {
        follow_authorization(authorization_url).await
    }
}

/// Expands into one `#[tokio::test]` per contract case, each building its own harness with
/// `$harness` (an expression evaluated inside the async test, so it may use `.await`; it must
/// give a value implementing [`ProviderHarness`]). The test target needs `tokio` (with its
/// `macros` and `rt` features) as a dev-dependency.
///
/// ```ignore
/// nectr_provider_contract::provider_contract!(
///     MyHarness::start().await.expect("the stand-in starts")
/// );
/// ```
///
/// To run the contract twice (say, for two kinds of app), expand it in two modules.
#[macro_export]
macro_rules! provider_contract {
    ($harness:expr) => {
        $crate::provider_contract!(@cases ($harness)
            happy_path
            cancel
            rejected_codes
            unreachable_provider
            profile_without_email
            large_id
            revoked_token
            refresh
        );
    };
    (@cases ($harness:expr) $($case:ident)+) => {
        $(
            #[tokio::test]
            async fn $case() -> $crate::CaseResult {
                let harness = $harness;
                $crate::cases::$case(&harness).await
            }
        )+
    };
}
